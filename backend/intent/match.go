package intent

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"time"

	"countersign/backend/proposal"
)

// Request is a decision to turn into claims.
type Request struct {
	// Proposal holds the actions as they will run: for approve-edited, the
	// edited actions.
	Proposal  *proposal.Proposal
	Verdict   proposal.Verdict
	Reason    string // why, optional
	DecidedBy string // the OS user
	// Approved lists the approved action indexes. approve: nil or every
	// index. approve-edited: nil (every index) or a non-empty subset.
	// approve-part: a non-empty subset. deny: empty.
	Approved []int
	// TargetHashes maps the index of every approved action whose kind has a
	// target file (HasTargetFile) to that file's hex SHA-256 as previewed,
	// or TargetAbsent when it did not exist (HashTargetFile computes both).
	// Other indexes must not be in it.
	TargetHashes map[int]string
	Now          time.Time     // iat
	TTL          time.Duration // exp - iat; DefaultTTL when zero, at most MaxLifetime
	Rand         io.Reader     // for jti and nonce; crypto/rand when nil
}

// NewClaims builds the claims for a decision, with a fresh random jti and
// nonce, checked as Issue will check them.
func NewClaims(r Request) (Claims, error) {
	bad := func(field, format string, args ...any) error {
		e := fail(ReasonInvalidClaims, field, format, args...)
		e.issuing = true
		return e
	}
	p := r.Proposal
	if p == nil {
		return Claims{}, bad("proposal_id", "no proposal")
	}
	ttl := r.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < time.Second || ttl > MaxLifetime {
		return Claims{}, bad("exp", "lifetime %s is not between 1s and %s", ttl, MaxLifetime)
	}
	all := make([]int, len(p.Actions))
	for i := range all {
		all[i] = i
	}
	approved := slices.Clone(r.Approved)
	slices.Sort(approved)
	switch r.Verdict {
	case proposal.VerdictDeny:
		if len(approved) != 0 {
			return Claims{}, bad("actions", "a denial approves no actions, but %v were given", approved)
		}
	case proposal.VerdictApprove:
		if approved == nil {
			approved = all
		} else if !slices.Equal(approved, all) {
			return Claims{}, bad("actions", "approve covers every action %v, not %v; use %s", all, approved, proposal.VerdictApprovePart)
		}
	case proposal.VerdictApproveEdited, proposal.VerdictApprovePart:
		if approved == nil && r.Verdict == proposal.VerdictApproveEdited {
			approved = all
		}
		if len(approved) == 0 {
			return Claims{}, bad("actions", "%s needs at least one approved action", r.Verdict)
		}
	default:
		return Claims{}, bad("decision", "unknown decision %q", r.Verdict)
	}
	for i, idx := range approved {
		if idx < 0 || idx >= len(p.Actions) {
			return Claims{}, bad("actions", "action %d does not exist (the proposal has %d)", idx, len(p.Actions))
		}
		if i > 0 && idx == approved[i-1] {
			return Claims{}, bad("actions", "action %d is listed twice", idx)
		}
	}
	rnd := r.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	var buf [32]byte
	if _, err := io.ReadFull(rnd, buf[:]); err != nil {
		return Claims{}, fmt.Errorf("intent: randomness: %w", err)
	}
	iat := r.Now.Unix()
	c := Claims{
		Version:    Version,
		ID:         base64.RawURLEncoding.EncodeToString(buf[:16]),
		ProposalID: p.ID,
		AgentID:    p.AgentID,
		Workspace:  p.Workspace,
		Summary:    p.Summary,
		Actions:    expectedActions(p, approved, r.TargetHashes),
		Decision:   r.Verdict,
		Reason:     r.Reason,
		DecidedBy:  r.DecidedBy,
		IssuedAt:   iat,
		ExpiresAt:  iat + int64(ttl/time.Second),
		Nonce:      base64.RawURLEncoding.EncodeToString(buf[16:]),
	}
	if err := c.check(); err != nil {
		err.issuing = true
		return Claims{}, err
	}
	return c, nil
}

// expectedActions states the actions at the sorted indexes approved.
func expectedActions(p *proposal.Proposal, approved []int, targetHashes map[int]string) []Action {
	out := make([]Action, 0, len(approved))
	for _, idx := range approved {
		a := p.Actions[idx]
		target, content := ActionDigest(a)
		out = append(out, Action{Index: idx, Kind: a.Kind, Target: target, TargetSHA256: targetHashes[idx], ContentSHA256: content})
	}
	return out
}

// MatchProposal checks that verified claims c authorise exactly the stored
// proposal p: its id, agent, workspace and summary; its decision if p has
// one; the approved action indexes approvedIdx (any order); and for each of
// them the kind, target and content digest (ActionDigest of the action in p)
// and the target file hash targetHashes gives (missing means ""). The error
// names the first field that differs.
func MatchProposal(c *Claims, p *proposal.Proposal, approvedIdx []int, targetHashes map[int]string) error {
	mismatch := func(field, format string, args ...any) error {
		return fail(ReasonMismatch, field, format, args...)
	}
	for _, f := range []struct{ name, got, want string }{
		{"proposal_id", c.ProposalID, p.ID},
		{"agent_id", c.AgentID, p.AgentID},
		{"workspace", c.Workspace, p.Workspace},
		{"summary", c.Summary, p.Summary},
	} {
		if f.got != jsonText(f.want) {
			return mismatch(f.name, "%s differs: the token has %q, the stored proposal %q", f.name, f.got, f.want)
		}
	}
	if d := p.Decision; d != nil {
		if c.Decision != d.Verdict {
			return mismatch("decision", "decision differs: the token has %s, the stored decision %s", c.Decision, d.Verdict)
		}
		if c.DecidedBy != jsonText(d.DecidedBy) {
			return mismatch("decided_by", "decided_by differs: the token has %q, the stored decision %q", c.DecidedBy, d.DecidedBy)
		}
	}
	want := slices.Clone(approvedIdx)
	slices.Sort(want)
	if got := c.Indexes(); !slices.Equal(got, want) {
		return mismatch("actions", "the token approves actions %v, the stored decision approves %v", got, want)
	}
	for i, ca := range c.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		if ca.Index >= len(p.Actions) {
			return mismatch(f+".index", "action %d does not exist in the stored proposal (it has %d)", ca.Index, len(p.Actions))
		}
		e := expectedActions(p, []int{ca.Index}, targetHashes)[0]
		switch {
		case ca.Kind != e.Kind:
			return mismatch(f+".kind", "action %d kind differs: the token has %s, the stored proposal %s", ca.Index, ca.Kind, e.Kind)
		case ca.Target != e.Target:
			return mismatch(f+".target", "action %d target differs: the token has %q, the stored proposal %q", ca.Index, ca.Target, e.Target)
		case ca.ContentSHA256 != e.ContentSHA256:
			return mismatch(f+".content_sha256", "action %d content differs from the stored proposal", ca.Index)
		case ca.TargetSHA256 != e.TargetSHA256:
			return mismatch(f+".target_sha256", "action %d target file differs from the one previewed: the token has %q, now %q",
				ca.Index, ca.TargetSHA256, e.TargetSHA256)
		}
	}
	return nil
}
