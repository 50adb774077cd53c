package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/config"
	"countersign/backend/gateway/api"
	"countersign/backend/gateway/gatewaytest"
	"countersign/backend/proposal"
)

// agentDeps returns Deps whose environment points at dataDir and token.
func agentDeps(t *testing.T, dataDir, token, stdin string) (Deps, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{config.EnvDataDir: dataDir, "COUNTERSIGN_TOKEN": token}
	base := t.TempDir()
	return Deps{
		Version: "1.2.3", Commit: "abc",
		OpenWindow: func(WindowOptions) error { t.Fatal("the window opened"); return nil },
		Env:        config.Env{Getenv: func(k string) string { return env[k] }, UserConfigDir: func() (string, error) { return base, nil }},
		Stdout:     &out, Stderr: &errb, Stdin: strings.NewReader(stdin),
	}, &out, &errb
}

func TestProposeBuildsActions(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	tok := env.AddAgent(t, "script")
	ws := t.TempDir()
	src := filepath.Join(t.TempDir(), "report.md")
	if err := os.WriteFile(src, []byte("# Report\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		stdin   string
		summary string
		actions []proposal.Action
	}{
		{"write from stdin", []string{"propose", "write", "notes.md"}, "hello\n", "Write notes.md (6 bytes)",
			[]proposal.Action{{Kind: proposal.KindFileWrite, Path: "notes.md", Content: "hello\n"}}},
		{"write from a file", []string{"propose", "write", "out/report.md", "--from", src, "--summary", "Publish the report", "--why", "Asked for it"}, "", "Publish the report",
			[]proposal.Action{{Kind: proposal.KindFileWrite, Path: "out/report.md", Content: "# Report\n"}}},
		{"edit", []string{"propose", "edit", "a.txt", "--old", "teh", "--new", "the", "--all"}, "", "Edit a.txt",
			[]proposal.Action{{Kind: proposal.KindFileEdit, Path: "a.txt", Edits: []proposal.Edit{{Old: "teh", New: "the", ReplaceAll: true}}}}},
		{"delete", []string{"propose", "delete", "a.tmp", "b.tmp"}, "", "Delete 2 files",
			[]proposal.Action{{Kind: proposal.KindFileDelete, Path: "a.tmp"}, {Kind: proposal.KindFileDelete, Path: "b.tmp"}}},
		{"move", []string{"propose", "move", "draft.md", "final.md"}, "", "Move draft.md to final.md",
			[]proposal.Action{{Kind: proposal.KindFileMove, Path: "draft.md", To: "final.md"}}},
		{"sheet", []string{"propose", "sheet", "budget.xlsx", "Q3!B12=42", "My Sheet!C1==SUM(B2:B12)"}, "", "Update 2 cells in budget.xlsx",
			[]proposal.Action{{Kind: proposal.KindSheetUpdate, Path: "budget.xlsx", Cells: []proposal.CellEdit{
				{Sheet: "Q3", Cell: "B12", Value: "42"}, {Sheet: "My Sheet", Cell: "C1", Formula: "=SUM(B2:B12)"}}}}},
		{"run", []string{"propose", "run", "--dir", "build", "--timeout", "90s", "--writes", "dist", "--writes", "cache", "--", "make", "-j4", "all"}, "", "Run: make -j4 all",
			[]proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"make", "-j4", "all"}, Dir: "build", TimeoutSec: 90, Writes: []string{"dist", "cache"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, out, errb := agentDeps(t, env.DataDir, tok, tt.stdin)
			args := append([]string{tt.args[0], "--workspace", ws}, tt.args[1:]...)
			if code := Run(d, args); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			id := strings.TrimSpace(out.String())
			p, err := env.Queue.Get(context.Background(), id)
			if err != nil {
				t.Fatalf("%q: %v", id, err)
			}
			if d := cmp.Diff(p.Actions, tt.actions); d != "" || p.Summary != tt.summary || p.Workspace != ws || p.AgentID != "script" {
				t.Errorf("proposal %+v\n%s", p, d)
			}
			<-env.Submitted
		})
	}
}

