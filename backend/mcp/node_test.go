package mcp_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
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

// envRequireNode makes the test fail, not skip, when node or the npm
// dependencies are missing.
const envRequireNode = "COUNTERSIGN_REQUIRE_NODE"

// npmInstall is the command that installs the client's dependencies.
const npmInstall = "npm ci --no-audit --no-fund --prefix backend/mcp/testdata/client"

func nodeClient(t *testing.T) (node, script string) {
	t.Helper()
	script, _ = filepath.Abs(filepath.Join("testdata", "client", "client.mjs"))
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("testdata", "client", "node_modules", "@modelcontextprotocol", "sdk", "package.json"))
	}
	if err != nil {
		if os.Getenv(envRequireNode) == "1" {
			t.Fatalf("%s=1 but node or @modelcontextprotocol/sdk is missing (%v); install with: %s", envRequireNode, err, npmInstall)
		}
		t.Skipf("node or @modelcontextprotocol/sdk is missing (%v); install with: %s", err, npmInstall)
	}
	return node, script
}

// buildBinary builds the real countersign binary (without the desktop tag:
// the window is not needed, `countersign mcp` is).
func buildBinary(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(t.TempDir(), "countersign")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return bin
}

type line struct {
	Event    string          `json:"event"`
	Call     string          `json:"call"`
	Progress json.RawMessage `json:"progress"`
	Result   struct {
		IsError           bool `json:"isError"`
		StructuredContent struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Verdict string `json:"verdict"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"structuredContent"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	} `json:"result"`
	Tools []struct {
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Required    []string          `json:"required"`
		Properties  map[string]string `json:"properties"`
	} `json:"tools"`
}

// TestOfficialTypeScriptClient runs the MCP TypeScript SDK's own client
// against the real binary, with a real core and gateway in this process
// playing the app, and this test playing the person.
func TestOfficialTypeScriptClient(t *testing.T) {
	node, script := nodeClient(t)
	bin := buildBinary(t)

	run, err := os.MkdirTemp("", "csmcp")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(run)
	submitted := make(chan queue.Event, 16)
	dataDir := t.TempDir()
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "notes.txt"), []byte("n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := core.Open(core.Options{DataDir: dataDir, Keystore: keystore.KindFile, RuntimeDir: run, Roots: []string{ws}, Emit: func(e queue.Event) {
		if e.Type == queue.EventSubmitted {
			submitted <- e
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tok, _, err := token.Add(ctx, c.Store, "mcp-check", time.Now())
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.CommandContext(ctx, node, script, bin)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "COUNTERSIGN_DATA_DIR="+dataDir, "COUNTERSIGN_TOKEN="+tok)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan line)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var l line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("client printed %q: %v", sc.Text(), err)
				continue
			}
			lines <- l
		}
	}()
	next := func(event string) line {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the client ended before %q; stderr:\n%s", event, stderr.String())
			}
			if l.Event != event {
				t.Fatalf("got %q, want %q: %+v", l.Event, event, l)
			}
			return l
		case <-ctx.Done():
			t.Fatalf("no %q before the deadline; stderr:\n%s", event, stderr.String())
		}
		return line{}
	}
	nextProposal := func() *proposal.Proposal {
		t.Helper()
		select {
		case e := <-submitted:
			p, err := c.Queue.Get(ctx, e.ProposalID)
			if err != nil {
				t.Fatal(err)
			}
			return p
		case <-ctx.Done():
			t.Fatalf("nothing was proposed; stderr:\n%s", stderr.String())
		}
		return nil
	}

	tools := next("tools")
	want := map[string][]string{
		"propose_file_write":   {"path", "content"},
		"propose_file_edit":    {"path", "edits"},
		"propose_file_delete":  {"paths"},
		"propose_file_move":    {"from", "to"},
		"propose_sheet_update": {"path", "cells"},
		"propose_command":      {"argv"},
		"get_proposal_status":  {"id"},
	}
	if len(tools.Tools) != len(want) {
		t.Errorf("%d tools, want %d", len(tools.Tools), len(want))
	}
	for _, tl := range tools.Tools {
		req, ok := want[tl.Name]
		if !ok {
			t.Errorf("unexpected tool %s", tl.Name)
			continue
		}
		if strings.Join(tl.Required, ",") != strings.Join(req, ",") || len(tl.Description) < 40 {
			t.Errorf("%s: required %v (want %v), description %q", tl.Name, tl.Required, req, tl.Description)
		}
		for name, desc := range tl.Properties {
			if len(desc) < 10 {
				t.Errorf("%s.%s has no useful description: %q", tl.Name, name, desc)
			}
		}
	}

	// First call: wait for the proposal and a progress notification, then deny.
	p := nextProposal()
	if p.AgentID != "mcp-check" || p.Workspace != ws || p.Actions[0].Kind != proposal.KindFileWrite ||
		p.Actions[0].Path != "notes/todo.md" || p.Rationale != "The person asked for a to-do list." {
		t.Fatalf("proposal %+v", p)
	}
	next("progress")
	if _, err := c.Decide(ctx, p.ID, core.Decision{Verdict: proposal.VerdictDeny, Reason: "Put it in TODO.md instead", DecidedBy: "the test"}); err != nil {
		t.Fatal(err)
	}
	r := next("result")
	sc := r.Result.StructuredContent
	if r.Call != "denied" || !r.Result.IsError || sc.Status != "denied" || sc.Reason != "Put it in TODO.md instead" || sc.ID != p.ID ||
		len(r.Result.Content) == 0 || !strings.Contains(r.Result.Content[0].Text, "Put it in TODO.md instead") {
		t.Fatalf("denied call: %+v", r)
	}

	// Second call: approve.
	p = nextProposal()
	if p.Actions[0].Kind != proposal.KindCommandRun || strings.Join(p.Actions[0].Argv, " ") != "ls -a" || p.Summary != "Check the working tree" {
		t.Fatalf("proposal %+v", p)
	}
	if _, err := c.Decide(ctx, p.ID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "the test"}); err != nil {
		t.Fatal(err)
	}
	r = next("result")
	sc = r.Result.StructuredContent
	// The call returns once Countersign has carried the command out, with
	// its output.
	if r.Call != "approved" || r.Result.IsError || sc.Status != "executed" || sc.Verdict != "approve" || sc.ID != p.ID ||
		!strings.Contains(sc.Message, "notes.txt") {
		t.Fatalf("approved call: %+v", r)
	}
	r = next("result")
	if r.Call != "status" || r.Result.IsError || r.Result.StructuredContent.Status != "executed" {
		t.Fatalf("status call: %+v", r)
	}
	next("done")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("client: %v\n%s", err, stderr.String())
	}
}
