package core

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"countersign/backend/errs"
	"countersign/backend/intent"
	"countersign/backend/preview"
	"countersign/backend/proposal"
)

// HunkChoice says which hunks of one text action the person kept.
type HunkChoice struct {
	Action int    `json:"action"` // index of the action
	Keep   []bool `json:"keep"`   // one entry per hunk of its preview
}

// Selection is a partial approval: the actions kept, and for text actions
// the hunks kept. Actions not listed are not approved.
type Selection struct {
	Actions []int        `json:"actions"`
	Hunks   []HunkChoice `json:"hunks,omitempty"`
}

// ApproveSelection approves part of a proposal: some of its actions, and of
// a text action some of its hunks (like git add -p). The kept hunks become a
// file.write of exactly the content that results, computed from the file as
// it is now and checked against the preview the person saw; the token signs
// that content and only the kept actions. Selecting everything is a plain
// approval.
func (c *Core) ApproveSelection(ctx context.Context, id string, sel Selection, by string, pv *preview.Previewer) (*proposal.Proposal, error) {
	if c.Paused() {
		return nil, ErrPaused
	}
	if strings.HasPrefix(by, DeciderPrefix) {
		return nil, errs.Wrap(errs.CodeInvalid, fmt.Errorf("decided_by %q is reserved for rules", by))
	}
	if c.Keys == nil {
		return nil, errs.Wrap(errs.CodeUnavailable, fmt.Errorf("decisions are disabled until the signing key is available: %w", c.KeyErr))
	}
	p, err := c.Queue.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != proposal.StatusPending {
		return c.Queue.Decide(ctx, id, proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: by})
	}
	kept := slices.Clone(sel.Actions)
	slices.Sort(kept)
	kept = slices.Compact(kept)
	if len(kept) == 0 {
		return nil, errs.New(errs.CodeInvalid, "nothing is selected: deny the proposal instead")
	}
	for _, i := range kept {
		if i < 0 || i >= len(p.Actions) {
			return nil, errs.New(errs.CodeInvalid, fmt.Sprintf("there is no action %d", i+1))
		}
	}
	edited := *p
	edited.Actions = slices.Clone(p.Actions)
	anyEdit := false
	for _, hc := range sel.Hunks {
		if !slices.Contains(kept, hc.Action) {
			continue
		}
		if !slices.Contains(hc.Keep, false) {
			continue // every hunk kept: the action as proposed
		}
		if !slices.Contains(hc.Keep, true) {
			return nil, errs.New(errs.CodeInvalid, fmt.Sprintf("action %d has no hunk selected: untick the action instead", hc.Action+1))
		}
		prev := pv.Action(ctx, p, hc.Action)
		content, err := prev.Selected(hc.Keep)
		if err != nil {
			return nil, errs.Wrap(errs.CodeConflict, fmt.Errorf("action %d: %w", hc.Action+1, err))
		}
		a := p.Actions[hc.Action]
		edited.Actions[hc.Action] = proposal.Action{Kind: proposal.KindFileWrite, Path: a.Path, Content: string(content)}
		anyEdit = true
	}
	verdict := proposal.VerdictApprove
	switch {
	case len(kept) < len(p.Actions):
		verdict = proposal.VerdictApprovePart
	case anyEdit:
		verdict = proposal.VerdictApproveEdited
	}
	if verdict == proposal.VerdictApprove {
		return c.Decide(ctx, id, Decision{Verdict: verdict, DecidedBy: by})
	}
	hashes, err := TargetHashes(&edited)
	if err != nil {
		return nil, errs.Wrap(errs.CodeConflict, err)
	}
	for i := range hashes {
		if !slices.Contains(kept, i) {
			delete(hashes, i)
		}
	}
	token, err := c.sign(intent.Request{Proposal: &edited, Verdict: verdict, DecidedBy: by,
		Approved: kept, TargetHashes: hashes})
	if err != nil {
		return nil, err
	}
	if anyEdit {
		// The edited actions are what will run: keep them with the decision.
		if err := c.Store.PutEdited(ctx, id, edited.Actions, c.now().UTC(), by); err != nil {
			return nil, err
		}
	}
	out, err := c.Queue.Decide(ctx, id, proposal.Decision{Verdict: verdict, DecidedBy: by, Token: token})
	if err == nil {
		c.launch(out)
	}
	return out, err
}
