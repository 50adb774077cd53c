package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"countersign/backend/errs"
	"countersign/backend/intent"
	"countersign/backend/keystore"
	"countersign/backend/preview"
	"countersign/backend/proposal"
)

func openCore(t *testing.T) *Core {
	t.Helper()
	c, err := Open(Options{DataDir: t.TempDir(), Keystore: keystore.KindFile, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if c.KeyErr != nil {
		t.Fatal(c.KeyErr)
	}
	return c
}

func claimsOf(t *testing.T, c *Core, token string) *intent.Claims {
	t.Helper()
	keys, err := c.Keys.Keys()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := intent.Inspect(token, keys)
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func TestDecideSignsWhatWasSeen(t *testing.T) {
	c := openCore(t)
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "a.txt"), []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Workspace: ws, Actions: []proposal.Action{
		{Kind: proposal.KindFileWrite, Path: "a.txt", Content: "after\n"},
		{Kind: proposal.KindFileWrite, Path: "new.txt", Content: "new\n"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decide(ctx, p.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	cl := claimsOf(t, c, got.Decision.Token)
	if cl.ProposalID != p.ID || cl.DecidedBy != "ada" || cl.Decision != proposal.VerdictApprove || len(cl.Actions) != 2 {
		t.Fatalf("claims %+v", cl)
	}
	if h, _ := intent.HashTargetFile(filepath.Join(ws, "a.txt")); cl.Actions[0].TargetSHA256 != h {
		t.Errorf("target hash %q, want the file's %q", cl.Actions[0].TargetSHA256, h)
	}
	if cl.Actions[1].TargetSHA256 != intent.TargetAbsent {
		t.Errorf("a new file's target hash is %q, want %q", cl.Actions[1].TargetSHA256, intent.TargetAbsent)
	}
	// The stored decision carries the same token.
	stored, err := c.Queue.Get(ctx, p.ID)
	if err != nil || stored.Decision.Token != got.Decision.Token {
		t.Errorf("stored token differs (err %v)", err)
	}
	// A second decision is refused with a conflict, not re-signed.
	if _, err := c.Decide(ctx, p.ID, Decision{Verdict: proposal.VerdictDeny, DecidedBy: "bob"}); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("second decision: %v, want a conflict", err)
	}
}

func TestDenyIsSignedToo(t *testing.T) {
	c := openCore(t)
	ctx := context.Background()
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Actions: []proposal.Action{
		{Kind: proposal.KindCommandRun, Argv: []string{"rm", "-rf", "/tmp/x"}}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decide(ctx, p.ID, Decision{Verdict: proposal.VerdictDeny, Reason: "no", DecidedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	cl := claimsOf(t, c, got.Decision.Token)
	if cl.Decision != proposal.VerdictDeny || cl.Reason != "no" || len(cl.Actions) != 0 {
		t.Errorf("deny claims %+v", cl)
	}
}

func TestNoKeyNoDecision(t *testing.T) {
	c := openCore(t)
	c.Keys, c.KeyErr = nil, errors.New("the keyring is locked")
	ctx := context.Background()
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Actions: []proposal.Action{
		{Kind: proposal.KindToolCall, Tool: "t"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Decide(ctx, p.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"})
	if !errors.Is(err, errs.ErrUnavailable) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("got %v, want unavailable naming the cause", err)
	}
	if got, _ := c.Queue.Get(ctx, p.ID); got.Status != proposal.StatusPending {
		t.Errorf("status %s after a refused decision, want pending", got.Status)
	}
}

func TestApproveSelection(t *testing.T) {
	c := openCore(t)
	ws := t.TempDir()
	var old strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&old, "line %d\n", i)
	}
	if err := os.WriteFile(filepath.Join(ws, "f.txt"), []byte(old.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(old.String(), "\n")
	lines[2], lines[30] = "first change\n", "second change\n"
	ctx := context.Background()
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Workspace: ws, Actions: []proposal.Action{
		{Kind: proposal.KindFileWrite, Path: "f.txt", Content: strings.Join(lines, "")},
		{Kind: proposal.KindFileDelete, Path: "f.txt"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	pv := preview.New(preview.Limits{})
	t.Run("nothing selected is refused", func(t *testing.T) {
		if _, err := c.ApproveSelection(ctx, p.ID, Selection{}, "ada", pv); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("got %v", err)
		}
	})
	got, err := c.ApproveSelection(ctx, p.ID, Selection{Actions: []int{0}, Hunks: []HunkChoice{{Action: 0, Keep: []bool{true, false}}}}, "ada", pv)
	if err != nil {
		t.Fatal(err)
	}
	if got.Decision.Verdict != proposal.VerdictApprovePart {
		t.Errorf("verdict %s, want approve-part", got.Decision.Verdict)
	}
	edited, ok, err := c.Store.GetEdited(ctx, p.ID)
	if err != nil || !ok {
		t.Fatalf("edited actions: %v %v", ok, err)
	}
	wl := strings.SplitAfter(old.String(), "\n")
	wl[2] = "first change\n"
	if edited[0].Content != strings.Join(wl, "") {
		t.Errorf("edited content keeps the wrong hunks:\n%s", edited[0].Content)
	}
	cl := claimsOf(t, c, got.Decision.Token)
	if len(cl.Actions) != 1 || cl.Actions[0].Index != 0 {
		t.Fatalf("token approves %+v, want only action 0", cl.Actions)
	}
	if _, digest := intent.ActionDigest(edited[0]); cl.Actions[0].ContentSHA256 != digest {
		t.Errorf("token signs content %s, want the edited content's %s", cl.Actions[0].ContentSHA256, digest)
	}
}

// TestStartCarriesOutWhatWasApprovedBeforeAStop: an approval recorded just
// before the app stopped is carried out when it starts again.
func TestStartCarriesOutWhatWasApprovedBeforeAStop(t *testing.T) {
	data, ws := t.TempDir(), t.TempDir()
	ctx := context.Background()
	c, err := Open(Options{DataDir: data, Keystore: keystore.KindFile, Manual: true, Roots: []string{ws}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "ag", Summary: "s", Workspace: ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "a.txt", Content: "a\n"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decide(ctx, p.ID, Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	run, err := os.MkdirTemp("", "cscore")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(run)
	c, err = Open(Options{DataDir: data, Keystore: keystore.KindFile, Roots: []string{ws}, RuntimeDir: run})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := c.Store.GetProposal(ctx, p.ID)
	if err != nil || got.Status != proposal.StatusExecuted {
		t.Fatalf("after restart: %v %v", got.Status, err)
	}
	if b, err := os.ReadFile(filepath.Join(ws, "a.txt")); err != nil || string(b) != "a\n" {
		t.Fatalf("a.txt: %q %v", b, err)
	}
}

// TestOneProcessExecutes: while one process carries out proposals for a data
// folder (the app), a second one (the CLI's undo, say) is refused in words,
// and may take over once the first has stopped.
func TestOneProcessExecutes(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	open := func() *Core {
		c, err := Open(Options{DataDir: data, Keystore: keystore.KindFile, Manual: true, Roots: []string{t.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, second := open(), open()
	defer second.Close()
	if err := first.TakeExecution(ctx); err != nil {
		t.Fatal(err)
	}
	if err := second.TakeExecution(ctx); !errors.Is(err, ErrExecutionBusy) {
		t.Fatalf("second process: %v", err)
	}
	if _, err := second.Undo(ctx, "01H00000000000000000000000", false); !errors.Is(err, ErrExecutionBusy) {
		t.Fatalf("undo from the second process: %v", err)
	}
	first.Close()
	if err := second.TakeExecution(ctx); err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
}
