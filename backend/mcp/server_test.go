package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"countersign/backend/gateway/client"
	"countersign/backend/gateway/gatewaytest"
	"countersign/backend/proposal"
)

// session connects an in-process MCP client to a server built with cfg.
func session(t *testing.T, cfg Config) *sdk.ClientSession {
	t.Helper()
	ct, st := sdk.NewInMemoryTransports()
	srv := NewServer(cfg)
	ctx := context.Background()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func outcome(t *testing.T, r *sdk.CallToolResult) (Outcome, string) {
	t.Helper()
	b, err := json.Marshal(r.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	var o Outcome
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("structured content %s: %v", b, err)
	}
	text := ""
	if len(r.Content) > 0 {
		text = r.Content[0].(*sdk.TextContent).Text
	}
	return o, text
}

func TestToolResults(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	tok := env.AddAgent(t, "model")
	ws := t.TempDir()
	connect := func() (*client.Client, error) { return client.New(env.Discovery(), tok) }
	cs := session(t, Config{Version: "test", Connect: connect, Workspace: ws, Timeout: time.Minute, Poll: 50 * time.Millisecond})
	ctx := context.Background()

	tests := []struct {
		name    string
		tool    string
		args    map[string]any
		person  proposal.Verdict
		reason  string
		isError bool
		status  string
		text    string
		check   func(t *testing.T, p *proposal.Proposal)
	}{
		{name: "an approved write", tool: "propose_file_write", args: map[string]any{"path": "a.md", "content": "hi\n"},
			person: proposal.VerdictApprove, status: "approved", text: "Approved by the person",
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Summary != "Write a.md (3 bytes)" || p.Workspace != ws || p.AgentID != "model" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "a denied edit carries the reason", tool: "propose_file_edit",
			args:   map[string]any{"path": "a.md", "edits": []any{map[string]any{"old_string": "hi", "new_string": "hello", "replace_all": true}}, "summary": "Greet"},
			person: proposal.VerdictDeny, reason: "too formal", isError: true, status: "denied", text: "Denied by the person: too formal",
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Summary != "Greet" || len(p.Actions[0].Edits) != 1 || !p.Actions[0].Edits[0].ReplaceAll {
					t.Errorf("%+v", p)
				}
			}},
		{name: "delete", tool: "propose_file_delete", args: map[string]any{"paths": []string{"a", "b"}},
			person: proposal.VerdictApprove, status: "approved",
			check: func(t *testing.T, p *proposal.Proposal) {
				if len(p.Actions) != 2 || p.Summary != "Delete 2 files" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "move", tool: "propose_file_move", args: map[string]any{"from": "a", "to": "b"},
			person: proposal.VerdictApprove, status: "approved",
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Actions[0].To != "b" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "sheet", tool: "propose_sheet_update", args: map[string]any{"path": "f.xlsx", "cells": []any{map[string]any{"sheet": "S", "cell": "B2", "formula": "=1+1"}}},
			person: proposal.VerdictApprove, status: "approved",
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Actions[0].Cells[0].Formula != "=1+1" || p.Summary != "Update 1 cell in f.xlsx" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "command", tool: "propose_command", args: map[string]any{"argv": []string{"make", "test"}, "timeout_sec": 60},
			person: proposal.VerdictApprove, status: "approved",
			check: func(t *testing.T, p *proposal.Proposal) {
				if p.Actions[0].TimeoutSec != 60 || p.Summary != "Run: make test" {
					t.Errorf("%+v", p)
				}
			}},
		{name: "an invalid proposal is refused", tool: "propose_sheet_update", args: map[string]any{"path": "f.xlsx", "cells": []any{map[string]any{"sheet": "S", "cell": "ZZZZ1", "value": "1"}}},
			isError: true, status: "refused", text: "actions[0].cells[0].cell"},
		{name: "an empty edit list breaks the schema", tool: "propose_file_edit", args: map[string]any{"path": "a.md", "edits": []any{}},
			isError: true, text: "edits"},
		{name: "arguments that break the schema", tool: "propose_file_write", args: map[string]any{"path": "a.md"},
			isError: true, text: "content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *proposal.Proposal
			done := make(chan struct{})
			if tt.person != "" {
				go func() {
					defer close(done)
					ev := env.NextSubmitted(t, 10*time.Second)
					got, _ = env.Queue.Get(ctx, ev.ProposalID)
					env.Decide(t, ev.ProposalID, tt.person, tt.reason)
				}()
			} else {
				close(done)
			}
			r, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: tt.tool, Arguments: tt.args})
			if err != nil {
				t.Fatal(err)
			}
			<-done
			var text string
			var o Outcome
			if r.StructuredContent != nil {
				o, text = outcome(t, r)
			} else if len(r.Content) > 0 {
				text = r.Content[0].(*sdk.TextContent).Text
			}
			if r.IsError != tt.isError || o.Status != tt.status || !strings.Contains(text, tt.text) {
				t.Errorf("isError %v status %q text %q; want %v %q %q", r.IsError, o.Status, text, tt.isError, tt.status, tt.text)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
	select {
	case ev := <-env.Submitted:
		t.Errorf("unexpected proposal %+v", ev)
	default:
	}
}

func TestProgressAndCancellation(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	tok := env.AddAgent(t, "model")
	connect := func() (*client.Client, error) { return client.New(env.Discovery(), tok) }
	ct, st := sdk.NewInMemoryTransports()
	srv := NewServer(Config{Connect: connect, Workspace: t.TempDir(), Timeout: time.Minute, Poll: 20 * time.Millisecond})
	ctx := context.Background()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	progress := make(chan *sdk.ProgressNotificationParams, 100)
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, r *sdk.ProgressNotificationClientRequest) {
			select {
			case progress <- r.Params:
			default:
			}
		}}).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	callCtx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		params := &sdk.CallToolParams{Name: "propose_file_delete", Arguments: map[string]any{"paths": []string{"x"}}}
		params.SetProgressToken("tok-1")
		_, err := cs.CallTool(callCtx, params)
		errc <- err
	}()
	ev := env.NextSubmitted(t, 10*time.Second)
	p := <-progress // a notification while waiting, with our token
	if p.ProgressToken != "tok-1" || !strings.Contains(p.Message, ev.ProposalID) || p.Total != 60 {
		t.Fatalf("progress %+v", p)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("call ended with %v", err)
	}
	// The server withdraws what nobody waits for any more.
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	got, err := env.Queue.Wait(wctx, ev.ProposalID)
	if err != nil || got.Status != proposal.StatusWithdrawn {
		t.Fatalf("status %v, %v; want withdrawn", got, err)
	}
}

