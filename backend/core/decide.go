package core

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"countersign/backend/errs"
	"countersign/backend/intent"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// OpenKeystore opens the signing key of kind k (the OS keyring by default),
// creating it on first use. It never falls back to a weaker store.
func OpenKeystore(k keystore.Kind, dataDir string, now func() time.Time) (*keystore.Keystore, error) {
	b, err := keystore.NewBackend(k, dataDir)
	if err != nil {
		return nil, err
	}
	return keystore.Open(b, keystore.Options{DataDir: dataDir, Now: now})
}

// Decision is what the person decided, as the UI reports it.
type Decision struct {
	Verdict   proposal.Verdict
	Reason    string
	DecidedBy string
}

// Decide signs the person's decision as an intent token and records both.
// The token binds the exact actions, their content and the SHA-256 of every
// target file as it is now, which is what the person saw. Without a working
// keystore nothing is decided.
// While agents are paused, approvals are refused (ErrPaused).
func (c *Core) Decide(ctx context.Context, id string, d Decision) (*proposal.Proposal, error) {
	return c.decide(ctx, id, d, false)
}

// decide is Decide; byRule is set when a rule decides, which is not refused
// by the pause (Screen denies everything while paused).
func (c *Core) decide(ctx context.Context, id string, d Decision, byRule bool) (*proposal.Proposal, error) {
	if !byRule && strings.HasPrefix(d.DecidedBy, DeciderPrefix) {
		return nil, errs.Wrap(errs.CodeInvalid, fmt.Errorf("decided_by %q is reserved for rules", d.DecidedBy))
	}
	if d.Verdict.Approves() && c.Paused() {
		return nil, ErrPaused
	}
	if c.Keys == nil {
		return nil, errs.Wrap(errs.CodeUnavailable, fmt.Errorf("decisions are disabled until the signing key is available: %w", c.KeyErr))
	}
	p, err := c.Queue.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != proposal.StatusPending {
		// Let the queue report the state conflict in its own words.
		return c.Queue.Decide(ctx, id, proposal.Decision{Verdict: d.Verdict, Reason: d.Reason, DecidedBy: d.DecidedBy})
	}
	var hashes map[int]string
	if d.Verdict.Approves() {
		if hashes, err = TargetHashes(p); err != nil {
			return nil, errs.Wrap(errs.CodeConflict, err)
		}
	}
	token, err := c.sign(intent.Request{Proposal: p, Verdict: d.Verdict, Reason: d.Reason,
		DecidedBy: d.DecidedBy, TargetHashes: hashes})
	if err != nil {
		return nil, err
	}
	out, err := c.Queue.Decide(ctx, id, proposal.Decision{Verdict: d.Verdict, Reason: d.Reason, DecidedBy: d.DecidedBy, Token: token})
	if err == nil {
		c.launch(out)
	}
	return out, err
}

// sign issues the intent token of a decision, now, with the current key.
func (c *Core) sign(r intent.Request) (string, error) {
	r.Now = c.now()
	claims, err := intent.NewClaims(r)
	if err != nil {
		return "", err
	}
	signer, err := c.Keys.Signer()
	if err != nil {
		return "", errs.Wrap(errs.CodeUnavailable, err)
	}
	return intent.Issue(signer, claims)
}

// TargetHashes hashes every target file of p's actions as it is now: the hex
// SHA-256, or intent.TargetAbsent for a file that does not exist.
func TargetHashes(p *proposal.Proposal) (map[int]string, error) {
	hashes := map[int]string{}
	for i, a := range p.Actions {
		if !intent.HasTargetFile(a.Kind) {
			continue
		}
		path := a.Path
		if !filepath.IsAbs(path) {
			path = filepath.Join(p.Workspace, path)
		}
		h, err := intent.HashTargetFile(path)
		if err != nil {
			return nil, fmt.Errorf("action %d: cannot read the target as it is now: %w", i+1, err)
		}
		hashes[i] = h
	}
	return hashes, nil
}
