package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"countersign/backend/proposal"
)

// speedProposals are the benchmark's proposals and a few more edge cases.
func speedProposals(fx fixture) []*proposal.Proposal {
	ps := benchProposals(fx)
	return append(ps,
		fx.prop("agent-03", run("tool3")),
		fx.prop("", write("dir3/a"), act(proposal.KindFileDelete, "/etc/passwd")),
		fx.prop("agent-04", proposal.Action{Kind: "file.unknown", Path: "dir4/x", Argv: []string{"tool4", "sub"}}),
		fx.prop("agent-06", proposal.Action{Kind: proposal.KindCommandRun,
			Argv: []string{"tool6", "sub", "<&>", "\"q\"", "\u2028", "\xff", "a\\b"}}),
		&proposal.Proposal{AgentID: "agent-01", Actions: []proposal.Action{write("rel.txt")}},
	)
}

// The index only narrows what Cedar is given: every decision equals the one
// Cedar makes over all the policies.
func TestIndexAgreesWithAllPolicies(t *testing.T) {
	fx := newFixture(t)
	rules := append(benchRules(fx.ws, 1000), Rule{ID: "ws", Effect: EffectAllow, Agent: "agent-03", Folder: fx.ws})
	e := fx.engine(t, rules...)
	naive := naiveEngine(t, fx.opts, rules)
	outcomes := map[Outcome]int{}
	for i, p := range speedProposals(fx) {
		for range 2 { // the second time on reused scratch space
			got, want := e.Evaluate(p, Input{Now: t0}), naive.Evaluate(p, Input{Now: t0})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("proposal %d: indexed decision differs (-all policies +indexed):\n%s", i, diff)
			}
			outcomes[got.Outcome]++
		}
	}
	if outcomes[OutcomeAllow] == 0 || outcomes[OutcomeDeny] == 0 || outcomes[OutcomeAsk] == 0 {
		t.Fatalf("the proposals do not cover every outcome: %v", outcomes)
	}
}

