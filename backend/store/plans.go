package store

import (
	"context"
	"strings"
)

// uiQueries are the reads the UI and the expiry loop run, with representative
// arguments, so their plans can be checked.
var uiQueries = []struct {
	name string
	sql  string
	args []any
}{
	{"list by status", sqlListByStatus, []any{"pending", 50, 0}},
	{"count by status", sqlCountStatus, []any{"pending"}},
	{"count all statuses", sqlCountAll, nil},
	{"list by agent", sqlListByAgent, []any{"agent", 50, 0}},
	{"get proposal", sqlGetProposal, []any{"01H00000000000000000000000"}},
	{"list actions", sqlListActions, []any{"01H00000000000000000000000"}},
	{"due for expiry", sqlDueForExpiry, []any{int64(0), 100}},
	{"next expiry", sqlNextExpiry, nil},
	{"status of", sqlStatusOf, []any{"01H00000000000000000000000"}},
	{"update status", sqlUpdateStatus, []any{"approved", int64(0), "01H00000000000000000000000", "pending"}},
	{"get blob", sqlGetBlob, []any{"00"}},
	{"list events", sqlListEvents, []any{"01H00000000000000000000000"}},
	{"list agent events", sqlListAgentEvents, []any{"agent", int64(0), 100}},
	{"get agent", sqlGetAgent, []any{"agent"}},
	{"list decided", sqlListDecided, []any{50, 0}},
}

// QueryPlans returns, for every query the UI runs, the lines of its EXPLAIN
// QUERY PLAN, so a test can assert that each one is served by an index.
func (s *Store) QueryPlans(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	for _, q := range uiQueries {
		rows, err := s.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			return nil, s.wrap("explain "+q.name, err)
		}
		var lines []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				rows.Close()
				return nil, s.wrap("explain "+q.name, err)
			}
			lines = append(lines, strings.TrimSpace(detail))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.wrap("explain "+q.name, err)
		}
		out[q.name] = lines
	}
	return out, nil
}
