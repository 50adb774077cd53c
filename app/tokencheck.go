package app

import (
	"context"

	"countersign/backend/intent"
	"countersign/backend/proposal"
)

// TokenCheck says whether a decision's intent token is genuine: signed by a
// key Countersign knows and stating this proposal (and, in the detail view,
// exactly its decided actions). It is checked whenever a view is built, so a
// token edited in the database shows as not verified.
type TokenCheck struct {
	Present  bool   `json:"present"`            // the decision carries a token
	Verified bool   `json:"verified"`           // the token verifies
	Problem  string `json:"problem,omitempty"`  // why it does not verify
	Decision string `json:"decision,omitempty"` // the verdict the token states
}

// checkToken verifies token for proposal id. With p, it also matches the
// token against the stored proposal, as the executor does (the clock is not
// checked: an old token stays genuine).
func (a *App) checkToken(ctx context.Context, id, token string, p *proposal.Proposal) TokenCheck {
	if token == "" {
		return TokenCheck{}
	}
	tc := TokenCheck{Present: true}
	if a.core.Keys == nil {
		tc.Problem = "no signing key is loaded to check it with"
		return tc
	}
	keys, err := a.core.Keys.Keys()
	if err != nil {
		tc.Problem = err.Error()
		return tc
	}
	c, err := intent.Inspect(token, keys)
	if err != nil {
		tc.Problem = err.Error()
		return tc
	}
	tc.Decision = string(c.Decision)
	if c.ProposalID != id {
		tc.Problem = "the token names another proposal"
		return tc
	}
	if p != nil {
		eff := *p
		if edited, ok, err := a.core.Store.GetEdited(ctx, id); err == nil && ok && len(edited) == len(p.Actions) {
			eff.Actions = edited
		}
		hashes := map[int]string{}
		for _, ca := range c.Actions {
			if ca.TargetSHA256 != "" {
				hashes[ca.Index] = ca.TargetSHA256
			}
		}
		if err := intent.MatchProposal(c, &eff, c.Indexes(), hashes); err != nil {
			tc.Problem = err.Error()
			return tc
		}
	}
	tc.Verified = true
	return tc
}
