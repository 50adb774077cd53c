//go:build unix

package executor_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"countersign/backend/core"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// agentBinary builds the real command line (the window-less binary, same
// commands) once, or takes COUNTERSIGN_AGENT_BIN.
func agentBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("COUNTERSIGN_AGENT_BIN"); b != "" {
		return b
	}
	bin := filepath.Join(t.TempDir(), "countersign-agent")
	out, err := exec.Command("go", "build", "-o", bin, "countersign/backend/cmd/countersign-agent").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// TestKillAnywhere runs the real binary on an approved 200-file proposal and
// kills it with SIGKILL at random moments. After a restart (which recovers),
// the tree must be exactly the before-state or exactly the after-state,
// never a mix, and the proposal's status must say which.
func TestKillAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test: runs the real binary 50 times")
	}
	bin := agentBinary(t)
	tmpl := t.TempDir()
	ws, data := filepath.Join(tmpl, "ws"), filepath.Join(tmpl, "data")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	var actions []proposal.Action
	content := func(i int, tag string) string {
		return strings.Repeat(fmt.Sprintf("%s line of file %d\n", tag, i), 400) // ~10 KB
	}
	for i := range 200 {
		dir := filepath.Join(ws, fmt.Sprintf("d%02d", i%10))
		rel := fmt.Sprintf("d%02d/f%03d.txt", i%10, i)
		switch {
		case i < 120:
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(ws, rel), []byte(content(i, "old")), 0o640); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, proposal.Action{Kind: proposal.KindFileWrite, Path: rel, Content: content(i, "new")})
		case i < 170:
			actions = append(actions, proposal.Action{Kind: proposal.KindFileWrite, Path: "new/" + rel, Content: content(i, "fresh")})
		default:
			os.MkdirAll(dir, 0o755)
			if err := os.WriteFile(filepath.Join(ws, rel), []byte(content(i, "doomed")), 0o600); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, proposal.Action{Kind: proposal.KindFileDelete, Path: rel})
		}
	}
	ctx := context.Background()
	c, err := core.Open(core.Options{DataDir: data, Keystore: keystore.KindFile, Manual: true, Roots: []string{tmpl}})
	if err != nil {
		t.Fatal(err)
	}
	lim := proposal.DefaultLimits()
	if len(actions) > lim.MaxActions {
		t.Fatalf("the proposal needs %d actions, the limit is %d", len(actions), lim.MaxActions)
	}
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "agent", Summary: "200 files", Workspace: ws, Actions: actions})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decide(ctx, p.ID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	before := tree(t, ws)

	// Every run starts from a copy of the approved state, in the same place
	// (the proposal names its workspace by absolute path).
	pristine := filepath.Join(t.TempDir(), "pristine")
	if out, err := exec.Command("cp", "-a", tmpl, pristine).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	copyOf := func(string) (string, string, string) {
		if err := os.RemoveAll(tmpl); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("cp", "-a", pristine, tmpl).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
		return tmpl, ws, data
	}
	command := func(dir, data string, args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append(args, "--data-dir", data, "--keystore", "file", "--root", dir)...)
		cmd.Env = append(os.Environ(), "COUNTERSIGN_DATA_DIR=")
		return cmd
	}
	statusOf := func(data, dir string) proposal.Status {
		c, err := core.Open(core.Options{DataDir: data, Keystore: keystore.KindFile, Manual: true, Roots: []string{dir}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		got, err := c.Store.GetProposal(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}

	// One uninterrupted run gives the after-state and the duration to aim at.
	dir, cws, cdata := copyOf("calibrate")
	start := time.Now()
	if out, err := command(dir, cdata, "execute", p.ID).CombinedOutput(); err != nil {
		t.Fatalf("execute: %v\n%s", err, out)
	}
	span := time.Since(start)
	after := tree(t, cws)
	if st := statusOf(cdata, dir); st != proposal.StatusExecuted {
		t.Fatalf("uninterrupted run: %s", st)
	}
	t.Logf("an uninterrupted execution takes %s", span)

	counts := map[string]int{}
	for run := range 50 {
		dir, rws, rdata := copyOf(fmt.Sprintf("run%02d", run))
		delay := time.Duration(rand.Int64N(int64(span) * 11 / 10))
		cmd := command(dir, rdata, "execute", p.ID)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		rec, err := command(dir, rdata, "recover").CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: recover: %v\n%s", run, err, rec)
		}
		got := tree(t, rws)
		st := statusOf(rdata, dir)
		switch {
		case equalTrees(got, after):
			if st != proposal.StatusExecuted {
				t.Fatalf("run %d (killed after %s): the tree is the after-state but the proposal is %s", run, delay, st)
			}
			counts["after-state, executed"]++
		case equalTrees(got, before):
			switch st {
			case proposal.StatusApproved:
				counts["before-state, killed before it began"]++
			case proposal.StatusFailed:
				if bytes.Contains(rec, []byte("rolled back")) {
					counts["before-state, rolled back on restart"]++
				} else {
					counts["before-state, failed"]++
				}
			default:
				t.Fatalf("run %d (killed after %s): the tree is the before-state but the proposal is %s", run, delay, st)
			}
		default:
			sameTree(t, fmt.Sprintf("run %d (killed after %s): neither before nor after; against the after-state", run, delay), got, after)
		}
	}
	t.Logf("outcomes of 50 kills: %v", counts)
	if counts["before-state, rolled back on restart"] == 0 {
		t.Errorf("no kill landed while files were changing; the test did not exercise recovery: %v", counts)
	}
}

func equalTrees(a, b map[string]entry) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
