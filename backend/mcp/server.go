// Package mcp is Countersign's MCP server (`countersign mcp`, over stdio):
// tools through which a model proposes file changes, spreadsheet updates and
// commands, and reads a proposal's status. It is a client of the agent
// gateway like any other agent.
//
// It guarantees that a propose_* tool call submits exactly one proposal and
// then blocks until the person decides, the proposal's deadline passes or
// the caller cancels, sending a progress notification at every poll when the
// caller sent a progress token; that a call cancelled or timed out withdraws
// its proposal, so nobody approves what no one waits for; that only an
// approval is reported as success, while a denial (with the person's reason),
// an expiry, a withdrawal, a refused proposal or an unreachable app is a
// tool error result (IsError) the model can read and act on; and that
// nothing here can approve: the gateway has no such endpoint.
package mcp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"countersign/backend/gateway/api"
	"countersign/backend/gateway/client"
	"countersign/backend/proposal"
)

// Config is what the server needs.
type Config struct {
	Version string
	// Connect reaches the gateway; it is called for every tool call, so the
	// app may start after the server.
	Connect func() (*client.Client, error)
	// Workspace is where relative paths resolve when a call names none.
	Workspace string
	// Timeout is how long a proposal may wait for a decision; zero = 10 min.
	Timeout time.Duration
	// Poll is the longest single wait, and the progress cadence; zero = 10 s.
	Poll   time.Duration
	Logger *slog.Logger
}

const (
	defaultTimeout = 10 * time.Minute
	defaultPoll    = 10 * time.Second
	// grace is how long past the deadline a call keeps asking, so that the
	// app, not the clock of this process, says the proposal expired.
	grace = 5 * time.Second
)

// Common are the fields every propose_* tool takes.
type Common struct {
	Summary   string `json:"summary,omitempty" jsonschema:"One short line the person reads first, e.g. 'Fix the typo in the README'. Derived from the change when empty."`
	Rationale string `json:"rationale,omitempty" jsonschema:"Why you want this change, in a sentence or two. The person reads it before deciding."`
	Workspace string `json:"workspace,omitempty" jsonschema:"Absolute directory that relative paths resolve against. Defaults to the directory the server was started in."`
}

// FileWriteInput is propose_file_write's input.
type FileWriteInput struct {
	Path    string `json:"path" jsonschema:"The file to create or replace: absolute, or relative to the workspace."`
	Content string `json:"content" jsonschema:"The complete new content of the file (UTF-8 text)."`
	Common
}

// EditInput is one exact-match replacement.
type EditInput struct {
	OldString  string `json:"old_string" jsonschema:"Exact text to find in the file, including whitespace and indentation. Must occur exactly once unless replace_all is true."`
	NewString  string `json:"new_string" jsonschema:"The text to put in its place."`
	ReplaceAll bool   `json:"replace_all,omitempty" jsonschema:"Replace every occurrence of old_string instead of exactly one."`
}

// FileEditInput is propose_file_edit's input.
type FileEditInput struct {
	Path  string      `json:"path" jsonschema:"The file to edit: absolute, or relative to the workspace. It must exist."`
	Edits []EditInput `json:"edits" jsonschema:"Replacements applied in order, each to the result of the previous one."`
	Common
}

// FileDeleteInput is propose_file_delete's input.
type FileDeleteInput struct {
	Paths []string `json:"paths" jsonschema:"The files to delete: absolute, or relative to the workspace. All are deleted or none."`
	Common
}

// FileMoveInput is propose_file_move's input.
type FileMoveInput struct {
	From string `json:"from" jsonschema:"The file to move or rename."`
	To   string `json:"to" jsonschema:"Its new path."`
	Common
}

// CellInput sets one cell.
type CellInput struct {
	Sheet   string `json:"sheet" jsonschema:"The sheet's name as shown on its tab, e.g. Sheet1."`
	Cell    string `json:"cell" jsonschema:"A1-style cell reference, e.g. B12."`
	Value   string `json:"value,omitempty" jsonschema:"The new value, as text (numbers as digits). Leave empty when setting a formula."`
	Formula string `json:"formula,omitempty" jsonschema:"A formula such as =SUM(B2:B11). Leave empty when setting a value."`
}

