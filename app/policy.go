package app

import (
	"countersign/backend/core"
	"countersign/backend/policy"
	"countersign/backend/queue"
)

// RememberPreview is what remembering a decision would save: the rule in
// plain words, and the recent proposals it would have decided.
type RememberPreview struct {
	Rule        policy.Rule     `json:"rule"`
	Description string          `json:"description"`
	Matches     []queue.Summary `json:"matches"`
}

// Policy returns the rules, their use, the budgets, the pause and any change
// to the rules file that waits for the person.
func (a *App) Policy() (core.PolicyState, error) { return a.core.PolicyState(a.ctx) }

// PreviewRemember shows the rule that remembering the decision on proposal
// id would make (effect "allow" or "deny"), before the person saves it.
func (a *App) PreviewRemember(id, scope, lifetime, effect string) (RememberPreview, error) {
	r, m, err := a.core.RememberPreview(a.ctx, id, policy.Scope(scope), policy.Lifetime(lifetime), policy.Effect(effect), a.user)
	if err != nil {
		return RememberPreview{}, err
	}
	return RememberPreview{Rule: r, Description: r.Description(), Matches: m}, nil
}

// Remember saves the person's decision on proposal id as a rule with scope
// and lifetime, and returns the rule in plain words.
func (a *App) Remember(id, scope, lifetime string) (string, error) {
	r, err := a.core.Remember(a.ctx, id, policy.Scope(scope), policy.Lifetime(lifetime), a.user)
	if err != nil {
		return "", err
	}
	return r.Description(), nil
}

// RevokeRule removes a rule the person made.
func (a *App) RevokeRule(id string) error { return a.core.RevokeRule(a.ctx, id, a.user) }

// ApplyRole sets the preset of role (viewer, editor, organizer) for a workspace folder.
func (a *App) ApplyRole(role, workspace string) error {
	return a.core.ApplyRole(a.ctx, policy.Role(role), workspace, a.user)
}

// SetBudget sets an agent's hourly budget ("" for every agent without one).
func (a *App) SetBudget(agent string, b policy.Budget) error {
	return a.core.SetBudget(a.ctx, agent, b, a.user)
}

// AcceptRulesFile applies the rules file as changed outside the window, if
// it is still what the person reviewed (sha256).
func (a *App) AcceptRulesFile(sha256 string) error {
	return a.core.AcceptRulesFile(a.ctx, sha256, a.user)
}

// RejectRulesFile puts the accepted rules back into the rules file.
func (a *App) RejectRulesFile() error { return a.core.RejectRulesFile(a.ctx) }

// SetPaused pauses or resumes every agent.
func (a *App) SetPaused(paused bool) error { return a.core.SetPaused(a.ctx, paused, a.user) }
