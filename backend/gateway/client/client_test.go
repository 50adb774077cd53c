package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"countersign/backend/gateway"
	"countersign/backend/gateway/api"
	"countersign/backend/gateway/client"
	"countersign/backend/gateway/gatewaytest"
	"countersign/backend/proposal"
)

func TestDiscover(t *testing.T) {
	for _, tt := range []struct {
		name, content string
		notRunning    bool
		msg           string
	}{
		{"missing", "", true, "no gateway.json"},
		{"damaged", "{", false, "damaged"},
		{"a newer version", `{"version":2,"http":"http://127.0.0.1:1"}`, false, "version 2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.content != "" {
				if err := os.WriteFile(filepath.Join(dir, api.DiscoveryFile), []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := client.Discover(dir)
			if errors.Is(err, client.ErrNotRunning) != tt.notRunning || err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v", err)
			}
		})
	}
	for _, d := range []api.Discovery{{Version: 1, HTTP: "http://10.0.0.1:80"}, {Version: 1, HTTP: "https://127.0.0.1:80"}, {Version: 1}} {
		if _, err := client.New(d, "t"); err == nil {
			t.Errorf("New accepted %+v", d)
		}
	}
}

// TestTheTokenNeverGoesToAStalePort: with a socket in the discovery file,
// a dead socket means "not running", even if something answers on the port
// the file names.
func TestTheTokenNeverGoesToAStalePort(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer other.Close()
	dir := t.TempDir()
	c, err := client.New(api.Discovery{Version: 1, Socket: filepath.Join(dir, "gone.sock"), HTTP: other.URL}, "cs_secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "01J00000000000000000000000"); !errors.Is(err, client.ErrNotRunning) {
		t.Fatalf("got %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the request went to the loopback port")
	}
}

func TestAgainstTheGateway(t *testing.T) {
	for _, tcpOnly := range []bool{false, true} {
		name := "unix socket"
		if tcpOnly {
			name = "tcp"
		}
		t.Run(name, func(t *testing.T) {
			env := gatewaytest.Start(t, gatewaytest.Options{NoSocket: tcpOnly})
			tok := env.AddAgent(t, "a")
			c := env.Client(t, tok)
			ctx := context.Background()
			ws := t.TempDir()
			p, err := c.Submit(ctx, api.SubmitRequest{Summary: "x", Workspace: ws, ClientRef: "r1",
				Actions: []proposal.Action{{Kind: proposal.KindFileDelete, Path: "a"}}})
			if err != nil {
				t.Fatal(err)
			}
			if s, ok, err := c.FindByRef(ctx, "r1"); err != nil || !ok || s.ID != p.ID {
				t.Fatalf("find by ref: %+v %v %v", s, ok, err)
			}
			if l, err := c.List(ctx, 0, 10); err != nil || len(l.Items) != 1 {
				t.Fatalf("list: %+v %v", l, err)
			}
			got, err := c.Wait(ctx, p.ID, 10*time.Millisecond)
			if err != nil || got.Status != proposal.StatusPending {
				t.Fatalf("wait: %+v %v", got, err)
			}
			go func() {
				env.NextSubmitted(t, 5*time.Second)
				env.Decide(t, p.ID, proposal.VerdictDeny, "no")
			}()
			got, err = c.WaitDecided(ctx, p.ID, 50*time.Millisecond, nil)
			if err != nil || got.Status != proposal.StatusDenied || got.Decision.Reason != "no" {
				t.Fatalf("wait decided: %+v %v", got, err)
			}
			_, err = c.Withdraw(ctx, p.ID)
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != "conflict" {
				t.Fatalf("withdraw a decided proposal: %v", err)
			}
			_, err = c.Submit(ctx, api.SubmitRequest{Summary: "x", Workspace: ws, Actions: []proposal.Action{{Kind: "nope"}}})
			if !errors.As(err, &ae) || ae.Status != 400 || ae.Field != "actions[0].kind" {
				t.Fatalf("invalid submit: %v", err)
			}
			bad := env.Client(t, "cs_"+strings.Repeat("z", 43))
			if _, err := bad.List(ctx, 0, 0); !errors.As(err, &ae) || ae.Status != 401 {
				t.Fatalf("bad token: %v", err)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	env := gatewaytest.Start(t, gatewaytest.Options{Budgets: gateway.Budgets{Rate: 0.001, Burst: 1}})
	c := env.Client(t, env.AddAgent(t, "a"))
	ctx := context.Background()
	if _, err := c.List(ctx, 0, 0); err != nil {
		t.Fatal(err)
	}
	_, err := c.List(ctx, 0, 0)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 429 || ae.Code != api.CodeRateLimited || ae.RetryAfter < time.Second {
		t.Fatalf("got %v (%+v)", err, ae)
	}
}
