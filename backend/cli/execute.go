package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/core"
	"countersign/backend/executor"
	"countersign/backend/keystore"
)

// openExecution opens the backend for a command that changes files: it
// takes the data folder's execution lock and finishes what an interrupted
// run left, first.
func openExecution(ctx context.Context, d Deps, dataDir, ks string, roots []string) (*core.Core, error) {
	dir, err := config.ResolveDataDir(dataDir, d.Env)
	if err != nil {
		return nil, err
	}
	kind, err := keystore.ParseKind(ks)
	if err != nil {
		return nil, &ExitCode{Code: ExitUsage, Err: err}
	}
	rs, err := config.ResolveRoots(roots, d.Env, os.UserHomeDir)
	if err != nil {
		return nil, &ExitCode{Code: ExitUsage, Err: err}
	}
	c, err := core.Open(core.Options{DataDir: dir, Keystore: kind, Roots: rs, Manual: true})
	if err != nil {
		return nil, err
	}
	if err := c.TakeExecution(ctx); err != nil {
		c.Close()
		return nil, err
	}
	for _, line := range c.Recovered {
		fmt.Fprintln(d.Stderr, "recovered:", line)
	}
	return c, nil
}

func executionCommands(d Deps, dataDir, ks *string, roots *[]string) []*cobra.Command {
	var asJSON bool
	run := func(name string, fn func(ctx context.Context, c *core.Core, id string, force bool) (*executor.Result, error)) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			force, _ := cmd.Flags().GetBool("force")
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			c, err := openExecution(ctx, d, *dataDir, *ks, *roots)
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := fn(ctx, c, args[0], force)
			var ce *executor.ConflictError
			if errors.As(err, &ce) {
				printConflicts(cmd.OutOrStdout(), ce)
				return &ExitCode{Code: ExitFail, Err: fmt.Errorf("%s refused: %w", name, err)}
			}
			if err != nil {
				return err
			}
			printResult(cmd.OutOrStdout(), res, asJSON)
			if res.Outcome == executor.OutcomeFailed {
				return &ExitCode{Code: ExitFail, Err: errors.New(res.Error)}
			}
			return nil
		}
	}
	undo := &cobra.Command{
		Use:   "undo ID",
		Short: "Restore every file an executed proposal changed to how it was before",
		Long: "Undo restores the before-state of every path the proposal changed, in reverse order,\n" +
			"and marks it reverted. If a file changed since Countersign wrote it, nothing is\n" +
			"changed: the differences are shown, and --force overwrites them.\n\n" +
			"Exit status: 0 undone, 1 refused or failed, 2 usage.",
		Args: cobra.ExactArgs(1),
		RunE: run("undo", func(ctx context.Context, c *core.Core, id string, force bool) (*executor.Result, error) {
			return c.Undo(ctx, id, force)
		}),
	}
	redo := &cobra.Command{
		Use:   "redo ID",
		Short: "Apply a reverted proposal's changes again",
		Long: "Redo writes back the after-state of every path an undone proposal changed and\n" +
			"marks it executed, with the same conflict rule as undo.\n\n" +
			"Exit status: 0 redone, 1 refused or failed, 2 usage.",
		Args: cobra.ExactArgs(1),
		RunE: run("redo", func(ctx context.Context, c *core.Core, id string, force bool) (*executor.Result, error) {
			return c.Redo(ctx, id, force)
		}),
	}
	for _, cmd := range []*cobra.Command{undo, redo} {
		cmd.Flags().Bool("force", false, "overwrite files that changed since Countersign wrote them")
	}
	execute := &cobra.Command{
		Use:   "execute ID",
		Short: "Carry out an approved proposal now (the app does this by itself when it runs)",
		Long: "Execute carries out an approved proposal whose intent token verifies, all or nothing.\n" +
			"It refuses while the app is running for the same data folder.\n\n" +
			"Exit status: 0 executed, 1 refused or failed, 2 usage.",
		Args: cobra.ExactArgs(1),
		RunE: run("execute", func(ctx context.Context, c *core.Core, id string, _ bool) (*executor.Result, error) {
			return c.Execute(ctx, id)
		}),
	}
	recoverCmd := &cobra.Command{
		Use:   "recover",
		Short: "Finish what an interrupted run left: roll back half-done executions, complete undo and redo",
		Long:  "The app does this when it starts. Exit status: 0 nothing left to do or all recovered, 1 failed.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := openExecution(cmd.Context(), d, *dataDir, *ks, *roots)
			if err != nil {
				return err
			}
			defer c.Close()
			if len(c.Recovered) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "nothing to recover")
			}
			return nil
		},
	}
	for _, cmd := range []*cobra.Command{undo, redo, execute} {
		cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	}
	return []*cobra.Command{execute, undo, redo, recoverCmd}
}

func printResult(w io.Writer, r *executor.Result, asJSON bool) {
	if asJSON {
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintln(w, string(b))
		return
	}
	fmt.Fprintln(w, r.Outcome)
	if r.Error != "" {
		fmt.Fprintln(w, "  reason:", r.Error)
	}
	if r.Rollback != "" && r.Outcome == executor.OutcomeFailed {
		fmt.Fprintln(w, "  files:", r.Rollback)
	}
	for _, a := range r.Actions {
		line := fmt.Sprintf("  action %d (%s)", a.Index+1, a.Kind)
		if a.Changed > 0 {
			line += fmt.Sprintf(": %d path(s) changed", a.Changed)
		}
		if a.ExitCode != nil {
			line += fmt.Sprintf(", exit status %d", *a.ExitCode)
		}
		if a.Note != "" {
			line += " — " + a.Note
		}
		fmt.Fprintln(w, line)
	}
	for _, n := range r.NotUndoable {
		fmt.Fprintln(w, "  cannot be undone:", n)
	}
}

func printConflicts(w io.Writer, ce *executor.ConflictError) {
	for _, c := range ce.Conflicts {
		fmt.Fprintf(w, "%s: Countersign left %s, found %s\n", c.Path, c.Expected, c.Found)
		if c.Diff != "" {
			fmt.Fprintln(w, strings.TrimRight(c.Diff, "\n"))
		}
	}
}
