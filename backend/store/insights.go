package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"countersign/backend/proposal"
)

// RuleDeciderPrefix starts the decided_by of a decision a policy rule made
// (rule ids are "rule:…"); any other decided_by is a person.
const RuleDeciderPrefix = "rule:"

// Bounds of the Insights lists.
const (
	insightsTop       = 10  // top paths, commands and rules
	insightsDenials   = 20  // latest denials
	insightsReasonMax = 280 // bytes of a denial reason kept (before redaction marks)
	insightsMaxDays   = 366 // days in one series
)

// SeriesTypes are the status changes counted per day and per agent, in order.
var SeriesTypes = []EventType{EventProposed, EventApproved, EventDenied, EventExecuted, EventFailed, EventReverted}

// Insights are the figures of the dashboard over [From, To).
type Insights struct {
	From, To time.Time
	// ByStatus counts the proposals created in the range by their status now.
	ByStatus map[proposal.Status]int
	// Totals counts the status changes (events) in the range by type.
	Totals map[EventType]int
	// Agents counts the status changes in the range per agent, by most proposals first.
	Agents []AgentCounts
	// Days has one entry per day from From (a day is 24 hours from From), oldest first.
	Days []DayCounts
	// Decisions made in the range by a person or a rule, and how long they took.
	Decided         int
	DecisionMedian  time.Duration
	DecisionP90     time.Duration
	AutoApproved    int          // approvals made by a rule
	Rules           []NamedCount // which rules made them, most first (at most 10)
	TopPaths        []NamedCount // action paths of proposals created in the range (at most 10)
	TopCommands     []NamedCount // first word of command.run argv of those proposals (at most 10)
	Denials         []Denial     // the latest denials decided in the range (at most 20)
	ReasonsRedacted bool         // denial reasons went through the store's Redactor
}

// AgentCounts are one agent's status changes by type.
type AgentCounts struct {
	AgentID string
	Counts  map[EventType]int
}

// DayCounts are one day's status changes by type.
type DayCounts struct {
	Day    time.Time // the start of the day
	Counts map[EventType]int
}

// NamedCount is a name and how often it was seen.
type NamedCount struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Denial is a denied proposal with its reason, redacted or clipped.
type Denial struct {
	ProposalID string
	AgentID    string
	Summary    string
	Reason     string
	DecidedBy  string
	DecidedAt  time.Time
}

// The Insights queries. Each is bounded by the range through an index
// (events_by_type, proposals_by_created, proposals_by_decided); see
// TestInsightsQueryPlans.
const (
	sqlInsightsEvents = `SELECT type, (ts - ?1) / ?3, agent_id, count(*) FROM events
		WHERE type IN ('proposed', 'approved', 'denied', 'executed', 'failed', 'reverted') AND ts >= ?1 AND ts < ?2
		GROUP BY 1, 2, 3`
	sqlInsightsStatus  = `SELECT status, count(*) FROM proposals WHERE created_at >= ?1 AND created_at < ?2 GROUP BY status`
	sqlInsightsDecided = `SELECT p.decided_at - p.created_at, d.decided_by, d.verdict FROM proposals p
		JOIN decisions d ON d.proposal_id = p.id
		WHERE p.decided_at IS NOT NULL AND p.decided_at >= ?1 AND p.decided_at < ?2`
	sqlInsightsPaths = `SELECT a.path, count(*) FROM proposals p JOIN actions a ON a.proposal_id = p.id
		WHERE p.created_at >= ?1 AND p.created_at < ?2 AND a.path <> ''
		GROUP BY a.path ORDER BY 2 DESC, 1 LIMIT ?3`
	sqlInsightsCommands = `SELECT json_extract(a.params, '$.argv[0]'), count(*) FROM proposals p
		JOIN actions a ON a.proposal_id = p.id
		WHERE p.created_at >= ?1 AND p.created_at < ?2 AND a.kind = 'command.run' AND json_valid(a.params)
			AND json_extract(a.params, '$.argv[0]') IS NOT NULL
		GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?3`
	sqlInsightsDenials = `SELECT p.id, p.agent_id, p.summary, d.reason, d.decided_by, d.decided_at FROM proposals p
		JOIN decisions d ON d.proposal_id = p.id
		WHERE p.decided_at IS NOT NULL AND p.decided_at >= ?1 AND p.decided_at < ?2 AND d.verdict = 'deny'
		ORDER BY p.decided_at DESC, p.id DESC LIMIT ?3`
)