// SheetUpdateInput is propose_sheet_update's input.
type SheetUpdateInput struct {
	Path  string      `json:"path" jsonschema:"The .xlsx workbook: absolute, or relative to the workspace."`
	Cells []CellInput `json:"cells" jsonschema:"The cells to set."`
	Common
}

// CommandInput is propose_command's input.
type CommandInput struct {
	Argv       []string `json:"argv" jsonschema:"The program and its arguments, e.g. [\"git\", \"commit\", \"-m\", \"Fix typo\"]. No shell: pipes, globs and && are not interpreted."`
	Dir        string   `json:"dir,omitempty" jsonschema:"Working directory; defaults to the workspace."`
	TimeoutSec int      `json:"timeout_sec,omitempty" jsonschema:"Seconds the command may run once approved."`
	Writes     []string `json:"writes,omitempty" jsonschema:"Paths the command is expected to change, shown to the person."`
	Common
}

// StatusInput is get_proposal_status's input.
type StatusInput struct {
	ID string `json:"id" jsonschema:"The proposal id a propose_* tool returned."`
}

// Outcome is what every tool returns.
type Outcome struct {
	ID      string `json:"id" jsonschema:"The proposal's id."`
	Status  string `json:"status" jsonschema:"pending, approved, denied, expired, withdrawn, executing, executed, failed or reverted."`
	Verdict string `json:"verdict,omitempty" jsonschema:"The person's verdict, once decided."`
	Reason  string `json:"reason,omitempty" jsonschema:"The person's reason, on a denial."`
	Message string `json:"message" jsonschema:"What happened, in words."`
	Result  string `json:"result,omitempty" jsonschema:"What carrying it out produced, once Countersign has executed it."`
}

