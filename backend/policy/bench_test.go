package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"countersign/backend/proposal"
)

// benchRules makes n varied rules over 20 agents, every kind and scope.
func benchRules(ws string, n int) []Rule {
	rules := make([]Rule, 0, n)
	for i := range n {
		r := Rule{ID: fmt.Sprintf("r%04d", i), Effect: EffectAllow, Agent: fmt.Sprintf("agent-%02d", i%20)}
		if i%7 == 0 {
			r.Effect = EffectDeny
		}
		if i%5 != 0 {
			r.Kinds = []proposal.Kind{proposal.Kinds[i%len(proposal.Kinds)]}
		}
		switch i % 6 {
		case 0:
			r.Path = filepath.Join(ws, fmt.Sprintf("dir%d", i%30), fmt.Sprintf("file%d.txt", i))
		case 1:
			r.Folder = filepath.Join(ws, fmt.Sprintf("dir%d", i%30))
		case 2:
			r.Command = []string{"tool" + fmt.Sprint(i%40), "sub"}
		case 3:
			r.Host = fmt.Sprintf("host%d.example.com", i%50)
		case 4:
			r.Tool = fmt.Sprintf("mcp__s__t%d", i%50)
		}
		if i%4 == 0 {
			r.MaxRisk = proposal.RiskHigh
		}
		if i%9 == 0 {
			r.ExpiresAt = t0.Add(time.Hour)
		}
		rules = append(rules, r)
	}
	return rules
}

// benchProposals is a mixed day of proposals: file writes and edits in deep
// folders, commands, deletes, moves, requests, tool calls, writes into a
// credential store, and proposals of several actions.
func benchProposals(fx fixture) []*proposal.Proposal {
	deep := func(i int, name string) string {
		return filepath.Join(fmt.Sprintf("dir%d", i), "src", "internal", "pkg", fmt.Sprintf("m%d", i), "sub", name)
	}
	w := func(p string) proposal.Action {
		return proposal.Action{Kind: proposal.KindFileWrite, Path: p, Content: "content"}
	}
	return []*proposal.Proposal{
		fx.prop("agent-03", // the classic: edit, write, run
			proposal.Action{Kind: proposal.KindFileEdit, Path: "dir3/notes.md", Edits: []proposal.Edit{{Old: "a", New: "b"}}},
			w("dir13/report.txt"),
			proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"tool3", "sub", "--flag"}}),
		fx.prop("agent-01", w(deep(1, "main.go"))),
		fx.prop("agent-07", proposal.Action{Kind: proposal.KindFileEdit, Path: deep(7, "util.go"),
			Edits: []proposal.Edit{{Old: "x", New: "y"}}}),
		fx.prop("agent-03", proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"tool3", "sub", "build", "./..."},
			Dir: filepath.Join(fx.ws, "dir3", "src")}),
		fx.prop("agent-09", proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"git", "status", "--short"}}),
		fx.prop("agent-00", act(proposal.KindFileDelete, deep(0, "old.txt"))),
		fx.prop("agent-11", proposal.Action{Kind: proposal.KindNetRequest, Method: "GET", URL: "https://host11.example.com/api/v1/items"}),
		fx.prop("agent-14", proposal.Action{Kind: proposal.KindToolCall, Tool: "mcp__s__t14", Input: []byte(`{"q":"x"}`)}),
		fx.prop("agent-05", proposal.Action{Kind: proposal.KindFileMove, Path: deep(5, "a.txt"), To: deep(25, "a.txt")}),
		fx.prop("agent-02", w("~/.ssh/authorized_keys")), // a built-in deny
		fx.prop("agent-13", w(deep(13, "a.go")), w(deep(13, "b.go")), w(deep(13, "c.go")),
			act(proposal.KindFileDelete, deep(13, "d.go")), act(proposal.KindDirCreate, deep(13, "new")),
			proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"tool13", "sub", "test"}, Writes: []string{deep(13, "out.log")}}),
		fx.prop("agent-19", w("dir19/file19.txt"), proposal.Action{Kind: proposal.KindNetRequest, URL: "https://host19.example.com/"},
			proposal.Action{Kind: proposal.KindToolCall, Tool: "mcp__s__t19"}),
	}
}

