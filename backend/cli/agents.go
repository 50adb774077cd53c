package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/gateway/client"
	agenttoken "countersign/backend/gateway/token"
	"countersign/backend/store"
)

// openStore opens the database of the resolved data directory, for the
// commands the person runs (not agents).
func openStore(d Deps, dataDir string) (*store.Store, error) {
	dir, err := config.ResolveDataDir(dataDir, d.Env)
	if err != nil {
		return nil, &ExitCode{Code: ExitUsage, Err: err}
	}
	if err := config.EnsureDataDir(dir); err != nil {
		return nil, err
	}
	return store.Open(config.DatabasePath(dir))
}

func agentCommand(d Deps, dataDir *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Give agents tokens, list them, revoke them",
		Long: "Every agent reaches Countersign with its own token. Tokens are shown once, when\n" +
			"created; Countersign keeps only their SHA-256. These commands work directly on the\n" +
			"database and are meant for you, not for agents. (An agent running as your user\n" +
			"could run them too: for strong isolation run agents as another user or in a sandbox.)",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "add NAME",
		Short: "Register an agent and print its new token (once)",
		Long: "Register an agent and print its token on standard output, alone, so that\n" +
			"  export COUNTERSIGN_TOKEN=$(countersign agent add claude-code)\n" +
			"works. The token is never shown again; if it is lost, revoke the agent and add a new one.",
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			st, err := openStore(d, *dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			tok, a, err := agenttoken.Add(c.Context(), st, args[0], time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintln(d.Stdout, tok)
			fmt.Fprintf(d.Stderr, "Agent %q can now propose changes. Give it this token as %s (shown only now;\n"+
				"Countersign keeps only a hash of it). Revoke it with `countersign agent revoke %s`.\n", a.ID, client.EnvToken, a.ID)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List registered agents",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := openStore(d, *dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			agents, err := st.ListAgents(c.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(d.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tCREATED\tSTATE")
			for _, a := range agents {
				state := "active"
				switch {
				case !a.RevokedAt.IsZero():
					state = "revoked " + a.RevokedAt.Local().Format(time.DateTime)
				case a.TokenHash == "":
					state = "no token"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.CreatedAt.Local().Format(time.DateTime), state)
			}
			return tw.Flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke an agent: its token stops working and its name cannot be reused",
		Args:  exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			st, err := openStore(d, *dataDir)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.RevokeAgent(c.Context(), args[0], time.Now()); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("no agent named %q (see `countersign agent list`)", args[0])
				}
				return err
			}
			fmt.Fprintf(d.Stdout, "Revoked %q: its token no longer works (within a second for a running app).\n", args[0])
			return nil
		},
	})
	return cmd
}
