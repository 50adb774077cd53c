package hook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"countersign/backend/core"
	"countersign/backend/gateway/token"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
	"countersign/backend/queue"
)

// TestUndoWhatClaudeCodeDid runs the hook against the real backend (gateway,
// queue, signing, executor): Countersign approves a Write and an Edit, runs
// neither itself (Claude Code does), records the after-state at
// PostToolUse, and undo then restores the files as they were before.
func TestUndoWhatClaudeCodeDid(t *testing.T) {
	run, err := os.MkdirTemp("", "cshk")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(run)
	ws := t.TempDir()
	ctx := context.Background()
	var c *core.Core
	c, err = core.Open(core.Options{DataDir: t.TempDir(), Keystore: keystore.KindFile, RuntimeDir: run, Roots: []string{ws},
		Emit: func(e queue.Event) {
			if e.Type == queue.EventSubmitted {
				go c.Decide(ctx, e.ProposalID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"})
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tok, _, err := token.Add(ctx, c.Store, "claude-code", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{DataDir: c.DataDir, Token: tok, Timeout: 30 * time.Second}
	path := filepath.Join(ws, "main.go")
	if err := os.WriteFile(path, []byte("package main\n\nfunc main() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	edit := map[string]any{"file_path": path, "old_string": "func main() {}", "new_string": "func main() { println(1) }"}
	out, _ := runHook(t, cfg, strings.NewReader(payload("PreToolUse", ws, "Edit", edit)))
	if !strings.Contains(out, `"permissionDecision":"allow"`) {
		t.Fatalf("pre: %s", out)
	}
	if b, _ := os.ReadFile(path); string(b) != "package main\n\nfunc main() {}\n" {
		t.Fatalf("Countersign changed the file itself: %q", b)
	}
	// Claude Code makes the edit (and, say, a formatter adds a line), then
	// calls PostToolUse: the after-state is what is on disk, not what was
	// proposed, so undo must take it from the PostToolUse record.
	if err := os.WriteFile(path, []byte("package main\n\nfunc main() { println(1) }\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, code := runHook(t, cfg, strings.NewReader(payload("PostToolUse", ws, "Edit", edit))); out != "{}\n" || code != 0 {
		t.Fatalf("post: %d %s", code, out)
	}
	list, err := c.Store.ListByAgent(ctx, "claude-code", 0, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("%v %v", list, err)
	}
	id := list[0].ID
	if p, _ := c.Store.GetProposal(ctx, id); p.Status != proposal.StatusExecuted || !p.AgentRuns {
		t.Fatalf("status %s agent_runs %v", p.Status, p.AgentRuns)
	}
	if _, err := c.Undo(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "package main\n\nfunc main() {}\n" {
		t.Fatalf("after undo: %q", b)
	}
	if _, err := c.Redo(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "package main\n\nfunc main() { println(1) }\n\n" {
		t.Fatalf("after redo: %q", b)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
}
