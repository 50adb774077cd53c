// Package gatewaytest runs a real agent gateway for the tests and benchmarks
// of other packages: a real SQLite store in a temporary directory, a real
// queue and a gateway listening on a Unix socket and loopback TCP, exactly as
// the app runs them.
//
// It guarantees that everything it starts is stopped and removed when the
// test ends; that the person's part is played only through the queue's own
// Decide, never through the gateway, so a test cannot make the gateway look
// more capable than it is; and that with Options.Decide set every submitted
// proposal is decided as soon as it is announced, which is how benchmarks
// measure the cost of the path itself rather than of waiting.
package gatewaytest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"countersign/backend/gateway"
	"countersign/backend/gateway/api"
	"countersign/backend/gateway/client"
	"countersign/backend/gateway/token"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// Options shape the environment.
type Options struct {
	// Decide, if set, decides every submitted proposal at once with what it
	// returns (nil leaves that proposal pending).
	Decide func(queue.Event) *proposal.Decision
	// Budgets of the gateway; zero fields take generous test values.
	Budgets gateway.Budgets
	// NoSocket serves TCP only.
	NoSocket bool
}

// Env is a running gateway.
type Env struct {
	DataDir    string
	RuntimeDir string
	Store      *store.Store
	Queue      *queue.Queue
	Gateway    *gateway.Server
	// Submitted receives every submission event (buffered; extra ones are
	// dropped when nobody reads).
	Submitted chan queue.Event
}

// Start starts an environment that lives until the test ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	run, err := os.MkdirTemp("", "csgt") // short: a socket path is limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(run) })
	e := &Env{DataDir: t.TempDir(), RuntimeDir: run, Submitted: make(chan queue.Event, 1024)}
	e.Store, err = store.Open(filepath.Join(e.DataDir, "countersign.db"))
	if err != nil {
		t.Fatal(err)
	}
	e.Queue = queue.New(queue.Config{Store: e.Store, Emit: func(ev queue.Event) {
		if ev.Type != queue.EventSubmitted {
			return
		}
		select {
		case e.Submitted <- ev:
		default:
		}
		if o.Decide != nil {
			if d := o.Decide(ev); d != nil {
				go e.Queue.Decide(context.Background(), ev.ProposalID, *d)
			}
		}
	}})
	if err := e.Queue.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := o.Budgets
	if b.Rate == 0 {
		b.Rate, b.Burst = 1e6, 1e6
	}
	if b.MaxPending == 0 {
		b.MaxPending = 1 << 30
	}
	e.Gateway, err = gateway.New(gateway.Config{Store: e.Store, Queue: e.Queue, DataDir: e.DataDir,
		RuntimeDir: run, NoSocket: o.NoSocket, Budgets: b, Previews: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Gateway.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Gateway.Close()
		e.Queue.Close()
		e.Store.Close()
	})
	return e
}

// AddAgent registers an agent and returns its token.
func (e *Env) AddAgent(t testing.TB, name string) string {
	t.Helper()
	tok, _, err := token.Add(context.Background(), e.Store, name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Client returns a gateway client for token.
func (e *Env) Client(t testing.TB, token string) *client.Client {
	t.Helper()
	c, err := client.New(e.Gateway.Discovery(), token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// Discovery is where the gateway listens.
func (e *Env) Discovery() api.Discovery { return e.Gateway.Discovery() }

// NextSubmitted waits for the next submission, failing the test after d.
func (e *Env) NextSubmitted(t testing.TB, d time.Duration) queue.Event {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case ev := <-e.Submitted:
		return ev
	case <-timer.C:
		t.Fatalf("no proposal was submitted within %s", d)
		return queue.Event{}
	}
}

// Decide plays the person: it decides a pending proposal through the queue.
func (e *Env) Decide(t testing.TB, id string, v proposal.Verdict, reason string) {
	t.Helper()
	if _, err := e.Queue.Decide(context.Background(), id, proposal.Decision{Verdict: v, Reason: reason, DecidedBy: "the test"}); err != nil {
		t.Fatal(err)
	}
}

// Approve returns a decision that approves, for Options.Decide.
func Approve(queue.Event) *proposal.Decision {
	return &proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "the test"}
}
