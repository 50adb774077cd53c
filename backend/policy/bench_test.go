package policy

import (
	"fmt"
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

// BenchmarkEvaluate1000Rules evaluates a typical three-action proposal
// against 1,000 rules plus the built-ins, and reports the median and p99 of
// the per-evaluation times. Its peer, in the same run, is cedar-go itself
// authorizing one target against one policy, the floor of any evaluation.
func BenchmarkEvaluate1000Rules(b *testing.B) {
	fx := newFixture(b)
	rules := benchRules(fx.ws, 1000)
	rules = append(rules, Rule{ID: "ws", Effect: EffectAllow, Agent: "agent-03", Folder: fx.ws})
	e, err := NewEngine(fx.opts, rules)
	if err != nil {
		b.Fatal(err)
	}
	p := fx.prop("agent-03",
		proposal.Action{Kind: proposal.KindFileEdit, Path: "dir3/notes.md", Edits: []proposal.Edit{{Old: "a", New: "b"}}},
		proposal.Action{Kind: proposal.KindFileWrite, Path: "dir13/report.txt", Content: "some content"},
		proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"tool3", "sub", "--flag"}},
	)
	if d := e.Evaluate(p, Input{Now: t0}); d.Outcome == "" {
		b.Fatal("no outcome")
	}
	b.Run("engine", func(b *testing.B) {
		measure(b, func() { e.Evaluate(p, Input{Now: t0}) })
	})
	b.Run("peer-cedar-one-policy", func(b *testing.B) {
		one, err := compile(fx.opts, []Rule{{ID: "one", Effect: EffectAllow, Folder: fx.ws}})
		if err != nil {
			b.Fatal(err)
		}
		t := one.targets(0, p.Workspace, &p.Actions[0])[0]
		cs := one.candidatesFor(nil, p.AgentID, &t)
		req := cedar.Request{Principal: uid(typAgent, p.AgentID), Action: uid(typAction, string(t.kind)),
			Resource: t.entity.UID, Context: types.NewRecord(types.RecordMap{
				"risk": types.Long(0), "bytes": types.Long(1), "hour": types.Long(10), "now": types.Long(t0.Unix())})}
		measure(b, func() { one.decideTarget(cs, oneEntity{&t.entity}, req) })
	})
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
