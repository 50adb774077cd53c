package queue

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"countersign/backend/store"
)

const benchPending = 10_000

// template is a database holding benchPending pending proposals, built once
// per test binary and copied for each benchmark run.
var template struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

func buildTemplate() (string, error) {
	template.once.Do(func() {
		template.dir, template.err = os.MkdirTemp("", "queue-bench-")
		if template.err != nil {
			return
		}
		template.path = filepath.Join(template.dir, "pending.db")
		st, err := store.Open(template.path)
		if err != nil {
			template.err = err
			return
		}
		defer st.Close()
		q := New(Config{Store: st, DefaultTTL: 24 * time.Hour})
		defer q.Close()
		for range benchPending {
			if _, err := q.Submit(context.Background(), sample("agent")); err != nil {
				template.err = err
				return
			}
		}
	})
	return template.path, template.err
}

// pendingStore opens a private copy of the template.
func pendingStore(b *testing.B) *store.Store {
	b.Helper()
	src, err := buildTemplate()
	if err != nil {
		b.Fatal(err)
	}
	dst := filepath.Join(b.TempDir(), "countersign.db")
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(dst)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkSubmit measures, with 10,000 proposals pending, the time from the
// Submit call to the Emit callback for that proposal. Goal: p99 well under
// 50 ms.
func BenchmarkSubmit(b *testing.B) {
	st := pendingStore(b)
	var mu sync.Mutex
	emitted := map[string]time.Time{}
	q := New(Config{Store: st, DefaultTTL: 24 * time.Hour, Emit: func(e Event) {
		if e.Type == EventSubmitted {
			mu.Lock()
			emitted[e.ProposalID] = time.Now()
			mu.Unlock()
		}
	}})
	defer q.Close()
	ctx := context.Background()
	if page, err := q.ListPending(ctx, 0, 1); err != nil || page.Total < benchPending {
		b.Fatalf("fixture: %d pending, %v", page.Total, err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		p, err := q.Submit(ctx, sample("agent"))
		if err != nil {
			b.Fatal(err)
		}
		mu.Lock()
		at, ok := emitted[p.ID]
		delete(emitted, p.ID)
		mu.Unlock()
		if !ok {
			b.Fatalf("Submit returned before %s was emitted", p.ID)
		}
		lat = append(lat, at.Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
}

// BenchmarkListPendingFirstPage reads the first page of 50 with 10,000
// proposals pending. Goal: under 50 ms.
func BenchmarkListPendingFirstPage(b *testing.B) {
	st := pendingStore(b)
	q := New(Config{Store: st})
	defer q.Close()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		page, err := q.ListPending(ctx, 0, 50)
		if err != nil {
			b.Fatal(err)
		}
		if len(page.Items) != 50 || page.Total < benchPending {
			b.Fatalf("page of %d, total %d", len(page.Items), page.Total)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond), "ms/op")
}