// BenchmarkEvaluate1000Rules evaluates a mixed set of proposals (one to six
// actions each) against 1,000 rules of every scope plus the built-ins,
// timing each Evaluate on its own, and reports the median and p99, without
// and with following symbolic links (which adds file system calls). Its
// peers, in the same run: the naive path (the same proposals, each target
// authorized by Cedar against all the policies, without the index), which
// shows what the index gains; and cedar-go authorizing one target against
// one policy, the floor of any evaluation.
func BenchmarkEvaluate1000Rules(b *testing.B) {
	fx := newFixture(b)
	rules := benchRules(fx.ws, 1000)
	rules = append(rules, Rule{ID: "ws", Effect: EffectAllow, Agent: "agent-03", Folder: fx.ws})
	e, err := NewEngine(fx.opts, rules)
	if err != nil {
		b.Fatal(err)
	}
	props := benchProposals(fx)
	for _, p := range props {
		if d := e.Evaluate(p, Input{Now: t0}); d.Outcome == "" {
			b.Fatal("no outcome")
		}
	}
	b.Run("engine", func(b *testing.B) {
		i := 0
		measure(b, func() {
			e.Evaluate(props[i%len(props)], Input{Now: t0})
			i++
		})
	})
	b.Run("engine-follow-symlinks", func(b *testing.B) {
		// As Countersign runs by default: each path's existing part is
		// resolved on disk (here the workspace and some of its folders exist).
		opts := fx.opts
		opts.FollowSymlinks = true
		for _, d := range []string{"dir3/src", "dir13", "dir1/src/internal", "dir7/src/internal/pkg/m7/sub"} {
			if err := os.MkdirAll(filepath.Join(fx.ws, d), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		ef, err := NewEngine(opts, rules)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		measure(b, func() {
			ef.Evaluate(props[i%len(props)], Input{Now: t0})
			i++
		})
	})
	b.Run("peer-cedar-all-policies", func(b *testing.B) {
		naive := naiveEngine(b, fx.opts, rules)
		i := 0
		measure(b, func() {
			naive.Evaluate(props[i%len(props)], Input{Now: t0})
			i++
		})
	})
	b.Run("peer-cedar-one-policy", func(b *testing.B) {
		p := props[0]
		one, err := compile(fx.opts, []Rule{{ID: "one", Effect: EffectAllow, Folder: fx.ws}})
		if err != nil {
			b.Fatal(err)
		}
		t := one.targets(0, p.Workspace, &p.Actions[0])[0]
		cs := newCandidateSet()
		cs.cs = one.candidatesFor(nil, p.AgentID, &t)
		req := cedar.Request{Principal: uid(typAgent, p.AgentID), Action: uid(typAction, string(t.kind)),
			Resource: t.entity.UID, Context: types.NewRecord(types.RecordMap{
				"risk": types.Long(0), "bytes": types.Long(1), "hour": types.Long(10), "now": types.Long(t0.Unix())})}
		measure(b, func() { one.decideTarget(cs, oneEntity{&t.entity}, req) })
	})
}

// naiveEngine is an Engine whose index hands Cedar every policy for every
// target: the same decisions, without the pre-filter.
func naiveEngine(tb testing.TB, opts Options, rules []Rule) *Engine {
	e, err := NewEngine(opts, rules)
	if err != nil {
		tb.Fatal(err)
	}
	all := make([]*compiled, 0, len(e.byID))
	for _, c := range e.byID {
		all = append(all, c)
	}
	e.index = map[anchor]map[bucketKey][]*compiled{{}: {{}: all}}
	return e
}

// measure runs f b.N times and reports the median and p99 in µs.
func measure(b *testing.B, f func()) {
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		f()
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	at := func(q float64) float64 { return float64(durs[int(q*float64(len(durs)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(at(0.5), "median-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}
