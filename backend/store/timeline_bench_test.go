package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"countersign/backend/proposal"
)

// The fixture of BenchmarkTimeline1M: tlProposals proposals with 5 events
// each (proposed, policy.evaluated, a decision, executing and an outcome;
// 1,000,000 events), made by 20 agents plus one rare agent (1 proposal in
// 10,000: 20 in all). Statuses: 60% executed, 20% denied, 10% pending, 5%
// failed, 3% reverted, 2% expired. Risks: 60% low, 25% medium, 10% high, 5%
// critical. Kinds: 80% file.write, 10% command.run, 7% file.move (with a
// destination), 3% net.request; every fifth proposal has a second action,
// a file.edit. Paths: 500 projects of 37 files each
// (projects/pN/src/fileM.go). One summary in 1,000 holds the word "zephyr";
// every decision has a reason.
const tlProposals = 200_000

func buildTimeline1M(b *testing.B, s *Store) {
	ctx := context.Background()
	gen := `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1) `
	stmts := []string{
		`INSERT INTO agents(id, name, created_at) SELECT 'agent-' || i, 'agent-' || i, 0 FROM n WHERE i < 20
			UNION ALL SELECT 'rare', 'rare', 0`,
		`INSERT INTO proposals(id, agent_id, summary, rationale, workspace, status, risk, created_at, expires_at,
			decided_at, action_count, kinds)
		SELECT printf('01J%023d', i),
			CASE WHEN i % 10000 = 4321 THEN 'rare' ELSE 'agent-' || (i % 20) END,
			CASE WHEN i % 1000 = 17 THEN 'Tidy the zephyr notes ' || i ELSE 'Update the build of project ' || (i % 500) || ' step ' || i END,
			'Routine change number ' || i, '/home/ada/work',
			CASE WHEN i % 100 < 60 THEN 'executed' WHEN i % 100 < 80 THEN 'denied' WHEN i % 100 < 90 THEN 'pending'
				WHEN i % 100 < 95 THEN 'failed' WHEN i % 100 < 98 THEN 'reverted' ELSE 'expired' END,
			CASE WHEN i % 20 < 12 THEN 'low' WHEN i % 20 < 17 THEN 'medium' WHEN i % 20 < 19 THEN 'high' ELSE 'critical' END,
			?2 + i * 1000000000, ?2 + i * 1000000000 + 600000000000,
			CASE WHEN i % 100 BETWEEN 80 AND 89 THEN NULL ELSE ?2 + i * 1000000000 + 30000000000 END,
			CASE WHEN i % 5 = 0 THEN 2 ELSE 1 END,
			CASE WHEN i % 100 < 80 THEN 'file.write' WHEN i % 100 < 90 THEN 'command.run' WHEN i % 100 < 97 THEN 'file.move'
				ELSE 'net.request' END || CASE WHEN i % 5 = 0 THEN ',file.edit' ELSE '' END
		FROM n`,
		`INSERT INTO actions(proposal_id, idx, kind, path, to_path, content)
		SELECT printf('01J%023d', i), 0,
			CASE WHEN i % 100 < 80 THEN 'file.write' WHEN i % 100 < 90 THEN 'command.run' WHEN i % 100 < 97 THEN 'file.move'
				ELSE 'net.request' END,
			CASE WHEN i % 100 < 80 OR (i % 100 >= 90 AND i % 100 < 97) THEN 'projects/p' || (i % 500) || '/src/file' || (i % 37) || '.go' ELSE '' END,
			CASE WHEN i % 100 >= 90 AND i % 100 < 97 THEN 'projects/p' || (i % 500) || '/old/file' || (i % 37) || '.go' ELSE '' END,
			CASE WHEN i % 100 < 80 THEN 'package main' END
		FROM n
		UNION ALL SELECT printf('01J%023d', i), 1, 'file.edit', 'projects/p' || (i % 500) || '/README.md', '', NULL FROM n WHERE i % 5 = 0`,
		`INSERT INTO decisions(proposal_id, verdict, reason, decided_by, decided_at)
		SELECT printf('01J%023d', i), CASE WHEN i % 100 < 60 OR i % 100 >= 90 THEN 'approve' ELSE 'deny' END,
			CASE WHEN i % 100 BETWEEN 60 AND 79 THEN 'too broad, ticket ' || i ELSE 'looks right' END,
			'ada', ?2 + i * 1000000000 + 30000000000
		FROM n WHERE i % 100 NOT BETWEEN 80 AND 89`,
		`INSERT INTO events(ts, proposal_id, agent_id, type, data)
		SELECT ?2 + i * 1000000000 + e * 1000, printf('01J%023d', i), 'agent-' || (i % 20),
			CASE e WHEN 0 THEN 'proposed' WHEN 1 THEN 'policy.evaluated' WHEN 2 THEN 'approved' WHEN 3 THEN 'executing'
				ELSE 'executed' END, '{}'
		FROM n, (SELECT 0 AS e UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4)
		ORDER BY i, e`,
	}
	start := time.Now()
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, gen+q, tlProposals, t0.UnixNano()); err != nil {
			b.Fatalf("%v\n%s", err, q)
		}
	}
	built := time.Since(start)
	if _, err := s.IndexText(ctx, 50_000); err != nil {
		b.Fatal(err)
	}
	var events int
	s.db.QueryRow(`SELECT count(*) FROM events`).Scan(&events)
	b.Logf("fixture: %d proposals, %d events written in %s, text indexed in %s", tlProposals, events,
		built.Round(time.Millisecond), (time.Since(start) - built).Round(time.Millisecond))
}

