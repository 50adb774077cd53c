package core

import (
	"context"
	"fmt"
	"testing"
	"time"

	"countersign/backend/intent"
	"countersign/backend/proposal"
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