func TestProposeExitCodes(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	tok := env.AddAgent(t, "script")
	ws := t.TempDir()
	decide := func(v proposal.Verdict, reason string) {
		go func() {
			ev := env.NextSubmitted(t, 10*time.Second)
			if v != "" {
				env.Decide(t, ev.ProposalID, v, reason)
			}
		}()
	}
	tests := []struct {
		name    string
		person  proposal.Verdict
		reason  string
		args    []string
		token   string
		dataDir string
		code    int
		stdout  string
		stderr  string
	}{
		{name: "approved", person: proposal.VerdictApprove, args: []string{"propose", "delete", "x", "--wait"}, code: 0, stdout: "approved: Approved by the person."},
		{name: "denied", person: proposal.VerdictDeny, reason: "keep x", args: []string{"propose", "delete", "x", "--wait"}, code: 1, stderr: "countersign: denied: keep x\n"},
		{name: "no decision in time", person: "", args: []string{"propose", "delete", "x", "--wait", "--timeout", "1s"}, code: 3, stderr: "expired: Expired: no decision came before the deadline."},
		{name: "run waits with --wait-timeout", person: "", args: []string{"propose", "run", "--timeout", "1h", "--wait", "--wait-timeout", "1s", "--", "true"}, code: 3, stderr: "expired"},
		{name: "not running", args: []string{"propose", "delete", "x"}, dataDir: "none", code: 2,
			stderr: "countersign: Countersign is not running. Start it with `countersign` (or `make run`), then try again.\n"},
		{name: "no token", args: []string{"propose", "delete", "x"}, token: "none", code: 2, stderr: "no token"},
		{name: "a bad token", args: []string{"propose", "delete", "x"}, token: "cs_" + strings.Repeat("x", 43), code: 2, stderr: "the token is unknown or has been revoked"},
		{name: "invalid", args: []string{"propose", "sheet", "f.xlsx", "S!ZZZZ1=1"}, code: 2, stderr: "actions[0].cells[0].cell"},
		{name: "a malformed cell", args: []string{"propose", "sheet", "f.xlsx", "B12=1"}, code: 2, stderr: "is not SHEET!CELL=VALUE"},
		{name: "edit without --old", args: []string{"propose", "edit", "a", "--new", "b"}, code: 2, stderr: "--old is required"},
		{name: "an unknown flag", args: []string{"propose", "delete", "x", "--frob"}, code: 2, stderr: "unknown flag"},
		{name: "missing arguments", args: []string{"propose", "move", "a"}, code: 2, stderr: "move takes 2 argument(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.person != "" || strings.Contains(strings.Join(tt.args, " "), "--wait ") || tt.name == "no decision in time" {
				decide(tt.person, tt.reason)
			}
			dir, tk := env.DataDir, tok
			if tt.dataDir == "none" {
				dir = t.TempDir()
			}
			if tt.token == "none" {
				tk = ""
			} else if tt.token != "" {
				tk = tt.token
			}
			d, out, errb := agentDeps(t, dir, tk, "")
			code := Run(d, append([]string{tt.args[0], "--workspace", ws}, tt.args[1:]...))
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.stdout)
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr %q does not contain %q", errb.String(), tt.stderr)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	tok := env.AddAgent(t, "script")
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "a.txt"), []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, out, errb := agentDeps(t, env.DataDir, tok, "new\n")
	if code := Run(d, []string{"propose", "write", "a.txt", "--workspace", ws}); code != 0 {
		t.Fatal(errb.String())
	}
	id := strings.TrimSpace(out.String())

	d, out, _ = agentDeps(t, env.DataDir, tok, "")
	if code := Run(d, []string{"status", id}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{id + "  pending  Write a.txt (4 bytes)", "-old\n+new\n"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("status output %q lacks %q", out.String(), s)
		}
	}
	env.Decide(t, id, proposal.VerdictDeny, "not now")
	d, out, errb = agentDeps(t, env.DataDir, tok, "")
	if code := Run(d, []string{"status", id, "--wait", "--json"}); code != 1 || !strings.Contains(errb.String(), "denied: not now") {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
	var p api.Proposal
	if err := json.Unmarshal(out.Bytes(), &p); err != nil || p.Status != proposal.StatusDenied {
		t.Fatalf("json %s: %v", out.String(), err)
	}
	d, _, errb = agentDeps(t, env.DataDir, env.AddAgent(t, "other"), "")
	if code := Run(d, []string{"status", id}); code != 2 || !strings.Contains(errb.String(), "not found") {
		t.Fatalf("another agent's status: exit %d, %s", code, errb.String())
	}
}

func TestAgentCommands(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		d, out, errb := agentDeps(t, dir, "", "")
		code := Run(d, args)
		return code, out.String(), errb.String()
	}
	code, out, errb := run("agent", "add", "claude-code")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "cs_") || len(tok) != 46 || !strings.Contains(errb, "shown only now") {
		t.Fatalf("add: %d %q %q", code, out, errb)
	}
	if code, _, errb := run("agent", "add", "claude-code"); code != 1 || !strings.Contains(errb, "already has a token") {
		t.Fatalf("add twice: %d %q", code, errb)
	}
	if code, _, errb := run("agent", "add", "bad name"); code != 1 || !strings.Contains(errb, "must be 1 to 64") {
		t.Fatalf("bad name: %d %q", code, errb)
	}
	code, out, _ = run("agent", "list")
	if code != 0 || !strings.Contains(out, "claude-code") || !strings.Contains(out, "active") || strings.Contains(out, tok) {
		t.Fatalf("list: %d %q", code, out)
	}
	if code, _, _ := run("agent", "revoke", "claude-code"); code != 0 {
		t.Fatal("revoke")
	}
	if code, out, _ := run("agent", "list"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoke: %q", out)
	}
	if code, _, errb := run("agent", "revoke", "nobody"); code != 1 || !strings.Contains(errb, "no agent named") {
		t.Fatalf("revoke unknown: %d %q", code, errb)
	}
	if code, _, errb := run("agent", "add", "claude-code"); code != 1 || !strings.Contains(errb, "cannot be reused") {
		t.Fatalf("re-add revoked: %d %q", code, errb)
	}
}

