package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	wruntime "github.com/wailsapp/wails/v2/pkg/runtime"

	"countersign/backend/errs"
	"countersign/backend/preview"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// TimelineQuery is the history's filters and search as the UI sends them.
// Empty fields do not filter.
type TimelineQuery struct {
	Agent    string   `json:"agent"`
	Statuses []string `json:"statuses"`
	Kinds    []string `json:"kinds"`
	Risks    []string `json:"risks"`
	// From and To are RFC 3339 times: created at or after From, and before To.
	From string `json:"from"`
	To   string `json:"to"`
	Path string `json:"path"`
	Text string `json:"text"`
	// IDs, when set, keeps only these proposals: which of those that just
	// changed match the filters (one page, no cursor).
	IDs    []string `json:"ids"`
	Cursor string   `json:"cursor"`
	// Skip leaves out this many rows after the cursor first.
	Skip  int `json:"skip"`
	Limit int `json:"limit"`
}

// TimelineEntry is one proposal on the timeline, with its decision.
type TimelineEntry struct {
	queue.Summary
	Verdict   string `json:"verdict"` // "" while undecided, or expired without a decision
	DecidedBy string `json:"decided_by"`
	Reason    string `json:"reason"`
	// Token: whether the decision's intent token verifies and names this
	// proposal (its actions are matched in the detail view).
	Token TokenCheck `json:"token"`
}

// TimelinePage is one page of the timeline and the cursor of the next ("" after the last).
type TimelinePage struct {
	Items []TimelineEntry `json:"items"`
	Next  string          `json:"next"`
}

// EventView is one event of a proposal, in words: never its data.
type EventView struct {
	ID          int64     `json:"id"`
	At          time.Time `json:"at"`
	Type        string    `json:"type"`
	Description string    `json:"description"`
}

// ExportResult says what an export wrote: Path is empty when the person cancelled.
type ExportResult struct {
	Path  string `json:"path"`
	Count int    `json:"count"`
}

const maxQueryText = 1000

// toStoreQuery validates q and converts it to the store's query.
func (q TimelineQuery) toStoreQuery() (store.TimelineQuery, error) {
	bad := func(msg string) (store.TimelineQuery, error) {
		return store.TimelineQuery{}, errs.New(errs.CodeInvalid, msg)
	}
	if len(q.Agent) > maxQueryText || len(q.Path) > maxQueryText || len(q.Text) > maxQueryText || len(q.Cursor) > maxQueryText {
		return bad(fmt.Sprintf("a filter is longer than %d characters", maxQueryText))
	}
	if q.Limit < 0 {
		return bad("the page size must not be negative")
	}
	if len(q.IDs) > store.MaxTimelineIDs {
		return bad(fmt.Sprintf("more than %d ids", store.MaxTimelineIDs))
	}
	out := store.TimelineQuery{Agent: strings.TrimSpace(q.Agent), Path: strings.TrimSpace(q.Path), Text: q.Text,
		IDs: q.IDs, Cursor: q.Cursor, Skip: q.Skip, Limit: q.Limit}
	var err error
	if out.From, err = parseQueryTime("from", q.From); err != nil {
		return store.TimelineQuery{}, err
	}
	if out.To, err = parseQueryTime("to", q.To); err != nil {
		return store.TimelineQuery{}, err
	}
	if !out.From.IsZero() && !out.To.IsZero() && !out.To.After(out.From) {
		return bad("the end of the date range must come after its start")
	}
	for _, s := range q.Statuses {
		out.Statuses = append(out.Statuses, proposal.Status(s))
	}
	for _, k := range q.Kinds {
		out.Kinds = append(out.Kinds, proposal.Kind(k))
	}
	for _, r := range q.Risks {
		out.Risks = append(out.Risks, proposal.Risk(r))
	}
	return out, nil
}

func parseQueryTime(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errs.New(errs.CodeInvalid, fmt.Sprintf("%q is not a time (%s)", s, name))
	}
	return t, nil
}

// badQuery reports the store's refusal of a query as invalid input.
func badQuery(err error) error {
	if errors.Is(err, store.ErrBadQuery) {
		return errs.Wrap(errs.CodeInvalid, err)
	}
	return err
}

