// Package app is the desktop shell: the only package that imports Wails. It
// binds a narrow App to the web UI, forwards backend events to it in batches,
// and starts and stops the backend with the window.
//
// It guarantees that the UI can read proposals and decide them, and nothing
// else: no bound method writes a file, runs a command or changes settings.
package app

import (
	"context"
	"os/user"
	"sync"
	"time"

	"countersign/backend/core"
	"countersign/backend/proposal"
	"countersign/backend/queue"
)

// Info describes the running app to the UI.
type Info struct {
	Version string `json:"version"`
	DataDir string `json:"data_dir"`
	Demo    bool   `json:"demo"`
	User    string `json:"user"`
	Pending int    `json:"pending"`
}

// ProposalView is a proposal as the detail pane shows it.
type ProposalView struct {
	Proposal    *proposal.Proposal `json:"proposal"`
	RiskReasons []string           `json:"risk_reasons"`
}

// App is bound to the UI. Its methods are the whole of what the UI can do.
type App struct {
	core    *core.Core
	version string
	demo    bool
	user    string
	now     func() time.Time
	started time.Time
	logf    func(format string, args ...any)

	ctx       context.Context
	readyOnce sync.Once
}

// NewApp binds a running core to the UI.
func NewApp(c *core.Core, version string, demo bool, started time.Time, logf func(string, ...any)) *App {
	return &App{core: c, version: version, demo: demo, user: currentUser(), now: time.Now, started: started, logf: logf, ctx: context.Background()}
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
	return ProposalView{Proposal: p, RiskReasons: reasons}, nil
}

// Approve approves a pending proposal as the person at the keyboard.
func (a *App) Approve(id string) error {
	_, err := a.core.Queue.Decide(a.ctx, id, proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: a.user, DecidedAt: a.now()})
	return err
}

// Deny denies a pending proposal; the reason goes back to the agent.
func (a *App) Deny(id, reason string) error {
	_, err := a.core.Queue.Decide(a.ctx, id, proposal.Decision{Verdict: proposal.VerdictDeny, Reason: reason, DecidedBy: a.user, DecidedAt: a.now()})
	return err
}

// Info describes the running app.
func (a *App) Info() (Info, error) {
	n, err := a.core.PendingCount(a.ctx)
	if err != nil {
		return Info{}, err
	}
	return Info{Version: a.version, DataDir: a.core.DataDir, Demo: a.demo, User: a.user, Pending: n}, nil
}

// UIReady is called by the UI once its first screen is painted; the time from
// process start is logged so cold start can be measured from outside.
func (a *App) UIReady() {
	a.readyOnce.Do(func() {
		a.logf("first paint after %d ms", time.Since(a.started).Milliseconds())
	})
}
