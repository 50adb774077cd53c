package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"countersign/backend/proposal"
)

// Options configure an Engine.
type Options struct {
	Home      string   // the person's home directory (absolute)
	DataDir   string   // Countersign's data dir: database, keys, settings, policies (absolute)
	Protected []string // further files or folders of Countersign's own (settings elsewhere), absolute
	// FoldCase compares paths without regard to case, as on the default file
	// systems of macOS and Windows.
	FoldCase bool
	// FollowSymlinks also evaluates where the existing part of each path
	// leads, so a link in the workspace cannot reach a denied folder.
	FollowSymlinks bool
	// Budgets limit each agent per hour; the "" entry applies to agents
	// without their own.
	Budgets map[string]Budget
}

// DefaultOptions returns the options for this machine and data dir.
func DefaultOptions(dataDir string) (Options, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return Options{}, fmt.Errorf("policy: no home directory: %w", err)
	}
	return Options{Home: home, DataDir: dataDir, FollowSymlinks: true,
		FoldCase: runtime.GOOS == "darwin" || runtime.GOOS == "windows"}, nil
}

// Input is what an evaluation depends on besides the proposal and the rules.
type Input struct {
	Now   time.Time // decides expiry and the hour of the context
	Usage Usage     // what the proposal's agent did in the past hour
}

// TargetDecision is how one target of one action was decided.
type TargetDecision struct {
	Action  int           `json:"action"` // index in the proposal's actions
	Kind    proposal.Kind `json:"kind"`
	Target  string        `json:"target"`
	Outcome Outcome       `json:"outcome"`
	Rules   []string      `json:"rules,omitempty"` // the rules that decided it
}

// Decision is the result of Evaluate, to be recorded with the proposal.
type Decision struct {
	Outcome   Outcome          `json:"outcome"`
	DecidedBy []string         `json:"decided_by,omitempty"` // rule ids, sorted
	Reasons   []string         `json:"reasons"`              // plain words
	Targets   []TargetDecision `json:"targets"`
	// Used lists the once-rules this decision consumed; the caller retires
	// them. The Engine itself never lets them decide again.
	Used []string `json:"used,omitempty"`
}

// compiled is a rule with its Cedar policy.
type compiled struct {
	rule   Rule
	desc   string // rule.Description(), computed once
	policy *cedar.Policy
	spent  atomic.Bool // a once-rule that has decided
}

// bucketKey is the agent and kind of the rules in one index bucket; ""
// stands for any.
type bucketKey struct {
	agent string
	kind  proposal.Kind
}

// Engine evaluates proposals against a fixed set of rules. It is safe for
// concurrent use. An Engine never changes its rules: a new rule set is a new
// Engine, with its own index and scratch space.
type Engine struct {
	opts Options
	byID map[string]*compiled
	// index holds the rules by resource anchor (the zero anchor for rules of
	// any resource), then by agent and kind. Built once by compile, read only
	// afterwards.
	index   map[anchor]map[bucketKey][]*compiled
	version string
	scratch sync.Pool  // of *scratch, reused by evaluations
	mu      sync.Mutex // serializes the spending of once-rules
}

// NewEngine compiles rules, with the built-in denies added, into an Engine.
// A rule that claims a built-in id, repeats an id or does not validate is
// refused.
func NewEngine(opts Options, rules []Rule) (*Engine, error) {
	if !filepath.IsAbs(opts.Home) || !filepath.IsAbs(opts.DataDir) {
		return nil, errors.New("policy: the home and data directories must be absolute paths")
	}
	for _, p := range opts.Protected {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("policy: protected path %q is not absolute", p)
		}
	}
	for _, r := range rules {
		if r.Builtin() {
			return nil, fmt.Errorf("policy: rule id %q is reserved for built-in rules", r.ID)
		}
	}
	return compile(opts, append(builtinRules(opts), rules...))
}

