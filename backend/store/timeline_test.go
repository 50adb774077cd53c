package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/proposal"
)

// tlFixture is a proposal of the timeline tests, with what they filter on.
type tlFixture struct {
	id      string
	agent   string
	status  proposal.Status
	risk    proposal.Risk
	kinds   []proposal.Kind
	paths   []string
	created time.Time
	summary string
	reason  string
}

var tlKinds = []proposal.Kind{proposal.KindFileWrite, proposal.KindFileMove, proposal.KindCommandRun, proposal.KindFileDelete}
var tlRisks = []proposal.Risk{proposal.RiskLow, proposal.RiskMedium, proposal.RiskHigh, proposal.RiskCritical}
var tlDirs = []string{"docs", "docs/reports", "src", "docs2"}

// seedTimeline stores n proposals of 3 agents, all kinds, risks and four
// directories, and decides some of them (deny with a reason, approve and
// execute). Some share a creation time.
func seedTimeline(t testing.TB, s *Store, n int) []tlFixture {
	t.Helper()
	ctx := context.Background()
	var out []tlFixture
	for i := range n {
		f := tlFixture{id: newID(i), agent: fmt.Sprintf("agent-%d", i%3), status: proposal.StatusPending,
			risk: tlRisks[i%4], created: t0.Add(time.Duration(i/2) * time.Minute),
			summary: fmt.Sprintf("Change number %d", i)}
		k := tlKinds[i%len(tlKinds)]
		dir := tlDirs[(i/4)%len(tlDirs)]
		p := &proposal.Proposal{ID: f.id, AgentID: f.agent, Summary: f.summary, Rationale: "Routine upkeep.",
			Workspace: "/w", Status: proposal.StatusPending, Risk: f.risk, CreatedAt: f.created}
		a := proposal.Action{Kind: k, Path: dir + "/file" + fmt.Sprint(i) + ".md"}
		switch k {
		case proposal.KindFileMove:
			a.To = "archive/old" + fmt.Sprint(i) + ".md"
		case proposal.KindCommandRun:
			a = proposal.Action{Kind: k, Argv: []string{"make"}, Dir: dir}
		case proposal.KindFileWrite:
			a.Content = "text"
		}
		p.Actions = []proposal.Action{a}
		f.kinds = []proposal.Kind{k}
		f.paths = []string{a.Path, a.To}
		if i%5 == 0 {
			p.Actions = append(p.Actions, proposal.Action{Kind: proposal.KindFileWrite, Path: "notes/extra.md", Content: "x"})
			if k != proposal.KindFileWrite {
				f.kinds = append(f.kinds, proposal.KindFileWrite)
			}
			f.paths = append(f.paths, "notes/extra.md")
		}
		if err := s.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
		switch i % 3 {
		case 1:
			f.status, f.reason = proposal.StatusDenied, fmt.Sprintf("too risky, see ticket %d", i)
			decide(t, s, f.id, proposal.StatusPending, f.status, proposal.VerdictDeny, f.reason)
		case 2:
			decide(t, s, f.id, proposal.StatusPending, proposal.StatusApproved, proposal.VerdictApprove, "fine")
			if err := s.UpdateStatus(ctx, StatusChange{ID: f.id, From: proposal.StatusApproved,
				To: proposal.StatusExecuting, At: f.created.Add(time.Second), Event: EventExecuting}); err != nil {
				t.Fatal(err)
			}
			f.status, f.reason = proposal.StatusExecuting, "fine"
		}
		out = append(out, f)
	}
	return out
}

func decide(t testing.TB, s *Store, id string, from, to proposal.Status, v proposal.Verdict, reason string) {
	t.Helper()
	err := s.UpdateStatus(context.Background(), StatusChange{ID: id, From: from, To: to, At: t0.Add(time.Hour),
		Event: EventType(to), Decision: &proposal.Decision{Verdict: v, Reason: reason, DecidedBy: "ada"}})
	if err != nil {
		t.Fatal(err)
	}
}

