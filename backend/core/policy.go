package core

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"countersign/backend/errs"
	"countersign/backend/policy"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// RulesFile is the rules file in the data directory. The person's accepted
// rule sets are kept, signed, in the database; this file mirrors the newest
// one so it can be read and backed up. A change to it made outside the
// window (by an agent, say) applies nothing until the person accepts it.
const RulesFile = "rules.json"

// Who decides what no person decided.
const (
	// DeciderPrefix starts the decided_by of every decision a rule made
	// (store.RuleDeciderPrefix): "rule:" and the deciding rule ids.
	DeciderPrefix = store.RuleDeciderPrefix
	// DeciderPause decides, as deny, every proposal made while agents are paused.
	DeciderPause = DeciderPrefix + "pause"
	// settingPaused holds when agents were paused (RFC 3339), "" when they are not.
	settingPaused = "consent.paused_since"
	// rulesSignContext is signed with the hash of an accepted rule set.
	rulesSignContext = "countersign rules v1\n"
	// rememberHistory is how many recent decided proposals a rule about to be
	// remembered is matched against, to show the person what it would have done.
	rememberHistory = 300
	// budgetWindow is the span an agent's budget counts.
	budgetWindow = time.Hour
)

// EventPolicy tells the UI that the rules, the pending rules file or the
// pause changed; it carries no proposal.
const EventPolicy queue.EventType = "policy.changed"

// RuleSet is the content of the rules file.
type RuleSet struct {
	Version int                      `json:"version"`
	Rules   []policy.Rule            `json:"rules"`
	Budgets map[string]policy.Budget `json:"budgets,omitempty"`
}

// consent is the policy state of a Core.
type consent struct {
	mu        sync.RWMutex
	opts      policy.Options // without budgets; see build
	engine    *policy.Engine
	accepted  RuleSet
	version   store.PolicyVersion // the newest accepted rule set; zero when none
	session   []policy.Rule       // remembered until Countersign quits; never saved
	spent     map[string]bool     // once-rules that decided already
	problem   string              // why the accepted rules could not be applied, if so
	pending   *PendingRules       // the rules file as changed outside the window
	pausedAt  time.Time           // zero when agents are not paused
	watcher   *fsnotify.Watcher
	watchDone chan struct{}
}

// PendingRules is a rules file that differs from the accepted rule set.
type PendingRules struct {
	SHA256  string   `json:"sha256"` // of the file, to accept exactly what was shown
	Added   []string `json:"added"`  // rules in plain words
	Removed []string `json:"removed"`
	Budgets bool     `json:"budgets_changed"`
	Error   string   `json:"error,omitempty"` // why the file cannot be applied as it is
	Text    string   `json:"text"`            // the file, bounded
}

// RuleView is one rule as the rules screen shows it.
type RuleView struct {
	ID          string        `json:"id"`
	Effect      policy.Effect `json:"effect"`
	Description string        `json:"description"`
	Builtin     bool          `json:"builtin"`
	Session     bool          `json:"session"`
	Once        bool          `json:"once"`
	Spent       bool          `json:"spent"`   // a once-rule that decided already
	Expired     bool          `json:"expired"` // past its expiry
	CreatedBy   string        `json:"created_by,omitempty"`
	CreatedAt   time.Time     `json:"created_at,omitzero"`
	ExpiresAt   time.Time     `json:"expires_at,omitzero"`
	Uses        int           `json:"uses"`
	LastUsed    time.Time     `json:"last_used,omitzero"`
}

// PolicyState is everything the rules screen shows.
type PolicyState struct {
	Rules      []RuleView               `json:"rules"`
	Budgets    map[string]policy.Budget `json:"budgets"`
	Roles      []policy.RoleInfo        `json:"roles"`
	Paused     bool                     `json:"paused"`
	PausedAt   time.Time                `json:"paused_at,omitzero"`
	Pending    *PendingRules            `json:"pending,omitempty"`
	Problem    string                   `json:"problem,omitempty"`
	Version    int64                    `json:"version"`
	AcceptedAt time.Time                `json:"accepted_at,omitzero"`
	AcceptedBy string                   `json:"accepted_by,omitempty"`
}