func TestNoApp(t *testing.T) {
	for _, tt := range []struct {
		name    string
		connect func() (*client.Client, error)
		text    string
	}{
		{"not running", func() (*client.Client, error) { return nil, client.ErrNotRunning }, client.NotRunningMessage},
		{"no token", func() (*client.Client, error) { return nil, errors.New("no Countersign token") }, "no Countersign token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cs := session(t, Config{Connect: tt.connect})
			for _, tool := range []string{"propose_file_move", "get_proposal_status"} {
				args := map[string]any{"from": "a", "to": "b"}
				if tool == "get_proposal_status" {
					args = map[string]any{"id": "01J00000000000000000000000"}
				}
				r, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: tool, Arguments: args})
				if err != nil {
					t.Fatal(err)
				}
				if _, text := outcome(t, r); !r.IsError || !strings.Contains(text, tt.text) {
					t.Errorf("%s: isError %v text %q", tool, r.IsError, text)
				}
			}
		})
	}
}

func TestExpiryIsAnError(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{})
	tok := env.AddAgent(t, "model")
	connect := func() (*client.Client, error) { return client.New(env.Discovery(), tok) }
	cs := session(t, Config{Connect: connect, Workspace: t.TempDir(), Timeout: time.Second, Poll: 100 * time.Millisecond})
	r, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "propose_file_move", Arguments: map[string]any{"from": "a", "to": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if o, text := outcome(t, r); !r.IsError || o.Status != "expired" || !strings.Contains(text, "expired") {
		t.Fatalf("isError %v %+v", r.IsError, o)
	}
}