// expect returns the ids of fs that keep passes, newest first.
func expect(fs []tlFixture, keep func(f tlFixture) bool) []string {
	var sel []tlFixture
	for _, f := range fs {
		if keep(f) {
			sel = append(sel, f)
		}
	}
	slices.SortFunc(sel, func(a, b tlFixture) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	ids := []string{}
	for _, f := range sel {
		ids = append(ids, f.id)
	}
	return ids
}

// allPages pages through q, limit at a time, and returns the ids in order.
func allPages(t *testing.T, s *Store, q TimelineQuery, limit int) []string {
	t.Helper()
	q.Limit = limit
	ids := []string{}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
		items, next, err := s.Timeline(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > limit {
			t.Fatalf("page of %d items, limit %d", len(items), limit)
		}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		if next == "" {
			return ids
		}
		q.Cursor = next
	}
}

func underPath(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

func TestTimelineFilters(t *testing.T) {
	s, _ := openTemp(t)
	fs := seedTimeline(t, s, 120)
	if _, err := s.IndexText(context.Background(), 50); err != nil {
		t.Fatal(err)
	}
	has := func(xs []proposal.Kind, k proposal.Kind) bool { return slices.Contains(xs, k) }
	from, to := t0.Add(10*time.Minute), t0.Add(30*time.Minute)
	tests := []struct {
		name string
		q    TimelineQuery
		keep func(f tlFixture) bool
	}{
		{"everything", TimelineQuery{}, func(tlFixture) bool { return true }},
		{"agent", TimelineQuery{Agent: "agent-1"}, func(f tlFixture) bool { return f.agent == "agent-1" }},
		{"unknown agent", TimelineQuery{Agent: "nobody"}, func(tlFixture) bool { return false }},
		{"status", TimelineQuery{Statuses: []proposal.Status{proposal.StatusDenied}},
			func(f tlFixture) bool { return f.status == proposal.StatusDenied }},
		{"statuses", TimelineQuery{Statuses: []proposal.Status{proposal.StatusDenied, proposal.StatusPending}},
			func(f tlFixture) bool { return f.status != proposal.StatusExecuting }},
		{"risk", TimelineQuery{Risks: []proposal.Risk{proposal.RiskHigh}},
			func(f tlFixture) bool { return f.risk == proposal.RiskHigh }},
		{"risks", TimelineQuery{Risks: []proposal.Risk{proposal.RiskHigh, proposal.RiskLow}},
			func(f tlFixture) bool { return f.risk == proposal.RiskHigh || f.risk == proposal.RiskLow }},
		{"kind", TimelineQuery{Kinds: []proposal.Kind{proposal.KindFileMove}},
			func(f tlFixture) bool { return has(f.kinds, proposal.KindFileMove) }},
		{"kinds overlapping", TimelineQuery{Kinds: []proposal.Kind{proposal.KindCommandRun, proposal.KindFileWrite}},
			func(f tlFixture) bool {
				return has(f.kinds, proposal.KindCommandRun) || has(f.kinds, proposal.KindFileWrite)
			}},
		{"dates", TimelineQuery{From: from, To: to},
			func(f tlFixture) bool { return !f.created.Before(from) && f.created.Before(to) }},
		{"path component-wise", TimelineQuery{Path: "docs"}, func(f tlFixture) bool {
			return slices.ContainsFunc(f.paths, func(p string) bool { return underPath(p, "docs") })
		}},
		{"path trailing slash", TimelineQuery{Path: "docs/reports/"}, func(f tlFixture) bool {
			return slices.ContainsFunc(f.paths, func(p string) bool { return underPath(p, "docs/reports") })
		}},
		{"path of a destination", TimelineQuery{Path: "archive"}, func(f tlFixture) bool {
			return has(f.kinds, proposal.KindFileMove)
		}},
		{"path of one file", TimelineQuery{Path: "src/file9.md"}, func(f tlFixture) bool {
			return slices.Contains(f.paths, "src/file9.md")
		}},
		{"text in a summary", TimelineQuery{Text: "number 7"}, func(f tlFixture) bool { return f.summary == "Change number 7" }},
		{"text in a reason", TimelineQuery{Text: "ticket"}, func(f tlFixture) bool { return f.status == proposal.StatusDenied }},
		{"text prefix", TimelineQuery{Text: "tick*"}, func(f tlFixture) bool { return f.status == proposal.StatusDenied }},
		{"text in a path", TimelineQuery{Text: "extra"}, func(f tlFixture) bool {
			return slices.Contains(f.paths, "notes/extra.md")
		}},
		{"agent, status, kind and dates", TimelineQuery{Agent: "agent-1", Statuses: []proposal.Status{proposal.StatusDenied},
			Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileMove}, From: t0, To: to},
			func(f tlFixture) bool {
				return f.agent == "agent-1" && f.status == proposal.StatusDenied && f.created.Before(to) &&
					(has(f.kinds, proposal.KindFileWrite) || has(f.kinds, proposal.KindFileMove))
			}},
		{"risk and kind", TimelineQuery{Risks: []proposal.Risk{proposal.RiskCritical}, Kinds: []proposal.Kind{proposal.KindFileWrite}},
			func(f tlFixture) bool { return f.risk == proposal.RiskCritical && has(f.kinds, proposal.KindFileWrite) }},
		{"text, path, agent and risk", TimelineQuery{Text: "ticket", Path: "docs", Agent: "agent-1",
			Risks: []proposal.Risk{proposal.RiskMedium, proposal.RiskLow}, From: from},
			func(f tlFixture) bool {
				return f.status == proposal.StatusDenied && f.agent == "agent-1" && !f.created.Before(from) &&
					(f.risk == proposal.RiskMedium || f.risk == proposal.RiskLow) &&
					slices.ContainsFunc(f.paths, func(p string) bool { return underPath(p, "docs") })
			}},
		{"many statuses with kinds (walks the kinds)", TimelineQuery{Statuses: []proposal.Status{proposal.StatusDenied,
			proposal.StatusExecuting, proposal.StatusExpired}, Kinds: []proposal.Kind{proposal.KindFileMove, proposal.KindCommandRun}},
			func(f tlFixture) bool {
				return f.status != proposal.StatusPending && (has(f.kinds, proposal.KindFileMove) || has(f.kinds, proposal.KindCommandRun))
			}},
		{"many statuses with risks and kinds (walks the risks)", TimelineQuery{Statuses: []proposal.Status{proposal.StatusDenied,
			proposal.StatusExecuting, proposal.StatusFailed}, Risks: []proposal.Risk{proposal.RiskHigh, proposal.RiskLow},
			Kinds: []proposal.Kind{proposal.KindFileWrite}},
			func(f tlFixture) bool {
				return f.status != proposal.StatusPending && (f.risk == proposal.RiskHigh || f.risk == proposal.RiskLow) &&
					has(f.kinds, proposal.KindFileWrite)
			}},
		{"only punctuation", TimelineQuery{Text: `" ( *`}, func(tlFixture) bool { return false }},
	}
	// Some ids, as the History asks which of the proposals that just
	// changed match its filters.
	some := map[string]bool{}
	var someIDs []string
	for i, f := range fs {
		if i%4 == 1 || i%7 == 0 {
			some[f.id] = true
			someIDs = append(someIDs, f.id)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := expect(fs, tc.keep)
			for _, limit := range []int{7, 200} {
				if diff := cmp.Diff(allPages(t, s, tc.q, limit), want); diff != "" {
					t.Errorf("limit %d: ids differ (-got +want):\n%s", limit, diff)
				}
			}
			q := tc.q
			q.IDs = append(someIDs, "01JNOSUCHPROPOSAL000000000")
			wantSome := expect(fs, func(f tlFixture) bool { return some[f.id] && tc.keep(f) })
			if diff := cmp.Diff(allPages(t, s, q, 200), wantSome); diff != "" {
				t.Errorf("by ids: ids differ (-got +want):\n%s", diff)
			}
		})
	}
	if _, _, err := s.Timeline(context.Background(), TimelineQuery{IDs: make([]string, MaxTimelineIDs+1)}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("too many ids gave %v", err)
	}
	if _, _, err := s.Timeline(context.Background(), TimelineQuery{IDs: someIDs[:1], Cursor: "Yzg6eA"}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("ids with a cursor gave %v", err)
	}
}