// openPolicy loads the accepted rules and the pause; it never fails Open:
// what cannot be loaded leaves only the built-in denies, so every proposal
// is asked (fail closed), and Problem says why.
func (c *Core) openPolicy(ctx context.Context) {
	opts, err := policy.DefaultOptions(c.DataDir)
	if err != nil {
		opts = policy.Options{DataDir: c.DataDir}
		c.logf("policy: %v", err)
	}
	c.policy.opts = opts
	c.policy.spent = map[string]bool{}
	if uses, err := c.Store.RuleUses(ctx); err == nil {
		for id := range uses {
			c.policy.spent[id] = true // only once-rules consult this
		}
	}
	c.loadAccepted(ctx)
	if v, err := c.Store.Settings(ctx); err == nil && v[settingPaused] != "" {
		at, perr := time.Parse(time.RFC3339Nano, v[settingPaused])
		if perr != nil {
			at = c.now()
		}
		c.policy.pausedAt = at
		if err := c.Queue.Hold(ctx, true, at); err != nil {
			c.logf("policy: hold the queue: %v", err)
		}
	}
	c.checkRulesFile()
}

// loadAccepted reads and verifies the newest accepted rule set and builds
// the engine from it.
func (c *Core) loadAccepted(ctx context.Context) {
	p := &c.policy
	p.accepted, p.version, p.problem = RuleSet{Version: 1}, store.PolicyVersion{}, ""
	vs, err := c.Store.LatestPolicyVersions(ctx, 1)
	switch {
	case err != nil:
		p.problem = fmt.Sprintf("the rules could not be read (%v); every proposal is asked", err)
	case len(vs) == 1:
		if err := c.verifyVersion(vs[0]); err != nil {
			p.problem = fmt.Sprintf("the stored rules fail their signature check (%v): they were changed outside Countersign, so none is applied and every proposal is asked", err)
			break
		}
		var rs RuleSet
		if err := json.Unmarshal([]byte(vs[0].Body), &rs); err != nil {
			p.problem = fmt.Sprintf("the stored rules cannot be read (%v); every proposal is asked", err)
			break
		}
		p.accepted, p.version = rs, vs[0]
	}
	if err := c.rebuild(); err != nil {
		p.problem = fmt.Sprintf("the rules cannot be applied (%v); every proposal is asked", err)
		p.accepted = RuleSet{Version: 1}
		c.rebuild()
	}
}

// rebuild compiles the engine from the accepted and session rules; the
// caller holds the write lock or owns c exclusively.
func (c *Core) rebuild() error {
	p := &c.policy
	opts := p.opts
	opts.Budgets = p.accepted.Budgets
	var rules []policy.Rule
	for _, r := range slices.Concat(p.accepted.Rules, p.session) {
		if r.Once && p.spent[r.ID] {
			continue
		}
		rules = append(rules, r)
	}
	e, err := policy.NewEngine(opts, rules)
	if err != nil {
		if p.engine == nil || len(rules) == 0 {
			p.engine, _ = policy.NewEngine(opts, nil)
		}
		return err
	}
	p.engine = e
	return nil
}

func (c *Core) verifyVersion(v store.PolicyVersion) error {
	sum := sha256.Sum256([]byte(v.Body))
	if hex.EncodeToString(sum[:]) != v.SHA256 {
		return errors.New("the rules do not match their hash")
	}
	if c.Keys == nil {
		return fmt.Errorf("the signing key is unavailable: %w", c.KeyErr)
	}
	keys, err := c.Keys.Keys()
	if err != nil {
		return err
	}
	pub, _, ok := keys.PublicKey(v.KeyID)
	if !ok {
		return fmt.Errorf("unknown key %q", v.KeyID)
	}
	sig, err := base64.StdEncoding.DecodeString(v.Signature)
	if err != nil || !ed25519.Verify(pub, []byte(rulesSignContext+v.SHA256), sig) {
		return errors.New("bad signature")
	}
	return nil
}

