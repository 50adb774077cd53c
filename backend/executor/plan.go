package executor

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"countersign/backend/diff"
	"countersign/backend/intent"
	"countersign/backend/proposal"
	"countersign/backend/sheet"
	"countersign/backend/store"
)

// seqBits leaves room for this many steps per action in a step's Seq, which
// is actionIndex<<seqBits | n: steps sort by action, then by order within it.
const seqBits = 20

// maxStepsPerAction bounds the paths one action may change.
const maxStepsPerAction = 1<<seqBits - 1

func stepSeq(action, n int) int { return action<<seqBits | n }

// op is one approved action, ready to run: the file changes it makes
// (planned before anything runs), or work done when its turn comes.
type op struct {
	index  int
	action proposal.Action
	steps  []store.UndoStep // file changes, for file and sheet kinds
}

// planner works out every file change of a proposal from the files as they
// are, before anything changes, on a virtual view of the tree, so that an
// action sees the changes of the actions before it.
type planner struct {
	ctx     context.Context
	w       *Workspace
	view    map[string]store.PathState // rel -> state after the actions planned so far
	folded  map[string]string          // lower-case rel -> rel, for case collisions within the proposal
	targets map[int]string             // action index -> target_sha256 the token carries
	changed map[string]bool            // paths an earlier action of the proposal changes
}

func (pl *planner) state(rel string) (store.PathState, error) {
	if s, ok := pl.view[rel]; ok {
		return s, nil
	}
	if err := pl.w.guard(rel); err != nil {
		return store.PathState{}, err
	}
	if other, ok := pl.folded[strings.ToLower(rel)]; ok && other != rel {
		return store.PathState{}, escape(rel, "it differs only in letter case from %s, also in this proposal", other)
	}
	s, err := pl.w.current(rel)
	if err != nil {
		return store.PathState{}, err
	}
	pl.view[rel] = s
	pl.folded[strings.ToLower(rel)] = rel
	return s, nil
}

// checkTarget compares a target as it is now with the hash the person
// approved: a change since the preview refuses the whole proposal.
func (pl *planner) checkTarget(idx int, rel string, s store.PathState) error {
	want, ok := pl.targets[idx]
	if !ok {
		return nil
	}
	if _, planned := pl.changed[rel]; planned {
		return nil // an earlier action of this proposal changes it; the token hashed the file as it was
	}
	got := intent.TargetAbsent
	if s.Kind == store.StateFile {
		got = s.SHA
	} else if s.Kind == store.StateDir {
		got = "a directory"
	}
	if got != want {
		return &StaleError{Action: idx, Path: rel, Approved: want, Now: got}
	}
	return nil
}

// StaleError: a target changed between the preview the person approved and
// execution. Nothing is executed; the agent must propose again.
type StaleError struct {
	Action        int
	Path          string
	Approved, Now string // target_sha256 values
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("action %d: %s changed after it was previewed and approved (approved %s, now %s); nothing was changed, and the agent must propose again",
		e.Action+1, e.Path, short(e.Approved), short(e.Now))
}

func short(h string) string {
	if len(h) == 64 {
		return h[:12] + "…"
	}
	return h
}

