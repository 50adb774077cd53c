package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"countersign/backend/config"
	"countersign/backend/gateway/client"
	"countersign/backend/hook"
)

// EnvHookTimeout sets the hook's timeout when --timeout is not given.
const EnvHookTimeout = "COUNTERSIGN_HOOK_TIMEOUT"

func hookCommand(d Deps, dataDir *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hook",
		Short: "Claude Code hooks: review its tool calls in Countersign",
		Long: "`countersign hook install claude-code` adds Countersign to Claude Code's hooks:\n" +
			"before Claude Code writes or edits a file, runs a shell command or calls an MCP tool,\n" +
			"the call is proposed in Countersign and waits for your decision. Claude Code runs\n" +
			"the hook as `countersign hook claude-code`, with COUNTERSIGN_TOKEN in its environment.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "claude-code [--timeout 600s] [--token T] [--data-dir DIR]",
		Short: "Answer one Claude Code hook call (JSON on stdin, JSON on stdout; always exit 0)",
		Long: "Run by Claude Code, not by people. It reads the hook's JSON from stdin and prints\n" +
			"allow (you approved), deny (you denied, with your reason) or ask (no decision in\n" +
			"time, Countersign not running, or a call it does not review: Claude Code then asks\n" +
			"you itself), a margin before --timeout (default $" + EnvHookTimeout + " or 600s,\n" +
			"Claude Code's default). It always exits 0.",
		DisableFlagParsing: true,
		RunE: func(c *cobra.Command, args []string) error {
			return runHook(c, d, *dataDir, args)
		},
	})
	cmd.AddCommand(installCommand(d, dataDir, true), installCommand(d, dataDir, false))
	return cmd
}

// runHook parses its own flags, so that even a bad command line gets a JSON
// answer and exit 0 rather than a usage error Claude Code would misread.
func runHook(c *cobra.Command, d Deps, dataDir string, args []string) error {
	fs := pflag.NewFlagSet("hook claude-code", pflag.ContinueOnError)
	fs.SetOutput(d.Stderr)
	timeout := fs.String("timeout", "", "")
	tok := fs.String("token", "", "")
	dd := fs.String("data-dir", dataDir, "")
	help := fs.BoolP("help", "h", false, "")
	parseErr := fs.Parse(args)
	if *help {
		return c.Help()
	}
	cfg := hook.Config{Token: *tok, Stderr: d.Stderr}
	if cfg.Token == "" {
		cfg.Token = d.Env.Getenv(client.EnvToken)
	}
	t := *timeout
	if t == "" {
		t = d.Env.Getenv(EnvHookTimeout)
	}
	var errs []error
	if parseErr != nil {
		errs = append(errs, parseErr)
	}
	if t != "" {
		dur, err := parseSeconds(t)
		if err != nil {
			errs = append(errs, fmt.Errorf("timeout %q: %w", t, err))
		}
		cfg.Timeout = dur
	}
	dir, err := config.ResolveDataDir(*dd, d.Env)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.DataDir = dir
	if len(errs) > 0 {
		// Answer, never fail: a broken command line falls back to Claude
		// Code's own prompt.
		fmt.Fprintf(d.Stderr, "countersign hook: %v\n", errors.Join(errs...))
		fmt.Fprintf(d.Stdout, `{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"ask","permissionDecisionReason":%q}}`+"\n",
			"The Countersign hook is misconfigured ("+errors.Join(errs...).Error()+"); Claude Code will ask you instead.")
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hook.ClaudeCode(ctx, cfg, d.stdin(), d.Stdout)
	return nil
}

// parseSeconds reads "600", "600s" or "10m".
func parseSeconds(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return 0, errors.New("must be positive")
		}
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a number of seconds or a duration like 600s")
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
}

