// Package core builds Countersign's backend from its parts and is the one
// place that starts and stops them.
//
// It guarantees that Open either returns a Core whose store is open and
// migrated, or an error that says which part failed and leaves nothing
// running; that every audit record the store writes from then on has its
// free text redacted; that Start starts the parts in dependency order; and
// that Close stops them in reverse order, the audit log last before the store
// so that its final checkpoint covers everything, and may be called more
// than once. It never knows which user interface, if any, is attached:
// events leave through the Emit function it is given.
package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"countersign/backend/audit"
	"countersign/backend/config"
	"countersign/backend/gateway"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/redact"
	"countersign/backend/store"
)

// Options are the dependencies of a Core.
type Options struct {
	DataDir  string
	Keystore keystore.Kind     // where the signing key lives; "" = the OS keyring
	Emit     func(queue.Event) // receives every queue change; nil drops them
	Now      func() time.Time  // nil = time.Now
	// RuntimeDir holds the agent gateway's Unix socket; "" = the per-user
	// default ($XDG_RUNTIME_DIR, or a per-user temporary directory).
	RuntimeDir string
	Logf       func(format string, args ...any) // background errors; nil drops them
}

// Core holds the running backend.
type Core struct {
	DataDir string
	Store   *store.Store
	Queue   *queue.Queue
	// Keys signs every decision. When the keystore cannot be opened, Keys is
	// nil, KeyErr says why, and every decision is refused: Countersign never
	// records a decision it cannot sign.
	Keys   *keystore.Keystore
	KeyErr error
	// Gateway is the agents' one way in; it listens from Start to Close.
	// When it cannot listen, GatewayErr says why: agents cannot connect,
	// but the person can still review and decide what is queued.
	Gateway    *gateway.Server
	GatewayErr error
	// Audit keeps the audit log's tree, signs its checkpoints and feeds the
	// SIEM file; Secrets is the detector that redacts audit records and
	// flags secrets in proposals for the review window.
	Audit   *audit.Log
	Secrets *redact.Detector
	now     func() time.Time
	logf    func(format string, args ...any)

	closeOnce sync.Once
	closeErr  error
}

// Open creates the data directory if needed, opens the database and builds the queue.
func Open(o Options) (*Core, error) {
	if err := config.EnsureDataDir(o.DataDir); err != nil {
		return nil, err
	}
	st, err := store.Open(config.DatabasePath(o.DataDir))
	if err != nil {
		return nil, err
	}
	secrets := redact.New()
	st.SetRedactor(secrets)
	q := queue.New(queue.Config{Store: st, Emit: o.Emit, Now: o.Now, Limits: proposal.DefaultLimits()})
	gw, err := gateway.New(gateway.Config{Store: st, Queue: q, DataDir: o.DataDir, RuntimeDir: o.RuntimeDir,
		Limits: proposal.DefaultLimits(), Now: o.Now, Previews: true})
	if err != nil {
		st.Close()
		return nil, err
	}
	c := &Core{DataDir: o.DataDir, Store: st, Queue: q, Gateway: gw, Secrets: secrets, now: o.Now, logf: o.Logf}
	if c.now == nil {
		c.now = time.Now
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	c.Keys, c.KeyErr = OpenKeystore(o.Keystore, o.DataDir, c.now)
	c.Audit, err = audit.Open(context.Background(), audit.Config{Store: st, Keys: c.Keys, DataDir: o.DataDir, Now: c.now, Logf: c.logf})
	if err != nil {
		gw.Close()
		st.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return c, nil
}

// Start starts the background work (expiry) and the agent gateway.
func (c *Core) Start(ctx context.Context) error {
	if err := c.Queue.Start(ctx); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	if err := c.Audit.Start(ctx); err != nil {
		return fmt.Errorf("start audit log: %w", err)
	}
	go func() {
		if err := c.Secrets.Warm(); err != nil {
			c.logf("secret detection runs with Countersign's own rules only: %v", err)
		}
	}()
	if err := c.Gateway.Start(ctx); err != nil {
		c.GatewayErr = fmt.Errorf("agents cannot connect: %w", err)
	}
	return nil
}

// PendingCount reports how many proposals wait for a decision.
func (c *Core) PendingCount(ctx context.Context) (int, error) {
	page, err := c.Queue.ListPending(ctx, 0, 1)
	if err != nil {
		return 0, err
	}
	return page.Total, nil
}

// Close stops everything; later calls return the first result.
func (c *Core) Close() error {
	c.closeOnce.Do(func() {
		c.closeErr = errors.Join(c.Gateway.Close(), c.Queue.Close(), c.Audit.Close(), c.Store.Close())
	})
	return c.closeErr
}