// Concurrent evaluations on one Engine each get their own scratch space.
func TestConcurrentEvaluate(t *testing.T) {
	fx := newFixture(t)
	rules := append(benchRules(fx.ws, 300), Rule{ID: "ws", Effect: EffectAllow, Agent: "agent-03", Folder: fx.ws})
	e := fx.engine(t, rules...)
	ps := speedProposals(fx)
	want := make([]Decision, len(ps))
	for i, p := range ps {
		want[i] = e.Evaluate(p, Input{Now: t0})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(ps)
				if diff := cmp.Diff(want[i], e.Evaluate(ps[i], Input{Now: t0})); diff != "" {
					errs <- fmt.Sprintf("proposal %d:\n%s", i, diff)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// A changed rule set is a new Engine: neither engine sees the other's rules,
// index or scratch space, even when both evaluate at once.
func TestNewEngineSeesOnlyItsRules(t *testing.T) {
	fx := newFixture(t)
	base := benchRules(fx.ws, 200)
	allow := fx.engine(t, append(base, Rule{ID: "ws", Effect: EffectAllow, Agent: "agent-03", Folder: fx.ws})...)
	deny := fx.engine(t, append(base, Rule{ID: "ws", Effect: EffectDeny, Agent: "agent-03", Folder: fx.ws})...)
	none := fx.engine(t, base...)
	p := fx.prop("agent-03", write("dir3/notes.md"))
	var wg sync.WaitGroup
	for _, c := range []struct {
		e    *Engine
		want Outcome
	}{{allow, OutcomeAllow}, {deny, OutcomeDeny}, {none, OutcomeAsk}, {allow, OutcomeAllow}, {deny, OutcomeDeny}} {
		wg.Go(func() {
			for range 100 {
				if got := c.e.Evaluate(p, Input{Now: t0}).Outcome; got != c.want {
					t.Errorf("outcome %s, want %s", got, c.want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestVersion(t *testing.T) {
	fx := newFixture(t)
	a := Rule{ID: "a", Effect: EffectAllow, Folder: fx.ws}
	b := Rule{ID: "b", Effect: EffectDeny, Agent: "bot", Command: []string{"rm"}}
	v := fx.engine(t, a, b).Version()
	if len(v) != 32 {
		t.Fatalf("version %q", v)
	}
	if got := fx.engine(t, b, a).Version(); got != v {
		t.Errorf("the order of the rules changed the version: %s, %s", got, v)
	}
	if got := fx.engine(t, a, b).Version(); got != v {
		t.Errorf("the same rules have another version: %s, %s", got, v)
	}
	changed := map[string][]Rule{
		"a rule less":    {a},
		"another scope":  {a, {ID: "b", Effect: EffectDeny, Agent: "bot", Command: []string{"rm", "-r"}}},
		"another effect": {a, {ID: "b", Effect: EffectAllow, Agent: "bot", Command: []string{"rm"}}},
		"once":           {a, {ID: "b", Effect: EffectDeny, Agent: "bot", Command: []string{"rm"}, Once: true}},
		"expiry":         {a, {ID: "b", Effect: EffectDeny, Agent: "bot", Command: []string{"rm"}, ExpiresAt: t0}},
	}
	for name, rules := range changed {
		if got := fx.engine(t, rules...).Version(); got == v {
			t.Errorf("%s: same version", name)
		}
	}
	other := fx
	other.opts.DataDir = filepath.Join(fx.home, "elsewhere")
	if got := other.engine(t, a, b).Version(); got == v {
		t.Error("other built-in rules: same version")
	}
}

// argvID writes exactly what encoding/json writes, so ids never change.
func TestArgvIDIsJSON(t *testing.T) {
	words := []string{"git", "status", "", "a b", `"q"`, `a\b`, "<&>", "tab\t", "nl\n", "\x00\x1f\x7f",
		"é", "日本", "\u2028\u2029", "\xff\xfe", "a\xc3", "--flag=1", "/usr/bin/env"}
	for n := 1; n <= len(words); n++ {
		argv := words[len(words)-n:]
		want, _ := json.Marshal(argv)
		if got := argvID(argv); got != string(want) {
			t.Errorf("argvID(%q) = %s, want %s", argv, got, want)
		}
		ids := argvPrefixIDs(argv, n)
		for k := 1; k <= n; k++ {
			if want, _ := json.Marshal(argv[:k]); ids[k-1] != string(want) {
				t.Errorf("prefix %d of %q = %s, want %s", k, argv, ids[k-1], want)
			}
		}
	}
	if got := argvID(nil); got != "[]" {
		t.Errorf("argvID(nil) = %s", got)
	}
}

func TestParentDir(t *testing.T) {
	for _, p := range []string{"/", "/a", "/a/b", "/home/ada/proj/dir3/src/x.go", "/a b/c d", filepath.Join(t.TempDir(), "x")} {
		p = filepath.Clean(filepath.FromSlash(p))
		if got, want := parentDir(p), filepath.Dir(p); got != want {
			t.Errorf("parentDir(%q) = %q, want %q", p, got, want)
		}
	}
}

// realPathByLevels is how realPath used to find the deepest ancestor that
// resolves: EvalSymlinks on each level in turn.
func realPathByLevels(p string) string {
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		d := filepath.Dir(cur)
		if d == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = d
	}
}

func TestRealPath(t *testing.T) {
	root := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	target := mk("real/deep/er")
	mk("ws")
	links := map[string]string{"ws/link": target, "ws/up": root, "ws/dangling": filepath.Join(root, "gone"),
		"ws/loop1": filepath.Join(root, "ws/loop2"), "ws/loop2": filepath.Join(root, "ws/loop1")}
	for l, to := range links {
		if err := os.Symlink(to, filepath.Join(root, l)); err != nil {
			t.Skip("no symlinks here:", err)
		}
	}
	for _, rel := range []string{"", "ws", "ws/new/file.txt", "ws/link", "ws/link/a/b.txt", "ws/up/real/deep/x",
		"ws/dangling/x", "ws/loop1/x", "missing/a/b", "real/deep/er/new"} {
		p := filepath.Join(root, rel)
		if got, want := realPath(p), realPathByLevels(p); got != want {
			t.Errorf("realPath(%s) = %q, want %q", rel, got, want)
		}
	}
	if got := realPath(filepath.Join(root, "ws/link/a")); got != filepath.Join(target, "a") {
		t.Errorf("through the link: %q", got)
	}
}

// Evaluations that reuse scratch space decide as if each were the first:
// the same action under another risk, time or agent gets its own context
// and candidates.
func TestScratchCarriesNothingOver(t *testing.T) {
	fx := newFixture(t)
	e := fx.engine(t,
		Rule{ID: "low", Effect: EffectAllow, Agent: "bot", Folder: fx.ws, MaxRisk: proposal.RiskLow},
		Rule{ID: "until", Effect: EffectAllow, Agent: "tmp", Folder: fx.ws, ExpiresAt: t0.Add(time.Minute)})
	low := fx.prop("bot", write("a.txt"))
	high := fx.prop("bot", write("a.txt"))
	high.Risk = proposal.RiskHigh
	tmp := fx.prop("tmp", write("a.txt"))
	for range 3 {
		for _, c := range []struct {
			p    *proposal.Proposal
			now  time.Time
			want Outcome
		}{
			{low, t0, OutcomeAllow}, {high, t0, OutcomeAsk}, {low, t0, OutcomeAllow},
			{tmp, t0, OutcomeAllow}, {tmp, t0.Add(time.Hour), OutcomeAsk}, {tmp, t0, OutcomeAllow},
		} {
			if got := e.Evaluate(c.p, Input{Now: c.now}).Outcome; got != c.want {
				t.Fatalf("%s at %s: %s, want %s", c.p.AgentID, c.now.Format(time.TimeOnly), got, c.want)
			}
		}
	}
}
