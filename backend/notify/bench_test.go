package notify

import (
	"context"
	"slices"
	"testing"
	"time"

	"countersign/backend/proposal"
)

// BenchmarkSubmitToNotify: the time from core.Submit returning to the Notify
// call reaching the notification server on a real (private) session bus,
// through the policy, the queue's event, the pending and rules checks. Each
// proposal arrives alone (bursts are gathered on purpose, and measured by
// their own test), so the burst window is set to 1 ms and submissions are
// paced 2 ms apart. A Notify that arrives before Submit has returned counts
// as 0.
func BenchmarkSubmitToNotify(b *testing.B) {
	h := newHarness(b, time.Millisecond)
	srv := startFakeServer(b, h.bus)
	srv.at = make(chan time.Time, 1)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := h.core.Submit(ctx, proposal.Proposal{AgentID: "bench", Summary: "Write notes.txt", Workspace: h.ws,
			Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "notes.txt", Content: "hello\n"}}})
		returned := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-srv.at:
			lat = append(lat, max(0, at.Sub(returned)))
		case <-time.After(10 * time.Second):
			b.Fatal("no Notify within 10 s")
		}
		b.StopTimer()
		time.Sleep(2 * time.Millisecond) // let the 1 ms burst window close
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
