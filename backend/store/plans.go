package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"countersign/backend/proposal"
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
	{"list decided after", sqlListDecidedAfter, []any{int64(0), "01H00000000000000000000000", 50, 100}},
	{"text index events", sqlTextEvents, []any{int64(0), 100}},
	{"text index source", sqlTextSource, []any{"01H00000000000000000000000"}},
	{"text index doc", sqlTextDoc, []any{"01H00000000000000000000000"}},
	{"text index last doc", sqlTextLastDoc, []any{int64(0), int64(1024)}},
}

// timelineQueries are representative timeline queries, explained with the
// UI's queries: one per filter, a few combinations, and later pages.
var timelineQueries = []struct {
	name string
	q    TimelineQuery
}{
	{"timeline", TimelineQuery{}},
	{"timeline next page", TimelineQuery{Cursor: cursor{created: 1, id: "01H"}.encode()}},
	{"timeline skip", TimelineQuery{Cursor: cursor{created: 1, id: "01H"}.encode(), Skip: 100}},
	{"timeline agent", TimelineQuery{Agent: "agent"}},
	{"timeline status", TimelineQuery{Statuses: []proposal.Status{proposal.StatusFailed}}},
	{"timeline statuses", TimelineQuery{Statuses: []proposal.Status{proposal.StatusExecuted, proposal.StatusFailed,
		proposal.StatusReverted}}},
	{"timeline risk", TimelineQuery{Risks: []proposal.Risk{proposal.RiskHigh, proposal.RiskCritical}}},
	{"timeline kind", TimelineQuery{Kinds: []proposal.Kind{proposal.KindCommandRun}}},
	{"timeline kinds", TimelineQuery{Kinds: []proposal.Kind{proposal.KindFileMove, proposal.KindFileDelete}}},
	{"timeline dates", TimelineQuery{From: time.Unix(1, 0), To: time.Unix(2, 0)}},
	{"timeline path", TimelineQuery{Path: "docs/reports"}},
	{"timeline text", TimelineQuery{Text: "report*"}},
	{"timeline text next page", TimelineQuery{Text: "report", Cursor: cursor{doc: 1, fts: true}.encode()}},
	{"timeline agent status kind dates", TimelineQuery{Agent: "agent", Statuses: []proposal.Status{proposal.StatusDenied},
		Kinds: []proposal.Kind{proposal.KindFileWrite}, From: time.Unix(1, 0), To: time.Unix(2, 0)}},
	{"timeline risk kind next page", TimelineQuery{Risks: []proposal.Risk{proposal.RiskLow},
		Kinds: []proposal.Kind{proposal.KindFileWrite}, Cursor: cursor{created: 1, id: "01H"}.encode()}},
	{"timeline text agent status dates", TimelineQuery{Text: "notes", Agent: "agent",
		Statuses: []proposal.Status{proposal.StatusExecuted}, From: time.Unix(1, 0), To: time.Unix(2, 0)}},
}

// QueryPlans returns, for every query the UI runs, the lines of its EXPLAIN
// QUERY PLAN, so a test can assert that each one is served by an index.
func (s *Store) QueryPlans(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	queries := uiQueries
	for _, t := range timelineQueries {
		tq, err := t.q.build(timelineDefaultLimit + 1)
		if err != nil {
			return nil, fmt.Errorf("store: explain %s: %w", t.name, err)
		}
		queries = append(queries, struct {
			name string
			sql  string
			args []any
		}{t.name, tq.sql, tq.args})
	}
	for _, q := range queries {
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
