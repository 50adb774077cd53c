package store

import (
	"context"
	"database/sql"
	"strings"
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

// peerInsertRate commits n bare 500-byte rows, one per transaction, and
// returns rows per second.
func peerInsertRate(b *testing.B, s *Store, n int) float64 {
	ctx := context.Background()
	if _, err := s.db.Exec(`CREATE TABLE IF NOT EXISTS peer (id INTEGER PRIMARY KEY, data TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	stmt, err := s.db.Prepare(`INSERT INTO peer(data) VALUES (?1)`)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	row := strings.Repeat("x", 500)
	start := time.Now()
	for range n {
		err := s.write(ctx, "peer", func(tx *sql.Tx) error {
			_, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, row)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}
