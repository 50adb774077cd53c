package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/gateway/api"
	"countersign/backend/gateway/client"
	"countersign/backend/proposal"
)

// ExitNoDecision: the proposal expired or was withdrawn; nothing was done.
const ExitNoDecision = 3

// proposeExitHelp is the exit status table of propose and status --wait.
const proposeExitHelp = `Exit status:
  0  approved (and, once Countersign executes changes, carried out); without
     --wait: submitted
  1  denied by the person (the reason is printed on stderr)
  2  usage error, or Countersign is not running or cannot be reached
  3  expired or withdrawn: nobody decided in time, nothing was done`

// agentSideCommands are the commands agents and their hooks use, and the
// person's agent management.
func agentSideCommands(d Deps, dataDir *string) []*cobra.Command {
	return []*cobra.Command{proposeCommand(d, dataDir), statusCommand(d, dataDir), agentCommand(d, dataDir),
		hookCommand(d, dataDir), mcpCommand(d, dataDir)}
}

func (d Deps) stdin() io.Reader {
	if d.Stdin != nil {
		return d.Stdin
	}
	return os.Stdin
}

// usage wraps an error as a usage error (exit 2).
func usage(format string, args ...any) error {
	return &ExitCode{Code: ExitUsage, Err: fmt.Errorf(format, args...)}
}

// connect finds the running gateway for the data directory and returns a
// client with token. Not running, or unreachable: exit 2 with advice.
func connect(d Deps, dataDir, token string) (*client.Client, error) {
	dir, err := config.ResolveDataDir(dataDir, d.Env)
	if err != nil {
		return nil, &ExitCode{Code: ExitUsage, Err: err}
	}
	disc, err := client.Discover(dir)
	if errors.Is(err, client.ErrNotRunning) {
		return nil, &ExitCode{Code: ExitUsage, Err: errors.New(client.NotRunningMessage)}
	}
	if err != nil {
		return nil, &ExitCode{Code: ExitUsage, Err: err}
	}
	c, err := client.New(disc, token)
	if err != nil {
		return nil, &ExitCode{Code: ExitUsage, Err: err}
	}
	return c, nil
}

// clientError turns a client error into the command's error and exit status.
func clientError(err error) error {
	var ae *client.APIError
	switch {
	case errors.Is(err, client.ErrNotRunning):
		return &ExitCode{Code: ExitUsage, Err: errors.New(client.NotRunningMessage)}
	case errors.As(err, &ae) && ae.Code == api.CodeUnauthorized:
		return &ExitCode{Code: ExitUsage, Err: fmt.Errorf("%s: create a token with `countersign agent add NAME` and pass it with --token or %s", ae.Message, client.EnvToken)}
	case errors.As(err, &ae):
		return &ExitCode{Code: ExitUsage, Err: ae}
	case errors.Is(err, context.Canceled):
		return &ExitCode{Code: ExitUsage, Err: errors.New("interrupted")}
	}
	return &ExitCode{Code: ExitUsage, Err: fmt.Errorf("cannot reach Countersign: %w", err)}
}

// proposeFlags are shared by every propose subcommand.
type proposeFlags struct {
	summary   string
	why       string
	wait      bool
	timeout   time.Duration
	json      bool
	token     string
	workspace string
}

