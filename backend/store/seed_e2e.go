//go:build e2e

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SeedHistory writes n proposals that left pending (executed, denied or
// expired, with their decisions and one action each) straight into the
// tables, their decisions a second apart and ending at end: a history to
// benchmark the UI against in seconds rather than minutes. Test builds only
// (-tags e2e): it writes no events and no audit records, so it must never
// ship.
func (s *Store) SeedHistory(ctx context.Context, n int, workspace string, end time.Time) error {
	if n <= 0 {
		return nil
	}
	gen := `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?1 - 1) `
	stmts := []string{
		`INSERT OR IGNORE INTO agents(id, name, created_at) SELECT 'seed-agent-' || i, 'seed-agent-' || i, 0 FROM k WHERE i < 7`,
		`INSERT INTO proposals(id, agent_id, summary, rationale, workspace, status, risk, created_at, expires_at,
			decided_at, action_count, kinds)
		SELECT printf('01SEED%020d', i), 'seed-agent-' || (i % 7), 'Seeded past change ' || i || ': update notes/file-' || i || '.txt',
			'', ?3,
			CASE WHEN i % 10 < 7 THEN 'executed' WHEN i % 10 < 9 THEN 'denied' ELSE 'expired' END,
			CASE WHEN i % 20 < 12 THEN 'low' WHEN i % 20 < 17 THEN 'medium' WHEN i % 20 < 19 THEN 'high' ELSE 'critical' END,
			?2 - (?1 - i) * 1000000000 - 30000000000, ?2 - (?1 - i) * 1000000000 + 600000000000,
			?2 - (?1 - i) * 1000000000, 1, 'file.write'
		FROM k`,
		`INSERT INTO actions(proposal_id, idx, kind, path, to_path)
		SELECT printf('01SEED%020d', i), 0, 'file.write', 'notes/file-' || i || '.txt', '' FROM k`,
		`INSERT INTO decisions(proposal_id, verdict, reason, decided_by, decided_at)
		SELECT printf('01SEED%020d', i), CASE WHEN i % 10 < 7 THEN 'approve' ELSE 'deny' END,
			CASE WHEN i % 10 BETWEEN 7 AND 8 THEN 'not now' ELSE '' END, 'seed', ?2 - (?1 - i) * 1000000000
		FROM k WHERE i % 10 < 9`,
	}
	return s.write(ctx, "seed history", func(tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, gen+q, n, end.UnixNano(), workspace); err != nil {
				return fmt.Errorf("seed history: %w", err)
			}
		}
		return nil
	})
}
