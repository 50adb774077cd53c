package executor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"countersign/backend/diff"
	"countersign/backend/errs"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// converge makes every path of steps hold its after-state (toPost) or its
// before-state. It works in three passes, so that directories exist before
// the files in them and are removed after: directories to create (in step
// order), then files to write or remove (in step order towards the
// after-state, in reverse towards the before-state, so a path changed by
// several steps passes through each state in turn), then directories to
// remove (in reverse). A path already in the wanted state is left alone. A
// path in neither state is a conflict unless force is set.
//
// Files are written in two phases: every new content is first staged in its
// step's temporary file, the staged files are synced together, and only
// then renamed into place (and files to remove removed), in order. With
// force, the temporary files of every step are removed (a crash may have
// left one), and paths that appeared under a command's declared scope while
// its after-state was still unknown are removed.
func (x *Executor) converge(w *Workspace, id string, steps []store.UndoStep, toPost, force bool, dirty map[string]bool) (err error) {
	want := func(s store.UndoStep) store.PathState {
		if toPost {
			return s.Post
		}
		return s.Pre
	}
	other := func(s store.UndoStep) store.PathState {
		if toPost {
			return s.Pre
		}
		return s.Post
	}
	// decide says whether s must change a path now in state cur.
	decide := func(s store.UndoStep, cur store.PathState) (bool, error) {
		wnt, oth := want(s), other(s)
		if same(cur, wnt) {
			return false, nil
		}
		if !force && !same(cur, oth) {
			return false, fmt.Errorf("%s changed while this ran (found %s)", s.Path, describe(cur))
		}
		return true, nil
	}
	hook := func(s store.UndoStep) error {
		if x.beforeStep != nil {
			return x.beforeStep(s.Seq, s.Path)
		}
		return nil
	}
	dirStep := func(s store.UndoStep) error {
		if err := x.check(w, s.Path); err != nil {
			return err
		}
		cur, err := w.current(s.Path)
		if err != nil {
			return err
		}
		if change, err := decide(s, cur); err != nil || !change {
			return err
		}
		if err := hook(s); err != nil {
			return err
		}
		return w.setDir(s.Path, cur, want(s), dirty)
	}
	idx := make([]int, len(steps))
	for i := range idx {
		idx[i] = i
	}
	rev := slices.Clone(idx)
	slices.Reverse(rev)
	files := idx
	if !toPost {
		files = rev
	}
	usable := func(s store.UndoStep) bool {
		k := want(s).Kind
		return k != store.StateScope && k != store.StateUnknown
	}
	for _, i := range idx { // directories to create
		if s := steps[i]; usable(s) && want(s).Kind == store.StateDir {
			if err := dirStep(s); err != nil {
				return err
			}
		}
	}

	// Files: stage, sync, then rename and remove in order.
	var changes []fileChange
	var tmps []string
	defer func() {
		if err != nil {
			for _, t := range tmps {
				_ = w.root.Remove(filepath.FromSlash(t))
			}
		}
	}()
	view := map[string]store.PathState{} // paths as the changes so far leave them
	for _, i := range files {
		s := steps[i]
		if force && s.Pre.Kind != store.StateScope {
			_ = w.root.Remove(filepath.FromSlash(tempName(s.Path, id, s.Seq)))
		}
		if !usable(s) || want(s).Kind == store.StateDir {
			continue
		}
		cur, seen := view[s.Path]
		if !seen {
			if err := x.check(w, s.Path); err != nil {
				return err
			}
			if cur, err = w.current(s.Path); err != nil {
				return err
			}
		}
		wnt := want(s)
		if wnt.Kind == store.StateAbsent && cur.Kind == store.StateDir {
			continue // a directory: the last pass
		}
		if ok, err := decide(s, cur); err != nil {
			return err
		} else if !ok {
			continue
		}
		if cur.Kind == store.StateDir {
			return fmt.Errorf("%s is a directory now; it cannot be replaced by a file", s.Path)
		}
		c := fileChange{s: s}
		if wnt.Kind == store.StateFile {
			content := wnt.Content
			if content == nil {
				b, err := x.cfg.Store.GetBlob(context.Background(), wnt.SHA)
				if err != nil {
					return fmt.Errorf("%s: its content was not kept: %w", s.Path, err)
				}
				content = b
			}
			c.tmp = tempName(s.Path, id, s.Seq)
			if err := w.stage(c.tmp, content, fs.FileMode(wnt.Mode)); err != nil {
				return w.rootErr(s.Path, err)
			}
			tmps = append(tmps, c.tmp)
		}
		changes = append(changes, c)
		view[s.Path] = wnt
	}
	if err := w.syncStaged(tmps); err != nil {
		return err
	}
	for n, c := range changes {
		if err := hook(c.s); err != nil {
			tmps = tmps[countStaged(changes[:n]):]
			return err
		}
		name := filepath.FromSlash(c.s.Path)
		if c.tmp != "" {
			err = w.root.Rename(filepath.FromSlash(c.tmp), name)
		} else if err = w.root.Remove(name); errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		if err != nil {
			tmps = tmps[countStaged(changes[:n]):]
			return w.rootErr(c.s.Path, err)
		}
		dirty[path.Dir(c.s.Path)] = true
	}
	tmps = nil

	if force && !toPost {
		if err := x.sweepScopes(w, steps, dirty); err != nil {
			return err
		}
	}
	for _, i := range rev { // directories to remove
		s := steps[i]
		if !usable(s) || want(s).Kind != store.StateAbsent {
			continue
		}
		cur, err := w.current(s.Path)
		if err != nil {
			return err
		}
		if cur.Kind == store.StateDir {
			if err := dirStep(s); err != nil {
				return fmt.Errorf("remove the directory %s: %w", s.Path, err)
			}
		}
	}
	return nil
}