func proposeCommand(d Deps, dataDir *string) *cobra.Command {
	f := &proposeFlags{}
	cmd := &cobra.Command{
		Use:   "propose",
		Short: "Propose a change for the person to approve in the Countersign window",
		Long: "Propose a change. Countersign shows it to the person, who approves or denies it;\n" +
			"nothing happens without their approval. Relative paths resolve against --workspace.\n" +
			"The token comes from --token or $" + client.EnvToken + " (see `countersign agent add`).\n\n" + proposeExitHelp,
		Args: cobra.NoArgs,
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.summary, "summary", "", "one line the person reads first (default: derived from the change)")
	pf.StringVar(&f.why, "why", "", "why you want this change")
	pf.BoolVar(&f.wait, "wait", false, "wait for the decision and exit with its status")
	pf.DurationVar(&f.timeout, "timeout", 0, "how long the proposal may wait for a decision (its deadline; default: the app's, 10m)")
	pf.DurationVar(&f.timeout, "wait-timeout", 0, "the same as --timeout; for propose run, whose own --timeout limits the command")
	pf.BoolVar(&f.json, "json", false, "print the proposal as JSON")
	pf.StringVar(&f.token, "token", "", "the agent's token (default: $"+client.EnvToken+")")
	pf.StringVar(&f.workspace, "workspace", "", "directory relative paths resolve against (default: the current directory)")

	submit := func(c *cobra.Command, summary string, actions []proposal.Action) error {
		return runPropose(c, d, *dataDir, f, summary, actions)
	}

	var from string
	write := &cobra.Command{
		Use:   "write PATH [--from FILE|-]",
		Short: "Propose creating or replacing a file with new content",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var r io.Reader
			switch from {
			case "", "-":
				if from == "" && d.Stdin == nil {
					if interactive(os.Stdin) {
						return usage("give the new content with --from FILE, or pipe it in with --from -")
					}
				}
				r = d.stdin()
			default:
				fh, err := os.Open(from)
				if err != nil {
					return usage("--from: %v", err)
				}
				defer fh.Close()
				r = fh
			}
			limit := proposal.DefaultLimits().MaxContentBytes
			b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
			if err != nil {
				return usage("reading the content: %v", err)
			}
			if len(b) > limit {
				return usage("the content is more than %d bytes, the most one proposal may carry", limit)
			}
			return submit(c, fmt.Sprintf("Write %s (%d bytes)", args[0], len(b)),
				[]proposal.Action{{Kind: proposal.KindFileWrite, Path: args[0], Content: string(b)}})
		},
	}
	write.Flags().StringVar(&from, "from", "", "read the content from FILE, or from standard input with - (the default)")

	var oldS, newS string
	var all bool
	edit := &cobra.Command{
		Use:   "edit PATH --old S --new S [--all]",
		Short: "Propose replacing exact text in a file",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if oldS == "" {
				return usage("--old is required and must not be empty")
			}
			if !c.Flags().Changed("new") {
				return usage("--new is required (it may be empty, to delete the text)")
			}
			return submit(c, "Edit "+args[0], []proposal.Action{{Kind: proposal.KindFileEdit, Path: args[0],
				Edits: []proposal.Edit{{Old: oldS, New: newS, ReplaceAll: all}}}})
		},
	}
	edit.Flags().StringVar(&oldS, "old", "", "the exact text to replace (must occur once, unless --all)")
	edit.Flags().StringVar(&newS, "new", "", "the text to put in its place")
	edit.Flags().BoolVar(&all, "all", false, "replace every occurrence")

	del := &cobra.Command{
		Use:   "delete PATH...",
		Short: "Propose deleting files (all or none)",
		Args:  minArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			acts := make([]proposal.Action, len(args))
			for i, p := range args {
				acts[i] = proposal.Action{Kind: proposal.KindFileDelete, Path: p}
			}
			sum := "Delete " + args[0]
			if len(args) > 1 {
				sum = fmt.Sprintf("Delete %d files", len(args))
			}
			return submit(c, sum, acts)
		},
	}

	move := &cobra.Command{
		Use:   "move FROM TO",
		Short: "Propose moving or renaming a file",
		Args:  exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			return submit(c, fmt.Sprintf("Move %s to %s", args[0], args[1]),
				[]proposal.Action{{Kind: proposal.KindFileMove, Path: args[0], To: args[1]}})
		},
	}

	sheet := &cobra.Command{
		Use:   "sheet PATH SHEET!CELL=VALUE...",
		Short: "Propose setting cells of an .xlsx workbook (a value starting with = is a formula)",
		Args:  minArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			cells := make([]proposal.CellEdit, 0, len(args)-1)
			for _, a := range args[1:] {
				ce, err := parseCell(a)
				if err != nil {
					return usage("%v", err)
				}
				cells = append(cells, ce)
			}
			n := "1 cell"
			if len(cells) > 1 {
				n = fmt.Sprintf("%d cells", len(cells))
			}
			return submit(c, fmt.Sprintf("Update %s in %s", n, args[0]),
				[]proposal.Action{{Kind: proposal.KindSheetUpdate, Path: args[0], Cells: cells}})
		},
	}

	var dir string
	var cmdTimeout time.Duration
	var writes []string
	run := &cobra.Command{
		Use:   "run [--dir D] [--timeout 60s] [--writes P]... -- CMD ARGS...",
		Short: "Propose running a command (no shell)",
		Long: "Propose running CMD with ARGS, without a shell, in --dir. Here --timeout is the\n" +
			"command's own time limit; use --wait-timeout for how long to wait for a decision.\n\n" + proposeExitHelp,
		Args: minArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if cmdTimeout < 0 {
				return usage("--timeout must not be negative")
			}
			a := proposal.Action{Kind: proposal.KindCommandRun, Argv: args, Dir: dir, Writes: writes,
				TimeoutSec: int(math.Ceil(cmdTimeout.Seconds()))}
			return submit(c, "Run: "+strings.Join(args, " "), []proposal.Action{a})
		},
	}
	run.Flags().StringVar(&dir, "dir", "", "working directory (default: the workspace)")
	run.Flags().DurationVar(&cmdTimeout, "timeout", 0, "how long the command may run once approved")
	run.Flags().StringArrayVar(&writes, "writes", nil, "a path the command will change (repeatable)")

	cmd.AddCommand(write, edit, del, move, sheet, run)
	return cmd
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usage("%s takes %d argument(s), got %d; see --help", c.Name(), n, len(args))
		}
		return nil
	}
}

func minArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return usage("%s needs at least %d argument(s); see --help", c.Name(), n)
		}
		return nil
	}
}

// parseCell reads SHEET!CELL=VALUE; a value starting with "=" is a formula.
func parseCell(s string) (proposal.CellEdit, error) {
	ref, value, ok := strings.Cut(s, "=")
	i := strings.LastIndexByte(ref, '!')
	if !ok || i <= 0 || i == len(ref)-1 {
		return proposal.CellEdit{}, fmt.Errorf("%q is not SHEET!CELL=VALUE (e.g. Budget!B12=42 or Budget!B13==SUM(B2:B12))", s)
	}
	ce := proposal.CellEdit{Sheet: ref[:i], Cell: ref[i+1:]}
	if strings.HasPrefix(value, "=") {
		ce.Formula = value
	} else {
		ce.Value = value
	}
	return ce, nil
}

// token returns the agent token from the flag or the environment.
func token(d Deps, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if t := d.Env.Getenv(client.EnvToken); t != "" {
		return t, nil
	}
	return "", usage("no token: pass --token or set %s (create one with `countersign agent add NAME`)", client.EnvToken)
}

func runPropose(c *cobra.Command, d Deps, dataDir string, f *proposeFlags, summary string, actions []proposal.Action) error {
	tok, err := token(d, f.token)
	if err != nil {
		return err
	}
	ws := f.workspace
	if ws == "" {
		if ws, err = os.Getwd(); err != nil {
			return usage("cannot find the current directory: %v; pass --workspace", err)
		}
	}
	if ws, err = filepath.Abs(ws); err != nil {
		return usage("--workspace: %v", err)
	}
	if f.summary != "" {
		summary = f.summary
	}
	if f.timeout < 0 || f.timeout > api.MaxExpiresInSec*time.Second {
		return usage("--timeout must be between 1s and %s", api.MaxExpiresInSec*time.Second)
	}
	sr := api.SubmitRequest{Summary: summary, Rationale: f.why, Workspace: ws, Actions: actions}
	if f.timeout > 0 {
		sr.ExpiresInSec = max(int(math.Ceil(f.timeout.Seconds())), 1)
	}
	cl, err := connect(d, dataDir, tok)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt)
	defer stop()
	p, err := cl.Submit(ctx, sr)
	if err != nil {
		return clientError(err)
	}
	if !f.wait {
		if f.json {
			return printJSON(d.Stdout, p)
		}
		fmt.Fprintf(d.Stdout, "%s\n", p.ID)
		fmt.Fprintf(d.Stderr, "Proposed %q. Waiting for a decision in the Countersign window; check with `countersign status %s`.\n", p.Summary, p.ID)
		return nil
	}
	return waitAndReport(ctx, d, cl, p, f.json)
}