func installCommand(d Deps, dataDir *string, install bool) *cobra.Command {
	var project, exe, timeout string
	var user bool
	use, short := "uninstall [claude-code] [--project DIR | --user]", "Remove Countersign's hooks from Claude Code's settings (and nothing else)"
	if install {
		use, short = "install claude-code [--project DIR | --user]", "Add Countersign's hooks to Claude Code's settings"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + ".\n\nWith --project DIR (default: the current directory) the file is DIR/.claude/settings.json;\n" +
			"with --user, ~/.claude/settings.json. Everything else in the file is kept, a backup\n" +
			"settings.json.bak-TIMESTAMP is written first, and running it twice changes nothing.",
		RunE: func(c *cobra.Command, args []string) error {
			if install && (len(args) != 1 || args[0] != "claude-code") {
				return usage("say which agent: `countersign hook install claude-code`")
			}
			if !install && (len(args) > 1 || (len(args) == 1 && args[0] != "claude-code")) {
				return usage("only claude-code hooks can be uninstalled")
			}
			if user && c.Flags().Changed("project") {
				return usage("--project and --user exclude each other")
			}
			var settings string
			if user {
				home, err := os.UserHomeDir()
				if err != nil {
					return err
				}
				settings = filepath.Join(home, ".claude", "settings.json")
			} else {
				dir := project
				if dir == "" {
					var err error
					if dir, err = os.Getwd(); err != nil {
						return err
					}
				}
				abs, err := filepath.Abs(dir)
				if err != nil {
					return err
				}
				settings = filepath.Join(abs, ".claude", "settings.json")
			}
			var (
				res hook.Result
				err error
			)
			if install {
				o := hook.InstallOptions{Settings: settings}
				if timeout != "" {
					if o.Timeout, err = parseSeconds(timeout); err != nil {
						return usage("--timeout: %v", err)
					}
				}
				if o.Command, err = hookCommandLine(d, *dataDir, exe); err != nil {
					return err
				}
				res, err = hook.Install(o)
			} else {
				res, err = hook.Uninstall(settings, nil)
			}
			if err != nil {
				return err
			}
			switch {
			case !res.Changed:
				fmt.Fprintf(d.Stdout, "%s already up to date; nothing changed.\n", settings)
			case install:
				fmt.Fprintf(d.Stdout, "Added Countersign's hooks to %s.\n", settings)
			default:
				fmt.Fprintf(d.Stdout, "Removed Countersign's hooks from %s.\n", settings)
			}
			if res.Backup != "" {
				fmt.Fprintf(d.Stdout, "The previous file is saved as %s.\n", res.Backup)
			}
			if install && res.Changed {
				fmt.Fprintf(d.Stdout, "Claude Code needs COUNTERSIGN_TOKEN in its environment:\n"+
					"  export %s=$(countersign agent add claude-code)\nthen start Claude Code from that shell.\n", client.EnvToken)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&project, "project", "", "the project directory whose .claude/settings.json to change (default: the current directory)")
	cmd.Flags().BoolVar(&user, "user", false, "change ~/.claude/settings.json instead")
	if install {
		cmd.Flags().StringVar(&exe, "exe", "", "the countersign binary the hook runs (default: this one)")
		cmd.Flags().StringVar(&timeout, "timeout", "", "the PreToolUse hook's timeout (default 600s)")
	}
	return cmd
}

// hookCommandLine is the command Claude Code runs: this binary, quoted, and
// the data directory when one was chosen explicitly.
func hookCommandLine(d Deps, dataDir, exe string) (string, error) {
	if exe == "" {
		p, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("cannot find this program's path (pass --exe): %w", err)
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		exe = preferAgentBinary(p)
	}
	abs, err := filepath.Abs(exe)
	if err != nil {
		return "", err
	}
	line := shellQuote(abs) + " hook claude-code"
	if dataDir != "" || d.Env.Getenv(config.EnvDataDir) != "" {
		dir, err := config.ResolveDataDir(dataDir, d.Env)
		if err != nil {
			return "", err
		}
		line += " --data-dir " + shellQuote(dir)
	}
	return line, nil
}

// agentBinary is the window-less build of the command line, which starts in
// milliseconds where the desktop binary spends tens of them loading its GUI
// libraries: Claude Code runs the hook before every tool call.
const agentBinary = "countersign-agent"

// preferAgentBinary returns the countersign-agent next to self when there is
// one, else self.
func preferAgentBinary(self string) string {
	name := agentBinary
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if filepath.Base(self) == name {
		return self
	}
	p := filepath.Join(filepath.Dir(self), name)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0) {
		return p
	}
	return self
}

// shellQuote quotes s for the shell Claude Code runs hook commands with.
func shellQuote(s string) string {
	if runtime.GOOS == "windows" {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