func TestTimelineItem(t *testing.T) {
	s, _ := openTemp(t)
	seedTimeline(t, s, 3)
	items, next, err := s.Timeline(context.Background(), TimelineQuery{Statuses: []proposal.Status{proposal.StatusDenied}})
	if err != nil || next != "" || len(items) != 1 {
		t.Fatalf("Timeline = %d items, %q, %v", len(items), next, err)
	}
	it := items[0]
	want := TimelineItem{Summary: Summary{ID: newID(1), AgentID: "agent-1", Summary: "Change number 1",
		Risk: proposal.RiskMedium, Status: proposal.StatusDenied, CreatedAt: t0, DecidedAt: t0.Add(time.Hour),
		ActionCount: 1, Kinds: []proposal.Kind{proposal.KindFileMove}},
		Verdict: proposal.VerdictDeny, DecidedBy: "ada", Reason: "too risky, see ticket 1"}
	if diff := cmp.Diff(it, want); diff != "" {
		t.Errorf("item (-got +want):\n%s", diff)
	}
}

func TestTimelineLimits(t *testing.T) {
	s, _ := openTemp(t)
	seedTimeline(t, s, 260)
	ctx := context.Background()
	for _, tc := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {10, 10}, {1000, 200}} {
		items, next, err := s.Timeline(ctx, TimelineQuery{Limit: tc.limit})
		if err != nil || len(items) != tc.want || next == "" {
			t.Errorf("limit %d: %d items, next %q, %v; want %d", tc.limit, len(items), next, err, tc.want)
		}
	}
	bad := []TimelineQuery{
		{Statuses: []proposal.Status{"lost"}},
		{Kinds: []proposal.Kind{"file.burn"}},
		{Risks: []proposal.Risk{"extreme"}},
		{Cursor: "!!"},
		{Cursor: cursor{doc: 5, fts: true}.encode()},              // a search's cursor without the search
		{Text: "x", Cursor: cursor{created: 1, id: "a"}.encode()}, // and the other way round
	}
	for _, q := range bad {
		if _, _, err := s.Timeline(ctx, q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("Timeline(%+v) = %v, want ErrBadQuery", q, err)
		}
	}
}

