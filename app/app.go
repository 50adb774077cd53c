// Package app is the desktop shell: the only package that imports Wails. It
// binds a narrow App to the web UI, forwards backend events to it in batches,
// and starts and stops the backend with the window.
//
// It guarantees that the UI can read proposals, decide them, and undo or
// redo what was carried out, and nothing else: no bound method writes a
// file or runs a command that a signed approval did not cover, or changes
// settings other than the person's own rules, budgets and the pause.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/user"
	"sync"
	"time"

	"countersign/backend/core"
	"countersign/backend/errs"
	"countersign/backend/executor"
	"countersign/backend/keystore"
	"countersign/backend/preview"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/redact"
	"countersign/backend/sheet"
	"countersign/backend/store"
)

// Info describes the running app to the UI.
type Info struct {
	Version string `json:"version"`
	DataDir string `json:"data_dir"`
	Demo    bool   `json:"demo"`
	User    string `json:"user"`
	Pending int    `json:"pending"`
	Keys    Keys   `json:"keys"`
	// Gateway is empty when agents can connect, else why they cannot.
	Gateway string `json:"gateway"`
	// Paused: every agent is paused (new proposals denied, pending ones held).
	Paused bool `json:"paused"`
}

// Keys tells the UI whether decisions can be signed, and how safely.
type Keys struct {
	OK      bool   `json:"ok"`      // a signing key is loaded
	KeyID   string `json:"key_id"`  // its id, when OK
	Weak    bool   `json:"weak"`    // kept in a file (--keystore file), not the OS keyring
	Problem string `json:"problem"` // why decisions are disabled, when not OK
	Advice  string `json:"advice"`  // what to do about it
}

// ProposalView is a proposal as the detail pane shows it.
type ProposalView struct {
	Proposal    *proposal.Proposal `json:"proposal"`
	RiskReasons []string           `json:"risk_reasons"`
	// NotUndoable says, before the person approves, what could not be
	// undone once carried out.
	NotUndoable []string `json:"not_undoable"`
	// Execution is what carrying it out did, once it was.
	Execution *ExecutionView `json:"execution,omitempty"`
	// Token says whether the decision's intent token is genuine and states
	// exactly this proposal.
	Token TokenCheck `json:"token"`
}

// ExecutionView is an execution as the history shows it.
type ExecutionView struct {
	Result *executor.Result `json:"result,omitempty"`
	// Paths are the paths it changed (at most maxPaths), with their state
	// before and after: "absent", "file" or "dir".
	Paths      []PathChange `json:"paths"`
	PathsTotal int          `json:"paths_total"`
	// InFlight: an execution, undo or redo is still running.
	InFlight bool `json:"in_flight"`
}

