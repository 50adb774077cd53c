// Package gateway is the one way agents reach Countersign: a small,
// versioned JSON API on a Unix domain socket and on a loopback TCP port, with
// a token per agent.
//
// It guarantees that:
//   - no route approves or denies anything: agents submit, read, wait for,
//     withdraw and annotate their own proposals, nothing else (the route
//     table is fixed in Routes, and a test walks it);
//   - every request is refused before it reaches a handler unless it has no
//     Origin or Referer header (and no cross-site Sec-Fetch-Site), names a
//     loopback Host, uses GET or POST, and carries a bearer token whose
//     SHA-256 matches, in constant time, that of an agent who is not revoked;
//     refusals are JSON errors, and no response ever carries CORS headers;
//   - the agent of a proposal is the token's agent, never what the body says,
//     and an agent sees only its own proposals: another agent's id is "not
//     found", exactly like an id that does not exist;
//   - a request that is malformed, over a limit or fails validation changes
//     nothing and gets a 4xx error naming the field at fault;
//   - per-agent budgets (request rate, pending proposals, concurrent waits)
//     answer 429 with Retry-After when spent;
//   - the Unix socket lives in a directory only the user can enter (0700) and
//     is itself 0600; a stale socket is removed only if it is a socket the
//     user owns that nobody answers on; the discovery file holds no secret,
//     is replaced atomically and is removed on Close.
//
// Time comes from Config.Now, so budgets and token caching can be tested
// without sleeping.
package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"countersign/backend/errs"
	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// Config holds the gateway's dependencies.
type Config struct {
	Store *store.Store
	Queue *queue.Queue
	// DataDir receives the discovery file (api.DiscoveryFile).
	DataDir string
	// RuntimeDir holds the socket directory; "" = DefaultRuntimeDir().
	RuntimeDir string
	// NoSocket serves loopback TCP only (the default on Windows).
	NoSocket bool
	// Addr is the TCP address; "" = 127.0.0.1:0. Only loopback addresses are
	// accepted.
	Addr    string
	Limits  proposal.Limits  // zero fields: proposal.DefaultLimits
	Budgets Budgets          // zero fields: DefaultBudgets
	Now     func() time.Time // nil = time.Now
	Logger  *slog.Logger     // nil = discarded
	// Previews adds unified diffs of text actions to GET /v1/proposals/{id},
	// computed against the targets on disk. Off unless asked for: a preview
	// shows the agent the current content around (or, for a delete, all of)
	// the target.
	Previews bool
	// PID is written to the discovery file; 0 = os.Getpid().
	PID int
	// Observe, when set, is told that the agent reported the files of a
	// proposal it carried out itself, so their after-state is recorded for
	// undo (read from disk, not from the report).
	Observe func(ctx context.Context, id string) error
	// Settles makes the wait endpoint wait past approval until the
	// proposal is carried out (executed or failed): set when this process
	// executes what is approved.
	Settles bool
	// Submit, when set, queues a proposal instead of Queue.Submit: the core
	// screens it by the person's rules, which may decide it at once. The
	// gateway itself never decides.
	Submit func(ctx context.Context, p proposal.Proposal) (*proposal.Proposal, error)
}

// Server is the gateway. Start it once; Close it once or more.
type Server struct {
	cfg    Config
	limits proposal.Limits
	now    func() time.Time
	log    *slog.Logger
	budget *budget
	mux    *http.ServeMux
	routes []Route

	authMu    sync.Mutex
	authCache map[string]authEntry

	refMu   sync.Mutex
	refs    map[refKey]string
	refFIFO []refKey

	mu        sync.Mutex
	started   bool
	closed    bool
	closing   chan struct{}
	srv       *http.Server
	listeners []net.Listener
	served    sync.WaitGroup
	disc      api.Discovery
	discPath  string
	sockPath  string
}

type refKey struct{ agent, ref string }

// maxRefs bounds the client_ref index.
const maxRefs = 10_000

// New builds a gateway over a store and a queue. It listens only on Start.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Queue == nil {
		return nil, errors.New("gateway: a store and a queue are required")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("gateway: a data directory is required")
	}
	s := &Server{cfg: cfg, now: cfg.Now, log: cfg.Logger, authCache: map[string]authEntry{},
		refs: map[refKey]string{}, closing: make(chan struct{})}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.limits = withDefaults(cfg.Limits)
	s.budget = newBudget(cfg.Budgets, cfg.Store.CountPendingByAgent)
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.authed(rt.handler))
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		for _, rt := range s.routes {
			if rt.matches(r.URL.Path) {
				w.Header().Set("Allow", rt.allow(s.routes))
				writeError(w, http.StatusMethodNotAllowed, api.ErrorDetail{Code: api.CodeMethodNotAllowed,
					Message: fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path)})
				return
			}
		}
		writeError(w, http.StatusNotFound, api.ErrorDetail{Code: string(errs.CodeNotFound),
			Message: "no such endpoint: " + r.URL.Path})
	})
	return s, nil
}

