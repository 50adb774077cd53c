package executor_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/core"
	"countersign/backend/executor"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// harness is a real backend (SQLite file, signing key, queue) whose
// executor may change only ws.
type harness struct {
	t    testing.TB
	c    *core.Core
	ws   string // the workspace
	base string // the one allowed root, holding ws and outside
	data string
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, base: base, ws: filepath.Join(base, "ws"), data: filepath.Join(base, "data")}
	if err := os.Mkdir(h.ws, 0o755); err != nil {
		t.Fatal(err)
	}
	h.open(h.ws)
	return h
}

// open (re)opens the backend with roots allowed.
func (h *harness) open(roots ...string) {
	h.t.Helper()
	c, err := core.Open(core.Options{DataDir: h.data, Keystore: keystore.KindFile, Manual: true, Roots: roots})
	if err != nil {
		h.t.Fatal(err)
	}
	if c.KeyErr != nil {
		h.t.Fatal(c.KeyErr)
	}
	if err := c.TakeExecution(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.c = c
	h.t.Cleanup(func() { c.Close() })
}

func (h *harness) submit(actions ...proposal.Action) *proposal.Proposal {
	h.t.Helper()
	p, err := h.c.Queue.Submit(context.Background(), proposal.Proposal{AgentID: "agent", Summary: "test", Workspace: h.ws, Actions: actions})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) approve(id string) {
	h.t.Helper()
	if _, err := h.c.Decide(context.Background(), id, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		h.t.Fatal(err)
	}
}

// run submits, approves and executes actions.
func (h *harness) run(actions ...proposal.Action) (*proposal.Proposal, *executor.Result) {
	h.t.Helper()
	p := h.submit(actions...)
	h.approve(p.ID)
	res, err := h.c.Execute(context.Background(), p.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return p, res
}

func (h *harness) status(id string) proposal.Status {
	h.t.Helper()
	p, err := h.c.Store.GetProposal(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.Status
}

func (h *harness) write(rel, content string, mode fs.FileMode) {
	h.t.Helper()
	p := filepath.Join(h.ws, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		h.t.Fatal(err)
	}
}

// entry is one path of a tree as a test compares it: kind, mode, content hash.
type entry struct {
	Kind string
	Mode fs.FileMode
	SHA  string
}

// tree records every path under dir, byte for byte (by SHA-256) and mode
// for mode.
func tree(t testing.TB, dir string) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := entry{Mode: fi.Mode()}
		switch {
		case fi.IsDir():
			e.Kind = "dir"
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			e.Kind, e.SHA = "file", hex.EncodeToString(sum[:])
		default:
			e.Kind = "other"
		}
		out[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, what string, got, want map[string]entry) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s (-want +got):\n%s", what, d)
	}
}

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}
