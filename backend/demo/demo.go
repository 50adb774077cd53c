// Package demo is a pretend agent that fills the queue so a new user sees
// Countersign work before connecting a real one.
//
// It guarantees that it only ever proposes: it calls the Submitter it is given
// and nothing else, touches no file outside the demo workspace that
// PrepareWorkspace creates, keeps at most MaxPending of its own proposals
// waiting, and stops when its context ends.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"

	"countersign/backend/proposal"
)

// Submitter is the one door into the queue that the demo uses.
type Submitter interface {
	Submit(ctx context.Context, p proposal.Proposal) (*proposal.Proposal, error)
}

// Counter reports how many proposals are waiting, so the demo does not flood the queue.
type Counter interface {
	PendingCount(ctx context.Context) (int, error)
}

// Config tunes the demo agent.
type Config struct {
	Workspace  string        // directory made by PrepareWorkspace
	Burst      int           // proposals submitted at once on start (default 4)
	Interval   time.Duration // pause between later proposals (default 7 s)
	MaxPending int           // stop proposing while this many wait (default 12)
	Logf       func(format string, args ...any)
}

// Agent submits a realistic mix of proposals over time.
type Agent struct {
	cfg     Config
	submit  Submitter
	counter Counter
	next    int
}

// New makes a demo agent.
func New(cfg Config, s Submitter, c Counter) *Agent {
	if cfg.Burst == 0 {
		cfg.Burst = 4
	}
	if cfg.Interval == 0 {
		cfg.Interval = 7 * time.Second
	}
	if cfg.MaxPending == 0 {
		cfg.MaxPending = 12
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Agent{cfg: cfg, submit: s, counter: c}
}

// Run submits a first burst, then one proposal per interval until ctx ends.
func (a *Agent) Run(ctx context.Context) error {
	for i := 0; i < a.cfg.Burst; i++ {
		if err := a.Step(ctx); err != nil {
			return err
		}
	}
	t := time.NewTicker(a.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := a.Step(ctx); err != nil {
				return err
			}
		}
	}
}

// Step submits the next scenario unless too many are already waiting.
func (a *Agent) Step(ctx context.Context) error {
	if a.counter != nil {
		n, err := a.counter.PendingCount(ctx)
		if err != nil {
			return err
		}
		if n >= a.cfg.MaxPending {
			return nil
		}
	}
	all := Scenarios(a.cfg.Workspace)
	p := all[a.next%len(all)]
	a.next++
	got, err := a.submit.Submit(ctx, p)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("demo agent: submit %q: %w", p.Summary, err)
	}
	a.cfg.Logf("demo agent proposed %s: %s", got.ID, got.Summary)
	return nil
}