// NewServer returns the MCP server with its tools.
func NewServer(cfg Config) *sdk.Server {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Poll <= 0 {
		cfg.Poll = defaultPoll
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := sdk.NewServer(&sdk.Implementation{Name: "countersign", Title: "Countersign", Version: cfg.Version}, &sdk.ServerOptions{
		Instructions: "Countersign puts every change you propose in front of a person, who approves or denies it. " +
			"Use these tools instead of changing files or running commands yourself. Each propose_* call waits until " +
			"the person decides (this can take minutes) and returns the decision; a denial comes back as an error with " +
			"the person's reason, which you should follow. Nothing happens without approval.",
		Logger: cfg.Logger,
	})
	h := &handler{cfg: cfg}
	wait := fmt.Sprintf(" Blocks until the person decides (at most %s) and returns the decision; a denial is an error result carrying the person's reason.", cfg.Timeout)
	sdk.AddTool(s, &sdk.Tool{Name: "propose_file_write", Title: "Propose writing a file", InputSchema: inputSchema[FileWriteInput](),
		Description: "Propose creating a file or replacing its whole content. The person sees a diff against the current file." + wait},
		proposeTool(h, func(in FileWriteInput) (Common, []proposal.Action, string) {
			return in.Common, []proposal.Action{{Kind: proposal.KindFileWrite, Path: in.Path, Content: in.Content}},
				fmt.Sprintf("Write %s (%d bytes)", in.Path, len(in.Content))
		}))
	sdk.AddTool(s, &sdk.Tool{Name: "propose_file_edit", Title: "Propose editing a file", InputSchema: inputSchema[FileEditInput]("edits"),
		Description: "Propose exact-match replacements in an existing text file, as with a search-and-replace: each old_string must match the file exactly once (or set replace_all)." + wait},
		proposeTool(h, func(in FileEditInput) (Common, []proposal.Action, string) {
			edits := make([]proposal.Edit, len(in.Edits))
			for i, e := range in.Edits {
				edits[i] = proposal.Edit{Old: e.OldString, New: e.NewString, ReplaceAll: e.ReplaceAll}
			}
			return in.Common, []proposal.Action{{Kind: proposal.KindFileEdit, Path: in.Path, Edits: edits}},
				fmt.Sprintf("Edit %s (%s)", in.Path, plural(len(edits), "replacement"))
		}))
	sdk.AddTool(s, &sdk.Tool{Name: "propose_file_delete", Title: "Propose deleting files", InputSchema: inputSchema[FileDeleteInput]("paths"),
		Description: "Propose deleting one or more files, all together or none." + wait},
		proposeTool(h, func(in FileDeleteInput) (Common, []proposal.Action, string) {
			acts := make([]proposal.Action, len(in.Paths))
			for i, p := range in.Paths {
				acts[i] = proposal.Action{Kind: proposal.KindFileDelete, Path: p}
			}
			sum := "Delete " + plural(len(in.Paths), "file")
			if len(in.Paths) == 1 {
				sum = "Delete " + in.Paths[0]
			}
			return in.Common, acts, sum
		}))
	sdk.AddTool(s, &sdk.Tool{Name: "propose_file_move", Title: "Propose moving a file", InputSchema: inputSchema[FileMoveInput](),
		Description: "Propose moving or renaming a file." + wait},
		proposeTool(h, func(in FileMoveInput) (Common, []proposal.Action, string) {
			return in.Common, []proposal.Action{{Kind: proposal.KindFileMove, Path: in.From, To: in.To}},
				fmt.Sprintf("Move %s to %s", in.From, in.To)
		}))
	sdk.AddTool(s, &sdk.Tool{Name: "propose_sheet_update", Title: "Propose changing spreadsheet cells", InputSchema: inputSchema[SheetUpdateInput]("cells"),
		Description: "Propose setting cell values or formulas in an .xlsx workbook. The person sees the cells before and after." + wait},
		proposeTool(h, func(in SheetUpdateInput) (Common, []proposal.Action, string) {
			cells := make([]proposal.CellEdit, len(in.Cells))
			for i, c := range in.Cells {
				cells[i] = proposal.CellEdit{Sheet: c.Sheet, Cell: c.Cell, Value: c.Value, Formula: c.Formula}
			}
			return in.Common, []proposal.Action{{Kind: proposal.KindSheetUpdate, Path: in.Path, Cells: cells}},
				fmt.Sprintf("Update %s in %s", plural(len(cells), "cell"), in.Path)
		}))
	sdk.AddTool(s, &sdk.Tool{Name: "propose_command", Title: "Propose running a command", InputSchema: inputSchema[CommandInput]("argv"),
		Description: "Propose running a program with arguments (no shell), in a working directory, with a time limit." + wait},
		proposeTool(h, func(in CommandInput) (Common, []proposal.Action, string) {
			a := proposal.Action{Kind: proposal.KindCommandRun, Argv: in.Argv, Dir: in.Dir, TimeoutSec: in.TimeoutSec, Writes: in.Writes}
			return in.Common, []proposal.Action{a}, "Run: " + strings.Join(in.Argv, " ")
		}))
	sdk.AddTool(s, &sdk.Tool{Name: "get_proposal_status", Title: "Get a proposal's status", InputSchema: inputSchema[StatusInput](),
		Description: "Read a proposal's current status, the person's decision and reason, and the result once it has been carried out. Does not wait."},
		h.status)
	return s
}

// inputSchema derives T's input schema from its struct tags and tightens
// it for models: each of nonEmpty is an array (never null) with at least one
// item, and the optional arrays are arrays or absent.
func inputSchema[T any](nonEmpty ...string) *jsonschema.Schema {
	s, err := jsonschema.For[T](nil)
	if err != nil {
		panic(fmt.Sprintf("schema of %T: %v", *new(T), err)) // a bug in the types above
	}
	for name, p := range s.Properties {
		if len(p.Types) == 2 && p.Types[0] == "null" && p.Types[1] == "array" {
			p.Type, p.Types = "array", nil
		}
		for _, ne := range nonEmpty {
			if ne == name {
				one := 1
				p.MinItems = &one
			}
		}
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

type handler struct{ cfg Config }

// proposeTool makes a tool handler from a function that turns the input into
// actions and a default summary.
func proposeTool[In any](h *handler, build func(In) (Common, []proposal.Action, string)) sdk.ToolHandlerFor[In, Outcome] {
	return func(ctx context.Context, req *sdk.CallToolRequest, in In) (*sdk.CallToolResult, Outcome, error) {
		common, actions, summary := build(in)
		if strings.TrimSpace(common.Summary) != "" {
			summary = common.Summary
		}
		if len([]rune(summary)) > 200 {
			summary = string([]rune(summary)[:199]) + "…"
		}
		ws := common.Workspace
		if ws == "" {
			ws = h.cfg.Workspace
		}
		if ws != "" {
			ws = filepath.Clean(ws)
		}
		sr := api.SubmitRequest{Summary: summary, Rationale: common.Rationale, Workspace: ws, Actions: actions,
			ExpiresInSec: int(h.cfg.Timeout / time.Second)}
		return h.propose(ctx, req, sr)
	}
}

func (h *handler) propose(ctx context.Context, req *sdk.CallToolRequest, sr api.SubmitRequest) (*sdk.CallToolResult, Outcome, error) {
	c, err := h.cfg.Connect()
	if err != nil {
		return failure(Outcome{Message: unreachable(err)})
	}
	defer c.Close()
	sub, err := c.Submit(ctx, sr)
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) && ae.Status < 500 {
			return failure(Outcome{Status: "refused", Message: "Countersign refused the proposal: " + ae.Error() + ". Nothing was done; fix the input and propose again."})
		}
		return failure(Outcome{Message: unreachable(err)})
	}
	h.cfg.Logger.Info("proposal submitted", "id", sub.ID)

	token := req.Params.GetProgressToken()
	deadline := sub.ExpiresAt.Add(grace)
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	final, err := c.WaitDecided(wctx, sub.ID, h.cfg.Poll, func(p *api.Proposal, waited time.Duration) {
		if token == nil {
			return
		}
		err := req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{ProgressToken: token,
			Progress: waited.Seconds(), Total: h.cfg.Timeout.Seconds(),
			Message: fmt.Sprintf("Waiting for the person to decide in Countersign (proposal %s, %s so far).", sub.ID, waited.Round(time.Second))})
		if err != nil {
			h.cfg.Logger.Warn("progress notification", "err", err)
		}
	})
	if err != nil {
		// Cancelled by the caller, past the deadline, or the app went away:
		// take the proposal back so nobody approves what no one waits for.
		bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer bcancel()
		if p, werr := c.Withdraw(bctx, sub.ID); werr == nil {
			final = p
		} else if p, gerr := c.Get(bctx, sub.ID); gerr == nil && p.Status != proposal.StatusPending {
			final = p // it was decided or expired meanwhile
		}
		if final == nil || final.Status == proposal.StatusPending || ctx.Err() != nil {
			if ctx.Err() != nil {
				return nil, Outcome{}, ctx.Err()
			}
			return failure(Outcome{ID: sub.ID, Status: string(proposal.StatusPending), Message: fmt.Sprintf("Countersign stopped answering about proposal %s (%v). Nothing was done.", sub.ID, err)})
		}
	}
	return outcomeResult(final)
}

