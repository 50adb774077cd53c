package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"countersign/backend/config"
	"countersign/backend/core"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// decided makes a data dir with one decided proposal, signed with a key in a
// file keystore, and returns the dir, the proposal id and its token.
func decided(t *testing.T, verdict proposal.Verdict) (string, string, string) {
	t.Helper()
	dir := t.TempDir()
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "a.txt"), []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := core.Open(core.Options{DataDir: dir, Keystore: keystore.KindFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.KeyErr != nil {
		t.Fatal(c.KeyErr)
	}
	ctx := context.Background()
	p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "agent", Summary: "edit a", Workspace: ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "a.txt", Content: "after\n"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decide(ctx, p.ID, core.Decision{Verdict: verdict, Reason: "because", DecidedBy: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Decision == nil || got.Decision.Token == "" {
		t.Fatal("decision has no token")
	}
	return dir, p.ID, got.Decision.Token
}

// cliCase is one command line and what it must answer.
type cliCase struct {
	name    string
	args    []string
	code    int
	wantOut string // in stdout
	wantErr string // in stderr
}

func (tt cliCase) run(t *testing.T, dir string, prefix ...string) {
	t.Helper()
	t.Run(tt.name, func(t *testing.T) {
		code, out, errOut := runCLI(t, dir, append(prefix, tt.args...)...)
		if code != tt.code || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tt.code, out, tt.wantOut, errOut, tt.wantErr)
		}
	})
}

func runCLI(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	d, out, errb := testDeps(t, func(WindowOptions) error { return nil })
	d.Env = config.Env{Getenv: func(k string) string {
		if k == config.EnvDataDir {
			return dir
		}
		return ""
	}, UserConfigDir: func() (string, error) { return dir, nil }}
	code := Run(d, append([]string{"--keystore", "file"}, args...))
	return code, out.String(), errb.String()
}

func TestVerify(t *testing.T) {
	dir, id, token := decided(t, proposal.VerdictApprove)
	_, otherID, _ := decided(t, proposal.VerdictDeny)

	tampered := []byte(token)
	i := bytes.LastIndexByte(tampered, '.') + 5
	if tampered[i] == 'A' {
		tampered[i] = 'B'
	} else {
		tampered[i] = 'A'
	}
	tests := []cliCase{
		{"valid token", []string{"verify", token}, 0, "valid: approve of proposal " + id, ""},
		{"valid against its proposal", []string{"verify", token, "--against", id}, 0, "matches the stored proposal", ""},
		{"tampered signature", []string{"verify", string(tampered)}, 1, "", "invalid:"},
		{"garbage", []string{"verify", "not-a-token"}, 1, "", "invalid:"},
		{"against another proposal", []string{"verify", token, "--against", otherID}, 1, "", "invalid:"},
		{"no token", []string{"verify"}, 2, "", "accepts 1 arg"},
	}
	for _, tt := range tests {
		tt.run(t, dir)
	}
}

func TestKeyShowAndRotate(t *testing.T) {
	dir, id, token := decided(t, proposal.VerdictApprove)
	code, show, errOut := runCLI(t, dir, "key", "show")
	if code != 0 {
		t.Fatalf("key show: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, dir, "key", "rotate")
	if code != 0 || !strings.Contains(out, "rotated:") {
		t.Fatalf("key rotate: exit %d: %q %q", code, out, errOut)
	}
	_, show2, _ := runCLI(t, dir, "key", "show")
	if show == show2 {
		t.Error("key show printed the same after a rotation")
	}
	// A token signed with the retired key still verifies.
	if code, out, errOut := runCLI(t, dir, "verify", token, "--against", id); code != 0 {
		t.Errorf("old token after rotation: exit %d: %q %q", code, out, errOut)
	}
}
