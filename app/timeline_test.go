package app

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/core"
	"countersign/backend/errs"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

func TestTimelineQueryConversion(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(48 * time.Hour)
	tests := []struct {
		name string
		q    TimelineQuery
		want store.TimelineQuery
		bad  bool
	}{
		{"empty filters nothing", TimelineQuery{}, store.TimelineQuery{}, false},
		{"every field", TimelineQuery{Agent: " codex ", Statuses: []string{"denied", "executed"}, Kinds: []string{"file.write"},
			Risks: []string{"high"}, From: from.Format(time.RFC3339), To: to.Format(time.RFC3339), Path: "docs/", Text: "budget*",
			Cursor: "abc", Limit: 20},
			store.TimelineQuery{Agent: "codex", Statuses: []proposal.Status{"denied", "executed"}, Kinds: []proposal.Kind{"file.write"},
				Risks: []proposal.Risk{"high"}, From: from, To: to, Path: "docs/", Text: "budget*", Cursor: "abc", Limit: 20}, false},
		{"a date that is not RFC 3339", TimelineQuery{From: "2026-11-01"}, store.TimelineQuery{}, true},
		{"a range that ends before it starts", TimelineQuery{From: to.Format(time.RFC3339), To: from.Format(time.RFC3339)}, store.TimelineQuery{}, true},
		{"a negative limit", TimelineQuery{Limit: -1}, store.TimelineQuery{}, true},
		{"an overlong search", TimelineQuery{Text: strings.Repeat("a", maxQueryText+1)}, store.TimelineQuery{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.q.toStoreQuery()
			if tt.bad {
				if errs.CodeOf(err) != errs.CodeInvalid {
					t.Fatalf("got error %v, want an invalid-input error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(got, tt.want); d != "" {
				t.Errorf("-got +want\n%s", d)
			}
		})
	}
}

func TestDescribeEvent(t *testing.T) {
	tests := []struct {
		name string
		e    store.Event
		want string
	}{
		{"a status change in words", store.Event{Type: store.EventDenied, Data: json.RawMessage(`{"reason":"secret words"}`)}, "Denied"},
		{"an execution with its action count", store.Event{Type: store.EventExecuted,
			Data: json.RawMessage(`{"outcome":"executed","actions":[{"index":0,"stdout":"token=abc"},{"index":1}]}`)}, "Carried out (2 actions)"},
		{"an undo of one action", store.Event{Type: store.EventReverted, Data: json.RawMessage(`{"outcome":"reverted","actions":[{}]}`)}, "Undone (1 action)"},
		{"data that is not a result", store.Event{Type: store.EventFailed, Data: json.RawMessage(`[1,2]`)}, "Failed"},
		{"an unknown type", store.Event{Type: "future.thing"}, "future thing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeEvent(tt.e); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExportToIsAtomic(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "countersign.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	for i, summary := range []string{"Write the budget", "Pack for the trip"} {
		p := &proposal.Proposal{ID: "01J" + strings.Repeat("0", 22) + string(rune('1'+i)), AgentID: "codex", Summary: summary,
			Workspace: dir, Status: proposal.StatusPending, Risk: proposal.RiskLow, CreatedAt: at.Add(time.Duration(i) * time.Minute),
			ExpiresAt: at.Add(time.Hour), Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "a.md", Content: "x"}}}
		if err := st.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	a := &App{core: &core.Core{Store: st}, ctx: ctx}
	out := filepath.Join(dir, "out", "history.csv")
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := a.exportTo(store.TimelineQuery{}, out, store.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got != (ExportResult{Path: out, Count: 2}) {
		t.Errorf("got %+v, want 2 written to %s", got, out)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(b), "Pack for the trip") || strings.Contains(string(b), "old") {
		t.Errorf("export is %q (%v)", b, err)
	}
	// A refused export leaves the old file and no temporary one.
	if _, err := a.exportTo(store.TimelineQuery{Cursor: "nonsense"}, out, "xml"); err == nil {
		t.Error("an unknown format was written")
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only the export", len(entries))
	}
	if b2, _ := os.ReadFile(out); string(b2) != string(b) {
		t.Error("a failed export changed the file")
	}
	if _, err := a.Timeline(TimelineQuery{Statuses: []string{"nonsense"}}); errs.CodeOf(err) != errs.CodeInvalid || !errors.Is(err, store.ErrBadQuery) {
		t.Errorf("an unknown status gave %v, want an invalid query", err)
	}
}
