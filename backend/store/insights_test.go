package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/proposal"
)

// insFrom is the first day of the Insights fixture: a midnight.
var insFrom = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

// seedInsights stores the Insights fixture: six proposals of two agents over
// three days from insFrom, and one the day before (outside the range).
func seedInsights(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	type fx struct {
		id, agent string
		created   time.Duration // after insFrom
		action    proposal.Action
		verdict   proposal.Verdict
		wait      time.Duration // to the decision
		by        string
		reason    string
		executed  bool
	}
	write := func(path string) proposal.Action {
		return proposal.Action{Kind: proposal.KindFileWrite, Path: path, Content: "x"}
	}
	run := func(argv ...string) proposal.Action {
		return proposal.Action{Kind: proposal.KindCommandRun, Argv: argv, Dir: "."}
	}
	fixtures := []fx{
		{id: newID(0), agent: "a", created: -2 * time.Hour, action: write("old/before.md"), verdict: proposal.VerdictDeny, wait: time.Minute, by: "ada", reason: "before the range"},
		{id: newID(1), agent: "a", created: time.Hour, action: write("docs/a.md"), verdict: proposal.VerdictApprove, wait: 10 * time.Second, by: "ada", executed: true},
		{id: newID(2), agent: "a", created: 2 * time.Hour, action: write("docs/a.md"), verdict: proposal.VerdictDeny, wait: 2 * time.Minute, by: "ada", reason: "leaks the secret token"},
		{id: newID(3), agent: "a", created: 25 * time.Hour, action: write("docs/b.md")},
		{id: newID(4), agent: "b", created: 26 * time.Hour, action: run("git", "push"), verdict: proposal.VerdictDeny, wait: 30 * time.Second, by: "ada", reason: "not on main"},
		{id: newID(5), agent: "b", created: 49 * time.Hour, action: run("git", "status"), verdict: proposal.VerdictApprove, wait: 5 * time.Second, by: "rule:r1"},
		{id: newID(6), agent: "b", created: 50 * time.Hour, action: run("make", "test")},
	}
	for _, f := range fixtures {
		at := insFrom.Add(f.created)
		p := &proposal.Proposal{ID: f.id, AgentID: f.agent, Summary: "Change " + f.id, Workspace: "/w",
			Status: proposal.StatusPending, Risk: proposal.RiskLow, CreatedAt: at, Actions: []proposal.Action{f.action}}
		if err := s.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
		if f.verdict == "" {
			continue
		}
		to, ev := proposal.StatusApproved, EventApproved
		if f.verdict == proposal.VerdictDeny {
			to, ev = proposal.StatusDenied, EventDenied
		}
		if err := s.UpdateStatus(ctx, StatusChange{ID: f.id, From: proposal.StatusPending, To: to, At: at.Add(f.wait),
			Event: ev, Decision: &proposal.Decision{Verdict: f.verdict, Reason: f.reason, DecidedBy: f.by}}); err != nil {
			t.Fatal(err)
		}
		if f.executed {
			for _, c := range []StatusChange{
				{ID: f.id, From: proposal.StatusApproved, To: proposal.StatusExecuting, At: at.Add(f.wait + time.Second), Event: EventExecuting},
				{ID: f.id, From: proposal.StatusExecuting, To: proposal.StatusExecuted, At: at.Add(f.wait + 2*time.Second), Event: EventExecuted},
				{ID: f.id, From: proposal.StatusExecuted, To: proposal.StatusReverted, At: at.Add(f.wait + 24*time.Hour), Event: EventReverted},
			} {
				if err := s.UpdateStatus(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// counts turns "proposed=2 denied=1" into a map.
func counts(s string) map[EventType]int {
	m := map[EventType]int{}
	for _, f := range strings.Fields(s) {
		var n int
		k, v, _ := strings.Cut(f, "=")
		fmt.Sscan(v, &n)
		m[EventType(k)] = n
	}
	return m
}

func TestInsights(t *testing.T) {
	s, _ := openTemp(t)
	seedInsights(t, s)
	s.SetRedactor(upper{})
	got, err := s.Insights(context.Background(), insFrom, insFrom.Add(3*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := Insights{
		From: insFrom, To: insFrom.Add(72 * time.Hour),
		ByStatus: map[proposal.Status]int{proposal.StatusReverted: 1, proposal.StatusDenied: 2,
			proposal.StatusPending: 2, proposal.StatusApproved: 1},
		Totals: counts("proposed=6 approved=2 denied=2 executed=1 reverted=1"),
		Agents: []AgentCounts{
			{AgentID: "a", Counts: counts("proposed=3 approved=1 denied=1 executed=1 reverted=1")},
			{AgentID: "b", Counts: counts("proposed=3 approved=1 denied=1")},
		},
		Days: []DayCounts{
			{Day: insFrom, Counts: counts("proposed=2 approved=1 denied=1 executed=1")},
			{Day: insFrom.Add(24 * time.Hour), Counts: counts("proposed=2 denied=1 reverted=1")},
			{Day: insFrom.Add(48 * time.Hour), Counts: counts("proposed=2 approved=1")},
		},
		Decided: 4, DecisionMedian: 10 * time.Second, DecisionP90: 2 * time.Minute,
		AutoApproved: 1, Rules: []NamedCount{{"rule:r1", 1}},
		TopPaths:        []NamedCount{{"docs/a.md", 2}, {"docs/b.md", 1}},
		TopCommands:     []NamedCount{{"git", 2}, {"make", 1}},
		ReasonsRedacted: true,
		Denials: []Denial{
			{ProposalID: newID(4), AgentID: "b", Summary: "Change " + newID(4), Reason: "not on main", DecidedBy: "ada",
				DecidedAt: insFrom.Add(26*time.Hour + 30*time.Second)},
			{ProposalID: newID(2), AgentID: "a", Summary: "Change " + newID(2), Reason: "leaks the [REDACTED:test] token", DecidedBy: "ada",
				DecidedAt: insFrom.Add(2*time.Hour + 2*time.Minute)},
		},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Insights (-got +want):\n%s", diff)
	}
}

func TestInsightsEmptyAndBadRanges(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	got, err := s.Insights(ctx, insFrom, insFrom.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Days) != 30 || got.Decided != 0 || len(got.Agents) != 0 || len(got.Denials) != 0 ||
		got.Rules == nil || got.TopPaths == nil || got.TopCommands == nil || got.ReasonsRedacted {
		t.Errorf("empty insights = %+v", got)
	}
	for name, to := range map[string]time.Time{"empty": insFrom, "reversed": insFrom.Add(-time.Hour),
		"over a year": insFrom.Add(400 * 24 * time.Hour)} {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Insights(ctx, insFrom, to); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestInsightsClipsReasons: without a Redactor a reason is shown clipped.
func TestInsightsClipsReasons(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	p := small(newID(1), "a", insFrom.Add(time.Hour))
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", 1000)
	decide := StatusChange{ID: p.ID, From: proposal.StatusPending, To: proposal.StatusDenied, At: insFrom.Add(2 * time.Hour),
		Event: EventDenied, Decision: &proposal.Decision{Verdict: proposal.VerdictDeny, Reason: long, DecidedBy: "ada"}}
	if err := s.UpdateStatus(ctx, decide); err != nil {
		t.Fatal(err)
	}
	got, err := s.Insights(ctx, insFrom, insFrom.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Denials) != 1 || len(got.Denials[0].Reason) > insightsReasonMax || !strings.HasSuffix(got.Denials[0].Reason, "…") {
		t.Errorf("denials = %+v", got.Denials)
	}
}

// TestInsightsQueryPlans: every query reads its rows through an index bounded
// by the range, never a full scan of a table.
func TestInsightsQueryPlans(t *testing.T) {
	s, _ := openTemp(t)
	for name, q := range map[string]string{"events": sqlInsightsEvents, "status": sqlInsightsStatus,
		"decided": sqlInsightsDecided, "paths": sqlInsightsPaths, "commands": sqlInsightsCommands, "denials": sqlInsightsDenials} {
		t.Run(name, func(t *testing.T) {
			rows, err := s.db.Query("EXPLAIN QUERY PLAN "+q, 0, 1, 10)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			joined := strings.Join(plan, "\n")
			if !strings.HasPrefix(joined, "SEARCH ") || strings.Contains(joined, "SCAN ") {
				t.Errorf("plan reads a whole table:\n%s", joined)
			}
			t.Logf("%s", joined)
		})
	}
}
