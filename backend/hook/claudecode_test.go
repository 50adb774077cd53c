package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/gateway/api"
	"countersign/backend/gateway/gatewaytest"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// payload builds a PreToolUse or PostToolUse input as Claude Code sends it.
func payload(event, cwd, tool string, input any) string {
	in, _ := json.Marshal(input)
	b, _ := json.Marshal(map[string]any{
		"session_id":      "8c5ab1a2-5d2e-4a4f-9f1e-0c7a2f3b9d11",
		"transcript_path": "/home/ada/.claude/projects/p/8c5ab1a2.jsonl",
		"cwd":             cwd,
		"permission_mode": "default",
		"hook_event_name": event,
		"tool_name":       tool,
		"tool_input":      json.RawMessage(in),
		"tool_use_id":     "toolu_01ABCDEF" + strings.ReplaceAll(tool, "_", ""),
	})
	return string(b)
}

func runHook(t *testing.T, cfg Config, stdin io.Reader) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	cfg.Stderr = &errb
	code := ClaudeCode(context.Background(), cfg, stdin, &out)
	t.Logf("stderr: %s", errb.String())
	return out.String(), code
}

func want(decision, reason string) string {
	b, _ := json.Marshal(Output{HookSpecificOutput: &Specific{HookEventName: "PreToolUse", PermissionDecision: decision, PermissionDecisionReason: reason}})
	return string(b) + "\n"
}

// person is what the test does when a proposal arrives.
type person struct {
	verdict proposal.Verdict // "" = never decide
	reason  string
}

