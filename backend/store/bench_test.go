package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkInsertProposal stores small proposals (one file.write), each in its
// own transaction and commit. Goal: at least 20,000 proposals/s.
func BenchmarkInsertProposal(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p := small(newID(i), fmt.Sprintf("agent-%d", i%4), t0.Add(time.Duration(i)*time.Millisecond))
		p.Actions[0].Content = fmt.Sprintf("# Notes %d\n\nSome text that an agent would write.\n", i)
		if err := s.InsertProposal(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
}

// BenchmarkGroupCommit16 stores the same small proposals from 16
// goroutines at once, so that inserts arriving during a commit share the
// next one (group commit).
func BenchmarkGroupCommit16(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	b.ReportAllocs()
	b.ResetTimer()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				p := small(newID(i), fmt.Sprintf("agent-%d", i%4), t0.Add(time.Duration(i)*time.Millisecond))
				p.Actions[0].Content = fmt.Sprintf("# Notes %d\n\nSome text that an agent would write.\n", i)
				if err := s.InsertProposal(ctx, p); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
}

// BenchmarkAppendEventsBatch appends events in batches of 1,000, one
// transaction per batch. Goal: at least 100,000 rows/s.
func BenchmarkAppendEventsBatch(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	const batch = 1000
	events := make([]Event, batch)
	for i := range events {
		events[i] = Event{At: t0.Add(time.Duration(i) * time.Millisecond), ProposalID: newID(i % 50),
			AgentID: fmt.Sprintf("agent-%d", i%4), Type: EventExecuted, Data: []byte(`{"bytes":1234,"ok":true}`)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		// Audit events arrive in time order.
		for i := range events {
			events[i].At = t0.Add(time.Duration(n*batch+i) * time.Millisecond)
		}
		if err := s.AppendEvents(ctx, events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkPeerBareInsert is the floor to compare with: one 500-byte row per
// transaction into a table with no index, through the same connection
// settings and write path.
func BenchmarkPeerBareInsert(b *testing.B) {
	s, _ := openTemp(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.ReportMetric(peerInsertRate(b, s, b.N), "rows/s")
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
