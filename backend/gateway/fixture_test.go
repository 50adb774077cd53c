package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/gateway/api"
	"countersign/backend/gateway/token"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a real gateway over a real store and queue, listening on a
// Unix socket and loopback TCP.
type fixture struct {
	t       testing.TB
	st      *store.Store
	q       *queue.Queue
	gw      *Server
	clock   *fakeClock
	dataDir string
	runDir  string
	tokens  map[string]string // agent name -> token
	tcp     *http.Client
	unix    *http.Client
	base    string // http://127.0.0.1:PORT
}

// shortTempDir returns a temporary directory with a short path, since a Unix
// socket path is limited to about 100 bytes and t.TempDir can be longer.
func shortTempDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "csgw")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func newFixture(t testing.TB, mod func(*Config)) *fixture {
	t.Helper()
	dataDir := t.TempDir()
	st, err := store.Open(filepath.Join(dataDir, "countersign.db"))
	if err != nil {
		t.Fatal(err)
	}
	q := queue.New(queue.Config{Store: st})
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Now()}
	cfg := Config{Store: st, Queue: q, DataDir: dataDir, RuntimeDir: shortTempDir(t), Now: clock.Now,
		Previews: true, Budgets: Budgets{Rate: 1000, Burst: 1000}}
	if mod != nil {
		mod(&cfg)
	}
	gw, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, q: q, gw: gw, clock: clock, dataDir: dataDir, runDir: cfg.RuntimeDir,
		tokens: map[string]string{}, base: gw.Discovery().HTTP}
	t.Cleanup(func() {
		gw.Close()
		q.Close()
		st.Close()
	})
	f.tcp = &http.Client{Transport: &http.Transport{Proxy: nil}}
	if sock := gw.Discovery().Socket; sock != "" {
		f.unix = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}
	}
	for _, name := range []string{"alice", "bob"} {
		tok, _, err := token.Add(context.Background(), st, name, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[name] = tok
	}
	return f
}

// req describes one request.
type req struct {
	method string
	path   string
	agent  string // "" = no Authorization header
	token  string // overrides agent's token
	body   string
	header map[string]string
	host   string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) errBody(t testing.TB) api.ErrorDetail {
	t.Helper()
	var eb api.ErrorBody
	if err := json.Unmarshal(r.body, &eb); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return eb.Error
}

func (f *fixture) do(r req) resp {
	f.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, f.base+r.path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if r.body != "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	tok := r.token
	if tok == "" && r.agent != "" {
		tok = f.tokens[r.agent]
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range r.header {
		if v == "" {
			hr.Header.Del(k)
		} else {
			hr.Header.Set(k, v)
		}
	}
	if r.host != "" {
		hr.Host = r.host
	}
	res, err := f.tcp.Do(hr)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// submit submits a proposal as agent and returns its view.
func (f *fixture) submit(agent string, sr api.SubmitRequest) api.Proposal {
	f.t.Helper()
	b, _ := json.Marshal(sr)
	r := f.do(req{method: "POST", path: "/v1/proposals", agent: agent, body: string(b)})
	if r.status != http.StatusCreated {
		f.t.Fatalf("submit: %d %s", r.status, r.body)
	}
	var p api.Proposal
	if err := json.Unmarshal(r.body, &p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) decide(id string, v proposal.Verdict, reason string) {
	f.t.Helper()
	if _, err := f.q.Decide(context.Background(), id, proposal.Decision{Verdict: v, Reason: reason, DecidedBy: "ada", Token: "signed-token"}); err != nil {
		f.t.Fatal(err)
	}
}

// countProposals returns how many proposals the store holds in all.
func (f *fixture) countProposals() int {
	f.t.Helper()
	m, err := f.st.CountByStatus(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

func simple(ws string) api.SubmitRequest {
	return api.SubmitRequest{Summary: "Add notes", Workspace: ws,
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "notes.md", Content: "# Notes\n"}}}
}
