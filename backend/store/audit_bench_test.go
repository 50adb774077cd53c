package store

import (
	"context"
	"testing"
	"time"
)

// BenchmarkAuditAppend appends one event with its audit record per
// transaction, each committed before the next, and measures in the same run
// the peer: one bare 500-byte row per transaction through the same write
// path. Goal: at least 20,000 records/s, so that the log is never what a
// decision waits for.
func BenchmarkAuditAppend(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	data := []byte(`{"verdict":"approve","bytes":1234,"ok":true}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ev := []Event{{At: t0.Add(time.Duration(i) * time.Millisecond), ProposalID: newID(i % 50),
			AgentID: "agent", Type: EventExecuted, Data: data}}
		if err := s.AppendEvents(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	rate := float64(b.N) / b.Elapsed().Seconds()
	peer := peerInsertRate(b, s, b.N)
	b.ReportMetric(rate, "records/s")
	b.ReportMetric(peer, "peer-rows/s")
	b.ReportMetric(rate/peer, "x-peer")
}
