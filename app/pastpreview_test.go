package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countersign/backend/core"
	"countersign/backend/keystore"
	"countersign/backend/preview"
	"countersign/backend/proposal"
)

// TestHistoryPreview: a proposal carried out is previewed from what the
// journal recorded before and after it, whatever the disk holds since (an
// edit, an undo); one that was denied, from the disk as it is now.
func TestHistoryPreview(t *testing.T) {
	data, ws := t.TempDir(), t.TempDir()
	run, err := os.MkdirTemp("", "csapp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(run)
	ctx := context.Background()
	c, err := core.Open(core.Options{DataDir: data, Keystore: keystore.KindFile, Roots: []string{ws}, RuntimeDir: run})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	a := NewApp(c, "test", false, time.Now(), t.Logf)
	notes := filepath.Join(ws, "notes.md")
	if err := os.WriteFile(notes, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Workspace: ws, Actions: []proposal.Action{
		{Kind: proposal.KindFileEdit, Path: "notes.md", Edits: []proposal.Edit{{Old: "two", New: "TWO"}}},
		{Kind: proposal.KindFileWrite, Path: "todo/today.md", Content: "- buy milk\n"},
		{Kind: proposal.KindCommandRun, Argv: []string{"true"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decide(ctx, p.ID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, c, p.ID, proposal.StatusExecuted)

	check := func(when string) {
		t.Helper()
		got, err := a.HistoryPreview(p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Basis != BasisRecorded || len(got.Actions) != 3 {
			t.Fatalf("%s: basis %q, %d actions", when, got.Basis, len(got.Actions))
		}
		if d := got.Actions[0].Diff; got.Actions[0].Kind != preview.KindText || d == nil || !strings.Contains(d.Unified, "-two\n+TWO\n") {
			t.Errorf("%s: the edit's preview is %+v", when, got.Actions[0])
		}
		if d := got.Actions[1].Diff; got.Actions[1].Kind != preview.KindText || d == nil || !strings.Contains(d.Unified, "--- /dev/null") ||
			!strings.Contains(d.Unified, "+- buy milk") {
			t.Errorf("%s: the new file's preview is %+v", when, got.Actions[1])
		}
		if got.Actions[2].Kind != preview.KindNone {
			t.Errorf("%s: the command's preview is %+v", when, got.Actions[2])
		}
	}
	check("carried out")
	// Edited since: the preview is still what was approved.
	if err := os.WriteFile(notes, []byte("something else entirely\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("edited since")
	if _, err := c.Undo(ctx, p.ID, true); err != nil {
		t.Fatal(err)
	}
	check("undone")

	// Denied: nothing was carried out, so the disk is the basis.
	d, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "d", Workspace: ws, Actions: []proposal.Action{
		{Kind: proposal.KindFileWrite, Path: "notes.md", Content: "replaced\n"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decide(ctx, d.ID, core.Decision{Verdict: proposal.VerdictDeny, Reason: "no", DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	got, err := a.HistoryPreview(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The undo restored "one two three", which the preview is computed from.
	if got.Basis != BasisNow || got.Actions[0].Diff == nil || !strings.Contains(got.Actions[0].Diff.Unified, "-one\n-two\n-three\n+replaced\n") {
		t.Errorf("denied: %q %+v", got.Basis, got.Actions[0])
	}
	if _, err := a.HistoryPreview("01JNOSUCHPROPOSAL000000000"); err == nil {
		t.Error("an unknown id gave a preview")
	}
}

func waitStatus(t *testing.T, c *core.Core, id string, want proposal.Status) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		p, err := c.Store.GetProposal(context.Background(), id)
		if err == nil && p.Status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became %s (last %v, %v)", id, want, p, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