// saveRules signs and stores rs as the new accepted rule set, mirrors it to
// the rules file and applies it. e is the event recorded with it.
// The caller holds c.policy.mu for writing.
func (c *Core) saveRules(ctx context.Context, rs RuleSet, by string, e store.Event) error {
	if c.Keys == nil {
		return errs.Wrap(errs.CodeUnavailable, fmt.Errorf("rules cannot be changed until the signing key is available: %w", c.KeyErr))
	}
	now := c.now()
	// Spent once-rules and rules long expired are dropped from the new set.
	rs.Version = 1
	rs.Rules = slices.DeleteFunc(slices.Clone(rs.Rules), func(r policy.Rule) bool {
		return (r.Once && c.policy.spent[r.ID]) || (!r.ExpiresAt.IsZero() && now.Sub(r.ExpiresAt) > 24*time.Hour)
	})
	opts := c.policy.opts
	opts.Budgets = rs.Budgets
	if _, err := policy.NewEngine(opts, rs.Rules); err != nil {
		return errs.Wrap(errs.CodeInvalid, err)
	}
	body, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	signer, err := c.Keys.Signer()
	if err != nil {
		return errs.Wrap(errs.CodeUnavailable, err)
	}
	sig, err := signer.Sign(nil, []byte(rulesSignContext+hash), crypto.Hash(0))
	if err != nil {
		return errs.Wrap(errs.CodeUnavailable, err)
	}
	v := store.PolicyVersion{At: now, AcceptedBy: by, SHA256: hash, Body: string(body), KeyID: signer.KeyID(),
		Signature: base64.StdEncoding.EncodeToString(sig)}
	if e.At.IsZero() {
		e.At = now
	}
	if e.Data == nil {
		e.Data, _ = json.Marshal(map[string]any{"rules_sha256": hash, "by": by})
	}
	if v.Seq, err = c.Store.AddPolicyVersion(ctx, v, e); err != nil {
		return err
	}
	c.policy.accepted, c.policy.version, c.policy.problem = rs, v, ""
	if err := c.rebuild(); err != nil {
		c.policy.problem = err.Error()
	}
	if err := writeFileAtomic(filepath.Join(c.DataDir, RulesFile), body); err != nil {
		c.logf("policy: mirror the rules file: %v", err)
	}
	c.policy.pending = nil
	return nil
}

// writeFileAtomic replaces path with data (0600) through a synced temporary file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".rules-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// maxRulesFile bounds what is read of a rules file changed outside the window.
const maxRulesFile = 4 << 20

// checkRulesFile compares the rules file with the accepted rule set and
// records the difference as pending; it reports whether that changed.
func (c *Core) checkRulesFile() bool {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	before := c.policy.pending
	c.policy.pending = c.readPending()
	switch {
	case before == nil && c.policy.pending == nil:
		return false
	case before != nil && c.policy.pending != nil:
		return before.SHA256 != c.policy.pending.SHA256
	}
	return true
}

// readPending reads the rules file; nil when it matches the accepted set
// (or is missing and there is nothing accepted, or is missing and is then
// restored from the accepted set).
func (c *Core) readPending() *PendingRules {
	path := filepath.Join(c.DataDir, RulesFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if c.policy.version.Body != "" {
			if err := writeFileAtomic(path, []byte(c.policy.version.Body)); err != nil {
				c.logf("policy: restore the rules file: %v", err)
			}
		}
		return nil
	}
	if err != nil {
		return &PendingRules{Error: "the rules file cannot be read: " + err.Error()}
	}
	defer f.Close()
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(f, maxRulesFile+1))
	if err != nil {
		return &PendingRules{Error: "the rules file cannot be read: " + err.Error()}
	}
	body := buf.Bytes()
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if hash == c.policy.version.SHA256 {
		return nil
	}
	pr := &PendingRules{SHA256: hash, Text: truncateText(string(body), 64<<10)}
	if n > maxRulesFile {
		pr.Error = fmt.Sprintf("the rules file is larger than %d bytes", maxRulesFile)
		return pr
	}
	var rs RuleSet
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		pr.Error = "the rules file is not valid: " + err.Error()
		return pr
	}
	opts := c.policy.opts
	opts.Budgets = rs.Budgets
	if _, err := policy.NewEngine(opts, rs.Rules); err != nil {
		pr.Error = "the rules file cannot be applied: " + err.Error()
	}
	old := map[string]string{}
	for _, r := range c.policy.accepted.Rules {
		b, _ := json.Marshal(r)
		old[r.ID] = string(b)
	}
	for _, r := range rs.Rules {
		b, _ := json.Marshal(r)
		if o, ok := old[r.ID]; ok && o == string(b) {
			delete(old, r.ID)
			continue
		}
		pr.Added = append(pr.Added, r.Description())
	}
	for _, r := range c.policy.accepted.Rules {
		if _, ok := old[r.ID]; ok {
			pr.Removed = append(pr.Removed, r.Description())
		}
	}
	ob, _ := json.Marshal(c.policy.accepted.Budgets)
	nb, _ := json.Marshal(rs.Budgets)
	pr.Budgets = string(ob) != string(nb)
	return pr
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n… (truncated)"
}

