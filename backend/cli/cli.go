// Package cli is Countersign's command line: one entry point whose bare form
// opens the window and whose subcommands do everything else.
//
// It guarantees that every command resolves the data directory the same way
// (--data-dir, then COUNTERSIGN_DATA_DIR, then the OS default), that usage
// errors exit with status 2 and a message on stderr, and that it never starts
// a window itself: the caller hands it OpenWindow, so this package does not
// depend on any GUI toolkit.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/keystore"
)

// WindowOptions are what the bare command passes to OpenWindow.
type WindowOptions struct {
	DataDir  string
	Demo     bool
	Bridge   string   // test builds only: serve the UI over HTTP on this address instead of a window
	Keystore string   // "keyring" (default) or "file"
	Roots    []string // folders Countersign may change
}

// Deps are the outside world the commands need.
type Deps struct {
	Version       string
	Commit        string
	OpenWindow    func(WindowOptions) error
	BridgeEnabled bool // true only in test builds that can serve the UI over HTTP
	Env           config.Env
	Stdout        io.Writer
	Stderr        io.Writer
	Stdin         io.Reader // nil = os.Stdin
}

// ExitCode errors carry a specific process exit status.
type ExitCode struct {
	Code int
	Err  error
}

func (e *ExitCode) Error() string { return e.Err.Error() }
func (e *ExitCode) Unwrap() error { return e.Err }

// Exit statuses shared by every command.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// NewRoot builds the command tree.
func NewRoot(d Deps) *cobra.Command {
	var dataDir string
	var demo bool
	var bridge string
	var ks string
	var roots []string
	root := &cobra.Command{
		Use:   "countersign",
		Short: "Review, approve and undo what AI agents do to your files",
		Long: "Countersign stands between AI agents and your files. Agents propose changes;\n" +
			"you see exactly what would change, approve or deny, and Countersign carries out\n" +
			"what you approved, keeps undo data and a tamper-evident record.\n\n" +
			"Run without a command to open the window.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := config.ResolveDataDir(dataDir, d.Env)
			if err != nil {
				return err
			}
			kind, err := keystore.ParseKind(ks)
			if err != nil {
				return &ExitCode{Code: ExitUsage, Err: err}
			}
			rs, err := config.ResolveRoots(roots, d.Env, os.UserHomeDir)
			if err != nil {
				return &ExitCode{Code: ExitUsage, Err: err}
			}
			return d.OpenWindow(WindowOptions{DataDir: dir, Demo: demo, Bridge: bridge, Keystore: string(kind), Roots: rs})
		},
	}
	root.SetOut(d.Stdout)
	root.SetErr(d.Stderr)
	root.PersistentFlags().StringVar(&dataDir, "data-dir", "", "where Countersign keeps its database (default: $"+config.EnvDataDir+" or the OS config dir)")
	root.PersistentFlags().StringVar(&ks, "keystore", "keyring", "where the signing key lives: keyring (the OS keyring) or file (a 0600 file in the data dir; weaker, for headless use)")
	root.PersistentFlags().StringArrayVar(&roots, "root", nil, "a folder Countersign may change (repeatable; default: $"+config.EnvRoots+" or your home folder); a proposal's workspace must lie inside one")
	root.Flags().BoolVar(&demo, "demo", false, "also start a demo agent that proposes a realistic mix of changes")
	if d.BridgeEnabled {
		root.Flags().StringVar(&bridge, "bridge", "", "test builds: serve the UI over HTTP on ADDR instead of opening a window")
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &ExitCode{Code: ExitUsage, Err: err}
	})
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "countersign %s (%s, %s, %s/%s)\n", d.Version, d.Commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	})
	root.AddCommand(keyCommand(d, &dataDir, &ks), verifyCommand(d, &dataDir, &ks), auditCommand(d, &dataDir, &ks),
		timelineCommand(d, &dataDir))
	root.AddCommand(agentSideCommands(d, &dataDir)...)
	root.AddCommand(executionCommands(d, &dataDir, &ks, &roots)...)
	return root
}

// Run executes the command line and returns the process exit status.
func Run(d Deps, args []string) int {
	root := NewRoot(d)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(d.Stderr, "countersign:", err)
	var ec *ExitCode
	if errors.As(err, &ec) {
		return ec.Code
	}
	// Cobra reports unknown commands and bad arguments as plain errors before RunE.
	if isUsageError(err) {
		return ExitUsage
	}
	return ExitFail
}