// waitAndReport waits until the proposal leaves pending (the app expires it
// at its deadline) and exits with the decision's status.
func waitAndReport(ctx context.Context, d Deps, cl *client.Client, p *api.Proposal, asJSON bool) error {
	fmt.Fprintf(d.Stderr, "Waiting for the person to decide on %s in the Countersign window…\n", p.ID)
	deadline := p.ExpiresAt.Add(10 * time.Second)
	if p.ExpiresAt.IsZero() {
		deadline = time.Now().Add(24 * time.Hour)
	}
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	final, err := cl.WaitDecided(wctx, p.ID, api.DefaultWait, nil)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			// Interrupted, or the app did not expire it: take it back.
			bctx, bcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			defer bcancel()
			if w, werr := cl.Withdraw(bctx, p.ID); werr == nil {
				final = w
			}
		}
		if final == nil {
			return clientError(err)
		}
	}
	if asJSON {
		if err := printJSON(d.Stdout, final); err != nil {
			return err
		}
	}
	return decisionExit(d, final, !asJSON)
}

// decisionExit maps a proposal's status to the exit status of propose --wait
// and status --wait.
func decisionExit(d Deps, p *api.Proposal, print bool) error {
	switch p.Status {
	case proposal.StatusApproved, proposal.StatusExecuting, proposal.StatusExecuted:
		if print {
			fmt.Fprintf(d.Stdout, "%s %s: %s\n", p.ID, p.Status, p.Message)
		}
		return nil
	case proposal.StatusDenied:
		reason := "no reason given"
		if p.Decision != nil && strings.TrimSpace(p.Decision.Reason) != "" {
			reason = p.Decision.Reason
		}
		return &ExitCode{Code: ExitFail, Err: fmt.Errorf("denied: %s", reason)}
	case proposal.StatusExpired, proposal.StatusWithdrawn:
		return &ExitCode{Code: ExitNoDecision, Err: fmt.Errorf("%s: %s", p.Status, p.Message)}
	case proposal.StatusFailed:
		return &ExitCode{Code: ExitFail, Err: fmt.Errorf("failed: %s", p.Message)}
	}
	return &ExitCode{Code: ExitFail, Err: fmt.Errorf("%s: %s", p.Status, p.Message)}
}

func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func statusCommand(d Deps, dataDir *string) *cobra.Command {
	var wait, asJSON bool
	var tokFlag string
	cmd := &cobra.Command{
		Use:   "status ID",
		Short: "Show a proposal's status, decision and previews",
		Long: "Show one of the agent's proposals. Without --wait it exits 0 whatever the status;\n" +
			"with --wait it waits for the decision and exits like `propose --wait`.\n\n" + proposeExitHelp,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			tok, err := token(d, tokFlag)
			if err != nil {
				return err
			}
			cl, err := connect(d, *dataDir, tok)
			if err != nil {
				return err
			}
			defer cl.Close()
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt)
			defer stop()
			p, err := cl.Get(ctx, args[0])
			if err != nil {
				return clientError(err)
			}
			if wait && p.Status == proposal.StatusPending {
				return waitAndReport(ctx, d, cl, p, asJSON)
			}
			if asJSON {
				if err := printJSON(d.Stdout, p); err != nil {
					return err
				}
			} else {
				printProposal(d.Stdout, p)
			}
			if wait {
				return decisionExit(d, p, false)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the decision and exit with its status")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the proposal as JSON")
	cmd.Flags().StringVar(&tokFlag, "token", "", "the agent's token (default: $"+client.EnvToken+")")
	return cmd
}

func printProposal(w io.Writer, p *api.Proposal) {
	fmt.Fprintf(w, "%s  %s  %s\n", p.ID, p.Status, p.Summary)
	fmt.Fprintf(w, "  %s\n", p.Message)
	if p.Decision != nil {
		fmt.Fprintf(w, "  decided %s: %s", p.Decision.DecidedAt.Local().Format(time.DateTime), p.Decision.Verdict)
		if p.Decision.Reason != "" {
			fmt.Fprintf(w, " (%s)", p.Decision.Reason)
		}
		fmt.Fprintln(w)
	}
	for _, pv := range p.Previews {
		if pv.Error != "" {
			fmt.Fprintf(w, "  %s: %s\n", pv.Path, pv.Error)
			continue
		}
		fmt.Fprint(w, pv.Unified)
	}
}

// interactive reports whether f looks like a terminal (a character device
// other than the null device), where waiting for input would just hang.
func interactive(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
