package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"countersign/backend/config"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

func timelineCommand(d Deps, dataDir *string) *cobra.Command {
	var agent, since, until, path, search, format string
	var statuses, kinds, risks []string
	var limit int
	cmd := &cobra.Command{
		Use:   "timeline [--agent A] [--status S]... [--kind K]... [--risk R]... [--since T] [--until T] [--path P] [--search TEXT] [--format table|jsonl|csv] [--limit N]",
		Short: "List proposals newest first, filtered and searched, or export them",
		Long: "Lists every proposal with its agent, summary, status and decision, newest first.\n" +
			"Filters combine: --status, --kind and --risk take several values (repeat the flag or\n" +
			"separate them with commas); --since and --until bound the creation time (RFC 3339 or\n" +
			"YYYY-MM-DD, UTC; --until exclusive); --path keeps proposals that touch that path or\n" +
			"anything under it; --search finds words (word* for a prefix) in summaries, rationales,\n" +
			"paths and decision reasons. --limit 0 lists everything. The database is only read,\n" +
			"but for bringing the search index up to date first.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != "table" && format != store.FormatJSONL && format != store.FormatCSV {
				return &ExitCode{Code: ExitUsage, Err: fmt.Errorf("--format must be table, jsonl or csv, not %q", format)}
			}
			if limit < 0 {
				return &ExitCode{Code: ExitUsage, Err: fmt.Errorf("--limit must be 0 or more")}
			}
			q := store.TimelineQuery{Agent: agent, Path: path, Text: search}
			var err error
			if q.From, err = parseTime("since", since); err != nil {
				return err
			}
			if q.To, err = parseTime("until", until); err != nil {
				return err
			}
			for _, v := range splitValues(statuses) {
				q.Statuses = append(q.Statuses, proposal.Status(v))
			}
			for _, v := range splitValues(kinds) {
				q.Kinds = append(q.Kinds, proposal.Kind(v))
			}
			for _, v := range splitValues(risks) {
				q.Risks = append(q.Risks, proposal.Risk(v))
			}
			dir, err := config.ResolveDataDir(*dataDir, d.Env)
			if err != nil {
				return err
			}
			st, err := openExistingStore(dir)
			if err != nil {
				return err
			}
			defer st.Close()
			ctx := context.Background()
			if q.Text != "" || q.Path != "" {
				if _, err := st.IndexText(ctx, 0); err != nil {
					return err
				}
			}
			out := c.OutOrStdout()
			if format != "table" && limit == 0 {
				_, err := st.ExportTimeline(ctx, q, out, format)
				return usageIfBad(err)
			}
			items, err := timelineItems(ctx, st, q, limit)
			if err != nil {
				return usageIfBad(err)
			}
			if format != "table" {
				_, err := store.WriteTimeline(out, items, format)
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "CREATED\tID\tAGENT\tSTATUS\tRISK\tKINDS\tDECIDED BY\tSUMMARY")
			for _, it := range items {
				ks := make([]string, len(it.Kinds))
				for i, k := range it.Kinds {
					ks[i] = string(k)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.CreatedAt.Format(time.DateTime), it.ID, it.AgentID,
					it.Status, it.Risk, strings.Join(ks, ","), dash(it.DecidedBy), oneLine(it.Summary.Summary))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&agent, "agent", "", "only this agent's proposals")
	f.StringSliceVar(&statuses, "status", nil, "only these `statuses` (pending, approved, denied, expired, withdrawn, executing, executed, failed, reverted)")
	f.StringSliceVar(&kinds, "kind", nil, "only proposals with an action of these `kinds` (file.write, command.run...)")
	f.StringSliceVar(&risks, "risk", nil, "only these `risks` (low, medium, high, critical)")
	f.StringVar(&since, "since", "", "created at or after `time` (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&until, "until", "", "created before `time` (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&path, "path", "", "only proposals touching `path` or anything under it")
	f.StringVar(&search, "search", "", "full-text search in summaries, rationales, paths and reasons")
	f.StringVar(&format, "format", "table", "table, jsonl or csv")
	f.IntVar(&limit, "limit", 50, "at most `N` proposals (0: all)")
	return cmd
}

// timelineItems reads up to limit items of q (0: all), page by page.
func timelineItems(ctx context.Context, st *store.Store, q store.TimelineQuery, limit int) ([]store.TimelineItem, error) {
	var out []store.TimelineItem
	for {
		q.Limit = 200
		if limit > 0 {
			q.Limit = min(200, limit-len(out))
		}
		items, next, err := st.Timeline(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		q.Cursor = next
	}
}

func usageIfBad(err error) error {
	if errors.Is(err, store.ErrBadQuery) {
		return &ExitCode{Code: ExitUsage, Err: err}
	}
	return err
}

// splitValues splits comma-separated flag values and drops empty ones.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