// plan turns the approved actions into ops.
func (pl *planner) plan(actions []proposal.Action, approved []int) ([]op, error) {
	pl.changed = map[string]bool{}
	var ops []op
	for _, idx := range approved {
		a := actions[idx]
		o := op{index: idx, action: a}
		add := func(rel string, pre, post store.PathState) error {
			if len(o.steps) >= maxStepsPerAction {
				return fmt.Errorf("action %d changes more than %d paths", idx+1, maxStepsPerAction)
			}
			o.steps = append(o.steps, store.UndoStep{Seq: stepSeq(idx, len(o.steps)), ActionIdx: idx, Path: rel, Pre: pre, Post: post})
			pl.view[rel] = post
			pl.changed[rel] = true
			return nil
		}
		parents := func(rel string) error {
			dir := path.Dir(rel)
			if dir == "." {
				return nil
			}
			var chain []string
			for d := dir; d != "."; d = path.Dir(d) {
				chain = append([]string{d}, chain...)
			}
			for _, d := range chain {
				s, err := pl.state(d)
				if err != nil {
					return err
				}
				switch s.Kind {
				case store.StateDir:
				case store.StateAbsent:
					if err := add(d, s, store.PathState{Kind: store.StateDir, Mode: defaultDirMode}); err != nil {
						return err
					}
				default:
					return fmt.Errorf("action %d: %s is a file, so it cannot hold %s", idx+1, d, rel)
				}
			}
			return nil
		}
		// target resolves and reads the action's main path.
		target := func(p string) (string, store.PathState, error) {
			rel, err := pl.w.Rel(p)
			if err != nil {
				return "", store.PathState{}, err
			}
			s, err := pl.state(rel)
			if err != nil {
				return "", store.PathState{}, err
			}
			if err := pl.checkTarget(idx, rel, s); err != nil {
				return "", store.PathState{}, err
			}
			return rel, s, nil
		}
		needFile := func(rel string, s store.PathState) error {
			if s.Kind != store.StateFile {
				return fmt.Errorf("action %d: %s does not exist as a file", idx+1, rel)
			}
			return nil
		}
		fileWith := func(pre store.PathState, content []byte) store.PathState {
			mode := pre.Mode
			if pre.Kind != store.StateFile {
				mode = defaultFileMode
			}
			return store.PathState{Kind: store.StateFile, Mode: mode, SHA: hashHex(content), Content: content}
		}
		var err error
		switch a.Kind {
		case proposal.KindFileWrite:
			var rel string
			var pre store.PathState
			if rel, pre, err = target(a.Path); err == nil {
				if pre.Kind == store.StateDir {
					err = fmt.Errorf("action %d: %s is a directory", idx+1, rel)
				} else if err = parents(rel); err == nil {
					err = add(rel, pre, fileWith(pre, []byte(a.Content)))
				}
			}
		case proposal.KindFileEdit:
			var rel string
			var pre store.PathState
			if rel, pre, err = target(a.Path); err == nil {
				if err = needFile(rel, pre); err == nil {
					var out []byte
					if out, err = diff.ApplyEdits(pre.Content, a.Edits, maxFileBytes); err != nil {
						err = fmt.Errorf("action %d: the edit no longer applies to %s: %w", idx+1, rel, err)
					} else {
						err = add(rel, pre, fileWith(pre, out))
					}
				}
			}
		case proposal.KindFileDelete:
			var rel string
			var pre store.PathState
			if rel, pre, err = target(a.Path); err == nil {
				if err = needFile(rel, pre); err == nil {
					err = add(rel, pre, store.PathState{Kind: store.StateAbsent})
				}
			}
		case proposal.KindFileMove:
			var rel, to string
			var pre, dst store.PathState
			if rel, pre, err = target(a.Path); err == nil {
				if err = needFile(rel, pre); err == nil {
					if to, err = pl.w.Rel(a.To); err == nil {
						if dst, err = pl.state(to); err == nil {
							if dst.Kind != store.StateAbsent {
								err = fmt.Errorf("action %d: %s already exists; a move never replaces a file", idx+1, to)
							} else if err = parents(to); err == nil {
								if err = add(to, dst, pre); err == nil {
									err = add(rel, pre, store.PathState{Kind: store.StateAbsent})
								}
							}
						}
					}
				}
			}
		case proposal.KindDirCreate:
			var rel string
			if rel, err = pl.w.Rel(a.Path); err == nil {
				err = parents(rel + "/x")
			}
		case proposal.KindSheetUpdate:
			var rel string
			var pre store.PathState
			if rel, pre, err = target(a.Path); err == nil {
				if err = needFile(rel, pre); err == nil {
					var out []byte
					if out, err = updateSheet(pl.ctx, pre.Content, a.Cells); err != nil {
						err = fmt.Errorf("action %d: %s: %w", idx+1, rel, err)
					} else {
						err = add(rel, pre, fileWith(pre, out))
					}
				}
			}
		case proposal.KindCommandRun:
			// Its paths are checked now; its snapshot is taken when its turn comes.
			if a.Dir != "" {
				_, err = pl.w.Rel(a.Dir)
			}
			for _, wp := range a.Writes {
				if err == nil {
					var rel string
					if rel, err = pl.w.Rel(wp); err == nil {
						err = pl.w.guard(rel)
					}
				}
			}
		case proposal.KindNetRequest, proposal.KindToolCall:
		default:
			err = fmt.Errorf("action %d: Countersign does not know how to carry out %q", idx+1, a.Kind)
		}
		if err != nil {
			return nil, err
		}
		ops = append(ops, o)
	}
	return ops, nil
}

// updateSheet writes the cells into a copy of the workbook and checks, by
// reading the result back, that exactly those cells changed.
func updateSheet(ctx context.Context, before []byte, cells []proposal.CellEdit) ([]byte, error) {
	opts := sheet.DefaultOptions()
	wb, err := sheet.Open(bytes.NewReader(before), int64(len(before)), opts)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	var buf bytes.Buffer
	if err := sheet.Apply(ctx, wb, cells, &buf); err != nil {
		return nil, err
	}
	after, err := sheet.Open(bytes.NewReader(buf.Bytes()), int64(buf.Len()), opts)
	if err != nil {
		return nil, fmt.Errorf("the updated workbook does not read back: %w", err)
	}
	defer after.Close()
	if err := sheet.VerifyApplied(ctx, wb, after, cells, opts); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
