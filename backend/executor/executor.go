// Package executor carries out approved proposals, keeps what it needs to
// undo them, and undoes and redoes them.
//
// It guarantees that:
//   - nothing runs without the proposal's intent token verifying against the
//     current key set and matching the stored proposal, and each token is
//     used at most once (the journal's token_id is UNIQUE);
//   - every target is re-read at execution and compared with the hash the
//     person approved; one that changed refuses the whole proposal, and the
//     refusal is recorded;
//   - every path is resolved inside the proposal's workspace through os.Root,
//     and the workspace must lie inside one of the configured roots: `..`,
//     absolute paths outside, symlinks, files with other hard links, devices,
//     names that collide on case-insensitive filesystems and Countersign's
//     own data folder are refused;
//   - before a file changes, its before-state (content, mode, existence) and
//     after-state are committed to the journal in SQLite (content-addressed,
//     so repeated content is stored once); each file is written atomically
//     (temporary file in the same directory, fsync, rename) and the changed
//     directories are synced;
//   - a proposal ends executed with every action applied, or failed with
//     every path back in its before-state; a process killed at any instant
//     leaves a journal from which Recover restores the before-state (or
//     completes an interrupted undo or redo), deterministically;
//   - Undo and Redo never overwrite a file that changed since Countersign
//     wrote it unless the caller says so explicitly (Force), and report the
//     conflicts with a diff instead.
package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"countersign/backend/errs"
	"countersign/backend/intent"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// Mover records status changes (the queue, which also tells the UI).
type Mover interface {
	Move(ctx context.Context, c store.StatusChange) error
}

// Config is what an Executor needs.
type Config struct {
	Store *store.Store
	Mover Mover
	// Keys returns the key set that verifies intent tokens (current and
	// retired keys); nil refuses every execution.
	Keys func() (intent.KeySet, error)
	// Roots are the folders a workspace must lie in. Empty: none is allowed.
	Roots []string
	// Protected are folders never changed, even inside a root (the data dir).
	Protected []string
	Now       func() time.Time    // nil = time.Now
	Getenv    func(string) string // nil = os.Getenv; the source of a command's scrubbed environment
}

// Executor carries out approved proposals. Its methods are safe for
// concurrent use; operations on one proposal are serialized.
type Executor struct {
	cfg    Config
	now    func() time.Time
	getenv func(string) string
	locks  keyedMutex

	// beforeStep, when set (tests only), runs before each path change and
	// may fail it.
	beforeStep func(seq int, rel string) error
}

// New returns an Executor.
func New(cfg Config) *Executor {
	x := &Executor{cfg: cfg, now: cfg.Now, getenv: cfg.Getenv}
	if x.now == nil {
		x.now = time.Now
	}
	if x.getenv == nil {
		x.getenv = os.Getenv
	}
	return x
}