func TestHookCommand(t *testing.T) {
	t.Run("a bad command line still answers ask and exits 0", func(t *testing.T) {
		d, out, _ := agentDeps(t, t.TempDir(), "tok", `{"hook_event_name":"PreToolUse"}`)
		if code := Run(d, []string{"hook", "claude-code", "--timeout", "soon"}); code != 0 {
			t.Fatalf("exit %d", code)
		}
		var o struct {
			H struct {
				Decision string `json:"permissionDecision"`
				Reason   string `json:"permissionDecisionReason"`
			} `json:"hookSpecificOutput"`
		}
		if err := json.Unmarshal(out.Bytes(), &o); err != nil || o.H.Decision != "ask" || !strings.Contains(o.H.Reason, "misconfigured") {
			t.Fatalf("%s %v", out.String(), err)
		}
	})
	t.Run("the app not running", func(t *testing.T) {
		ws := t.TempDir()
		in := `{"hook_event_name":"PreToolUse","cwd":"` + ws + `","tool_name":"Bash","tool_input":{"command":"ls"},"tool_use_id":"t1"}`
		d, out, _ := agentDeps(t, t.TempDir(), "cs_x", in)
		if code := Run(d, []string{"hook", "claude-code", "--timeout", "5"}); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if !strings.Contains(out.String(), `"permissionDecision":"ask"`) || !strings.Contains(out.String(), "is not running") {
			t.Fatalf("%s", out.String())
		}
	})
	t.Run("install and uninstall", func(t *testing.T) {
		proj := t.TempDir()
		d, out, errb := agentDeps(t, "", "", "")
		if code := Run(d, []string{"hook", "install", "claude-code", "--project", proj, "--exe", "/opt/cs/countersign"}); code != 0 {
			t.Fatalf("exit %d %s", code, errb.String())
		}
		settings := filepath.Join(proj, ".claude", "settings.json")
		b, err := os.ReadFile(settings)
		if err != nil || !strings.Contains(string(b), `"command": "'/opt/cs/countersign' hook claude-code --timeout 600s"`) {
			t.Fatalf("%s %v", b, err)
		}
		if !strings.Contains(out.String(), "COUNTERSIGN_TOKEN") {
			t.Errorf("no advice on the token: %s", out.String())
		}
		d, out, _ = agentDeps(t, "", "", "")
		if code := Run(d, []string{"hook", "install", "claude-code", "--project", proj, "--exe", "/opt/cs/countersign"}); code != 0 || !strings.Contains(out.String(), "nothing changed") {
			t.Fatalf("second install: %d %s", code, out.String())
		}
		d, _, _ = agentDeps(t, "", "", "")
		if code := Run(d, []string{"hook", "uninstall", "--project", proj}); code != 0 {
			t.Fatal(code)
		}
		if b, _ := os.ReadFile(settings); string(b) != "{}\n" {
			t.Fatalf("after uninstall: %s", b)
		}
		d, _, errb = agentDeps(t, "", "", "")
		if code := Run(d, []string{"hook", "install", "claude-code", "--project", proj, "--user"}); code != 2 || !strings.Contains(errb.String(), "exclude each other") {
			t.Fatalf("%d %s", code, errb.String())
		}
	})
	t.Run("an explicit data directory goes into the command", func(t *testing.T) {
		d, _, _ := agentDeps(t, "/data/cs", "", "")
		line, err := hookCommandLine(d, "", "/bin/countersign")
		if err != nil || line != "'/bin/countersign' hook claude-code --data-dir '/data/cs'" {
			t.Fatalf("%q %v", line, err)
		}
		if q := shellQuote("/it's here"); q != `'/it'\''s here'` {
			t.Fatalf("%s", q)
		}
	})
	t.Run("the window-less binary beside this one is preferred", func(t *testing.T) {
		dir := t.TempDir()
		self := filepath.Join(dir, "countersign")
		if got := preferAgentBinary(self); got != self {
			t.Fatalf("without a sibling: %s", got)
		}
		if err := os.WriteFile(filepath.Join(dir, "countersign-agent"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if got := preferAgentBinary(self); got != filepath.Join(dir, "countersign-agent") {
			t.Fatalf("with a sibling: %s", got)
		}
	})
}
