package gateway

import (
	"context"
	"fmt"

	"countersign/backend/diff"
	"countersign/backend/gateway/api"
	"countersign/backend/preview"
	"countersign/backend/proposal"
)

// Preview limits: what the gateway reads and returns for one GET.
const (
	previewMaxFileBytes = 8 << 20 // a target larger than this gets no diff
	previewMaxActions   = 50      // actions previewed per proposal
	previewMaxBytes     = 4 << 20 // unified text returned per proposal
	previewMaxDiffLines = 20_000  // hunk lines per diff
)

// Previews returns the unified diff of every file.write, file.edit and
// file.delete action of p against its target as it is now, computed by
// package preview (which reads only regular files, never follows a final
// symlink and never blocks on a FIFO). Every preview is bounded
// (previewMaxFileBytes in, previewMaxDiffLines and previewMaxBytes out) and
// says why when there is no diff. Spreadsheet previews are the window's.
func Previews(ctx context.Context, p *proposal.Proposal) []api.Preview {
	o := diff.DefaultOptions()
	o.MaxInputBytes, o.MaxDiffLines = previewMaxFileBytes, previewMaxDiffLines
	pv := preview.New(preview.Limits{MaxFileBytes: previewMaxFileBytes, Diff: o})
	out := []api.Preview{}
	budget := previewMaxBytes
	for i, a := range p.Actions {
		switch a.Kind {
		case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete:
		default:
			continue
		}
		item := api.Preview{Action: i, Path: a.Path}
		if len(out) >= previewMaxActions {
			item.Error = fmt.Sprintf("not previewed: only the first %d file actions are", previewMaxActions)
			out = append(out, item)
			continue
		}
		res := pv.Action(ctx, p, i)
		switch {
		case res.Kind == preview.KindSheet:
			continue
		case res.Kind == preview.KindError:
			item.Error = res.Error
		case res.Diff != nil:
			d := res.Diff
			item.Unified, item.Added, item.Deleted, item.Binary, item.Truncated = d.Unified, d.Added, d.Deleted, d.Binary, d.Truncated
		}
		if len(item.Unified) > budget {
			item.Unified, item.Truncated = "", true
			item.Error = "not shown: the previews of this proposal reached their size limit"
		}
		budget -= len(item.Unified)
		out = append(out, item)
	}
	return out
}
