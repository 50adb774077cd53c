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
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"countersign/backend/audit"
	"countersign/backend/config"
	"countersign/backend/executor"
	"countersign/backend/gateway"
	"countersign/backend/intent"
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
	// Roots are the folders Countersign may change: a proposal's workspace
	// must lie inside one. Empty: the user's home folder.
	Roots []string
	// Manual leaves approved proposals for the caller to execute (tests).
	Manual bool
	// Getenv is where commands' scrubbed environment comes from; nil = os.Getenv.
	Getenv func(string) string
	Logf   func(format string, args ...any) // background errors; nil drops them
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
	// Executor carries out approved proposals, and undoes and redoes them.
	Executor *executor.Executor
	// Recovered says what Start finished that a previous run left half
	// done, one line per proposal.
	Recovered  []string
	RecoverErr error
	now        func() time.Time
	manual     bool

	// Executions run in the background, under runCtx, until Close.
	runCtx   context.Context
	stopRuns context.CancelFunc
	runs     sync.WaitGroup
	lockMu   sync.Mutex
	lock     *flock.Flock // held while this process carries out proposals
	// Audit keeps the audit log's tree, signs its checkpoints and feeds the
	// SIEM file; Secrets is the detector that redacts audit records and
	// flags secrets in proposals for the review window.
	Audit   *audit.Log
	Secrets *redact.Detector
	logf    func(format string, args ...any)
	emit    func(queue.Event)
	// policy decides routine proposals by the person's rules; see policy.go.
	policy consent

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
		Limits: proposal.DefaultLimits(), Now: o.Now, Previews: true, Settles: !o.Manual})
	if err != nil {
		st.Close()
		return nil, err
	}
	c := &Core{DataDir: o.DataDir, Store: st, Queue: q, Gateway: gw, Secrets: secrets, now: o.Now, logf: o.Logf, manual: o.Manual, emit: o.Emit}
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
	roots := o.Roots
	if len(roots) == 0 {
		if home, err := os.UserHomeDir(); err == nil {
			roots = []string{home}
		}
	}
	c.Executor = executor.New(executor.Config{Store: st, Mover: q, Roots: roots, Protected: []string{o.DataDir},
		Now: o.Now, Getenv: o.Getenv, Keys: func() (intent.KeySet, error) {
			if c.Keys == nil {
				return nil, c.KeyErr
			}
			return c.Keys.Keys()
		}})
	gw.SetObserve(c.Executor.Observe)
	gw.SetSubmit(c.Submit)
	c.openPolicy(context.Background())
	c.runCtx, c.stopRuns = context.WithCancel(context.Background())
	return c, nil
}

// Now is the time by the core's clock.
func (c *Core) Now() time.Time { return c.now() }

// Start starts the background work (expiry) and the agent gateway.
func (c *Core) Start(ctx context.Context) error {
	if err := c.Queue.Start(ctx); err != nil {
		return fmt.Errorf("start queue: %w", err)
	}
	if err := c.Audit.Start(ctx); err != nil {
		return fmt.Errorf("start audit log: %w", err)
	}
	c.Store.StartTextIndexer(time.Second) // the timeline's search; Store.Close stops it
	go func() {
		if err := c.Secrets.Warm(); err != nil {
			c.logf("secret detection runs with Countersign's own rules only: %v", err)
		}
	}()
	// What a killed process left half done is settled before anything new.
	if err := c.TakeExecution(ctx); err != nil {
		c.RecoverErr = err
	}
	c.resumeApproved(ctx)
	c.watchRules()
	if err := c.Gateway.Start(ctx); err != nil {
		c.GatewayErr = fmt.Errorf("agents cannot connect: %w", err)
	}
	return nil
}

// ErrExecutionBusy: another process carries out proposals for this data
// folder (the app is running).
var ErrExecutionBusy = errors.New("another Countersign process is carrying out proposals for this data folder; use its window, or quit it first")

// TakeExecution makes this process the one that carries out proposals for
// the data folder (an exclusive lock file, held until Close), then finishes
// what an interrupted process left (Recover). Two processes never execute,
// undo or recover the same data folder at once.
func (c *Core) TakeExecution(ctx context.Context) error {
	c.lockMu.Lock()
	defer c.lockMu.Unlock()
	if c.lock == nil {
		l := flock.New(filepath.Join(c.DataDir, "execution.lock"))
		ok, err := l.TryLock()
		if err != nil {
			return fmt.Errorf("lock the data folder for execution: %w", err)
		}
		if !ok {
			return ErrExecutionBusy
		}
		c.lock = l
	}
	c.Recovered, c.RecoverErr = c.Executor.Recover(ctx)
	return c.RecoverErr
}

// resumeApproved carries out proposals approved before the last stop that
// did not start (the app quit right after the approval). Their tokens are
// checked as always: one that expired in the meantime fails, and says so.
func (c *Core) resumeApproved(ctx context.Context) {
	if c.manual || !c.Executing() {
		return
	}
	for {
		items, _, err := c.Store.ListByStatus(ctx, proposal.StatusApproved, 0, 100)
		if err != nil || len(items) == 0 {
			return
		}
		for _, it := range items {
			if _, err := c.Executor.Execute(ctx, it.ID); err != nil {
				return // not approved any more, or the store failed: leave the rest for the next start
			}
		}
	}
}

// Executing reports whether this process carries out proposals.
func (c *Core) Executing() bool {
	c.lockMu.Lock()
	defer c.lockMu.Unlock()
	return c.lock != nil
}

// launch executes an approved proposal in the background.
func (c *Core) launch(p *proposal.Proposal) {
	if c.manual || p == nil || p.Status != proposal.StatusApproved || !c.Executing() {
		return
	}
	c.runs.Add(1)
	go func() {
		defer c.runs.Done()
		c.Executor.Execute(c.runCtx, p.ID) // the outcome is recorded with the proposal
	}()
}

// Undo restores what an executed proposal changed; see executor.Undo.
func (c *Core) Undo(ctx context.Context, id string, force bool) (*executor.Result, error) {
	if !c.Executing() {
		return nil, ErrExecutionBusy
	}
	return c.Executor.Undo(ctx, id, force)
}

// Redo re-applies a reverted proposal; see executor.Redo.
func (c *Core) Redo(ctx context.Context, id string, force bool) (*executor.Result, error) {
	if !c.Executing() {
		return nil, ErrExecutionBusy
	}
	return c.Executor.Redo(ctx, id, force)
}

// Execute carries out an approved proposal now, in this process.
func (c *Core) Execute(ctx context.Context, id string) (*executor.Result, error) {
	if !c.Executing() {
		return nil, ErrExecutionBusy
	}
	return c.Executor.Execute(ctx, id)
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
		// An execution still running is cancelled, which rolls it back.
		c.stopRuns()
		c.runs.Wait()
		c.stopWatchingRules()
		c.closeErr = errors.Join(c.Gateway.Close(), c.Queue.Close(), c.Audit.Close(), c.Store.Close())
		c.lockMu.Lock()
		if c.lock != nil {
			c.closeErr = errors.Join(c.closeErr, c.lock.Unlock())
			c.lock = nil
		}
		c.lockMu.Unlock()
	})
	return c.closeErr
}
