package store

import (
	"context"
	"testing"
	"time"
)

// insBenchProposals are spread evenly over insBenchDays days: 20 agents,
// six in ten executed, two denied with a reason, one pending, the rest
// failed, reverted or expired; one in ten runs a command.
const (
	insBenchProposals = 100_000
	insBenchDays      = 30
)

func buildInsights(b *testing.B, s *Store) {
	ctx := context.Background()
	step := int64(insBenchDays*24*time.Hour) / insBenchProposals
	gen := `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1) `
	stmts := []string{
		`INSERT INTO agents(id, name, created_at) SELECT 'agent-' || i, 'agent-' || i, 0 FROM n WHERE i < 20`,
		`INSERT INTO proposals(id, agent_id, summary, rationale, workspace, status, risk, created_at, expires_at,
			decided_at, action_count, kinds)
		SELECT printf('01J%023d', i), 'agent-' || (i % 20), 'Update project ' || (i % 500), '', '/w',
			CASE WHEN i % 10 < 6 THEN 'executed' WHEN i % 10 < 8 THEN 'denied' WHEN i % 10 = 8 THEN 'pending' ELSE 'reverted' END,
			'low', ?2 + i * ?3, NULL,
			CASE WHEN i % 10 = 8 THEN NULL ELSE ?2 + i * ?3 + (i % 97) * 1000000000 END,
			1, CASE WHEN i % 10 = 7 THEN 'command.run' ELSE 'file.write' END
		FROM n`,
		`INSERT INTO actions(proposal_id, idx, kind, path, params)
		SELECT printf('01J%023d', i), 0, CASE WHEN i % 10 = 7 THEN 'command.run' ELSE 'file.write' END,
			CASE WHEN i % 10 = 7 THEN '' ELSE 'projects/p' || (i % 500) || '/file' || (i % 37) || '.go' END,
			CASE WHEN i % 10 = 7 THEN '{"argv":["' || CASE i % 3 WHEN 0 THEN 'make' WHEN 1 THEN 'git' ELSE 'npm' END || '","x"]}' END
		FROM n`,
		`INSERT INTO decisions(proposal_id, verdict, reason, decided_by, decided_at)
		SELECT printf('01J%023d', i), CASE WHEN i % 10 BETWEEN 6 AND 7 THEN 'deny' ELSE 'approve' END,
			CASE WHEN i % 10 BETWEEN 6 AND 7 THEN 'too broad, ticket ' || i ELSE '' END, 'ada',
			?2 + i * ?3 + (i % 97) * 1000000000
		FROM n WHERE i % 10 <> 8`,
		`INSERT INTO events(ts, proposal_id, agent_id, type, data)
		SELECT ?2 + i * ?3 + e * 1000000, printf('01J%023d', i), 'agent-' || (i % 20),
			CASE e WHEN 0 THEN 'proposed' WHEN 1 THEN 'policy.evaluated'
				WHEN 2 THEN CASE WHEN i % 10 BETWEEN 6 AND 7 THEN 'denied' WHEN i % 10 = 8 THEN 'notified' ELSE 'approved' END
				WHEN 3 THEN 'executing' ELSE 'executed' END, '{}'
		FROM n, (SELECT 0 AS e UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4)
		WHERE e < 3 OR i % 10 < 6 OR i % 10 = 9
		ORDER BY i, e`,
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, gen+q, insBenchProposals, t0.UnixNano(), step); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
}

// BenchmarkInsights times the dashboard over 100,000 proposals (and about
// 410,000 events) in 30 days: the whole range, and the last 7 days.
func BenchmarkInsights(b *testing.B) {
	s, _ := openTemp(b)
	buildInsights(b, s)
	s.SetRedactor(upper{})
	ctx := context.Background()
	from := t0
	for _, bc := range []struct {
		name string
		from time.Time
		days int
	}{{"30days", from, insBenchDays}, {"7days", from.Add(23 * 24 * time.Hour), 7}} {
		b.Run(bc.name, func(b *testing.B) {
			var in Insights
			var err error
			for b.Loop() {
				in, err = s.Insights(ctx, bc.from, bc.from.Add(time.Duration(bc.days)*24*time.Hour))
				if err != nil {
					b.Fatal(err)
				}
			}
			if in.Totals[EventProposed] == 0 || len(in.Denials) != insightsDenials {
				b.Fatalf("insights = %+v", in.Totals)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/call")
		})
	}
}