// PathChange is one path an execution changed.
type PathChange struct {
	Path   string `json:"path"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// UndoOutcome is the answer to Undo and Redo: done, or refused because files
// changed since, with the differences.
type UndoOutcome struct {
	Done      bool                `json:"done"`
	Result    *executor.Result    `json:"result,omitempty"`
	Conflicts []executor.Conflict `json:"conflicts"`
}

const maxPaths = 500

// App is bound to the UI. Its methods are the whole of what the UI can do.
type App struct {
	core    *core.Core
	version string
	demo    bool
	user    string
	started time.Time
	logf    func(format string, args ...any)

	ctx       context.Context
	previews  *preview.Previewer
	readyOnce sync.Once
}

// NewApp binds a running core to the UI.
func NewApp(c *core.Core, version string, demo bool, started time.Time, logf func(string, ...any)) *App {
	return &App{core: c, version: version, demo: demo, user: currentUser(), started: started, logf: logf, ctx: context.Background(), previews: preview.New(preview.Limits{})}
}

func currentUser() string {
	u, err := user.Current()
	if err != nil || u.Username == "" {
		return "unknown"
	}
	return u.Username
}

// ListPending returns a page of proposals waiting for a decision, newest first.
func (a *App) ListPending(offset, limit int) (queue.Page, error) {
	return a.core.Queue.ListPending(a.ctx, offset, limit)
}

// Get returns one proposal with the reasons for its risk level.
func (a *App) Get(id string) (ProposalView, error) {
	p, err := a.core.Queue.Get(a.ctx, id)
	if err != nil {
		return ProposalView{}, err
	}
	_, reasons := proposal.Assess(p)
	if reasons == nil {
		reasons = []string{}
	}
	v := ProposalView{Proposal: p, RiskReasons: reasons, NotUndoable: executor.Undoable(p)}
	if p.Decision != nil {
		v.Token = a.checkToken(a.ctx, id, p.Decision.Token, p)
	}
	if v.NotUndoable == nil {
		v.NotUndoable = []string{}
	}
	if ex, err := a.core.Store.GetExecution(a.ctx, id); err == nil {
		ev := &ExecutionView{InFlight: ex.Phase != store.PhaseDone, Paths: []PathChange{}}
		if ex.Result != nil {
			var r executor.Result
			if json.Unmarshal(ex.Result, &r) == nil {
				ev.Result = &r
			}
		}
		steps, err := a.core.Store.ListSteps(a.ctx, id)
		if err != nil {
			return ProposalView{}, err
		}
		for _, s := range steps {
			if s.Pre.Kind == store.StateScope || s.Pre.Kind == s.Post.Kind && s.Pre.SHA == s.Post.SHA && s.Pre.Mode == s.Post.Mode {
				continue
			}
			ev.PathsTotal++
			if len(ev.Paths) < maxPaths {
				ev.Paths = append(ev.Paths, PathChange{Path: s.Path, Before: s.Pre.Kind, After: s.Post.Kind})
			}
		}
		v.Execution = ev
	} else if !errors.Is(err, store.ErrNotFound) {
		return ProposalView{}, err
	}
	return v, nil
}

// ListDecided returns a page of the history: proposals that left pending,
// the most recently decided first.
func (a *App) ListDecided(offset, limit int) (queue.Page, error) {
	return a.core.Queue.ListDecided(a.ctx, offset, limit)
}

// ListDecidedAfter returns a page of the history after the position cursor
// names ("" for the top), skip rows further on: the page's Next continues
// it, and a cursor the UI kept brings back a stretch of the list it let go.
func (a *App) ListDecidedAfter(cursor string, skip, limit int) (queue.DecidedPage, error) {
	return a.core.Queue.ListDecidedAfter(a.ctx, cursor, skip, limit)
}

// Undo restores what an executed proposal changed. Files changed since
// Countersign wrote them are reported, and nothing changes, unless force.
func (a *App) Undo(id string, force bool) (UndoOutcome, error) {
	return undoOutcome(a.core.Undo(a.ctx, id, force))
}

// Redo applies an undone proposal again, with the same conflict rule.
func (a *App) Redo(id string, force bool) (UndoOutcome, error) {
	return undoOutcome(a.core.Redo(a.ctx, id, force))
}

func undoOutcome(r *executor.Result, err error) (UndoOutcome, error) {
	var ce *executor.ConflictError
	if errors.As(err, &ce) {
		return UndoOutcome{Conflicts: ce.Conflicts}, nil
	}
	if err != nil {
		return UndoOutcome{}, err
	}
	return UndoOutcome{Done: true, Result: r, Conflicts: []executor.Conflict{}}, nil
}

// Approve approves a pending proposal as the person at the keyboard.
func (a *App) Approve(id string) error {
	_, err := a.core.Decide(a.ctx, id, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: a.user})
	return err
}

// Deny denies a pending proposal; the reason goes back to the agent.
func (a *App) Deny(id, reason string) error {
	_, err := a.core.Decide(a.ctx, id, core.Decision{Verdict: proposal.VerdictDeny, Reason: reason, DecidedBy: a.user})
	return err
}

// Info describes the running app.
func (a *App) Info() (Info, error) {
	n, err := a.core.PendingCount(a.ctx)
	if err != nil {
		return Info{}, err
	}
	return Info{Version: a.version, DataDir: a.core.DataDir, Demo: a.demo, User: a.user, Pending: n, Keys: a.keys(), Gateway: errText(a.core.GatewayErr), Paused: a.core.Paused()}, nil
}

func (a *App) keys() Keys {
	if a.core.Keys == nil {
		k := Keys{Problem: fmt.Sprint(a.core.KeyErr)}
		var ue *keystore.UnavailableError
		if errors.As(a.core.KeyErr, &ue) {
			k.Advice = ue.Advice()
		}
		return k
	}
	k := Keys{OK: true, Weak: a.core.Keys.Weak()}
	if s, err := a.core.Keys.Signer(); err == nil {
		k.KeyID = s.KeyID()
	} else {
		k.OK, k.Problem = false, err.Error()
	}
	return k
}

// UIReady is called by the UI once its first screen is painted; the time from
// process start is logged so cold start can be measured from outside.
func (a *App) UIReady() {
	a.readyOnce.Do(func() {
		a.logf("first paint after %d ms", time.Since(a.started).Milliseconds())
	})
}

// Preview returns what each action of a proposal would change, computed from
// the files as they are now.
func (a *App) Preview(id string) ([]*preview.Action, error) {
	p, err := a.core.Queue.Get(a.ctx, id)
	if err != nil {
		return nil, err
	}
	return a.previews.Proposal(a.ctx, p), nil
}

// SheetWindow returns a window of cells of the workbook a sheet.update action
// changes, with the proposed changes applied and marked, for the grid view.
func (a *App) SheetWindow(id string, action int, q sheet.WindowQuery) (*sheet.Grid, error) {
	p, err := a.core.Queue.Get(a.ctx, id)
	if err != nil {
		return nil, err
	}
	if action < 0 || action >= len(p.Actions) || p.Actions[action].Kind != proposal.KindSheetUpdate {
		return nil, errs.New(errs.CodeInvalid, fmt.Sprintf("action %d is not a spreadsheet update", action+1))
	}
	wb, err := sheet.OpenFile(preview.Resolve(p, p.Actions[action].Path), sheet.Options{})
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	return sheet.WindowUpdate(a.ctx, wb, p.Actions[action].Cells, q)
}

// ApproveSelection approves some actions of a proposal and, of text actions,
// some hunks; the token signs exactly what will run.
func (a *App) ApproveSelection(id string, sel core.Selection) error {
	_, err := a.core.ApproveSelection(a.ctx, id, sel, a.user, a.previews)
	return err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// secretScanTime bounds how long Secrets looks.
const secretScanTime = 5 * time.Second

// Secrets names the secrets and personal data a proposal would write, run or
// send ("an AWS access key" in action 1's content, line 2), for the warning
// in the detail pane. It never returns the secrets themselves.
func (a *App) Secrets(id string) (redact.ProposalScan, error) {
	p, err := a.core.Queue.Get(a.ctx, id)
	if err != nil {
		return redact.ProposalScan{}, err
	}
	ctx, cancel := context.WithTimeout(a.ctx, secretScanTime)
	defer cancel()
	return a.core.Secrets.ScanProposal(ctx, p), nil
}

// PreviewLines returns unchanged lines of a text action's current file, for
// expanding the regions a diff view collapses (1-based, inclusive, capped).
func (a *App) PreviewLines(id string, action, from, to int) ([]string, error) {
	p, err := a.core.Queue.Get(a.ctx, id)
	if err != nil {
		return nil, err
	}
	lines, err := a.previews.OldLines(p, action, from, to)
	if err != nil {
		return nil, errs.Wrap(errs.CodeInvalid, err)
	}
	return lines, nil
}