// Timeline returns a page of every proposal, newest first, filtered and
// searched; pass the page's Next as the query's cursor for the one after.
func (a *App) Timeline(q TimelineQuery) (TimelinePage, error) {
	sq, err := q.toStoreQuery()
	if err != nil {
		return TimelinePage{}, err
	}
	if len(sq.IDs) > 0 && (strings.TrimSpace(sq.Text) != "" || sq.Path != "") {
		// Proposals that just changed may not be indexed yet: the search
		// among them reads an index brought up to date first.
		if _, err := a.core.Store.IndexText(a.ctx, 0); err != nil {
			return TimelinePage{}, err
		}
	}
	items, next, err := a.core.Store.Timeline(a.ctx, sq)
	if err != nil {
		return TimelinePage{}, badQuery(err)
	}
	page := TimelinePage{Items: make([]TimelineEntry, len(items)), Next: next}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	tokens, err := a.core.Store.DecisionTokens(a.ctx, ids)
	if err != nil {
		return TimelinePage{}, err
	}
	for i, it := range items {
		kinds := it.Kinds
		if kinds == nil {
			kinds = []proposal.Kind{}
		}
		page.Items[i] = TimelineEntry{
			Summary: queue.Summary{ID: it.ID, AgentID: it.AgentID, Summary: it.Summary.Summary, Risk: it.Risk,
				Status: it.Status, CreatedAt: it.CreatedAt, ExpiresAt: it.ExpiresAt, DecidedAt: it.DecidedAt,
				ActionCount: it.ActionCount, Kinds: kinds},
			Verdict: string(it.Verdict), DecidedBy: it.DecidedBy, Reason: it.Reason,
			Token: a.checkToken(a.ctx, it.ID, tokens[it.ID], nil),
		}
	}
	return page, nil
}

// TimelineEvents returns what happened to a proposal, oldest first, in
// words: the type, the time and the outcome, never the event's data.
func (a *App) TimelineEvents(id string) ([]EventView, error) {
	evs, err := a.core.Store.ListEvents(a.ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]EventView, 0, len(evs))
	for _, e := range evs {
		out = append(out, EventView{ID: e.ID, At: e.At, Type: string(e.Type), Description: describeEvent(e)})
	}
	return out, nil
}

// eventWords says what each event type means, for the detail pane.
var eventWords = map[store.EventType]string{
	store.EventProposed:        "Requested by the agent",
	store.EventApproved:        "Approved",
	store.EventDenied:          "Denied",
	store.EventExpired:         "Expired without a decision",
	store.EventWithdrawn:       "Withdrawn by the agent",
	store.EventExecuting:       "Carrying out",
	store.EventExecuted:        "Carried out",
	store.EventFailed:          "Failed",
	store.EventReverted:        "Undone",
	store.EventPolicyEvaluated: "Checked against the rules",
	store.EventNotified:        "Notified",
	store.EventEdited:          "Edited before approval",
	store.EventContentPruned:   "Stored content pruned",
}

// describeEvent is a short sentence for an event, from its type and, for
// the outcome of an execution, the outcome and action count of its data.
func describeEvent(e store.Event) string {
	d, ok := eventWords[e.Type]
	if !ok {
		d = strings.ReplaceAll(string(e.Type), ".", " ")
	}
	if e.Type != store.EventExecuted && e.Type != store.EventFailed && e.Type != store.EventReverted || len(e.Data) == 0 {
		return d
	}
	var r struct {
		Outcome string            `json:"outcome"`
		Actions []json.RawMessage `json:"actions"`
	}
	if json.Unmarshal(e.Data, &r) != nil || len(r.Actions) == 0 {
		return d
	}
	if len(r.Actions) == 1 {
		return d + " (1 action)"
	}
	return fmt.Sprintf("%s (%d actions)", d, len(r.Actions))
}

// Export formats the UI offers, with their file extensions.
var exportExt = map[string]string{store.FormatJSONL: "jsonl", store.FormatCSV: "csv"}

