package core

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"countersign/backend/intent"
	"countersign/backend/policy"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// BenchmarkDecide measures a whole decision (read the proposal, hash the
// target, sign the token, commit the decision) and reports what share of it
// issuing the token takes, measured in the same run.
func BenchmarkDecide(b *testing.B) {
	c, err := Open(Options{DataDir: b.TempDir(), Keystore: "file"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if c.KeyErr != nil {
		b.Fatal(c.KeyErr)
	}
	ctx := context.Background()
	ws := b.TempDir()
	ids := make([]string, b.N)
	for i := range ids {
		p, err := c.Queue.Submit(ctx, proposal.Proposal{AgentID: "bench", Summary: fmt.Sprintf("change %d", i), Workspace: ws,
			Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: fmt.Sprintf("f%d.txt", i), Content: "hello\n"}}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = p.ID
	}
	p, err := c.Queue.Get(ctx, ids[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Decide(ctx, ids[i], Decision{Verdict: proposal.VerdictApprove, DecidedBy: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	whole := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	// Issuing alone, same payload shape, same key, as many times.
	hashes, _ := TargetHashes(p)
	t0 := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := c.sign(intent.Request{Proposal: p, Verdict: proposal.VerdictApprove, DecidedBy: "bench", TargetHashes: hashes}); err != nil {
			b.Fatal(err)
		}
	}
	issue := float64(time.Since(t0).Nanoseconds()) / float64(b.N)
	b.ReportMetric(issue, "ns-issue")
	b.ReportMetric(100*issue/whole, "%-of-decision")
}

// BenchmarkSubmitScreened measures submissions screened by 1,000 rules (the
// policy evaluation stored in the same transaction as the proposal) against
// plain queue submissions in the same run, from 16 concurrent submitters,
// and reports the ratio. No rule matches, so every proposal waits for the
// person: the common case, and the one that costs evaluation without a
// decision.
func BenchmarkSubmitScreened(b *testing.B) {
	c, err := Open(Options{DataDir: b.TempDir(), Keystore: "file", Manual: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	rs := RuleSet{Version: 1}
	for i := range 1000 {
		rs.Rules = append(rs.Rules, policy.Rule{ID: fmt.Sprintf("rule:bench-%d", i), Effect: policy.EffectAllow,
			Agent: fmt.Sprintf("agent-%d", i%10), Folder: fmt.Sprintf("/srv/projects/p%d", i),
			Kinds: []proposal.Kind{proposal.KindFileWrite}})
	}
	c.policy.mu.Lock()
	err = c.saveRules(ctx, rs, "bench", store.Event{Type: store.EventRuleCreated})
	c.policy.mu.Unlock()
	if err != nil {
		b.Fatal(err)
	}
	ws := b.TempDir()
	var n atomic.Int64
	mk := func() proposal.Proposal {
		i := n.Add(1)
		return proposal.Proposal{AgentID: fmt.Sprintf("agent-%d", i%10), Summary: fmt.Sprintf("change %d", i), Workspace: ws,
			Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: fmt.Sprintf("d%d/f%d.txt", i%50, i), Content: "hello\n"}}}
	}
	var plain float64
	b.Run("queue", func(b *testing.B) {
		b.SetParallelism(8) // 16 submitters on 2 cores
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Queue.Submit(ctx, mk()); err != nil {
					b.Error(err)
					return
				}
			}
		})
		plain = float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(plain, "submits/s")
	})
	b.Run("screened-1000-rules", func(b *testing.B) {
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p, err := c.Submit(ctx, mk())
				if err != nil || p.Status != proposal.StatusPending {
					b.Errorf("%v %v", p, err)
					return
				}
			}
		})
		rate := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "submits/s")
		if plain > 0 {
			b.ReportMetric(rate/plain, "x-unscreened")
		}
	})
}