func TestPreToolUse(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	token := env.AddAgent(t, "claude-code")
	ws := t.TempDir()
	file := filepath.Join(ws, "src", "main.go")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	newFile := filepath.Join(ws, "NOTES.md")

	tests := []struct {
		name    string
		stdin   string
		person  *person // nil: no proposal is expected
		timeout time.Duration
		want    string // {id} stands for the proposal's id
		check   func(t *testing.T, p *proposal.Proposal)
	}{
		{
			name:   "Write, approved",
			stdin:  payload("PreToolUse", ws, "Write", map[string]any{"file_path": newFile, "content": "# Notes\n"}),
			person: &person{verdict: proposal.VerdictApprove},
			want:   want(Allow, "Approved in Countersign (proposal {id})."),
			check: func(t *testing.T, p *proposal.Proposal) {
				wantActs := []proposal.Action{{Kind: proposal.KindFileWrite, Path: newFile, Content: "# Notes\n"}}
				if d := cmp.Diff(p.Actions, wantActs); d != "" || p.Summary != "Claude Code will write NOTES.md (8 bytes)" ||
					p.Workspace != ws || p.AgentID != "claude-code" || !strings.Contains(p.Rationale, "carries this out itself") {
					t.Errorf("proposal %+v\n%s", p, d)
				}
			},
		},
		{
			name: "Edit, denied with a reason",
			stdin: payload("PreToolUse", ws, "Edit", map[string]any{"file_path": file, "old_string": `println("hi")`,
				"new_string": `println("hello")`}),
			person: &person{verdict: proposal.VerdictDeny, reason: "keep the greeting short"},
			want:   want(Deny, "Denied in Countersign by the person: keep the greeting short"),
			check: func(t *testing.T, p *proposal.Proposal) {
				wantActs := []proposal.Action{{Kind: proposal.KindFileEdit, Path: file,
					Edits: []proposal.Edit{{Old: `println("hi")`, New: `println("hello")`}}}}
				if d := cmp.Diff(p.Actions, wantActs); d != "" || p.Summary != "Claude Code will edit src/main.go (1 replacement)" {
					t.Errorf("proposal %+v\n%s", p, d)
				}
			},
		},
		{
			name: "MultiEdit, approved",
			stdin: payload("PreToolUse", ws, "MultiEdit", map[string]any{"file_path": file, "edits": []map[string]any{
				{"old_string": "package main", "new_string": "package app"},
				{"old_string": "main()", "new_string": "Run()", "replace_all": true}}}),
			person: &person{verdict: proposal.VerdictApprove},
			want:   want(Allow, "Approved in Countersign (proposal {id})."),
			check: func(t *testing.T, p *proposal.Proposal) {
				if len(p.Actions) != 1 || len(p.Actions[0].Edits) != 2 || !p.Actions[0].Edits[1].ReplaceAll ||
					p.Summary != "Claude Code will edit src/main.go (2 replacements)" {
					t.Errorf("proposal %+v", p)
				}
			},
		},
		{
			name: "Edit that cannot apply is denied without a proposal",
			stdin: payload("PreToolUse", ws, "Edit", map[string]any{"file_path": file, "old_string": "func missing()",
				"new_string": "func found()"}),
			want: want(Deny, "Countersign did not propose this change: the edit does not apply to "+file+
				" as it is now (edit 1: old_string not found). Read the file again and retry."),
		},
		{
			name:   "Edit creating a file is a write",
			stdin:  payload("PreToolUse", ws, "Edit", map[string]any{"file_path": newFile, "old_string": "", "new_string": "hello\n"}),
			person: &person{verdict: proposal.VerdictApprove},
			want:   want(Allow, "Approved in Countersign (proposal {id})."),
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Actions[0].Kind != proposal.KindFileWrite || p.Actions[0].Content != "hello\n" {
					t.Errorf("proposal %+v", p)
				}
			},
		},
		{
			name: "Bash, approved",
			stdin: payload("PreToolUse", ws, "Bash", map[string]any{"command": "go test ./...\necho done",
				"description": "Run the tests", "timeout": 120500}),
			person: &person{verdict: proposal.VerdictApprove},
			want:   want(Allow, "Approved in Countersign (proposal {id})."),
			check: func(t *testing.T, p *proposal.Proposal) {
				wantActs := []proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"/bin/sh", "-c", "go test ./...\necho done"},
					Dir: ws, TimeoutSec: 121}}
				if d := cmp.Diff(p.Actions, wantActs); d != "" || p.Summary != "Claude Code will run: go test ./... …" ||
					!strings.HasPrefix(p.Rationale, "Run the tests\n\nClaude Code carries this out itself") {
					t.Errorf("proposal %+v\n%s", p, d)
				}
			},
		},
		{
			name:   "an MCP tool, denied without a reason",
			stdin:  payload("PreToolUse", ws, "mcp__github__create_issue", map[string]any{"title": "Bug", "labels": []string{"p1"}}),
			person: &person{verdict: proposal.VerdictDeny},
			want:   want(Deny, "Denied in Countersign by the person (no reason given)."),
			check: func(t *testing.T, p *proposal.Proposal) {
				a := p.Actions[0]
				if a.Kind != proposal.KindToolCall || a.Tool != "mcp__github__create_issue" || string(a.Input) != `{"labels":["p1"],"title":"Bug"}` ||
					p.Summary != "Claude Code will call the tool create_issue of the MCP server github" {
					t.Errorf("proposal %+v input %s", p, a.Input)
				}
			},
		},
		{
			name:   "approved only with edits: Claude Code cannot do that, so deny",
			stdin:  payload("PreToolUse", ws, "Write", map[string]any{"file_path": newFile, "content": "x"}),
			person: &person{verdict: proposal.VerdictApproveEdited},
			want: want(Deny, "The person approved only a changed version (approve-edited) in Countersign (proposal {id}), "+
				"which Claude Code cannot carry out as asked. Nothing was done; ask the person how to proceed."),
		},
		{
			name:    "no decision in time: withdraw and ask",
			stdin:   payload("PreToolUse", ws, "Bash", map[string]any{"command": "ls"}),
			person:  &person{},
			timeout: 2 * time.Second,
			want:    want(Ask, "No decision in Countersign within 1s (proposal {id}, now withdrawn); Claude Code will ask you instead."),
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Status != proposal.StatusWithdrawn {
					t.Errorf("status %s, want withdrawn", p.Status)
				}
			},
		},
		{
			name:  "an unknown tool",
			stdin: payload("PreToolUse", ws, "WebFetch", map[string]any{"url": "https://example.com"}),
			want:  want(Ask, `Countersign does not review the tool "WebFetch"; Claude Code will ask you instead.`),
		},
		{
			name:  "a malformed MCP tool name",
			stdin: payload("PreToolUse", ws, "mcp__onlyserver", map[string]any{}),
			want:  want(Ask, `Countersign does not review the tool "mcp__onlyserver"; Claude Code will ask you instead.`),
		},
		{
			name:  "tool input of the wrong shape",
			stdin: payload("PreToolUse", ws, "Write", map[string]any{"file_path": 42}),
			want: want(Ask, "Countersign could not read this tool call (tool_input does not fit Write: json: cannot unmarshal number into Go struct field writeInput.file_path of type string); "+
				"Claude Code will ask you instead."),
		},
		{
			name:  "a relative cwd",
			stdin: payload("PreToolUse", "project", "Write", map[string]any{"file_path": "a", "content": ""}),
			want:  want(Ask, `Countersign could not read this tool call (cwd "project" is not an absolute directory); Claude Code will ask you instead.`),
		},
		{
			name:  "malformed JSON",
			stdin: `{"hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {`,
			want:  want(Ask, "Countersign could not parse the hook input; Claude Code will ask you instead."),
		},
		{
			name:  "empty stdin",
			stdin: "",
			want:  want(Ask, "Countersign could not read the hook input (it is empty); Claude Code will ask you instead."),
		},
		{
			name:  "no event name",
			stdin: `{"tool_name":"Write"}`,
			want:  want(Ask, "The hook input names no event; Claude Code will ask you instead."),
		},
		{
			name:  "another event is left alone",
			stdin: payload("Notification", ws, "", nil),
			want:  "{}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idc := make(chan string, 1)
			if tt.person != nil {
				go func() {
					ev := env.NextSubmitted(t, 10*time.Second)
					if tt.person.verdict != "" {
						env.Decide(t, ev.ProposalID, tt.person.verdict, tt.person.reason)
					}
					idc <- ev.ProposalID
				}()
			}
			out, code := runHook(t, Config{DataDir: env.DataDir, Token: token, Timeout: tt.timeout}, strings.NewReader(tt.stdin))
			if code != 0 {
				t.Errorf("exit %d", code)
			}
			wantOut := tt.want
			if tt.person != nil {
				id := <-idc
				wantOut = strings.ReplaceAll(wantOut, "{id}", id)
				p, err := env.Queue.Get(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if tt.check != nil {
					tt.check(t, p)
				}
			}
			if out != wantOut {
				t.Errorf("output\n got %s\nwant %s", out, wantOut)
			}
		})
	}
	select {
	case ev := <-env.Submitted:
		t.Errorf("an unexpected proposal was submitted: %+v", ev)
	default:
	}
}