// Scenarios is the cycle of proposals the demo makes, against files that
// PrepareWorkspace creates in ws.
func Scenarios(ws string) []proposal.Proposal {
	in := func(p string) string { return filepath.Join(ws, p) }
	input, _ := json.Marshal(map[string]any{"repo": "acme/handbook", "title": "Onboarding guide links are broken", "labels": []string{"docs"}})
	return []proposal.Proposal{
		{
			AgentID: "claude-code", Workspace: ws,
			Summary:   "Fix the launch date and a typo in the project README",
			Rationale: "The README still says the launch is on 1 December; the plan in notes/plan.md moved it to 8 December.",
			Actions: []proposal.Action{{Kind: proposal.KindFileEdit, Path: in("README.md"), Edits: []proposal.Edit{
				{Old: "Launch: 1 December", New: "Launch: 8 December"},
				{Old: "recieve", New: "receive", ReplaceAll: true},
			}}},
		},
		{
			AgentID: "research-assistant", Workspace: ws,
			Summary:   "Add notes from today's customer interview",
			Rationale: "You asked me to write up the call with Northwind in the notes folder.",
			Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: in("notes/2026-11-23-northwind.md"), Content: "# Northwind interview, 23 November\n\n" +
				"- Wants approvals on their phones\n- Audit export to their SIEM is a must-have\n- Pilot with 12 seats in January\n\n" +
				"## Next steps\n1. Send the pilot agreement\n2. Schedule a security review\n"}},
		},
		{
			AgentID: "finance-bot", Workspace: ws,
			Summary:   "Update the Q4 forecast in budget.xlsx",
			Rationale: "October actuals came in; December marketing spend was revised up by 4,000.",
			Actions: []proposal.Action{{Kind: proposal.KindSheetUpdate, Path: in("budget.xlsx"), Cells: []proposal.CellEdit{
				{Sheet: "Forecast", Cell: "B2", Value: "48200"},
				{Sheet: "Forecast", Cell: "D3", Value: "16000"},
				{Sheet: "Forecast", Cell: "E5", Formula: "SUM(B5:D5)"},
			}}},
		},
		{
			AgentID: "claude-code", Workspace: ws,
			Summary:   "Delete three stale log files in tmp/",
			Rationale: "They are from last month's failed export and take 40 MB.",
			Actions: []proposal.Action{
				{Kind: proposal.KindFileDelete, Path: in("tmp/export-2026-10-02.log")},
				{Kind: proposal.KindFileDelete, Path: in("tmp/export-2026-10-03.log")},
				{Kind: proposal.KindFileDelete, Path: in("tmp/export-2026-10-04.log")},
			},
		},
		{
			AgentID: "claude-code", Workspace: ws,
			Summary:   "Run the link checker over the handbook",
			Rationale: "To find the broken links reported in the onboarding guide.",
			Actions: []proposal.Action{{Kind: proposal.KindCommandRun, Argv: []string{"python3", "scripts/check_links.py", "--fix", "handbook/"},
				Dir: ws, TimeoutSec: 120, Writes: []string{in("handbook")}}},
		},
		{
			AgentID: "research-assistant", Workspace: ws,
			Summary:   "Archive last year's invoices",
			Rationale: "Keeps the invoices folder to the current year.",
			Actions: []proposal.Action{
				{Kind: proposal.KindDirCreate, Path: in("invoices/archive-2025")},
				{Kind: proposal.KindFileMove, Path: in("invoices/2025-11.pdf"), To: in("invoices/archive-2025/2025-11.pdf")},
				{Kind: proposal.KindFileMove, Path: in("invoices/2025-12.pdf"), To: in("invoices/archive-2025/2025-12.pdf")},
			},
		},
		{
			AgentID: "research-assistant", Workspace: ws,
			Summary:   "Send the weekly summary to the team wiki",
			Rationale: "Posts the summary of notes/ to the wiki page you named.",
			Actions: []proposal.Action{{Kind: proposal.KindNetRequest, Method: "POST", URL: "https://wiki.example.com/api/pages/weekly",
				Body: `{"title":"Week 47","body":"Three customer calls, pilot with Northwind in January."}`}},
		},
		{
			AgentID: "claude-code", Workspace: ws,
			Summary:   "Open a GitHub issue about the broken onboarding links",
			Rationale: "The link checker found 4 dead links; the docs team tracks them as issues.",
			Actions:   []proposal.Action{{Kind: proposal.KindToolCall, Tool: "mcp__github__create_issue", Input: input}},
		},
	}
}

// PrepareWorkspace creates (or refreshes) the files the scenarios refer to.
func PrepareWorkspace(ws string) error {
	files := map[string]string{
		"README.md": "# Handbook\n\nThe team handbook: how we work, who to ask, and where things live.\n\n" +
			"Launch: 1 December\n\nYou will recieve an invite to the shared drive on your first day.\n" +
			"If you do not recieve it, ask in #help.\n",
		"notes/plan.md":             "# Plan\n\nLaunch moved to 8 December after the security review.\n",
		"tmp/export-2026-10-02.log": "export started\nerror: connection reset\n",
		"tmp/export-2026-10-03.log": "export started\nerror: connection reset\n",
		"tmp/export-2026-10-04.log": "export started\nerror: timeout\n",
		"invoices/2025-11.pdf":      "%PDF-1.4 placeholder\n",
		"invoices/2025-12.pdf":      "%PDF-1.4 placeholder\n",
		"handbook/onboarding.md":    "# Onboarding\n\nSee https://intranet.example.com/old-page for the checklist.\n",
		"scripts/check_links.py":    "import sys\nprint('checking', sys.argv[1:])\n",
	}
	for name, content := range files {
		p := filepath.Join(ws, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return writeBudget(filepath.Join(ws, "budget.xlsx"))
}

func writeBudget(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "Forecast"); err != nil {
		return err
	}
	rows := [][]any{
		{"Item", "October", "November", "December", "Q4 total"},
		{"Revenue", 45100, 47300, 51800},
		{"Marketing", 9000, 11000, 12000},
		{"Salaries", 61000, 61000, 61000},
		{"Tools", 2400, 2400, 2600},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Forecast", cell, &r); err != nil {
			return err
		}
		if i > 0 && i < 4 {
			if err := f.SetCellFormula("Forecast", fmt.Sprintf("E%d", i+1), fmt.Sprintf("SUM(B%d:D%d)", i+1, i+1)); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}