// outcomeResult reports a proposal that left pending: success only for an
// approval.
func outcomeResult(p *api.Proposal) (*sdk.CallToolResult, Outcome, error) {
	o := outcomeOf(p)
	switch p.Status {
	case proposal.StatusApproved, proposal.StatusExecuting, proposal.StatusExecuted:
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: o.Message}}}, o, nil
	}
	return failure(o)
}

func outcomeOf(p *api.Proposal) Outcome {
	o := Outcome{ID: p.ID, Status: string(p.Status)}
	if p.Decision != nil {
		o.Verdict, o.Reason = string(p.Decision.Verdict), p.Decision.Reason
	}
	if p.Result != nil {
		o.Result = describeResult(p.Result)
	}
	switch p.Status {
	case proposal.StatusPending:
		o.Message = fmt.Sprintf("Proposal %s is waiting for the person's decision.", p.ID)
	case proposal.StatusApproved:
		o.Message = fmt.Sprintf("Approved by the person (proposal %s). Countersign has not carried it out yet; call get_proposal_status for the result.", p.ID)
		if o.Verdict != "" && o.Verdict != string(proposal.VerdictApprove) {
			o.Message = fmt.Sprintf("Approved by the person with changes (%s, proposal %s). Countersign has not carried it out yet; call get_proposal_status for the result.", o.Verdict, p.ID)
		}
	case proposal.StatusDenied:
		o.Message = fmt.Sprintf("Denied by the person (proposal %s). Nothing was done.", p.ID)
		if strings.TrimSpace(o.Reason) != "" {
			o.Message = fmt.Sprintf("Denied by the person: %s (proposal %s). Nothing was done; take the reason into account before proposing again.", o.Reason, p.ID)
		}
	case proposal.StatusExpired:
		o.Message = fmt.Sprintf("No decision before the deadline; proposal %s expired. Nothing was done. Ask the person, or propose again later.", p.ID)
	case proposal.StatusWithdrawn:
		o.Message = fmt.Sprintf("Proposal %s was withdrawn. Nothing was done.", p.ID)
	case proposal.StatusExecuted:
		o.Message = fmt.Sprintf("Approved by the person and carried out by Countersign (proposal %s).", p.ID)
	case proposal.StatusFailed:
		o.Message = fmt.Sprintf("Approved by the person, but carrying it out failed (proposal %s).", p.ID)
	default:
		o.Message = p.Message
	}
	if o.Result != "" {
		o.Message += " Result: " + o.Result
	}
	return o
}

