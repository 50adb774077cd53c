// Package preview shows a person what each action of a proposal would change:
// a unified diff for text, a cell-level change set for spreadsheets, a
// summary for binary files.
//
// It guarantees that previews are computed from the file as it is now,
// resolved against the proposal's workspace (or, for Recorded, from the
// before and after content passed in, reading no file); that it reads only regular
// files, never follows a symbolic link at the last component and never
// blocks on a FIFO or device; that it reads at most Limits.MaxFileBytes of
// any file; and that every renderer it calls is bounded (backend/diff and
// backend/sheet caps), so a hostile file yields an Error that says why, not
// a hang. It never writes anything.
package preview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"countersign/backend/diff"
	"countersign/backend/proposal"
	"countersign/backend/sheet"
)

// Kind says which renderer a preview needs.
type Kind string

const (
	KindText   Kind = "text"   // Diff is set
	KindBinary Kind = "binary" // Diff is set, with Binary and BinarySummary
	KindSheet  Kind = "sheet"  // Sheet is set
	KindNone   Kind = "none"   // nothing to compare: a move, a command, a request
	KindError  Kind = "error"  // Error says why no preview could be made
)

// Action is the preview of one action.
type Action struct {
	Index int              `json:"index"`
	Kind  Kind             `json:"kind"`
	Path  string           `json:"path,omitempty"` // the resolved target
	Diff  *diff.Result     `json:"diff,omitempty"`
	Sheet *sheet.ChangeSet `json:"sheet,omitempty"`
	Error string           `json:"error,omitempty"`
	kind  proposal.Kind    // what the action was
	old   []byte           // the content the diff was computed from, for hunk selection
}

// Old returns the content the text preview was computed from.
func (a *Action) Old() []byte { return a.old }

// Limits bound what the previewer reads.
type Limits struct {
	MaxFileBytes int64 // default 64 MiB, the diff engine's input cap
	Diff         diff.Options
	Sheet        sheet.Options
}

// Previewer computes previews.
type Previewer struct{ l Limits }

// New returns a previewer with the given limits (zero fields take defaults).
func New(l Limits) *Previewer {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = 64 << 20
	}
	if l.Diff == (diff.Options{}) {
		l.Diff = diff.DefaultOptions()
	}
	return &Previewer{l: l}
}

// Resolve returns the absolute target of path in p's workspace.
func Resolve(p *proposal.Proposal, path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(p.Workspace, path)
}

// Proposal previews every action of p, in order.
func (pv *Previewer) Proposal(ctx context.Context, p *proposal.Proposal) []*Action {
	out := make([]*Action, len(p.Actions))
	for i := range p.Actions {
		out[i] = pv.Action(ctx, p, i)
	}
	return out
}

// Action previews action i of p. Problems are reported in the result's
// Error, never as a Go error, so one bad action does not hide the others.
func (pv *Previewer) Action(ctx context.Context, p *proposal.Proposal, i int) *Action {
	a, res, fail := begin(p, i)
	if a == nil {
		return res
	}
	switch a.Kind {
	case proposal.KindFileWrite:
		old, exists, err := pv.read(res.Path)
		if err != nil {
			return fail(err)
		}
		if exists && isWorkbook(res.Path) {
			cs, err := pv.workbookDiff(ctx, old, []byte(a.Content))
			if err == nil {
				res.Kind, res.Sheet = KindSheet, cs
				return res
			}
			// Not readable as a workbook: fall back to the byte-level summary.
		}
		return pv.text(res, old, []byte(a.Content), exists, true, fail)
	case proposal.KindFileEdit:
		old, exists, err := pv.read(res.Path)
		if err != nil {
			return fail(err)
		}
		if !exists {
			return fail(fmt.Errorf("%s does not exist, so it cannot be edited", res.Path))
		}
		new, err := diff.ApplyEdits(old, a.Edits, pv.l.MaxFileBytes)
		if err != nil {
			return fail(err)
		}
		return pv.text(res, old, new, true, true, fail)
	case proposal.KindFileDelete:
		old, exists, err := pv.read(res.Path)
		if err != nil {
			return fail(err)
		}
		if !exists {
			return fail(fmt.Errorf("%s does not exist", res.Path))
		}
		return pv.text(res, old, nil, true, false, fail)
	case proposal.KindSheetUpdate:
		wb, err := sheet.OpenFile(res.Path, pv.l.Sheet)
		if err != nil {
			return fail(err)
		}
		defer wb.Close()
		cs, err := sheet.PreviewUpdate(ctx, wb, a.Cells, pv.l.Sheet)
		if err != nil {
			return fail(err)
		}
		res.Kind, res.Sheet = KindSheet, cs
		return res
	}
	return res
}

// begin starts the preview of action i of p: the action (nil when there is
// none, and res then says so), its result with the resolved path, and fail,
// which turns the result into an error.
func begin(p *proposal.Proposal, i int) (*proposal.Action, *Action, func(error) *Action) {
	if i < 0 || i >= len(p.Actions) {
		return nil, &Action{Index: i, Kind: KindError, Error: fmt.Sprintf("no action %d", i+1)}, nil
	}
	a := &p.Actions[i]
	res := &Action{Index: i, Kind: KindNone, kind: a.Kind}
	if a.Path != "" {
		res.Path = Resolve(p, a.Path)
	}
	fail := func(err error) *Action {
		res.Kind, res.Diff, res.Sheet, res.Error = KindError, nil, nil, err.Error()
		return res
	}
	return a, res, fail
}

