package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/config"
	"countersign/backend/keystore"
	"countersign/backend/store"
)

// buildLog writes n records of about 500 bytes to a real database in dir,
// in batches, with a signed checkpoint every n/10 records and at the end.
func buildLog(b *testing.B, dir string, n int) (*store.Store, Keys) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(config.DatabasePath(dir))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ks, err := keystore.Open(keystore.NewFile(dir+"/"+keystore.FileName), keystore.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	log, err := Open(ctx, Config{Store: st, Keys: ks})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 10_000
	pad := strings.Repeat("x", 200)
	events := make([]store.Event, batch)
	for done := 0; done < n; done += batch {
		for i := range events {
			k := done + i
			events[i] = store.Event{At: t0.Add(time.Duration(k) * time.Millisecond), ProposalID: fmt.Sprintf("01J%023d", k/3),
				AgentID: "claude-code", Type: store.EventExecuted,
				Data: []byte(fmt.Sprintf(`{"bytes":%d,"path":"projects/report-%d/section.md","note":"%s"}`, k, k%97, pad))}
		}
		if err := st.AppendEvents(ctx, events[:min(batch, n-done)]); err != nil {
			b.Fatal(err)
		}
		if (done+batch)%(n/10) == 0 || done+batch >= n {
			if _, err := log.Checkpoint(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	set, err := ks.Keys()
	if err != nil {
		b.Fatal(err)
	}
	keys, err := KeysFromSet(set)
	if err != nil {
		b.Fatal(err)
	}
	return st, keys
}

// BenchmarkAuditVerify1M verifies a log of 1,000,000 records (B/record says
// how large) read from a real SQLite file: the hash chain, the RFC 6962
// tree and 10 checkpoints. Goal: under 2 s (s/verify), that is at least
// 500,000 records/s. The fixture is built once, before the timed part.
func BenchmarkAuditVerify1M(b *testing.B) {
	const n = 1_000_000
	start := time.Now()
	st, keys := buildLog(b, b.TempDir(), n)
	ctx := context.Background()
	var bytes int
	if err := st.ScanAudit(ctx, 0, func(_ int64, rec []byte) error { bytes += len(rec); return nil }); err != nil {
		b.Fatal(err)
	}
	b.Logf("fixture of %d records (%d bytes each on average) built in %s", n, bytes/n, time.Since(start).Round(time.Millisecond))
	runs := 0
	for b.Loop() {
		r, err := Verify(ctx, st, keys)
		if err != nil {
			b.Fatal(err)
		}
		if !r.OK() || r.Records != n || r.Covered != n {
			b.Fatalf("%s\n%s", r.Summary(), problems(r))
		}
		runs++
	}
	per := b.Elapsed().Seconds() / float64(runs)
	b.ReportMetric(per, "s/verify")
	b.ReportMetric(n/per, "records/s")
	b.ReportMetric(float64(bytes)/n, "B/record")
}