// Pages cut by the cursor neither repeat nor skip while newer proposals
// arrive between them.
func TestTimelinePagingWhileInserting(t *testing.T) {
	ctx := context.Background()
	for name, q := range map[string]TimelineQuery{"all": {}, "agent": {Agent: "agent-2"}, "search": {Text: "change"}} {
		t.Run(name, func(t *testing.T) {
			s, _ := openTemp(t)
			fs := seedTimeline(t, s, 90)
			if _, err := s.IndexText(ctx, 0); err != nil {
				t.Fatal(err)
			}
			want := expect(fs, func(f tlFixture) bool { return q.Agent == "" || f.agent == q.Agent })
			q.Limit = 8
			var got []string
			for n := 0; ; n++ {
				items, next, err := s.Timeline(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range items {
					got = append(got, it.ID)
				}
				// A newer proposal after each page.
				p := small(fmt.Sprintf("01K%04d", n), "agent-2", t0.Add(time.Duration(1000+n)*time.Hour))
				p.Summary = "Change later"
				if err := s.InsertProposal(ctx, p); err != nil {
					t.Fatal(err)
				}
				if _, err := s.IndexText(ctx, 0); err != nil {
					t.Fatal(err)
				}
				if next == "" {
					break
				}
				q.Cursor = next
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("pages (-got +want):\n%s", diff)
			}
		})
	}
}

func TestIndexTextCatchesUp(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	search := func(text string) []string {
		t.Helper()
		items, _, err := s.Timeline(ctx, TimelineQuery{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, it := range items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	p := small(newID(1), "a", t0)
	p.Summary, p.Rationale = "Rename the quarterly report", "Ada asked for it."
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := search("quarterly"); len(got) != 0 {
		t.Errorf("found %v before indexing", got)
	}
	if n, err := s.IndexText(ctx, 0); err != nil || n != 1 {
		t.Fatalf("IndexText = %d, %v; want 1", n, err)
	}
	if n, err := s.IndexText(ctx, 0); err != nil || n != 0 {
		t.Fatalf("IndexText again = %d, %v; want 0", n, err)
	}
	for _, q := range []string{"quarterly", "QUARTERLY report", "quart*", "ada", "notes", "notes.md"} {
		if got := search(q); !slices.Equal(got, []string{p.ID}) {
			t.Errorf("search %q = %v", q, got)
		}
	}
	for _, q := range []string{"quart", "weekly", "quarterly weekly"} {
		if got := search(q); len(got) != 0 {
			t.Errorf("search %q = %v, want nothing", q, got)
		}
	}
	// The decision's reason is indexed once the indexer sees the decision.
	decide(t, s, p.ID, proposal.StatusPending, proposal.StatusDenied, proposal.VerdictDeny, "wrong fiscal year")
	if got := search("fiscal"); len(got) != 0 {
		t.Errorf("reason found before indexing: %v", got)
	}
	if n, err := s.IndexText(ctx, 1); err != nil || n != 1 {
		t.Fatalf("IndexText = %d, %v", n, err)
	}
	if got := search("fiscal"); !slices.Equal(got, []string{p.ID}) {
		t.Errorf("search fiscal = %v", got)
	}
	if got := search("quarterly"); !slices.Equal(got, []string{p.ID}) {
		t.Errorf("search quarterly after re-indexing = %v", got)
	}

	// User text is never FTS5 syntax.
	for _, q := range []string{`"`, `quarterly"`, `AND`, `quarterly OR`, `NEAR(a b`, `summary:quarterly`,
		`(quarterly`, `-quarterly`, `^quarterly`, `*`, `quarterly**`, `""""`, "\x00"} {
		if _, _, err := s.Timeline(ctx, TimelineQuery{Text: q}); err != nil {
			t.Errorf("search %q: %v", q, err)
		}
	}
	if got := search(`quarterly"`); !slices.Equal(got, []string{p.ID}) {
		t.Errorf(`search 'quarterly"' = %v`, got)
	}
}

// The background indexer picks up new proposals without being asked.
func TestStartTextIndexer(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	s.StartTextIndexer(10 * time.Millisecond)
	s.StartTextIndexer(10 * time.Millisecond) // a second call does nothing
	p := small(newID(1), "a", t0)
	p.Summary = "Archive the logs"
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		items, _, err := s.Timeline(ctx, TimelineQuery{Text: "archive"})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the indexer did not index the proposal")
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

func TestExportTimeline(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	fs := seedTimeline(t, s, 230) // more than a page
	tricky := small(newID(999), "agent-0", t0.Add(time.Hour*1000))
	tricky.Summary = "Quote \"this\", then a comma,\nand a new line"
	tricky.Actions[0].Content = "SECRET CONTENT"
	if err := s.InsertProposal(ctx, tricky); err != nil {
		t.Fatal(err)
	}
	q := TimelineQuery{Agent: "agent-0", Cursor: "ignored", Limit: 3}
	want := append([]string{tricky.ID}, expect(fs, func(f tlFixture) bool { return f.agent == "agent-0" })...)

	var buf bytes.Buffer
	n, err := s.ExportTimeline(ctx, q, &buf, FormatCSV)
	if err != nil || n != len(want) {
		t.Fatalf("ExportTimeline csv = %d, %v; want %d", n, err, len(want))
	}
	if strings.Contains(buf.String(), "SECRET") {
		t.Error("the export holds action content")
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recs[0], timelineCSVHeader); diff != "" {
		t.Errorf("header (-got +want):\n%s", diff)
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[0])
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("csv ids (-got +want):\n%s", diff)
	}
	if recs[1][3] != tricky.Summary || recs[1][1] != "2026-04-25T01:26:53.589793238Z" || recs[1][6] != "file.write" {
		t.Errorf("first row = %q", recs[1])
	}

	buf.Reset()
	n, err = s.ExportTimeline(ctx, TimelineQuery{Statuses: []proposal.Status{proposal.StatusDenied}}, &buf, FormatJSONL)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != n || n != len(expect(fs, func(f tlFixture) bool { return f.status == proposal.StatusDenied })) {
		t.Fatalf("%d lines, %d exported", len(lines), n)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["status"] != "denied" || rec["verdict"] != "deny" || rec["decided_by"] != "ada" ||
		!strings.HasPrefix(rec["reason"].(string), "too risky") {
		t.Errorf("first line = %s", lines[0])
	}
	if _, err := s.ExportTimeline(ctx, TimelineQuery{}, &buf, "xml"); err == nil {
		t.Error("export as xml succeeded")
	}
}

// A page some rows after a cursor is the same as the rows there when paging
// one by one: the UI brings back a stretch it let go from the nearest
// cursor it kept.
func TestTimelineSkip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	seedTimeline(t, s, 90)
	if _, err := s.IndexText(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]TimelineQuery{"all": {}, "agent": {Agent: "agent-2"}, "search": {Text: "change"},
		"statuses": {Statuses: []proposal.Status{proposal.StatusDenied, proposal.StatusExecuting}}} {
		t.Run(name, func(t *testing.T) {
			all := allPages(t, s, q, 7)
			first, next, err := s.Timeline(ctx, TimelineQuery{Agent: q.Agent, Text: q.Text, Statuses: q.Statuses, Limit: 5})
			if err != nil || len(first) != 5 {
				t.Fatalf("first page: %d items, %v", len(first), err)
			}
			for _, skip := range []int{0, 1, 6, len(all) - 6} {
				q := q
				q.Cursor, q.Skip, q.Limit = next, skip, 4
				items, _, err := s.Timeline(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, it := range items {
					got = append(got, it.ID)
				}
				want := all[min(len(all), 5+skip):min(len(all), 5+skip+4)]
				if diff := cmp.Diff(got, want); diff != "" {
					t.Errorf("skip %d (-got +want):\n%s", skip, diff)
				}
			}
		})
	}
	for _, q := range []TimelineQuery{{Skip: -1}, {Skip: MaxSkip + 1}, {IDs: []string{newID(1)}, Skip: 1}} {
		if _, _, err := s.Timeline(ctx, q); !errors.Is(err, ErrBadQuery) {
			t.Errorf("Timeline(%+v) = %v, want ErrBadQuery", q, err)
		}
	}
}

// The history read by cursor and skip lists what it does by offset, and
// rows decided meanwhile (on top) shift nothing after a cursor.
func TestListDecidedAfter(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	seedTimeline(t, s, 60)
	ids := func(ss []Summary) []string {
		out := []string{}
		for _, x := range ss {
			out = append(out, x.ID)
		}
		return out
	}
	all, err := s.ListDecided(ctx, 0, 1000)
	if err != nil || len(all) != 40 {
		t.Fatalf("ListDecided: %d rows, %v; want 40", len(all), err)
	}
	top, err := s.ListDecidedAfter(ctx, "", 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(top), ids(all[3:8])); diff != "" {
		t.Errorf("from the top, skip 3 (-got +want):\n%s", diff)
	}
	// A row decided now goes on top: the pages after a cursor do not move.
	p := small("01K0001", "agent-1", t0.Add(2*time.Hour))
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	decide(t, s, p.ID, proposal.StatusPending, proposal.StatusDenied, proposal.VerdictDeny, "no")
	cur := DecidedCursor(all[9])
	for _, skip := range []int{0, 1, 25, 40} {
		got, err := s.ListDecidedAfter(ctx, cur, skip, 6)
		if err != nil {
			t.Fatal(err)
		}
		want := all[min(len(all), 10+skip):min(len(all), 16+skip)]
		if diff := cmp.Diff(ids(got), ids(want)); diff != "" {
			t.Errorf("after row 9, skip %d (-got +want):\n%s", skip, diff)
		}
	}
	for _, tc := range []struct {
		cursor string
		skip   int
	}{{"!!", 0}, {cursor{created: 1, id: "a"}.encode(), 0}, {"", -1}, {cur, MaxSkip + 1}} {
		if _, err := s.ListDecidedAfter(ctx, tc.cursor, tc.skip, 5); !errors.Is(err, ErrBadQuery) {
			t.Errorf("ListDecidedAfter(%q, %d) = %v, want ErrBadQuery", tc.cursor, tc.skip, err)
		}
	}
}