// describeResult says in a few words what carrying out a proposal did.
func describeResult(r *api.Result) string {
	var b strings.Builder
	b.WriteString(r.Outcome)
	if r.Error != "" {
		b.WriteString(": " + r.Error)
	}
	for _, a := range r.Actions {
		fmt.Fprintf(&b, "; action %d (%s)", a.Index+1, a.Kind)
		if a.Changed > 0 {
			fmt.Fprintf(&b, " changed %d path(s)", a.Changed)
		}
		if a.ExitCode != nil {
			fmt.Fprintf(&b, " exited %d", *a.ExitCode)
		}
		if a.Stdout != "" {
			fmt.Fprintf(&b, ", stdout: %q", a.Stdout)
		}
		if a.Stderr != "" {
			fmt.Fprintf(&b, ", stderr: %q", a.Stderr)
		}
		if a.Error != "" {
			b.WriteString(", error: " + a.Error)
		}
	}
	if r.Rollback != "" && r.Outcome == "failed" {
		b.WriteString(". " + r.Rollback)
	}
	return b.String()
}

func failure(o Outcome) (*sdk.CallToolResult, Outcome, error) {
	return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: o.Message}}}, o, nil
}

func unreachable(err error) string {
	if errors.Is(err, client.ErrNotRunning) {
		return client.NotRunningMessage
	}
	return "Countersign cannot be reached: " + err.Error()
}

func (h *handler) status(ctx context.Context, _ *sdk.CallToolRequest, in StatusInput) (*sdk.CallToolResult, Outcome, error) {
	c, err := h.cfg.Connect()
	if err != nil {
		return failure(Outcome{ID: in.ID, Message: unreachable(err)})
	}
	defer c.Close()
	p, err := c.Get(ctx, in.ID)
	if err != nil {
		var ae *client.APIError
		if errors.As(err, &ae) {
			return failure(Outcome{ID: in.ID, Message: ae.Message})
		}
		return failure(Outcome{ID: in.ID, Message: unreachable(err)})
	}
	o := outcomeOf(p)
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: o.Message}}}, o, nil
}
