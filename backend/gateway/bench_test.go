package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
)

// benchClients is the number of concurrent agents in the throughput
// benchmarks.
const benchClients = 16

// benchBody returns a realistic submission: one file write of about 1 KiB,
// unique per call so that every proposal stores its own content.
func benchBody(n int64, ws string) []byte {
	content := fmt.Sprintf("# Notes %d\n\n%s", n, strings.Repeat("Countersign keeps a person in the loop. ", 25))
	b, _ := json.Marshal(api.SubmitRequest{Summary: fmt.Sprintf("Update notes %d", n), Rationale: "Keep notes current.",
		Workspace: ws, Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "notes.md", Content: content}}})
	return b
}

// submitLoad drives POSTs to url from benchClients goroutines until b.N
// requests are done, and returns throughput and latency percentiles.
func submitLoad(b *testing.B, url string, token string, ws string) (perSec float64, p50, p99 time.Duration) {
	b.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, benchClients)
	var wg sync.WaitGroup
	errs := make(chan error, benchClients)
	b.ResetTimer()
	start := time.Now()
	for g := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1}}
			defer hc.CloseIdleConnections()
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				body := benchBody(n, ws)
				req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[g] = append(lat[g], time.Since(t0))
				if res.StatusCode != http.StatusCreated {
					errs <- fmt.Errorf("status %d", res.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	return float64(b.N) / elapsed.Seconds(), all[len(all)/2], all[min(len(all)*99/100, len(all)-1)]
}

// bareRate is the throughput of the bare handler, measured first, so the
// gateway's run can report its ratio.
var bareRate float64

// BenchmarkSubmit16 measures sustained submissions from 16 concurrent
// clients on loopback TCP: through the real gateway (authentication, budgets,
// decoding, validation, and a SQLite commit of every proposal before the
// answer), and through a bare handler that only decodes the same JSON.
func BenchmarkSubmit16(b *testing.B) {
	ws := b.TempDir()
	b.Run("bare-decode", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var sb submitBody
			dec := json.NewDecoder(r.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&sb); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"id":"01J00000000000000000000000","status":"pending"}` + "\n"))
		})}
		go srv.Serve(l)
		defer srv.Close()
		rate, p50, p99 := submitLoad(b, "http://"+l.Addr().String()+"/v1/proposals", "x", ws)
		bareRate = rate
		b.ReportMetric(rate, "submits/s")
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	})
	b.Run("gateway", func(b *testing.B) {
		f := newFixture(b, func(c *Config) {
			c.Budgets = Budgets{Rate: 1e9, Burst: 1e9, MaxPending: 1 << 30}
			c.Now = time.Now
		})
		rate, p50, p99 := submitLoad(b, f.base+"/v1/proposals", f.tokens["alice"], ws)
		b.ReportMetric(rate, "submits/s")
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		if bareRate > 0 {
			b.ReportMetric(rate/bareRate, "x-bare")
		}
		n, err := f.st.CountPendingByAgent(context.Background(), "alice")
		if err != nil || n < b.N {
			b.Fatalf("%d proposals stored for %d submissions: %v", n, b.N, err)
		}
	})
}
