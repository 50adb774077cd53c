package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/gateway/client"
	"countersign/backend/mcp"
)

func mcpCommand(d Deps, dataDir *string) *cobra.Command {
	var workspace, tokFlag string
	var timeout, poll time.Duration
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve Countersign's tools to an MCP client over stdio",
		Long: "Run by an MCP client (Claude Desktop, Cursor, Claude Code...), not by people:\n" +
			"  {\"command\": \"countersign\", \"args\": [\"mcp\"], \"env\": {\"COUNTERSIGN_TOKEN\": \"cs_...\"}}\n" +
			"Tools: propose_file_write, propose_file_edit, propose_file_delete, propose_file_move,\n" +
			"propose_sheet_update, propose_command, get_proposal_status. Each propose_* call waits\n" +
			"for your decision in the Countersign window. The app must be running.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			tok := tokFlag
			if tok == "" {
				tok = d.Env.Getenv(client.EnvToken)
			}
			ws := workspace
			if ws == "" {
				ws, _ = os.Getwd()
			}
			dir, err := config.ResolveDataDir(*dataDir, d.Env)
			if err != nil {
				return &ExitCode{Code: ExitUsage, Err: err}
			}
			connect := func() (*client.Client, error) {
				if tok == "" {
					return nil, errors.New("no Countersign token: set " + client.EnvToken + " in this MCP server's environment (create one with `countersign agent add NAME`)")
				}
				disc, err := client.Discover(dir)
				if err != nil {
					return nil, err
				}
				return client.New(disc, tok)
			}
			logger := slog.New(slog.NewTextHandler(d.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			srv := mcp.NewServer(mcp.Config{Version: d.Version, Connect: connect, Workspace: ws, Timeout: timeout, Poll: poll, Logger: logger})
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			t := &sdk.IOTransport{Reader: io.NopCloser(d.stdin()), Writer: nopWriteCloser{d.Stdout}}
			if err := srv.Run(ctx, t); err != nil && ctx.Err() == nil && !errors.Is(err, io.EOF) {
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&workspace, "workspace", "", "directory relative paths resolve against (default: the current directory)")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "how long a proposal may wait for a decision (default 10m)")
	cmd.Flags().StringVar(&tokFlag, "token", "", "the agent's token (default: $"+client.EnvToken+")")
	cmd.Flags().DurationVar(&poll, "poll", 0, "how often to report progress while waiting (default 10s)")
	cmd.Flags().MarkHidden("poll")
	return cmd
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