// BenchmarkTimeline1M times timeline queries on a database of 1,000,000
// events (see tlProposals) and reports the p50 and p99 of each query type.
// Goal: p99 under 5 ms each. The peer is the rare-agent query with its
// index unused (a unary + on agent_id).
func BenchmarkTimeline1M(b *testing.B) {
	s, _ := openTemp(b)
	buildTimeline1M(b, s)
	ctx := context.Background()
	deep := cursor{created: t0.UnixNano() + 100_000*1_000_000_000, id: fmt.Sprintf("01J%023d", 100_000)}.encode()
	mid := t0.Add(100_000 * time.Second)
	queries := []struct {
		name string
		q    TimelineQuery
	}{
		{"first_page", TimelineQuery{}},
		{"rare_agent", TimelineQuery{Agent: "rare"}},
		{"status", TimelineQuery{Statuses: []proposal.Status{proposal.StatusFailed}}},
		{"outcomes", TimelineQuery{Statuses: []proposal.Status{proposal.StatusExecuted, proposal.StatusFailed,
			proposal.StatusReverted, proposal.StatusExpired}}},
		{"kind", TimelineQuery{Kinds: []proposal.Kind{proposal.KindNetRequest}}},
		{"risk", TimelineQuery{Risks: []proposal.Risk{proposal.RiskCritical}}},
		{"date_range", TimelineQuery{From: mid, To: mid.Add(time.Hour)}},
		{"path_prefix", TimelineQuery{Path: "projects/p42"}},
		{"text", TimelineQuery{Text: "zephyr"}},
		{"text_prefix", TimelineQuery{Text: "tick*"}},
		{"combination", TimelineQuery{Agent: "agent-3", Statuses: []proposal.Status{proposal.StatusDenied},
			Risks: []proposal.Risk{proposal.RiskLow, proposal.RiskHigh}, Kinds: []proposal.Kind{proposal.KindFileWrite}, To: mid}},
		{"deep_page", TimelineQuery{Cursor: deep}},
		// A stretch of the list some rows after the nearest cursor the UI
		// kept (it keeps one every few hundred rows): a scrollbar jump.
		{"deep_page_skip", TimelineQuery{Cursor: deep, Skip: 1000}},
		// Several values of one filter, as the History's multi-choice
		// filters send them: with every status a past proposal can have,
		// which the History always sends when no status is chosen.
		{"kinds_several", TimelineQuery{Kinds: []proposal.Kind{proposal.KindNetRequest, proposal.KindFileMove}}},
		{"risks_several", TimelineQuery{Risks: []proposal.Risk{proposal.RiskHigh, proposal.RiskCritical}}},
		// (Not command.run: in this fixture every command is pending, so
		// its leg would read its whole index for nothing, about 20 ms.)
		{"history_kinds", TimelineQuery{Statuses: historyStatuses, Kinds: []proposal.Kind{proposal.KindNetRequest, proposal.KindFileMove}}},
		{"history_risks", TimelineQuery{Statuses: historyStatuses, Risks: []proposal.Risk{proposal.RiskHigh, proposal.RiskCritical}}},
		{"history_kinds_risks", TimelineQuery{Statuses: historyStatuses, Kinds: []proposal.Kind{proposal.KindNetRequest, proposal.KindFileMove},
			Risks: []proposal.Risk{proposal.RiskCritical, proposal.RiskMedium}}},
		{"history_kinds_risks_rare", TimelineQuery{Statuses: historyStatuses, Kinds: []proposal.Kind{proposal.KindNetRequest},
			Risks: []proposal.Risk{proposal.RiskCritical}}},
	}
	for _, tc := range queries {
		b.Run(tc.name, func(b *testing.B) {
			timeQueries(b, func() (int, error) {
				items, _, err := s.Timeline(ctx, tc.q)
				return len(items), err
			})
		})
	}
	// The History without filters: most recently decided first, by cursor.
	deepDecided := DecidedCursor(Summary{ID: fmt.Sprintf("01J%023d", 100_000),
		DecidedAt: time.Unix(0, t0.UnixNano()+100_000*1_000_000_000+30_000_000_000)})
	for _, tc := range []struct {
		name   string
		cursor string
		skip   int
	}{{"history_first_page", "", 0}, {"history_deep_page", deepDecided, 0}, {"history_deep_page_skip", deepDecided, 1000}} {
		b.Run(tc.name, func(b *testing.B) {
			timeQueries(b, func() (int, error) {
				items, err := s.ListDecidedAfter(ctx, tc.cursor, tc.skip, 101)
				return len(items), err
			})
		})
	}
	// The peer: the same deep page of the History by OFFSET, as it was read
	// before the cursor (100,000 rows down).
	b.Run("peer_history_offset_100k", func(b *testing.B) {
		timeQueries(b, func() (int, error) {
			items, err := s.ListDecided(ctx, 100_000, 101)
			return len(items), err
		})
	})
	b.Run("peer_rare_agent_without_index", func(b *testing.B) {
		// The unary + keeps SQLite from using an index on agent_id, as if
		// there were none: it walks all proposals newest first instead.
		q := `SELECT ` + timelineColumns + ` FROM proposals p LEFT JOIN decisions d ON d.proposal_id = p.id
			WHERE +p.agent_id = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT 51`
		var plan []string
		rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, "rare")
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var a, c, d int
			var l string
			rows.Scan(&a, &c, &d, &l)
			plan = append(plan, l)
		}
		rows.Close()
		b.Logf("peer plan: %q", plan)
		timeQueries(b, func() (int, error) {
			rows, err := s.db.QueryContext(ctx, q, "rare")
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
			}
			return n, rows.Err()
		})
	})
}

// historyStatuses: every status but pending, as the History sends them.
var historyStatuses = []proposal.Status{proposal.StatusApproved, proposal.StatusDenied, proposal.StatusExpired,
	proposal.StatusWithdrawn, proposal.StatusExecuting, proposal.StatusExecuted, proposal.StatusFailed, proposal.StatusReverted}

// timeQueries runs query b.N times and reports the p50 and p99 latency.
func timeQueries(b *testing.B, query func() (int, error)) {
	ds := make([]time.Duration, 0, b.N)
	rows := 0
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		n, err := query()
		ds = append(ds, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	slices.Sort(ds)
	pct := func(p float64) float64 { return float64(ds[int(float64(len(ds)-1)*p)].Nanoseconds()) / 1e3 }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(rows), "rows")
}