func TestPreToolUseWithoutTheApp(t *testing.T) {
	ws := t.TempDir()
	in := payload("PreToolUse", ws, "Write", map[string]any{"file_path": filepath.Join(ws, "a"), "content": "x"})
	notRunning := want(Ask, "Countersign is not running. Start it with `countersign` (or `make run`), then try again. Claude Code will ask you instead.")

	t.Run("no discovery file", func(t *testing.T) {
		out, _ := runHook(t, Config{DataDir: t.TempDir(), Token: "cs_" + strings.Repeat("a", 43)}, strings.NewReader(in))
		if out != notRunning {
			t.Errorf("got %s", out)
		}
	})
	t.Run("a discovery file left by a crash", func(t *testing.T) {
		env := gatewaytest.Start(t, gatewaytest.Options{})
		tok := env.AddAgent(t, "claude-code")
		d := env.Discovery()
		b, _ := json.Marshal(d)
		env.Gateway.Close() // removes the file; put it back as a crash would leave it
		if err := os.WriteFile(filepath.Join(env.DataDir, api.DiscoveryFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		out, _ := runHook(t, Config{DataDir: env.DataDir, Token: tok}, strings.NewReader(in))
		if out != notRunning {
			t.Errorf("got %s", out)
		}
	})
	t.Run("no token", func(t *testing.T) {
		out, _ := runHook(t, Config{DataDir: t.TempDir()}, strings.NewReader(in))
		if w := want(Ask, "No Countersign token: run `countersign agent add claude-code` and export COUNTERSIGN_TOKEN before starting Claude Code. Claude Code will ask you instead."); out != w {
			t.Errorf("got %s", out)
		}
	})
	t.Run("a revoked token", func(t *testing.T) {
		env := gatewaytest.Start(t, gatewaytest.Options{})
		tok := env.AddAgent(t, "claude-code")
		if err := env.Store.RevokeAgent(context.Background(), "claude-code", time.Now()); err != nil {
			t.Fatal(err)
		}
		out, _ := runHook(t, Config{DataDir: env.DataDir, Token: tok}, strings.NewReader(in))
		if w := want(Ask, "Countersign refused the proposal (the token is unknown or has been revoked (unauthorized)); Claude Code will ask you instead."); out != w {
			t.Errorf("got %s", out)
		}
	})
	t.Run("stdin that never ends", func(t *testing.T) {
		r, w := io.Pipe()
		defer w.Close()
		out, _ := runHook(t, Config{DataDir: t.TempDir(), Token: "x", Timeout: 2 * time.Second}, r)
		if w := want(Ask, "Countersign could not read the hook input (it did not arrive in time); Claude Code will ask you instead."); out != w {
			t.Errorf("got %s", out)
		}
	})
}

func TestPostToolUseRecordsTheAfterState(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{Decide: gatewaytest.Approve})
	token := env.AddAgent(t, "claude-code")
	ws := t.TempDir()
	path := filepath.Join(ws, "a.txt")
	pre := payload("PreToolUse", ws, "Write", map[string]any{"file_path": path, "content": "after\n"})
	out, _ := runHook(t, Config{DataDir: env.DataDir, Token: token}, strings.NewReader(pre))
	if !strings.Contains(out, `"permissionDecision":"allow"`) {
		t.Fatalf("pre: %s", out)
	}
	// Claude Code writes the file, then calls PostToolUse.
	if err := os.WriteFile(path, []byte("after\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	post := payload("PostToolUse", ws, "Write", map[string]any{"file_path": path, "content": "after\n"})
	out, code := runHook(t, Config{DataDir: env.DataDir, Token: token, Timeout: 30 * time.Second}, strings.NewReader(post))
	if out != "{}\n" || code != 0 {
		t.Fatalf("post: %d %s", code, out)
	}
	ev := <-env.Submitted
	events, err := env.Store.ListEvents(context.Background(), ev.ProposalID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	sum := store.Hash([]byte("after\n"))
	if last.Type != "observed" || !strings.Contains(string(last.Data), sum) || !strings.Contains(string(last.Data), `"content_stored":true`) {
		t.Fatalf("last event %s %s", last.Type, last.Data)
	}
	if b, err := env.Store.GetBlob(context.Background(), sum); err != nil || string(b) != "after\n" {
		t.Fatalf("blob %q %v", b, err)
	}
}

func TestMargin(t *testing.T) {
	for _, tt := range []struct{ timeout, want time.Duration }{
		{600 * time.Second, 10 * time.Second},
		{60 * time.Second, 3 * time.Second},
		{10 * time.Second, time.Second},
		{2 * time.Second, time.Second},
		{time.Second, 500 * time.Millisecond},
	} {
		t.Run(tt.timeout.String(), func(t *testing.T) {
			if got := Margin(tt.timeout); got != tt.want {
				t.Errorf("Margin(%s) = %s, want %s", tt.timeout, got, tt.want)
			}
		})
	}
}