// fileChange is one file to rename into place from its staged temporary
// file, or to remove (tmp "").
type fileChange struct {
	s   store.UndoStep
	tmp string
}

// countStaged counts the changes that staged a file.
func countStaged(cs []fileChange) int {
	n := 0
	for _, c := range cs {
		if c.tmp != "" {
			n++
		}
	}
	return n
}

// check resolves a journal path again before it is touched.
func (x *Executor) check(w *Workspace, rel string) error {
	got, err := w.Rel(rel)
	if err != nil {
		return err
	}
	if got != rel {
		return escape(rel, "the journal names it in a form that is not clean")
	}
	return w.guard(rel)
}

// sweepScopes removes, under each declared scope of a command whose
// after-state is still unknown, every path its snapshot did not hold.
func (x *Executor) sweepScopes(w *Workspace, steps []store.UndoStep, dirty map[string]bool) error {
	known := map[string]bool{}
	pending := map[int]bool{}
	for _, s := range steps {
		if s.Post.Kind == store.StateUnknown {
			pending[s.ActionIdx] = true
		}
		if s.Pre.Kind != store.StateScope {
			known[s.Path] = true
		}
	}
	for _, s := range steps {
		if s.Pre.Kind != store.StateScope || !pending[s.ActionIdx] {
			continue
		}
		var extra []string
		if err := w.walk(s.Path, func(rel string, st store.PathState) error {
			if !known[rel] {
				extra = append(extra, rel)
			}
			return nil
		}); err != nil {
			return err
		}
		slices.Reverse(extra) // children before their directories
		for _, rel := range extra {
			if err := w.root.RemoveAll(filepath.FromSlash(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return w.rootErr(rel, err)
			}
			dirty[path.Dir(rel)] = true
		}
	}
	return nil
}

func describe(s store.PathState) string {
	switch s.Kind {
	case store.StateFile:
		return "a file with SHA-256 " + short(s.SHA)
	case store.StateDir:
		return "a directory"
	case store.StateAbsent:
		return "nothing"
	}
	return s.Kind
}

// conflicts lists the paths that are in neither state of their step: they
// changed since Countersign last wrote them.
func (x *Executor) conflicts(ctx context.Context, w *Workspace, steps []store.UndoStep, toPost bool) ([]Conflict, error) {
	var out []Conflict
	for _, s := range steps {
		if s.Pre.Kind == store.StateScope {
			continue
		}
		wnt, left := s.Pre, s.Post
		if toPost {
			wnt, left = s.Post, s.Pre
		}
		if err := x.check(w, s.Path); err != nil {
			return nil, err
		}
		cur, err := w.current(s.Path)
		if err != nil {
			return nil, err
		}
		if same(cur, wnt) || same(cur, left) {
			continue
		}
		c := Conflict{Path: s.Path, Expected: describe(left), Found: describe(cur)}
		if left.Kind == store.StateFile && cur.Kind == store.StateFile {
			if old, err := x.cfg.Store.GetBlob(ctx, left.SHA); err == nil {
				if r, err := diff.Compute(s.Path, old, cur.Content, true, true, diff.DefaultOptions()); err == nil {
					c.Diff = r.Unified
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// Undo restores the before-state of every path an executed proposal changed,
// in reverse order, and marks it reverted. Paths changed since Countersign
// wrote them are reported as a *ConflictError, and nothing changes, unless
// force is set.
func (x *Executor) Undo(ctx context.Context, id string, force bool) (*Result, error) {
	return x.swing(ctx, id, force, false)
}

// Redo re-applies a reverted proposal's after-state and marks it executed,
// with the same conflict rule as Undo.
func (x *Executor) Redo(ctx context.Context, id string, force bool) (*Result, error) {
	return x.swing(ctx, id, force, true)
}

func (x *Executor) swing(ctx context.Context, id string, force, toPost bool) (*Result, error) {
	unlock := x.locks.lock(id)
	defer unlock()
	from, to, ev, phase, verb, past := proposal.StatusExecuted, proposal.StatusReverted, store.EventReverted, store.PhaseUndoing, "undo", "undone"
	if toPost {
		from, to, ev, phase, verb, past = proposal.StatusReverted, proposal.StatusExecuted, store.EventExecuted, store.PhaseRedoing, "redo", "redone"
	}
	p, err := x.cfg.Store.GetProposal(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != from {
		return nil, errs.New(errs.CodeConflict, fmt.Sprintf("proposal %s is %s; only a proposal that is %s can be %s", id, p.Status, from, past))
	}
	steps, err := x.cfg.Store.ListSteps(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		if s.Post.Kind == store.StateUnknown {
			return nil, fmt.Errorf("proposal %s has a command whose after-state was never recorded; it cannot be %s", id, past)
		}
	}
	w, err := OpenWorkspace(x.cfg.Roots, p.Workspace, x.cfg.Protected)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if !force {
		cs, err := x.conflicts(ctx, w, steps, toPost)
		if err != nil {
			return nil, err
		}
		if len(cs) > 0 {
			return nil, &ConflictError{ID: id, Conflicts: cs}
		}
	}
	if err := x.cfg.Store.UpdateJournal(ctx, id, x.now(), store.Journal{Phase: phase}); err != nil {
		return nil, err
	}
	res, err := x.swingFiles(ctx, w, p, steps, toPost)
	if err != nil {
		// The journal stays in its phase: the next start completes it.
		return nil, fmt.Errorf("%s of %s stopped part-way (%w); Countersign completes it when it next starts", verb, id, err)
	}
	err = x.cfg.Mover.Move(ctx, store.StatusChange{ID: id, From: from, To: to, At: x.now(), Event: ev, Data: res.eventJSON(),
		Journal: &store.Journal{Phase: store.PhaseDone, Result: res.json()}})
	return res, err
}

// swingFiles moves every path to one side, forcing (conflicts were
// settled by the caller), and returns the result to record.
func (x *Executor) swingFiles(ctx context.Context, w *Workspace, p *proposal.Proposal, steps []store.UndoStep, toPost bool) (*Result, error) {
	dirty := map[string]bool{}
	if err := x.converge(w, p.ID, steps, toPost, true, dirty); err != nil {
		return nil, err
	}
	if err := w.syncDirs(dirty); err != nil {
		return nil, err
	}
	res := &Result{Outcome: OutcomeReverted, AgentRuns: p.AgentRuns}
	if toPost {
		res.Outcome = OutcomeExecuted
	}
	if e, err := x.cfg.Store.GetExecution(ctx, p.ID); err == nil && e.Result != nil {
		var prev Result
		if jsonUnmarshal(e.Result, &prev) == nil {
			res.Actions, res.NotUndoable = prev.Actions, prev.NotUndoable
		}
	}
	return res, nil
}

// Recover finishes what an interrupted process left: an execution in
// flight is rolled back to the before-state (the agent's own changes, for
// proposals the agent carries out, are left to it), an undo or redo in
// flight is completed. It returns what it did, one line per proposal.
func (x *Executor) Recover(ctx context.Context) ([]string, error) {
	ids, err := x.cfg.Store.InFlight(ctx)
	if err != nil {
		return nil, err
	}
	var report []string
	var errsOut []error
	for _, id := range ids {
		line, err := x.recoverOne(ctx, id)
		if err != nil {
			errsOut = append(errsOut, fmt.Errorf("recover %s: %w", id, err))
			continue
		}
		report = append(report, id+": "+line)
	}
	return report, errors.Join(errsOut...)
}

func (x *Executor) recoverOne(ctx context.Context, id string) (string, error) {
	unlock := x.locks.lock(id)
	defer unlock()
	st := x.cfg.Store
	p, err := st.GetProposal(ctx, id)
	if err != nil {
		return "", err
	}
	ex, err := st.GetExecution(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		ex = nil
	} else if err != nil {
		return "", err
	}
	res := &Result{AgentRuns: p.AgentRuns, Recovered: true}
	if ex != nil && ex.Result != nil {
		_ = jsonUnmarshal(ex.Result, res)
		res.Recovered = true
	}
	steps, err := st.ListSteps(ctx, id)
	if err != nil {
		return "", err
	}
	open := func() (*Workspace, error) { return OpenWorkspace(x.cfg.Roots, p.Workspace, x.cfg.Protected) }
	move := func(to proposal.Status, ev store.EventType) error {
		var j *store.Journal
		if ex != nil {
			j = &store.Journal{Phase: store.PhaseDone, Result: res.json(), Finished: true}
		}
		return x.cfg.Mover.Move(ctx, store.StatusChange{ID: id, From: p.Status, To: to, At: x.now(), Event: ev, Data: res.eventJSON(), Journal: j})
	}
	phase := ""
	if ex != nil {
		phase = ex.Phase
	}
	switch {
	case p.Status == proposal.StatusExecuting && p.AgentRuns:
		res.Outcome = OutcomeExecuted
		return "carried out by the agent; marked executed", move(proposal.StatusExecuted, store.EventExecuted)
	case p.Status == proposal.StatusExecuting || p.Status == proposal.StatusFailed && phase == store.PhaseApplying:
		if len(steps) > 0 {
			w, err := open()
			if err != nil {
				return "", err
			}
			defer w.Close()
			if err := x.rollback(w, id, steps); err != nil {
				return "", err
			}
		}
		res.Outcome = OutcomeFailed
		if res.Error == "" {
			res.Error = "Countersign stopped while carrying this out"
		}
		res.Rollback = "every change was rolled back when Countersign started again; the files are as they were before"
		if p.Status == proposal.StatusFailed {
			return "rollback completed", st.UpdateJournal(ctx, id, x.now(), store.Journal{Phase: store.PhaseDone, Result: res.json()})
		}
		return "interrupted execution rolled back", move(proposal.StatusFailed, store.EventFailed)
	case p.Status == proposal.StatusExecuted && phase == store.PhaseUndoing,
		p.Status == proposal.StatusReverted && phase == store.PhaseRedoing:
		toPost := phase == store.PhaseRedoing
		w, err := open()
		if err != nil {
			return "", err
		}
		defer w.Close()
		r, err := x.swingFiles(ctx, w, p, steps, toPost)
		if err != nil {
			return "", err
		}
		r.Recovered = true
		res = r
		if toPost {
			return "interrupted redo completed", move(proposal.StatusExecuted, store.EventExecuted)
		}
		return "interrupted undo completed", move(proposal.StatusReverted, store.EventReverted)
	default:
		return "nothing to do", st.UpdateJournal(ctx, id, x.now(), store.Journal{Phase: store.PhaseDone})
	}
}

// Observe records, for a proposal the agent carried out itself, the state
// its files are in now as their after-state, read from disk by Countersign
// (never taken from the agent's word), so that undo restores the
// before-state only over exactly what the agent wrote.
func (x *Executor) Observe(ctx context.Context, id string) error {
	unlock := x.locks.lock(id)
	defer unlock()
	p, err := x.cfg.Store.GetProposal(ctx, id)
	if err != nil {
		return err
	}
	if !p.AgentRuns || p.Status != proposal.StatusExecuted {
		return nil
	}
	steps, err := x.cfg.Store.ListSteps(ctx, id)
	if err != nil || len(steps) == 0 {
		return err
	}
	w, err := OpenWorkspace(x.cfg.Roots, p.Workspace, x.cfg.Protected)
	if err != nil {
		return err
	}
	defer w.Close()
	last := map[string]int{} // the last step of each path holds its final state
	for i, s := range steps {
		last[s.Path] = i
	}
	var changed []store.UndoStep
	for path, i := range last {
		cur, err := w.current(path)
		if err != nil {
			return err
		}
		if s := steps[i]; !same(cur, s.Post) {
			s.Post = cur
			changed = append(changed, s)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return x.cfg.Store.UpdateJournal(ctx, id, x.now(), store.Journal{Steps: changed})
}

// Undoable reports, before execution, what of p cannot be undone, as
// sentences for the person deciding.
func Undoable(p *proposal.Proposal) []string {
	var out []string
	for i, a := range p.Actions {
		if ok, why := proposal.Undoable(a); !ok {
			out = append(out, fmt.Sprintf("Action %d: %s.", i+1, strings.TrimSuffix(why, ".")))
		}
	}
	return out
}
