package policy

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"countersign/backend/proposal"
)

// Scope is how far a remembered decision reaches.
type Scope string

const (
	ScopeFile          Scope = "this-file"           // the one file the proposal touches, for its kinds, for this agent
	ScopeFolder        Scope = "this-folder"         // the folder holding what it touches, for its kinds, for this agent
	ScopeAgent         Scope = "this-agent"          // anything this agent proposes
	ScopeKind          Scope = "this-kind"           // the proposal's kinds of action, anywhere, for this agent
	ScopeCommandPrefix Scope = "this-command-prefix" // commands starting like this one, for this agent
)

// Lifetime is how long a remembered decision lasts.
type Lifetime string

const (
	LifetimeOnce    Lifetime = "once"
	Lifetime15Min   Lifetime = "15m"
	Lifetime1Hour   Lifetime = "1h"
	LifetimeSession Lifetime = "session"       // until Countersign quits
	LifetimeRevoked Lifetime = "until-revoked" // until the person revokes it
)

// RuleFromDecision builds the rule a person asked to remember when deciding
// p. Only a person's decision makes a rule: a proposal that expired (timed
// out) makes none, and by must name who decided.
func RuleFromDecision(p *proposal.Proposal, scope Scope, lifetime Lifetime, effect Effect, by string, now time.Time) (Rule, error) {
	switch {
	case p == nil:
		return Rule{}, errors.New("policy: no proposal to remember")
	case p.Status == proposal.StatusExpired:
		return Rule{}, errors.New("policy: a proposal that timed out creates no rule")
	case by == "":
		return Rule{}, errors.New("policy: a remembered decision must name who decided")
	case p.AgentID == "":
		return Rule{}, errors.New("policy: the proposal names no agent")
	case len(p.Actions) == 0:
		return Rule{}, errors.New("policy: the proposal has no actions")
	}
	r := Rule{ID: fmt.Sprintf("rule:%s:%s:%d", p.ID, scope, now.UnixNano()), Effect: effect,
		Agent: p.AgentID, CreatedBy: by, CreatedAt: now}
	var kinds []proposal.Kind
	for _, a := range p.Actions {
		if !slices.Contains(kinds, a.Kind) {
			kinds = append(kinds, a.Kind)
		}
	}
	switch scope {
	case ScopeAgent:
	case ScopeKind:
		r.Kinds = kinds
	case ScopeFile, ScopeFolder:
		r.Kinds = kinds
		paths, err := proposalPaths(p)
		if err != nil {
			return Rule{}, err
		}
		if scope == ScopeFile {
			if len(paths) != 1 {
				return Rule{}, fmt.Errorf("policy: the proposal touches %d files, not one", len(paths))
			}
			r.Path = paths[0]
			break
		}
		dir := filepath.Dir(paths[0])
		for _, q := range paths[1:] {
			for !within(dir, filepath.Dir(q)) {
				dir = filepath.Dir(dir)
			}
		}
		if filepath.Dir(dir) == dir {
			return Rule{}, fmt.Errorf("policy: the only folder holding all of it is %s, too broad to remember", dir)
		}
		r.Folder = dir
	case ScopeCommandPrefix:
		r.Kinds = []proposal.Kind{proposal.KindCommandRun}
		r.Command = commandPrefix(p)
		if r.Command == nil {
			return Rule{}, errors.New("policy: the proposal has no command, or its commands start differently")
		}
	default:
		return Rule{}, fmt.Errorf("policy: unknown scope %q", scope)
	}
	switch lifetime {
	case LifetimeOnce:
		r.Once = true
	case Lifetime15Min:
		r.ExpiresAt = now.Add(15 * time.Minute)
	case Lifetime1Hour:
		r.ExpiresAt = now.Add(time.Hour)
	case LifetimeSession:
		r.Session = true
	case LifetimeRevoked:
	default:
		return Rule{}, fmt.Errorf("policy: unknown lifetime %q", lifetime)
	}
	if err := r.Validate(); err != nil {
		return Rule{}, fmt.Errorf("policy: %w", err)
	}
	return r, nil
}

// proposalPaths lists the distinct absolute paths of p's file actions.
func proposalPaths(p *proposal.Proposal) ([]string, error) {
	var out []string
	for _, a := range p.Actions {
		var raw []string
		switch a.Kind {
		case proposal.KindFileWrite, proposal.KindFileEdit, proposal.KindFileDelete, proposal.KindDirCreate, proposal.KindSheetUpdate:
			raw = []string{a.Path}
		case proposal.KindFileMove:
			raw = []string{a.Path, a.To}
		default:
			return nil, fmt.Errorf("policy: a %s is not about files", a.Kind)
		}
		for _, s := range raw {
			abs, ok := resolvePath(p.Workspace, "", s)
			if !ok {
				return nil, fmt.Errorf("policy: cannot tell where %q is", s)
			}
			if !slices.Contains(out, abs) {
				out = append(out, abs)
			}
		}
	}
	return out, nil
}

// commandPrefix is the program and, when it is not an option, its first
// argument (git status, npm test) of p's first command, provided every
// command of p starts with it; nil otherwise.
func commandPrefix(p *proposal.Proposal) []string {
	var prefix []string
	for _, a := range p.Actions {
		if a.Kind != proposal.KindCommandRun {
			return nil
		}
		if prefix == nil {
			if len(a.Argv) == 0 || a.Argv[0] == "" {
				return nil
			}
			prefix = a.Argv[:1:1]
			if len(a.Argv) > 1 && a.Argv[1] != "" && !strings.HasPrefix(a.Argv[1], "-") {
				prefix = a.Argv[:2:2]
			}
		}
		if len(a.Argv) < len(prefix) || !slices.Equal(a.Argv[:len(prefix)], prefix) {
			return nil
		}
	}
	return slices.Clone(prefix)
}

// within reports whether path is dir or lies under it, by components.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Matches lists the ids of the proposals in history that r would have had a
// say in (allowed or denied at least one of their targets), ignoring r's
// lifetime: what the person sees before saving r.
func Matches(r Rule, history []*proposal.Proposal) []string {
	r.Once, r.Session, r.ExpiresAt = false, false, time.Time{}
	e, err := compile(Options{}, []Rule{r})
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range history {
		if p == nil {
			continue
		}
		d := e.evaluate(p, Input{Now: p.CreatedAt})
		for _, t := range d.Targets {
			if slices.Contains(t.Rules, r.ID) {
				out = append(out, p.ID)
				break
			}
		}
	}
	return out
}
