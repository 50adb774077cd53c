package executor_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"countersign/backend/core"
	"countersign/backend/executor"
	"countersign/backend/intent"
	"countersign/backend/proposal"
)

// TestEscapesRefused tries to make the executor change something outside
// the workspace, or something it must never change, in every way we know.
// Proposals go straight into the store, past the gateway's validation, so
// the executor is tested as the last line of defence. Every attempt must be
// refused, with nothing outside the workspace (nor the data folder) changed.
func TestEscapesRefused(t *testing.T) {
	h := newHarness(t)
	h.c.Close()
	h.open(h.base) // the root is base; the workspace is base/ws inside it
	outside := filepath.Join(h.base, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.write("in.txt", "inside\n", 0o644)
	h.write("Readme.md", "readme\n", 0o644)
	h.write("Docs/guide.md", "guide\n", 0o644)
	h.write("inner/keep.txt", "k\n", 0o644)
	h.write("book.xlsx", "not really a workbook", 0o644)
	for link, target := range map[string]string{
		"linkout": outside, "linkfile": secret, "linkrel": "..", "inner/linkup": "../..",
		"linkin": "in.txt", "datalink": h.data, "datarel": "../data", "linkbook.xlsx": secret, "devlink": "/dev/null",
	} {
		if err := os.Symlink(target, filepath.Join(h.ws, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(secret, filepath.Join(h.ws, "hard.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(h.ws, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(h.ws, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A sibling whose name starts with the workspace's: a string-prefix
	// check would let it through.
	if err := os.MkdirAll(h.ws+"-evil", 0o755); err != nil {
		t.Fatal(err)
	}

	w := func(p string) proposal.Action {
		return proposal.Action{Kind: proposal.KindFileWrite, Path: p, Content: "pwned\n"}
	}
	edit := func(p string) proposal.Action {
		return proposal.Action{Kind: proposal.KindFileEdit, Path: p, Edits: []proposal.Edit{{Old: "secret", New: "pwned"}}}
	}
	del := func(p string) proposal.Action { return proposal.Action{Kind: proposal.KindFileDelete, Path: p} }
	cases := []struct {
		name      string
		workspace string // "" = h.ws
		actions   []proposal.Action
		reason    string // part of the refusal
	}{
		{"dotdot", "", []proposal.Action{w("../escape.txt")}, "`..`"},
		{"dotdot deep", "", []proposal.Action{w("inner/../../escape.txt")}, "`..`"},
		{"dot dotdot", "", []proposal.Action{w("./../escape.txt")}, "`..`"},
		{"dotdot alone", "", []proposal.Action{w("..")}, "`..`"},
		{"dotdot that stays inside", "", []proposal.Action{w("inner/../in.txt")}, "`..`"},
		{"dotdot after dot", "", []proposal.Action{w("inner/./../../x")}, "`..`"},
		{"absolute outside", "", []proposal.Action{w(filepath.Join(outside, "abs.txt"))}, "outside the workspace"},
		{"absolute system file", "", []proposal.Action{w("/etc/countersign-escape-test")}, "outside the workspace"},
		{"absolute with dotdot", "", []proposal.Action{w(h.ws + "/../outside/x.txt")}, "`..`"},
		{"string-prefix sibling", "", []proposal.Action{w(h.ws + "-evil/x.txt")}, "outside the workspace"},
		{"the workspace itself", "", []proposal.Action{del(".")}, "workspace itself"},
		{"NUL byte", "", []proposal.Action{w("in.txt\x00.evil")}, "NUL"},
		{"symlinked dir out", "", []proposal.Action{w("linkout/x.txt")}, "out of the workspace"},
		{"symlink to file out (write)", "", []proposal.Action{w("linkfile")}, "out of the workspace"},
		{"symlink to file out (edit)", "", []proposal.Action{edit("linkfile")}, "out of the workspace"},
		{"symlink to file out (delete)", "", []proposal.Action{del("linkfile")}, "out of the workspace"},
		{"relative symlink up", "", []proposal.Action{w("linkrel/outside/x.txt")}, "out of the workspace"},
		{"nested symlink up", "", []proposal.Action{w("inner/linkup/outside/x.txt")}, "out of the workspace"},
		{"symlink to a file inside (write)", "", []proposal.Action{w("linkin")}, "symbolic link"},
		{"symlink to a file inside (delete)", "", []proposal.Action{del("linkin")}, "symbolic link"},
		{"symlink to a device", "", []proposal.Action{w("devlink")}, "out of the workspace"},
		{"hard link to a file out (write)", "", []proposal.Action{w("hard.txt")}, "hard links"},
		{"hard link (edit)", "", []proposal.Action{edit("hard.txt")}, "hard links"},
		{"hard link (delete)", "", []proposal.Action{del("hard.txt")}, "hard links"},
		{"named pipe (write)", "", []proposal.Action{w("fifo")}, "named pipe"},
		{"named pipe (delete)", "", []proposal.Action{del("fifo")}, "named pipe"},
		{"socket", "", []proposal.Action{w("sock")}, "socket"},
		{"case twin of a file", "", []proposal.Action{w("README.md")}, "letter case"},
		{"case twin of a directory", "", []proposal.Action{w("docs/new.md")}, "letter case"},
		{"case twins in one proposal", "", []proposal.Action{w("new.txt"), w("NEW.txt")}, "letter case"},
		{"symlink into the data folder", "", []proposal.Action{w("datalink/countersign.db")}, "out of the workspace"},
		{"data folder inside the workspace", h.base, []proposal.Action{w("data/countersign.db")}, "data folder"},
		{"data folder through an absolute symlink inside", h.base, []proposal.Action{w("ws/datalink/x.txt")}, "out of the workspace"},
		{"data folder through a relative symlink inside", h.base, []proposal.Action{w("ws/datarel/x.txt")}, "data folder"},
		{"move out", "", []proposal.Action{{Kind: proposal.KindFileMove, Path: "in.txt", To: "../moved.txt"}}, "`..`"},
		{"move out absolute", "", []proposal.Action{{Kind: proposal.KindFileMove, Path: "in.txt", To: secret}}, "outside the workspace"},
		{"move a symlink", "", []proposal.Action{{Kind: proposal.KindFileMove, Path: "linkfile", To: "x.txt"}}, "out of the workspace"},
		{"dir.create out", "", []proposal.Action{{Kind: proposal.KindDirCreate, Path: "../newdir"}}, "`..`"},
		{"dir.create through a symlink", "", []proposal.Action{{Kind: proposal.KindDirCreate, Path: "linkout/newdir"}}, "out of the workspace"},
		{"command in a directory out", "", []proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "echo pwned > x.txt"}, Dir: "linkout"}}, "out of the workspace"},
		{"command declaring writes out", "", []proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"/bin/true"}, Writes: []string{"../outside"}}}, "`..`"},
		{"command dir dotdot", "", []proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"/bin/true"}, Dir: ".."}}, "`..`"},
		{"sheet through a symlink", "", []proposal.Action{{Kind: proposal.KindSheetUpdate, Path: "linkbook.xlsx", Cells: []proposal.CellEdit{{Sheet: "S", Cell: "A1", Value: "x"}}}}, "out of the workspace"},
		{"workspace outside the roots", filepath.Dir(h.base), []proposal.Action{w("x.txt")}, "not inside a folder Countersign may change"},
		{"workspace is a symlink out", h.ws + "/linkout", []proposal.Action{w("x.txt")}, "cannot be opened"},
		{"relative workspace", "ws", []proposal.Action{w("x.txt")}, "no absolute workspace"},
		{"escape after a valid action", "", []proposal.Action{w("fine.txt"), w("../escape.txt")}, "`..`"},
	}
	if len(cases) < 30 {
		t.Fatalf("only %d escape attempts", len(cases))
	}
	watch := []string{outside, h.data + "-not-db", h.ws + "-evil"}
	beforeOut := map[string]map[string]entry{}
	for _, d := range watch {
		if _, err := os.Stat(d); err == nil {
			beforeOut[d] = tree(t, d)
		}
	}
	beforeWS := tree(t, h.ws)
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := tc.workspace
			if ws == "" {
				ws = h.ws
			}
			now := time.Now().UTC()
			p := &proposal.Proposal{ID: ulid.Make().String(), AgentID: "agent", Summary: tc.name, Workspace: ws,
				Actions: tc.actions, Status: proposal.StatusPending, Risk: proposal.RiskHigh, CreatedAt: now}
			if err := h.c.Store.InsertProposal(ctx, p); err != nil {
				t.Fatal(err)
			}
			if _, err := h.c.Decide(ctx, p.ID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
				// Refused already at approval (hashing the target as the
				// person saw it failed). Sign an approval anyway, as if
				// that check had a hole, to test the executor on its own.
				t.Logf("refused at approval: %v", err)
				h.signAnyway(p)
			}
			res, err := h.c.Execute(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != executor.OutcomeFailed {
				t.Fatalf("executed: %+v", res)
			}
			if !strings.Contains(res.Error, tc.reason) {
				t.Errorf("reason %q does not say %q", res.Error, tc.reason)
			}
			if got := h.status(p.ID); got != proposal.StatusFailed {
				t.Errorf("status %s", got)
			}
		})
	}
	for d, want := range beforeOut {
		sameTree(t, "outside "+d, tree(t, d), want)
	}
	sameTree(t, "the workspace", tree(t, h.ws), beforeWS)
	if b, err := os.ReadFile(secret); err != nil || string(b) != "secret\n" {
		t.Fatalf("secret: %q %v", b, err)
	}
	if _, err := os.Stat("/etc/countersign-escape-test"); err == nil {
		t.Fatal("/etc/countersign-escape-test was created")
	}
}

// signAnyway approves p with a valid token whose target hashes say every
// target was absent, without the checks core.Decide makes.
func (h *harness) signAnyway(p *proposal.Proposal) {
	h.t.Helper()
	hashes := map[int]string{}
	for i, a := range p.Actions {
		if intent.HasTargetFile(a.Kind) {
			hashes[i] = intent.TargetAbsent
		}
	}
	claims, err := intent.NewClaims(intent.Request{Proposal: p, Verdict: proposal.VerdictApprove, DecidedBy: "ada",
		TargetHashes: hashes, Now: time.Now()})
	if err != nil {
		h.t.Fatal(err)
	}
	signer, err := h.c.Keys.Signer()
	if err != nil {
		h.t.Fatal(err)
	}
	token, err := intent.Issue(signer, claims)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.c.Queue.Decide(context.Background(), p.ID, proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada", Token: token}); err != nil {
		h.t.Fatal(err)
	}
}