// State is a file's content at one moment, as an execution journal recorded
// it: Exists is false when there was no file.
type State struct {
	Content []byte
	Exists  bool
}

// Recorded previews action i of p from its target's recorded before- and
// after-state instead of the disk: for a proposal carried out, what the
// person approved, whatever happened to the file since. It reads no file.
// Actions with no content to compare (a move, a command) give KindNone.
func (pv *Previewer) Recorded(ctx context.Context, p *proposal.Proposal, i int, before, after State) *Action {
	a, res, fail := begin(p, i)
	if a == nil {
		return res
	}
	for _, s := range []State{before, after} {
		if int64(len(s.Content)) > pv.l.MaxFileBytes {
			return fail(fmt.Errorf("%s is too large to preview: %d bytes, the limit is %d", res.Path, len(s.Content), pv.l.MaxFileBytes))
		}
	}
	switch a.Kind {
	case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete, proposal.KindSheetUpdate:
	default:
		return res
	}
	if before.Exists && after.Exists && (a.Kind == proposal.KindSheetUpdate || isWorkbook(res.Path)) {
		cs, err := pv.workbookDiff(ctx, before.Content, after.Content)
		if err == nil {
			res.Kind, res.Sheet = KindSheet, cs
			return res
		}
		if a.Kind == proposal.KindSheetUpdate {
			return fail(err)
		}
	}
	return pv.text(res, before.Content, after.Content, before.Exists, after.Exists, fail)
}

func (pv *Previewer) text(res *Action, old, new []byte, oldExists, newExists bool, fail func(error) *Action) *Action {
	r, err := diff.Compute(res.Path, old, new, oldExists, newExists, pv.l.Diff)
	if err != nil {
		return fail(err)
	}
	res.Kind, res.Diff, res.old = KindText, r, old
	if r.Binary {
		res.Kind = KindBinary
	}
	return res
}

func (pv *Previewer) workbookDiff(ctx context.Context, old, new []byte) (*sheet.ChangeSet, error) {
	a, err := sheet.Open(bytes.NewReader(old), int64(len(old)), pv.l.Sheet)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	b, err := sheet.Open(bytes.NewReader(new), int64(len(new)), pv.l.Sheet)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return sheet.Diff(ctx, a, b, pv.l.Sheet)
}

func isWorkbook(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".xlsx")
}

// ErrNotRegular is returned for a target that is a directory, a link, a
// device or anything else that is not a plain file.
var ErrNotRegular = errors.New("not a regular file")

// read returns the file's content, or exists=false when there is none.
func (pv *Previewer) read(path string) (content []byte, exists bool, err error) {
	if path == "" {
		return nil, false, errors.New("the action names no file")
	}
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, true, fmt.Errorf("%s: %w (%s); Countersign previews only plain files", path, ErrNotRegular, describeMode(fi.Mode()))
	}
	if fi.Size() > pv.l.MaxFileBytes {
		return nil, true, fmt.Errorf("%s is too large to preview: %d bytes, the limit is %d", path, fi.Size(), pv.l.MaxFileBytes)
	}
	f, err := openNoFollow(path)
	if err != nil {
		return nil, true, err
	}
	defer f.Close()
	// Check again on the open file: it may have been swapped since Lstat.
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, true, fmt.Errorf("%s changed while it was opened; try again", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, pv.l.MaxFileBytes+1))
	if err != nil {
		return nil, true, err
	}
	if int64(len(b)) > pv.l.MaxFileBytes {
		return nil, true, fmt.Errorf("%s is too large to preview: more than %d bytes", path, pv.l.MaxFileBytes)
	}
	return b, true, nil
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// Selected returns the content that results from applying only the hunks in
// keep of a text preview: what runs when the person unticks some hunks.
func (a *Action) Selected(keep []bool) ([]byte, error) {
	if a.Kind != KindText || a.Diff == nil {
		return nil, diff.ErrNotSelectable
	}
	if a.kind == proposal.KindFileDelete {
		return nil, errors.New("a deletion is approved or not as a whole")
	}
	return diff.ApplySelected(a.old, a.Diff, keep)
}

// MaxContextLines bounds one OldLines call.
const MaxContextLines = 5000

// OldLines returns lines from through to (1-based, inclusive) of the current
// content of action i's target, without their line endings: the unchanged
// lines a diff view hides between hunks, shown when the person expands them.
// At most MaxContextLines lines are returned.
func (pv *Previewer) OldLines(p *proposal.Proposal, i, from, to int) ([]string, error) {
	if i < 0 || i >= len(p.Actions) {
		return nil, fmt.Errorf("no action %d", i+1)
	}
	switch p.Actions[i].Kind {
	case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete:
	default:
		return nil, fmt.Errorf("action %d has no text to show", i+1)
	}
	if from < 1 || to < from {
		return nil, fmt.Errorf("lines %d to %d is not a range", from, to)
	}
	if to-from+1 > MaxContextLines {
		to = from + MaxContextLines - 1
	}
	old, exists, err := pv.read(Resolve(p, p.Actions[i].Path))
	if err != nil {
		return nil, err
	}
	if !exists {
		return nil, fmt.Errorf("%s does not exist", Resolve(p, p.Actions[i].Path))
	}
	var out []string
	line := 1
	for len(old) > 0 && line <= to {
		j := bytes.IndexByte(old, '\n')
		var text []byte
		if j < 0 {
			text, old = old, nil
		} else {
			text, old = old[:j], old[j+1:]
		}
		if line >= from {
			out = append(out, string(text))
		}
		line++
	}
	return out, nil
}