func compile(opts Options, rules []Rule) (*Engine, error) {
	e := &Engine{opts: opts, byID: make(map[string]*compiled, len(rules)), index: map[anchor]map[bucketKey][]*compiled{}}
	texts := make([]string, 0, len(rules))
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("policy: %w", err)
		}
		if len(r.Command) > maxPrefixWords {
			return nil, fmt.Errorf("policy: rule %s: a command prefix has at most %d words", r.ID, maxPrefixWords)
		}
		if _, dup := e.byID[r.ID]; dup {
			return nil, fmt.Errorf("policy: two rules have the id %q", r.ID)
		}
		text := r.Cedar(opts.FoldCase)
		var pol cedar.Policy
		if err := pol.UnmarshalCedar([]byte(text)); err != nil {
			return nil, fmt.Errorf("policy: rule %s does not translate to Cedar: %w", r.ID, err)
		}
		c := &compiled{rule: r, desc: r.Description(), policy: &pol}
		e.byID[r.ID] = c
		kinds := r.Kinds
		if len(kinds) == 0 {
			kinds = []proposal.Kind{""}
		}
		an := ruleAnchor(&c.rule, opts.FoldCase)
		byKey := e.index[an]
		if byKey == nil {
			byKey = map[bucketKey][]*compiled{}
			e.index[an] = byKey
		}
		for _, k := range kinds {
			key := bucketKey{agent: r.Agent, kind: k}
			byKey[key] = append(byKey[key], c)
		}
		if r.Once {
			text = "once\n" + text
		}
		texts = append(texts, text)
	}
	e.version = version(texts)
	return e, nil
}