// ActionResult is what one action did.
type ActionResult struct {
	Index      int    `json:"index"`
	Kind       string `json:"kind"`
	Changed    int    `json:"changed,omitempty"` // paths changed
	Note       string `json:"note,omitempty"`
	ExitCode   *int   `json:"exit_code,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Stdout     string `json:"stdout,omitempty"`
	Stderr     string `json:"stderr,omitempty"`
	DurationMS int64  `json:"duration_ms,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Result is the outcome of an execution, kept with the proposal.
type Result struct {
	Outcome string         `json:"outcome"` // executed, failed, reverted
	Error   string         `json:"error,omitempty"`
	Stale   bool           `json:"stale,omitempty"` // a target changed since it was approved
	Actions []ActionResult `json:"actions,omitempty"`
	// NotUndoable lists what undo cannot take back (commands without
	// declared paths, requests, tool calls).
	NotUndoable []string `json:"not_undoable,omitempty"`
	// AgentRuns: the agent carries out the actions itself; Countersign
	// recorded the before-state for undo.
	AgentRuns bool `json:"agent_runs,omitempty"`
	// Rollback says what happened to the files when the execution failed.
	Rollback string `json:"rollback,omitempty"`
	// Recovered: the process stopped mid-way and the start after it
	// finished the work.
	Recovered bool `json:"recovered,omitempty"`
}

// Outcomes.
const (
	OutcomeExecuted = "executed"
	OutcomeFailed   = "failed"
	OutcomeReverted = "reverted"
)

func (r *Result) json() json.RawMessage {
	b, _ := json.Marshal(r)
	return b
}

// eventJSON is the result as the event (and so the audit record) carries
// it: command output and response bodies only as their SHA-256 and size,
// never their content, which stays in the journal with the proposal.
func (r *Result) eventJSON() json.RawMessage {
	c := *r
	c.Actions = make([]ActionResult, len(r.Actions))
	for i, a := range r.Actions {
		for _, out := range []*string{&a.Stdout, &a.Stderr} {
			if *out != "" {
				*out = fmt.Sprintf("sha256:%s (%d bytes)", hashHex([]byte(*out)), len(*out))
			}
		}
		c.Actions[i] = a
	}
	return c.json()
}

// Execute carries out the approved proposal id. It returns the result; the
// error is non-nil only when the proposal could not be moved out of
// approved at all (not approved, token already used, database error). A
// refused or failed execution is a result with Outcome failed.
func (x *Executor) Execute(ctx context.Context, id string) (*Result, error) {
	unlock := x.locks.lock(id)
	defer unlock()
	st := x.cfg.Store
	p, err := st.GetProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != proposal.StatusApproved {
		return nil, errs.New(errs.CodeConflict, fmt.Sprintf("proposal %s is %s; only an approved proposal is executed", id, p.Status))
	}
	claims, verr := x.verify(ctx, p)
	tokenID := "unverified:" + id // still marks the proposal's one execution
	if claims != nil {
		tokenID = claims.ID
	}
	if err := x.cfg.Mover.Move(ctx, store.StatusChange{ID: id, From: proposal.StatusApproved, To: proposal.StatusExecuting,
		At: x.now(), Event: store.EventExecuting, Journal: &store.Journal{TokenID: tokenID, Phase: store.PhaseApplying}}); err != nil {
		return nil, err
	}
	res := &Result{AgentRuns: p.AgentRuns}
	if verr != nil {
		return x.fail(ctx, id, res, nil, nil, verr)
	}
	actions, err := x.effectiveActions(ctx, p)
	if err != nil {
		return x.fail(ctx, id, res, nil, nil, err)
	}
	for _, idx := range claims.Indexes() {
		if ok, why := proposal.Undoable(actions[idx]); !ok {
			res.NotUndoable = append(res.NotUndoable, fmt.Sprintf("action %d: %s", idx+1, why))
		}
	}
	w, err := OpenWorkspace(x.cfg.Roots, p.Workspace, x.cfg.Protected)
	if err != nil {
		return x.fail(ctx, id, res, nil, nil, err)
	}
	defer w.Close()
	pl := &planner{ctx: ctx, w: w, view: map[string]store.PathState{}, folded: map[string]string{}, targets: map[int]string{}}
	for _, ca := range claims.Actions {
		if intent.HasTargetFile(ca.Kind) {
			pl.targets[ca.Index] = ca.TargetSHA256
		}
	}
	ops, err := pl.plan(actions, claims.Indexes())
	if err != nil {
		var stale *StaleError
		res.Stale = errors.As(err, &stale)
		return x.fail(ctx, id, res, nil, nil, err)
	}
	var planned []store.UndoStep
	for _, o := range ops {
		planned = append(planned, o.steps...)
	}
	// The before- and after-state of every planned change is durable before
	// the first file changes.
	if err := st.UpdateJournal(ctx, id, x.now(), store.Journal{Steps: planned}); err != nil {
		return x.fail(ctx, id, res, nil, nil, err)
	}
	if p.AgentRuns {
		// The agent makes the changes once it hears the decision;
		// Countersign keeps the before-state so they can be undone.
		for _, o := range ops {
			res.Actions = append(res.Actions, ActionResult{Index: o.index, Kind: string(o.action.Kind), Changed: len(o.steps),
				Note: "carried out by the agent"})
		}
		return x.finish(ctx, id, res)
	}
	var done []store.UndoStep // steps applied so far, for rollback
	dirty := map[string]bool{}
	var checks []op
	for _, o := range ops {
		if o.action.Kind == proposal.KindCommandRun && o.action.Check {
			checks = append(checks, o)
			continue
		}
		ar := ActionResult{Index: o.index, Kind: string(o.action.Kind)}
		var err error
		switch o.action.Kind {
		case proposal.KindCommandRun:
			err = x.command(ctx, w, id, o, &ar, &done)
		case proposal.KindNetRequest:
			err = sendRequest(ctx, o.action, &ar)
		case proposal.KindToolCall:
			ar.Note = "left to the agent: Countersign cannot carry out an opaque tool call"
		default:
			err = x.converge(w, id, o.steps, true, false, dirty)
			if err == nil {
				done = append(done, o.steps...)
				ar.Changed = len(o.steps)
			}
		}
		if err != nil {
			ar.Error = err.Error()
			res.Actions = append(res.Actions, ar)
			return x.fail(ctx, id, res, w, done, fmt.Errorf("action %d (%s): %w", o.index+1, o.action.Kind, err))
		}
		res.Actions = append(res.Actions, ar)
	}
	if err := w.syncDirs(dirty); err != nil {
		return x.fail(ctx, id, res, w, done, err)
	}
	for _, o := range checks {
		ar := ActionResult{Index: o.index, Kind: string(o.action.Kind), Note: "post-check"}
		if err := x.runCommand(ctx, w, o.action, &ar); err != nil {
			ar.Error = err.Error()
			res.Actions = append(res.Actions, ar)
			return x.fail(ctx, id, res, w, done, fmt.Errorf("the post-check (action %d) failed, so every change was rolled back: %w", o.index+1, err))
		}
		res.Actions = append(res.Actions, ar)
	}
	return x.finish(ctx, id, res)
}

// command runs a command.run between a snapshot of the paths it declares
// and a record of what it left there.
func (x *Executor) command(ctx context.Context, w *Workspace, id string, o op, ar *ActionResult, done *[]store.UndoStep) error {
	snap, err := x.snapshot(w, o.index, o.action.Writes)
	if err != nil {
		return err
	}
	if len(snap) > 0 {
		if err := x.cfg.Store.UpdateJournal(ctx, id, x.now(), store.Journal{Steps: snap}); err != nil {
			return err
		}
		// From here a rollback restores the snapshot whatever the command does.
		*done = append(*done, snap...)
	}
	runErr := x.runCommand(ctx, w, o.action, ar)
	w.forget()
	if len(snap) == 0 {
		return runErr
	}
	settled, err := x.settle(w, o.index, snap)
	if err != nil {
		return errors.Join(runErr, err)
	}
	if err := x.cfg.Store.UpdateJournal(ctx, id, x.now(), store.Journal{Steps: settled}); err != nil {
		return errors.Join(runErr, err)
	}
	*done = append((*done)[:len(*done)-len(snap)], settled...)
	for _, s := range settled {
		if s.Pre.Kind != store.StateScope && !same(s.Pre, s.Post) {
			ar.Changed++
		}
	}
	return runErr
}

// finish records a successful execution.
func (x *Executor) finish(ctx context.Context, id string, res *Result) (*Result, error) {
	res.Outcome = OutcomeExecuted
	err := x.cfg.Mover.Move(ctx, store.StatusChange{ID: id, From: proposal.StatusExecuting, To: proposal.StatusExecuted,
		At: x.now(), Event: store.EventExecuted, Data: res.eventJSON(),
		Journal: &store.Journal{Phase: store.PhaseDone, Result: res.json(), Finished: true}})
	return res, err
}

// fail rolls back the steps done and records the failure. If the rollback
// itself cannot complete, the journal stays in its phase, so the next start
// tries again, and the result says so.
func (x *Executor) fail(ctx context.Context, id string, res *Result, w *Workspace, done []store.UndoStep, cause error) (*Result, error) {
	res.Outcome, res.Error = OutcomeFailed, cause.Error()
	phase := store.PhaseDone
	if len(done) > 0 {
		res.Rollback = "every change was rolled back; the files are as they were before"
		if err := x.rollback(w, id, done); err != nil {
			res.Rollback = "the rollback could not complete (" + err.Error() + "); it is tried again when Countersign starts"
			phase = ""
		}
	} else {
		res.Rollback = "nothing was changed"
	}
	err := x.cfg.Mover.Move(context.WithoutCancel(ctx), store.StatusChange{ID: id, From: proposal.StatusExecuting, To: proposal.StatusFailed,
		At: x.now(), Event: store.EventFailed, Data: res.eventJSON(),
		Journal: &store.Journal{Phase: phase, Result: res.json(), Finished: true}})
	return res, err
}

// rollback returns every path of steps to its before-state, forcing it:
// these are changes this execution made moments ago, or a command's
// snapshot.
func (x *Executor) rollback(w *Workspace, id string, steps []store.UndoStep) error {
	w.forget()
	dirty := map[string]bool{}
	err := x.converge(w, id, steps, false, true, dirty)
	return errors.Join(err, w.syncDirs(dirty))
}

// verify checks the proposal's token: signature, key, lifetime, and that it
// states exactly the stored proposal's approved actions.
func (x *Executor) verify(ctx context.Context, p *proposal.Proposal) (*intent.Claims, error) {
	if x.cfg.Keys == nil {
		return nil, errs.New(errs.CodeUnavailable, "no signing key is available, so no token can be verified")
	}
	if p.Decision == nil || p.Decision.Token == "" {
		return nil, errs.New(errs.CodeForbidden, "the decision carries no intent token")
	}
	keys, err := x.cfg.Keys()
	if err != nil {
		return nil, errs.Wrap(errs.CodeUnavailable, fmt.Errorf("the signing keys cannot be read: %w", err))
	}
	c, err := intent.Verify(p.Decision.Token, keys, x.now())
	if err != nil {
		return nil, fmt.Errorf("the intent token does not verify: %w", err)
	}
	if !c.Decision.Approves() {
		return nil, errs.New(errs.CodeForbidden, "the intent token does not approve")
	}
	actions, err := x.effectiveActions(ctx, p)
	if err != nil {
		return nil, err
	}
	eff := *p
	eff.Actions = actions
	hashes := map[int]string{}
	for _, a := range c.Actions {
		if a.TargetSHA256 != "" {
			hashes[a.Index] = a.TargetSHA256
		}
	}
	if err := intent.MatchProposal(c, &eff, c.Indexes(), hashes); err != nil {
		return nil, fmt.Errorf("the intent token does not match the stored proposal: %w", err)
	}
	return c, nil
}

// effectiveActions are the actions as they run: edited ones if the person
// approved after editing.
func (x *Executor) effectiveActions(ctx context.Context, p *proposal.Proposal) ([]proposal.Action, error) {
	edited, ok, err := x.cfg.Store.GetEdited(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if ok {
		if len(edited) != len(p.Actions) {
			return nil, fmt.Errorf("the edited actions of %s do not line up with the proposal", p.ID)
		}
		return edited, nil
	}
	return p.Actions, nil
}

// Conflict is a path that changed since Countersign last wrote it.
type Conflict struct {
	Path     string `json:"path"`
	Expected string `json:"expected"` // the state Countersign left: "absent", "directory" or a file's hash
	Found    string `json:"found"`
	Diff     string `json:"diff,omitempty"` // unified diff from what Countersign left to what is there, for text
}

// ConflictError: Undo or Redo found paths changed since; nothing was changed.
type ConflictError struct {
	ID        string
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%d file(s) changed since Countersign last wrote them (first: %s); nothing was changed. Review the differences and choose to overwrite them, or leave them",
		len(e.Conflicts), e.Conflicts[0].Path)
}

// ErrorCode: a conflict is the caller's choice to make.
func (e *ConflictError) ErrorCode() errs.Code { return errs.CodeConflict }

// keyedMutex serializes work per proposal.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