// withDefaults fills zero limits from proposal.DefaultLimits.
func withDefaults(l proposal.Limits) proposal.Limits {
	d := proposal.DefaultLimits()
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&l.MaxActions, d.MaxActions)
	set(&l.MaxContentBytes, d.MaxContentBytes)
	set(&l.MaxTotalBytes, d.MaxTotalBytes)
	set(&l.MaxSummary, d.MaxSummary)
	set(&l.MaxRationale, d.MaxRationale)
	set(&l.MaxPath, d.MaxPath)
	set(&l.MaxAgentID, d.MaxAgentID)
	set(&l.MaxItems, d.MaxItems)
	return l
}

// MaxBodyBytes is the largest request body: the proposal content limit plus
// room for the JSON around it.
func (s *Server) MaxBodyBytes() int64 { return int64(s.limits.MaxTotalBytes) + bodySlack }

// bodySlack is what a body may carry beyond MaxTotalBytes of content: field
// names, quoting, escapes and the other fields.
const bodySlack = 1 << 20

// Handler returns the gateway's HTTP handler, with every check of a real
// request. Start serves it; tests may drive it directly.
func (s *Server) Handler() http.Handler { return s.secure(s.mux) }

// Discovery returns what Start wrote to the discovery file.
func (s *Server) Discovery() api.Discovery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.disc
}

// Start listens on the Unix socket (unless NoSocket) and on loopback TCP,
// then writes the discovery file. On error nothing is left listening.
func (s *Server) Start(ctx context.Context) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return errs.New(errs.CodeUnavailable, "the gateway is closed")
	case s.started:
		return errs.New(errs.CodeConflict, "the gateway is already started")
	}
	defer func() {
		if err != nil {
			for _, l := range s.listeners {
				l.Close()
			}
			s.listeners = nil
			if s.sockPath != "" {
				os.Remove(s.sockPath)
				s.sockPath = ""
			}
		}
	}()

	disc := api.Discovery{Version: api.DiscoveryVersion, PID: s.cfg.PID}
	if disc.PID == 0 {
		disc.PID = os.Getpid()
	}
	if !s.cfg.NoSocket && socketsSupported {
		rd := s.cfg.RuntimeDir
		if rd == "" {
			if rd, err = DefaultRuntimeDir(); err != nil {
				return err
			}
		}
		path, err := socketPath(rd, s.cfg.DataDir)
		if err != nil {
			return err
		}
		l, err := listenUnix(path)
		if err != nil {
			return err
		}
		s.listeners = append(s.listeners, l)
		s.sockPath, disc.Socket = path, path
	}
	addr := s.cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || net.ParseIP(host) == nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("gateway: %q is not a loopback address", addr)
	}
	var lc net.ListenConfig
	tl, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("gateway: listen on %s: %w", addr, err)
	}
	s.listeners = append(s.listeners, tl)
	disc.HTTP = "http://" + tl.Addr().String()

	s.discPath = discoveryPath(s.cfg.DataDir)
	if err := writeDiscovery(s.discPath, disc); err != nil {
		return err
	}
	s.disc = disc
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      api.MaxWait + time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnState: func(c net.Conn, st http.ConnState) {
			if st == http.StateNew && c.LocalAddr().Network() == "tcp" && !remoteIsLoopback(c.RemoteAddr().String()) {
				c.Close()
			}
		},
	}
	for _, l := range s.listeners {
		s.served.Add(1)
		go func(l net.Listener) {
			defer s.served.Done()
			if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("gateway: serve", "addr", l.Addr().String(), "err", err)
			}
		}(l)
	}
	s.started = true
	s.log.Info("gateway: listening", "socket", disc.Socket, "http", disc.HTTP)
	return nil
}

// Close removes the discovery file, ends long polls, stops listening and
// removes the socket. Calls after the first do nothing.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	started, srv := s.started, s.srv
	s.mu.Unlock()
	if !started {
		return nil
	}
	var errList []error
	if err := removeDiscovery(s.discPath, s.disc); err != nil {
		errList = append(errList, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
	}
	s.served.Wait()
	if s.sockPath != "" {
		if err := os.Remove(s.sockPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			errList = append(errList, err)
		}
	}
	return errors.Join(errList...)
}

// SetObserve sets Config.Observe before Start (the executor is built after
// the gateway).
func (s *Server) SetObserve(f func(ctx context.Context, id string) error) { s.cfg.Observe = f }

// SetSubmit sets Config.Submit before Start.
func (s *Server) SetSubmit(f func(ctx context.Context, p proposal.Proposal) (*proposal.Proposal, error)) {
	s.cfg.Submit = f
}