// Insights returns the dashboard's figures for [from, to), a range of at most
// a year. Days are 24-hour spans from from (pass a local midnight). Commands
// are counted by their first word; a command whose parameters are too large
// to be kept inline (over 2 KiB) is not counted. Denial reasons go through
// the Redactor when one is set and are clipped in any case.
func (s *Store) Insights(ctx context.Context, from, to time.Time) (Insights, error) {
	if !to.After(from) {
		return Insights{}, fmt.Errorf("store: insights: empty range %s – %s", from, to)
	}
	const day = 24 * time.Hour
	days := int((to.Sub(from) + day - 1) / day)
	if days > insightsMaxDays {
		return Insights{}, fmt.Errorf("store: insights: range of %d days, at most %d", days, insightsMaxDays)
	}
	lo, hi := from.UnixNano(), to.UnixNano()
	in := Insights{From: from, To: to, ByStatus: map[proposal.Status]int{}, Totals: map[EventType]int{},
		Agents: []AgentCounts{}, Days: make([]DayCounts, days), Rules: []NamedCount{}, Denials: []Denial{}}
	for i := range in.Days {
		in.Days[i] = DayCounts{Day: from.Add(time.Duration(i) * day), Counts: map[EventType]int{}}
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Insights{}, fmt.Errorf("store: insights: %w", err)
	}
	defer tx.Rollback()
	wrap := func(what string, err error) error { return fmt.Errorf("store: insights %s: %w", what, err) }

	// Status changes per day and agent.
	agents := map[string]map[EventType]int{}
	err = eachRow(ctx, tx, sqlInsightsEvents, []any{lo, hi, int64(day)}, func(r *sql.Rows) error {
		var typ, agent string
		var d int64
		var n int
		if err := r.Scan(&typ, &d, &agent, &n); err != nil {
			return err
		}
		t := EventType(typ)
		in.Totals[t] += n
		if d >= 0 && d < int64(days) {
			in.Days[d].Counts[t] += n
		}
		if agents[agent] == nil {
			agents[agent] = map[EventType]int{}
		}
		agents[agent][t] += n
		return nil
	})
	if err != nil {
		return Insights{}, wrap("events", err)
	}
	for id, c := range agents {
		in.Agents = append(in.Agents, AgentCounts{AgentID: id, Counts: c})
	}
	slices.SortFunc(in.Agents, func(a, b AgentCounts) int {
		if c := b.Counts[EventProposed] - a.Counts[EventProposed]; c != 0 {
			return c
		}
		return strings.Compare(a.AgentID, b.AgentID)
	})

	err = eachRow(ctx, tx, sqlInsightsStatus, []any{lo, hi}, func(r *sql.Rows) error {
		var st string
		var n int
		if err := r.Scan(&st, &n); err != nil {
			return err
		}
		in.ByStatus[proposal.Status(st)] = n
		return nil
	})
	if err != nil {
		return Insights{}, wrap("status", err)
	}

	// Time to decision, and who decided.
	var waits []int64
	rules := map[string]int{}
	err = eachRow(ctx, tx, sqlInsightsDecided, []any{lo, hi}, func(r *sql.Rows) error {
		var wait int64
		var by, verdict string
		if err := r.Scan(&wait, &by, &verdict); err != nil {
			return err
		}
		waits = append(waits, max(wait, 0))
		// Auto-approved: what rules approved (a rule's deny, or the pause, is not).
		if strings.HasPrefix(by, RuleDeciderPrefix) && proposal.Verdict(verdict).Approves() {
			rules[by]++
		}
		return nil
	})
	if err != nil {
		return Insights{}, wrap("decisions", err)
	}
	in.Decided = len(waits)
	if len(waits) > 0 {
		slices.Sort(waits)
		in.DecisionMedian = time.Duration(quantile(waits, 0.5))
		in.DecisionP90 = time.Duration(quantile(waits, 0.9))
	}
	for by, n := range rules {
		in.AutoApproved += n
		in.Rules = append(in.Rules, NamedCount{Name: by, Count: n})
	}
	in.Rules = topOf(in.Rules, insightsTop)

	if in.TopPaths, err = namedCounts(ctx, tx, sqlInsightsPaths, lo, hi, insightsTop); err != nil {
		return Insights{}, wrap("paths", err)
	}
	if in.TopCommands, err = namedCounts(ctx, tx, sqlInsightsCommands, lo, hi, insightsTop); err != nil {
		return Insights{}, wrap("commands", err)
	}

	box, _ := s.redactor.Load().(*redactorBox)
	in.ReasonsRedacted = box != nil && box.r != nil
	err = eachRow(ctx, tx, sqlInsightsDenials, []any{lo, hi, insightsDenials}, func(r *sql.Rows) error {
		var d Denial
		var at int64
		if err := r.Scan(&d.ProposalID, &d.AgentID, &d.Summary, &d.Reason, &d.DecidedBy, &at); err != nil {
			return err
		}
		d.DecidedAt = fromNanos(sql.NullInt64{Int64: at, Valid: true})
		if in.ReasonsRedacted {
			d.Reason, _ = box.r.Redact(clip(d.Reason, maxScan))
		}
		d.Reason = clip(d.Reason, insightsReasonMax)
		d.Summary = clip(d.Summary, insightsReasonMax)
		in.Denials = append(in.Denials, d)
		return nil
	})
	if err != nil {
		return Insights{}, wrap("denials", err)
	}
	return in, nil
}

// quantile returns the q-quantile of sorted xs (nearest rank).
func quantile(xs []int64, q float64) int64 {
	i := int(q*float64(len(xs))+0.999999999) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

// topOf sorts cs by count (then name) and keeps the first n.
func topOf(cs []NamedCount, n int) []NamedCount {
	slices.SortFunc(cs, func(a, b NamedCount) int {
		if c := b.Count - a.Count; c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return cs[:min(n, len(cs))]
}

func namedCounts(ctx context.Context, tx *sql.Tx, q string, lo, hi int64, limit int) ([]NamedCount, error) {
	out := []NamedCount{}
	err := eachRow(ctx, tx, q, []any{lo, hi, limit}, func(r *sql.Rows) error {
		var c NamedCount
		if err := r.Scan(&c.Name, &c.Count); err != nil {
			return err
		}
		c.Name = clip(c.Name, maxShort)
		out = append(out, c)
		return nil
	})
	return out, err
}

func eachRow(ctx context.Context, tx *sql.Tx, q string, args []any, f func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