// ExportTimeline asks where to save, then writes every proposal the query
// selects (its cursor and limit aside) there, as JSON lines or CSV. The file
// appears whole or not at all. An empty path means the person cancelled.
func (a *App) ExportTimeline(q TimelineQuery, format string) (ExportResult, error) {
	ext, ok := exportExt[format]
	if !ok {
		return ExportResult{}, errs.New(errs.CodeInvalid, fmt.Sprintf("unknown export format %q", format))
	}
	sq, err := q.toStoreQuery()
	if err != nil {
		return ExportResult{}, err
	}
	path, err := wruntime.SaveFileDialog(a.ctx, wruntime.SaveDialogOptions{
		Title:           "Export the history",
		DefaultFilename: "countersign-history-" + time.Now().Format("2006-01-02") + "." + ext,
		Filters:         []wruntime.FileFilter{{DisplayName: strings.ToUpper(ext), Pattern: "*." + ext}},
	})
	if err != nil || path == "" {
		return ExportResult{}, err
	}
	return a.exportTo(sq, path, format)
}

// exportTo writes the export to path atomically: a temporary file beside
// it, synced, then renamed over it.
func (a *App) exportTo(q store.TimelineQuery, path, format string) (ExportResult, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return ExportResult{}, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, there is nothing to remove
	n, err := a.core.Store.ExportTimeline(a.ctx, q, f, format)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return ExportResult{}, badQuery(err)
	}
	return ExportResult{Path: path, Count: n}, nil
}

// Bases of a past proposal's preview.
const (
	// BasisRecorded: computed from the before- and after-state the execution
	// journal recorded, so it shows what was approved and carried out.
	BasisRecorded = "recorded"
	// BasisNow: computed from the files as they are now, as in the queue,
	// since nothing was carried out (denied, expired, withdrawn, pending).
	BasisNow = "now"
)

// PastPreview is what a past proposal changed, or would change.
type PastPreview struct {
	Basis   string            `json:"basis"`
	Actions []*preview.Action `json:"actions"`
}

// HistoryPreview returns the previews of a proposal in the history. Once it
// was carried out (whatever happened since: undone, failed, files edited
// again), each action is compared between the states the execution journal
// recorded before and after it, not with the disk; until then, with the
// files as they are now, like Preview. An action the journal holds no file
// state for (left out of a partial approval, a command) has no preview.
func (a *App) HistoryPreview(id string) (PastPreview, error) {
	p, err := a.core.Queue.Get(a.ctx, id)
	if err != nil {
		return PastPreview{}, err
	}
	if _, err := a.core.Store.GetExecution(a.ctx, id); errors.Is(err, store.ErrNotFound) {
		return PastPreview{Basis: BasisNow, Actions: a.previews.Proposal(a.ctx, p)}, nil
	} else if err != nil {
		return PastPreview{}, err
	}
	steps, err := a.core.Store.ListSteps(a.ctx, id)
	if err != nil {
		return PastPreview{}, err
	}
	// The target of a file action is its last step with file states (the
	// folders a write creates come before it).
	target := map[int]store.UndoStep{}
	for _, s := range steps {
		if fileState(s.Pre.Kind) && fileState(s.Post.Kind) {
			target[s.ActionIdx] = s
		}
	}
	out := PastPreview{Basis: BasisRecorded, Actions: make([]*preview.Action, len(p.Actions))}
	for i := range p.Actions {
		s, ok := target[i]
		if !ok {
			out.Actions[i] = &preview.Action{Index: i, Kind: preview.KindNone}
			if p.Actions[i].Path != "" {
				out.Actions[i].Path = preview.Resolve(p, p.Actions[i].Path)
			}
			continue
		}
		before, err := a.recordedState(s.Pre)
		if err == nil {
			var after preview.State
			if after, err = a.recordedState(s.Post); err == nil {
				out.Actions[i] = a.previews.Recorded(a.ctx, p, i, before, after)
				continue
			}
		}
		if errors.Is(err, store.ErrPruned) {
			err = errors.New("the content recorded when it was carried out has been removed by the retention setting")
		}
		out.Actions[i] = &preview.Action{Index: i, Kind: preview.KindError, Path: preview.Resolve(p, p.Actions[i].Path), Error: err.Error()}
	}
	return out, nil
}

func fileState(kind string) bool { return kind == store.StateFile || kind == store.StateAbsent }

// recordedState reads the content of a recorded file state.
func (a *App) recordedState(s store.PathState) (preview.State, error) {
	if s.Kind != store.StateFile {
		return preview.State{}, nil
	}
	b, err := a.core.Store.GetBlob(a.ctx, s.SHA)
	if err != nil {
		return preview.State{}, err
	}
	return preview.State{Content: b, Exists: true}, nil
}