// watchRules reports changes to the rules file to the UI until Close.
func (c *Core) watchRules() {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		c.logf("policy: cannot watch the rules file: %v", err)
		return
	}
	if err := w.Add(c.DataDir); err != nil {
		w.Close()
		c.logf("policy: cannot watch the rules file: %v", err)
		return
	}
	c.policy.watcher, c.policy.watchDone = w, make(chan struct{})
	go func() {
		defer close(c.policy.watchDone)
		for {
			select {
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Base(ev.Name) == RulesFile && c.checkRulesFile() {
					c.emitPolicy()
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
}

func (c *Core) stopWatchingRules() {
	if c.policy.watcher != nil {
		c.policy.watcher.Close()
		<-c.policy.watchDone
		c.policy.watcher = nil
	}
}

func (c *Core) emitPolicy() {
	if c.emit != nil {
		c.emit(queue.Event{Type: EventPolicy, At: c.now()})
	}
}

// Submit queues p, screened by the person's rules: while agents are paused
// it is denied; a deny rule denies it; if rules allow every target (within
// the agent's budget) it is approved and carried out through the same signed,
// undoable path as a person's approval; otherwise it waits for the person.
// The evaluation is stored with the proposal, in the same transaction. It
// returns the proposal as it then is; when a rule's decision cannot be made
// (no signing key, say) the proposal stays pending, for the person.
func (c *Core) Submit(ctx context.Context, p proposal.Proposal) (*proposal.Proposal, error) {
	var d policy.Decision
	stored, err := c.Queue.SubmitWith(ctx, p, func(p *proposal.Proposal) []store.Event {
		var ev store.Event
		d, ev = c.evaluate(ctx, p)
		return []store.Event{ev}
	})
	if err != nil {
		return nil, err
	}
	return c.settle(context.WithoutCancel(ctx), stored, d), nil
}

// evaluate decides p by the pause and the rules, and returns the decision
// with the event that records it.
func (c *Core) evaluate(ctx context.Context, p *proposal.Proposal) (policy.Decision, store.Event) {
	now := c.now()
	var d policy.Decision
	c.policy.mu.RLock()
	paused, engine, seq := !c.policy.pausedAt.IsZero(), c.policy.engine, c.policy.version.Seq
	budgeted := len(c.policy.accepted.Budgets) > 0
	c.policy.mu.RUnlock()
	if paused {
		d = policy.Decision{Outcome: policy.OutcomeDeny, DecidedBy: []string{"pause"},
			Reasons: []string{"Countersign is paused: every agent is stopped until the person resumes them"}}
	} else {
		var in policy.Input
		in.Now = now
		if budgeted {
			u, err := c.Store.AgentUsage(ctx, p.AgentID, now.Add(-budgetWindow))
			if err != nil {
				c.logf("policy: budget usage of %s: %v", p.AgentID, err)
				u = store.Usage{Writes: 1 << 30, Deletes: 1 << 30, Bytes: 1 << 62} // unknown usage is never within budget
			}
			in.Usage = policy.Usage{Writes: u.Writes, Deletes: u.Deletes, Bytes: u.Bytes}
		}
		d = engine.Evaluate(p, in)
	}
	// What the audit record needs: the outcome, the deciding rules and why.
	// The targets are the proposal's own (in its "proposed" record), and an
	// ask has no reasons worth the cost of redacting them on every submission.
	rec := evaluationRecord{Outcome: d.Outcome, DecidedBy: d.DecidedBy, RulesVersion: seq}
	if d.Outcome != policy.OutcomeAsk {
		rec.Reasons = d.Reasons
		for _, t := range d.Targets {
			if t.Outcome == d.Outcome {
				rec.Targets = append(rec.Targets, t)
			}
		}
	}
	ev := store.Event{At: now, Type: store.EventPolicyEvaluated}
	ev.Data, _ = json.Marshal(rec)
	return d, ev
}

// evaluationRecord is the data of a policy.evaluated event.
type evaluationRecord struct {
	Outcome      policy.Outcome          `json:"outcome"`
	DecidedBy    []string                `json:"decided_by,omitempty"`
	Reasons      []string                `json:"reasons,omitempty"`
	Targets      []policy.TargetDecision `json:"targets,omitempty"` // those that decided the outcome
	RulesVersion int64                   `json:"rules_version"`
}

// settle acts on the rules' decision about a proposal just stored.
func (c *Core) settle(ctx context.Context, p *proposal.Proposal, d policy.Decision) *proposal.Proposal {
	if p == nil || p.Status != proposal.StatusPending {
		return p
	}
	if len(d.Used) > 0 {
		c.policy.mu.Lock()
		for _, id := range d.Used {
			c.policy.spent[id] = true
		}
		if err := c.rebuild(); err != nil {
			c.logf("policy: retire once-rules: %v", err)
		}
		c.policy.mu.Unlock()
		c.emitPolicy()
	}
	var verdict proposal.Verdict
	switch d.Outcome {
	case policy.OutcomeDeny:
		verdict = proposal.VerdictDeny
	case policy.OutcomeAllow:
		verdict = proposal.VerdictApprove
	default:
		return p
	}
	var approved *store.Usage
	if d.Outcome == policy.OutcomeAllow {
		u := policy.UsageOf(p)
		approved = &store.Usage{Writes: u.Writes, Deletes: u.Deletes, Bytes: u.Bytes}
	}
	// The use is counted before the decision: a budget is never exceeded
	// because its usage was not yet written.
	if err := c.Store.RecordRuleUse(ctx, p.ID, p.AgentID, c.now(), d.DecidedBy, approved); err != nil {
		c.logf("policy: record the rules' use for %s: %v; it is left for the person", p.ID, err)
		return p
	}
	out, err := c.decide(ctx, p.ID, Decision{Verdict: verdict, Reason: strings.Join(d.Reasons, "; "), DecidedBy: decider(d.DecidedBy)}, true)
	if err != nil {
		c.logf("policy: %s %s by rule: %v; it is left for the person", verdict, p.ID, err)
		return p
	}
	return out
}

// decider names the rules that decided, as a decided_by.
func decider(ids []string) string {
	trimmed := make([]string, len(ids))
	for i, id := range ids {
		trimmed[i] = strings.TrimPrefix(id, DeciderPrefix)
	}
	return DeciderPrefix + strings.Join(trimmed, ",")
}

// Paused reports whether agents are paused.
func (c *Core) Paused() bool {
	c.policy.mu.RLock()
	defer c.policy.mu.RUnlock()
	return !c.policy.pausedAt.IsZero()
}

// ErrPaused refuses an approval while agents are paused.
var ErrPaused = errs.Wrap(errs.CodeConflict, errors.New("Countersign is paused: resume agents before approving anything"))

// SetPaused pauses or resumes every agent (the kill switch). While paused,
// new proposals are denied, pending ones are held (they do not expire and
// cannot be approved) and the pause lasts across restarts. by names who did it.
func (c *Core) SetPaused(ctx context.Context, paused bool, by string) error {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if paused == !c.policy.pausedAt.IsZero() {
		return nil
	}
	now := c.now()
	value := ""
	if paused {
		value = now.UTC().Format(time.RFC3339Nano)
	}
	data, _ := json.Marshal(map[string]any{"paused": paused, "by": by})
	if err := c.Store.SaveSettings(ctx, map[string]string{settingPaused: value},
		store.Event{At: now, Type: store.EventSettingsChanged, Data: data, UserID: by}); err != nil {
		return err
	}
	if err := c.Queue.Hold(ctx, paused, now); err != nil {
		return err
	}
	if paused {
		c.policy.pausedAt = now
	} else {
		c.policy.pausedAt = time.Time{}
	}
	go c.emitPolicy()
	return nil
}

// PolicyState returns the rules, their use and the pending rules file.
func (c *Core) PolicyState(ctx context.Context) (PolicyState, error) {
	uses, err := c.Store.RuleUses(ctx)
	if err != nil {
		return PolicyState{}, err
	}
	now := c.now()
	c.policy.mu.RLock()
	defer c.policy.mu.RUnlock()
	st := PolicyState{Budgets: c.policy.accepted.Budgets, Roles: policy.Roles, Paused: !c.policy.pausedAt.IsZero(),
		PausedAt: c.policy.pausedAt, Pending: c.policy.pending, Problem: c.policy.problem, Version: c.policy.version.Seq,
		AcceptedAt: c.policy.version.At, AcceptedBy: c.policy.version.AcceptedBy, Rules: []RuleView{}}
	if st.Budgets == nil {
		st.Budgets = map[string]policy.Budget{}
	}
	for _, r := range c.policy.engine.Rules() {
		u := uses[r.ID]
		st.Rules = append(st.Rules, RuleView{ID: r.ID, Effect: r.Effect, Description: r.Description(), Builtin: r.Builtin(),
			Session: r.Session, Once: r.Once, Expired: !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt),
			CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, Uses: u.Uses, LastUsed: u.LastUsed})
	}
	for _, r := range c.policy.accepted.Rules { // spent once-rules are not in the engine
		if r.Once && c.policy.spent[r.ID] {
			u := uses[r.ID]
			st.Rules = append(st.Rules, RuleView{ID: r.ID, Effect: r.Effect, Description: r.Description(), Once: true, Spent: true,
				CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, Uses: u.Uses, LastUsed: u.LastUsed})
		}
	}
	return st, nil
}

// RememberPreview builds the rule that remembering the decision on proposal
// id with scope and lifetime would save, and lists the recent proposals it
// would have decided. effect is allow or deny.
func (c *Core) RememberPreview(ctx context.Context, id string, scope policy.Scope, lifetime policy.Lifetime, effect policy.Effect, by string) (policy.Rule, []queue.Summary, error) {
	p, err := c.Queue.Get(ctx, id)
	if err != nil {
		return policy.Rule{}, nil, err
	}
	r, err := policy.RuleFromDecision(p, scope, lifetime, effect, by, c.now())
	if err != nil {
		return policy.Rule{}, nil, errs.Wrap(errs.CodeInvalid, err)
	}
	recent, err := c.Store.ListDecided(ctx, 0, rememberHistory)
	if err != nil {
		return policy.Rule{}, nil, err
	}
	var history []*proposal.Proposal
	byID := map[string]store.Summary{}
	for _, s := range recent {
		if s.ID == id {
			continue
		}
		hp, err := c.Store.GetProposal(ctx, s.ID)
		if err != nil {
			continue
		}
		history = append(history, hp)
		byID[s.ID] = s
	}
	matched := []queue.Summary{}
	for _, mid := range policy.Matches(r, history) {
		for _, hp := range history {
			if hp.ID == mid {
				matched = append(matched, queue.SummaryOf(hp))
			}
		}
	}
	return r, matched, nil
}

// Remember saves, as a rule, the person's decision on proposal id: allow
// after an approval, deny after a denial. Only a decision a person made can
// be remembered; a proposal that expired or that a rule decided makes none.
func (c *Core) Remember(ctx context.Context, id string, scope policy.Scope, lifetime policy.Lifetime, by string) (policy.Rule, error) {
	p, err := c.Queue.Get(ctx, id)
	if err != nil {
		return policy.Rule{}, err
	}
	if p.Decision == nil || p.Status == proposal.StatusPending || p.Status == proposal.StatusExpired || p.Status == proposal.StatusWithdrawn {
		return policy.Rule{}, errs.Wrap(errs.CodeConflict, fmt.Errorf("proposal %s has no decision by a person to remember (it is %s)", id, p.Status))
	}
	if strings.HasPrefix(p.Decision.DecidedBy, DeciderPrefix) {
		return policy.Rule{}, errs.Wrap(errs.CodeConflict, fmt.Errorf("proposal %s was decided by a rule, not a person", id))
	}
	effect := policy.EffectDeny
	if p.Decision.Verdict.Approves() {
		effect = policy.EffectAllow
	}
	r, err := policy.RuleFromDecision(p, scope, lifetime, effect, by, c.now())
	if err != nil {
		return policy.Rule{}, errs.Wrap(errs.CodeInvalid, err)
	}
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if r.Session {
		c.policy.session = append(c.policy.session, r)
		if err := c.rebuild(); err != nil {
			c.policy.session = c.policy.session[:len(c.policy.session)-1]
			c.rebuild()
			return policy.Rule{}, errs.Wrap(errs.CodeInvalid, err)
		}
		data, _ := json.Marshal(map[string]any{"rule": r, "description": r.Description()})
		if err := c.Store.AppendEvents(ctx, []store.Event{{At: c.now(), Type: store.EventRuleCreated, ProposalID: id, AgentID: p.AgentID, Data: data, UserID: by}}); err != nil {
			c.logf("policy: record a session rule: %v", err)
		}
		go c.emitPolicy()
		return r, nil
	}
	rs := c.policy.accepted
	rs.Rules = append(slices.Clone(rs.Rules), r)
	data, _ := json.Marshal(map[string]any{"rule": r, "description": r.Description()})
	if err := c.saveRules(ctx, rs, by, store.Event{Type: store.EventRuleCreated, ProposalID: id, AgentID: p.AgentID, Data: data, UserID: by}); err != nil {
		return policy.Rule{}, err
	}
	go c.emitPolicy()
	return r, nil
}

// RevokeRule removes a rule the person made. Built-in rules cannot be revoked.
func (c *Core) RevokeRule(ctx context.Context, id, by string) error {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	if i := slices.IndexFunc(c.policy.session, func(r policy.Rule) bool { return r.ID == id }); i >= 0 {
		c.policy.session = slices.Delete(slices.Clone(c.policy.session), i, i+1)
		c.rebuild()
		data, _ := json.Marshal(map[string]any{"rule_id": id})
		c.Store.AppendEvents(ctx, []store.Event{{At: c.now(), Type: store.EventRuleRevoked, Data: data, UserID: by}})
		go c.emitPolicy()
		return nil
	}
	i := slices.IndexFunc(c.policy.accepted.Rules, func(r policy.Rule) bool { return r.ID == id })
	if i < 0 {
		if strings.HasPrefix(id, "builtin:") {
			return errs.Wrap(errs.CodeForbidden, fmt.Errorf("rule %s is built in and cannot be revoked", id))
		}
		return errs.Wrap(errs.CodeNotFound, fmt.Errorf("no rule %s", id))
	}
	rs := c.policy.accepted
	rs.Rules = slices.Delete(slices.Clone(rs.Rules), i, i+1)
	data, _ := json.Marshal(map[string]any{"rule_id": id})
	if err := c.saveRules(ctx, rs, by, store.Event{Type: store.EventRuleRevoked, Data: data, UserID: by}); err != nil {
		return err
	}
	go c.emitPolicy()
	return nil
}

// ApplyRole replaces the preset rules for workspace with those of role.
func (c *Core) ApplyRole(ctx context.Context, role policy.Role, workspace, by string) error {
	preset := policy.Preset(role, workspace)
	if preset == nil {
		return errs.Wrap(errs.CodeInvalid, fmt.Errorf("unknown role %q or a workspace that is not an absolute path (%q)", role, workspace))
	}
	ws := filepath.Clean(workspace)
	tag := sha256.Sum256([]byte(ws))
	suffix := ":" + hex.EncodeToString(tag[:6])
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	rs := c.policy.accepted
	rs.Rules = slices.DeleteFunc(slices.Clone(rs.Rules), func(r policy.Rule) bool {
		return strings.HasPrefix(r.ID, "preset:") && strings.HasSuffix(r.ID, suffix)
	})
	for _, r := range preset {
		r.ID += suffix
		r.CreatedBy, r.CreatedAt = by, c.now()
		rs.Rules = append(rs.Rules, r)
	}
	data, _ := json.Marshal(map[string]any{"role": role, "workspace": ws})
	if err := c.saveRules(ctx, rs, by, store.Event{Type: store.EventRuleCreated, Data: data, UserID: by}); err != nil {
		return err
	}
	go c.emitPolicy()
	return nil
}

// SetBudget sets the hourly budget of agent ("" for agents without their
// own); a zero budget removes it.
func (c *Core) SetBudget(ctx context.Context, agent string, b policy.Budget, by string) error {
	if b.Writes < 0 || b.Deletes < 0 || b.Bytes < 0 {
		return errs.Wrap(errs.CodeInvalid, errors.New("a budget cannot be negative"))
	}
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	rs := c.policy.accepted
	budgets := map[string]policy.Budget{}
	for k, v := range rs.Budgets {
		budgets[k] = v
	}
	if b == (policy.Budget{}) {
		delete(budgets, agent)
	} else {
		budgets[agent] = b
	}
	rs.Budgets = budgets
	data, _ := json.Marshal(map[string]any{"budget": b, "agent": agent})
	if err := c.saveRules(ctx, rs, by, store.Event{Type: store.EventSettingsChanged, AgentID: agent, Data: data, UserID: by}); err != nil {
		return err
	}
	go c.emitPolicy()
	return nil
}

// AcceptRulesFile applies the rules file as changed outside the window, if
// it still has the hash the person reviewed.
func (c *Core) AcceptRulesFile(ctx context.Context, sha, by string) error {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	pr := c.readPending()
	c.policy.pending = pr
	switch {
	case pr == nil:
		return errs.Wrap(errs.CodeConflict, errors.New("the rules file has no change to accept"))
	case pr.SHA256 != sha:
		return errs.Wrap(errs.CodeConflict, errors.New("the rules file changed again since it was shown; review it again"))
	case pr.Error != "":
		return errs.Wrap(errs.CodeInvalid, errors.New(pr.Error))
	}
	body, err := os.ReadFile(filepath.Join(c.DataDir, RulesFile))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != sha {
		return errs.Wrap(errs.CodeConflict, errors.New("the rules file changed again since it was shown; review it again"))
	}
	var rs RuleSet
	if err := json.Unmarshal(body, &rs); err != nil {
		return errs.Wrap(errs.CodeInvalid, err)
	}
	data, _ := json.Marshal(map[string]any{"accepted_file_sha256": sha, "added": pr.Added, "removed": pr.Removed})
	if err := c.saveRules(ctx, rs, by, store.Event{Type: store.EventRuleCreated, Data: data, UserID: by}); err != nil {
		return err
	}
	go c.emitPolicy()
	return nil
}

// RejectRulesFile puts the accepted rule set back into the rules file.
func (c *Core) RejectRulesFile(ctx context.Context) error {
	c.policy.mu.Lock()
	defer c.policy.mu.Unlock()
	path := filepath.Join(c.DataDir, RulesFile)
	var err error
	if c.policy.version.Body == "" {
		err = os.Remove(path)
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	} else {
		err = writeFileAtomic(path, []byte(c.policy.version.Body))
	}
	if err != nil {
		return err
	}
	c.policy.pending = nil
	go c.emitPolicy()
	return nil
}