// version hashes the rules' Cedar texts (and whether each is a once-rule),
// in an order that does not depend on the order they were given in.
func version(texts []string) string {
	slices.Sort(texts)
	h := sha256.New()
	for _, t := range texts {
		fmt.Fprintf(h, "%d:%s", len(t), t)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Version identifies the engine's rule set, built-in rules included: two
// engines have the same version exactly when their rules translate to the
// same Cedar policies with the same once-rules, whatever their order. It is
// what a recorded decision names as the rules that decided it.
func (e *Engine) Version() string { return e.version }

// Rules returns the engine's rules, built-in ones first, in a stable order.
func (e *Engine) Rules() []Rule {
	out := make([]Rule, 0, len(e.byID))
	for _, c := range e.byID {
		out = append(out, c.rule)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Builtin() != out[j].Builtin() {
			return out[i].Builtin()
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// candidates are the policies that may match one target, for Cedar.
type candidates []*compiled

// candidateSet is a reusable Cedar policy iterator over candidates.
type candidateSet struct {
	cs  candidates
	seq iter.Seq2[cedar.PolicyID, *cedar.Policy] // cs.each, bound once
}

func newCandidateSet() *candidateSet {
	c := &candidateSet{}
	c.seq = c.each
	return c
}

// All yields the candidates that are not spent once-rules.
func (c *candidateSet) All() iter.Seq2[cedar.PolicyID, *cedar.Policy] { return c.seq }

func (c *candidateSet) each(yield func(cedar.PolicyID, *cedar.Policy) bool) {
	for _, p := range c.cs {
		if p.rule.Once && p.spent.Load() {
			continue
		}
		if !yield(cedar.PolicyID(p.rule.ID), p.policy) {
			return
		}
	}
}

// candidatesFor collects, from the index, every policy whose agent, kind and
// resource anchor can match t: those of any resource and those of t's
// anchors, each for any or t's agent and any or t's kind.
func (e *Engine) candidatesFor(buf candidates, agent string, t *target) candidates {
	buf = e.appendBuckets(buf, anchor{}, agent, t.kind)
	for _, an := range t.anchors {
		buf = e.appendBuckets(buf, an, agent, t.kind)
	}
	return buf
}

func (e *Engine) appendBuckets(buf candidates, an anchor, agent string, kind proposal.Kind) candidates {
	byKey := e.index[an]
	if byKey == nil {
		return buf
	}
	buf = append(buf, byKey[bucketKey{}]...)
	if kind != "" {
		buf = append(buf, byKey[bucketKey{kind: kind}]...)
	}
	if agent != "" {
		buf = append(buf, byKey[bucketKey{agent: agent}]...)
		if kind != "" {
			buf = append(buf, byKey[bucketKey{agent, kind}]...)
		}
	}
	return buf
}

// oneEntity serves the single resource entity a request needs.
type oneEntity struct{ e *types.Entity }

func (o oneEntity) Get(u types.EntityUID) (types.Entity, bool) {
	if o.e != nil && u == o.e.UID {
		return *o.e, true
	}
	return types.Entity{}, false
}

// scratch is the working space of one evaluation, pooled per Engine so that
// an evaluation allocates little more than its Decision. Nothing in it
// outlives the evaluation that took it.
type scratch struct {
	cands   *candidateSet
	targets []target
	uids    []types.EntityUID // parents of the entity being built
	anchors []anchor          // anchors of the evaluation's targets
	ids     []string          // rules that decided, before sorting
	ctxs    []ctxEntry        // contexts of this evaluation, by content bytes
}

// ctxEntry is a context record with the values it was made of.
type ctxEntry struct {
	rank, hour int
	bytes, now int64
	rec        types.Record
}

// context is the Cedar context of an action: {risk, bytes, hour, now}. Only
// bytes differs between the actions of one evaluation, so actions that carry
// as many bytes share one record.
func (s *scratch) context(rank int, bytes int64, now time.Time) types.Record {
	hour, unix := now.Hour(), now.Unix()
	for _, c := range s.ctxs {
		if c.rank == rank && c.bytes == bytes && c.hour == hour && c.now == unix {
			return c.rec
		}
	}
	rec := types.NewRecord(types.RecordMap{
		"risk":  types.Long(rank),
		"bytes": types.Long(bytes),
		"hour":  types.Long(hour),
		"now":   types.Long(unix),
	})
	s.ctxs = append(s.ctxs, ctxEntry{rank, hour, bytes, unix, rec})
	return rec
}

func (e *Engine) getScratch() *scratch {
	if s, ok := e.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{cands: newCandidateSet()}
}

func (e *Engine) putScratch(s *scratch) {
	clear(s.targets) // drop the entities and labels
	s.targets = s.targets[:0]
	s.cands.cs = s.cands.cs[:0]
	s.uids = s.uids[:0]
	s.anchors = s.anchors[:0]
	s.ids = s.ids[:0]
	clear(s.ctxs)
	s.ctxs = s.ctxs[:0]
	e.scratch.Put(s)
}

// Evaluate decides p: deny if any target is denied, allow if every target
// is allowed and the agent is within budget, ask otherwise. It never panics
// and never allows what it cannot place.
func (e *Engine) Evaluate(p *proposal.Proposal, in Input) Decision {
	for {
		d := e.evaluate(p, in)
		if len(d.Used) == 0 || e.spend(d.Used) {
			return d
		}
		// Another evaluation spent one of the once-rules first; decide again
		// without it.
	}
}

// spend marks once-rules as used, all or none.
func (e *Engine) spend(ids []string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range ids {
		if e.byID[id].spent.Load() {
			return false
		}
	}
	for _, id := range ids {
		e.byID[id].spent.Store(true)
	}
	return true
}

func (e *Engine) evaluate(p *proposal.Proposal, in Input) Decision {
	d := Decision{Outcome: OutcomeAsk, Reasons: []string{}, Targets: []TargetDecision{}}
	if p == nil || len(p.Actions) == 0 {
		d.Reasons = append(d.Reasons, "the proposal has no actions")
		return d
	}
	risk := proposal.AssessRisk(p)
	if p.Risk.Known() {
		risk = risk.AtLeast(p.Risk)
	}
	rank, _ := riskRank(risk)
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	principal := uid(typAgent, p.AgentID)
	s := e.getScratch()
	defer e.putScratch(s)

	var (
		denied      []string
		asked       []askReason
		deniedBy    []string // unique, in the order found
		allowedBy   = s.ids  // unique, in the order found
		unknownKind bool
	)
	d.Targets = make([]TargetDecision, 0, len(p.Actions))
	for i := range p.Actions {
		a := &p.Actions[i]
		if !a.Kind.Known() {
			unknownKind = true
		}
		ctx := s.context(rank, actionBytes(a), now)
		s.targets = e.appendTargets(s, s.targets[:0], i, p.Workspace, a)
		for j := range s.targets {
			t := &s.targets[j]
			td := TargetDecision{Action: i, Kind: a.Kind, Target: t.label, Outcome: OutcomeAsk}
			if t.unresolved != "" {
				asked = append(asked, askReason{text: t.unresolved})
				d.Targets = append(d.Targets, td)
				continue
			}
			s.cands.cs = e.candidatesFor(s.cands.cs[:0], p.AgentID, t)
			req := cedar.Request{Principal: principal, Action: uid(typAction, string(a.Kind)),
				Resource: t.entity.UID, Context: ctx}
			td.Outcome, td.Rules = e.decideTarget(s.cands, oneEntity{&t.entity}, req)
			switch td.Outcome {
			case OutcomeDeny:
				for _, id := range td.Rules {
					if !slices.Contains(deniedBy, id) {
						deniedBy = append(deniedBy, id)
						denied = append(denied, t.label+": "+e.byID[id].desc)
					}
				}
			case OutcomeAllow:
				if !slices.Contains(allowedBy, td.Rules[0]) {
					allowedBy = append(allowedBy, td.Rules[0])
				}
			default:
				asked = append(asked, askReason{kind: a.Kind, label: t.label})
			}
			d.Targets = append(d.Targets, td)
		}
	}
	s.ids = allowedBy[:0] // keep the grown buffer

	switch {
	case len(deniedBy) > 0:
		d.Outcome = OutcomeDeny
		d.DecidedBy = sortedCopy(deniedBy)
		d.Reasons = capReasons(denied)
	case unknownKind:
		d.Reasons = append(d.Reasons, "the proposal has an action of unknown kind, which is always asked")
	case len(asked) > 0:
		d.Reasons = askReasons(asked, p.AgentID)
	default:
		d.DecidedBy = sortedCopy(allowedBy)
		if over := e.overBudget(p, in.Usage); over != "" {
			d.Reasons = append(d.Reasons, over)
			return d
		}
		d.Outcome = OutcomeAllow
		d.Reasons = make([]string, 0, len(d.DecidedBy))
		for _, id := range d.DecidedBy {
			d.Reasons = append(d.Reasons, "allowed by: "+e.byID[id].desc)
		}
	}
	if d.Outcome != OutcomeAsk {
		for _, id := range d.DecidedBy {
			if e.byID[id].rule.Once {
				d.Used = append(d.Used, id)
			}
		}
	}
	return d
}

// decideTarget asks Cedar about one target. A forbid that matched or failed
// denies; otherwise a permit allows, and the deciding permit is one that is
// not a once-rule when there is such a one, so once-rules are spent only
// when they are needed.
func (e *Engine) decideTarget(cs *candidateSet, ents types.EntityGetter, req cedar.Request) (Outcome, []string) {
	if len(cs.cs) == 0 {
		return OutcomeAsk, nil
	}
	dec, diag := cedar.Authorize(cs, ents, req)
	var forbids []string
	for _, er := range diag.Errors {
		if c := e.byID[string(er.PolicyID)]; c != nil && c.rule.Effect == EffectDeny {
			forbids = append(forbids, c.rule.ID)
		}
	}
	if dec == cedar.Deny {
		for _, r := range diag.Reasons {
			forbids = append(forbids, string(r.PolicyID))
		}
	}
	if len(forbids) > 0 {
		slices.Sort(forbids)
		return OutcomeDeny, slices.Compact(forbids)
	}
	if dec != cedar.Allow || len(diag.Reasons) == 0 {
		return OutcomeAsk, nil
	}
	best := ""
	for _, r := range diag.Reasons {
		id := string(r.PolicyID)
		switch {
		case best == "":
			best = id
		case e.byID[best].rule.Once && !e.byID[id].rule.Once:
			best = id
		case e.byID[best].rule.Once == e.byID[id].rule.Once && id < best:
			best = id
		}
	}
	return OutcomeAllow, []string{best}
}

// sortedCopy returns ids, which are unique, sorted in a new slice.
func sortedCopy(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// maxReasons bounds the reasons of one decision.
const maxReasons = 10

// askReason is why one target is asked: text, or else that no rule lets the
// agent do kind on label. The words are put together only when they are
// the decision's reasons.
type askReason struct {
	text  string
	kind  proposal.Kind
	label string
}

// askReasons words the reasons of an ask, as capReasons bounds them.
func askReasons(rs []askReason, agent string) []string {
	n := min(len(rs), maxReasons)
	out := make([]string, 0, n+1)
	for _, r := range rs[:n] {
		if r.text != "" {
			out = append(out, r.text)
		} else {
			out = append(out, "no rule lets "+agentWords(agent)+" "+kindVerb(r.kind)+" "+r.label+" without asking")
		}
	}
	if len(rs) > maxReasons {
		out = append(out, fmt.Sprintf("and %d more", len(rs)-maxReasons))
	}
	return out
}

func capReasons(rs []string) []string {
	if len(rs) <= maxReasons {
		return rs
	}
	return append(rs[:maxReasons:maxReasons], fmt.Sprintf("and %d more", len(rs)-maxReasons))
}

func agentWords(agent string) string {
	if agent == "" {
		return "an unnamed agent"
	}
	return agent
}

// kindVerb is the verb phrase for one action of kind k on its target.
func kindVerb(k proposal.Kind) string {
	switch k {
	case proposal.KindFileWrite:
		return "write"
	case proposal.KindFileEdit:
		return "edit"
	case proposal.KindFileDelete:
		return "delete"
	case proposal.KindFileMove:
		return "move"
	case proposal.KindDirCreate:
		return "create the folder"
	case proposal.KindSheetUpdate:
		return "change the spreadsheet"
	case proposal.KindCommandRun:
		return "run"
	case proposal.KindNetRequest:
		return "send a request to"
	case proposal.KindToolCall:
		return "call the tool"
	}
	return "do " + strings.TrimSpace(string(k)) + " on"
}
