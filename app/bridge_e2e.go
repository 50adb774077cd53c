//go:build e2e

package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"countersign/backend/cli"
	"countersign/backend/core"
	"countersign/backend/policy"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/sheet"
)

// bridgeEnabled is true only in test builds (go build -tags e2e). The bridge
// serves the real UI and the real App over HTTP so a browser can drive them;
// it has no authentication and must never ship.
const bridgeEnabled = true

// bridgeJS stands in for the Wails IPC: window.go.app.App.* become HTTP calls
// and window.runtime events arrive over server-sent events.
const bridgeJS = `(() => {
  const call = async (method, args) => {
    const r = await fetch('/__bridge/call', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({method, args})});
    const body = await r.json();
    if (body.error !== undefined && body.error !== null) throw body.error;
    return body.result;
  };
  window.go = {app: {App: new Proxy({}, {get: (_, name) => (...args) => call(String(name), args)})}};
  const listeners = {};
  const off = (name) => { delete listeners[name]; };
  const es = new EventSource('/__bridge/events');
  window.__bridgeReady = new Promise((resolve) => { es.onopen = () => resolve(true); });
  es.onmessage = (m) => {
    const {name, data} = JSON.parse(m.data);
    for (const l of (listeners[name] || []).slice()) {
      l.cb(...data);
      if (l.max > 0 && --l.max === 0) listeners[name] = (listeners[name] || []).filter((x) => x !== l);
    }
  };
  const rt = {
    EventsOnMultiple(name, cb, max) {
      const l = {cb, max};
      (listeners[name] = listeners[name] || []).push(l);
      return () => { listeners[name] = (listeners[name] || []).filter((x) => x !== l); };
    },
    EventsOff(name, ...more) { off(name); more.forEach(off); },
    EventsOffAll() { Object.keys(listeners).forEach(off); },
    EventsEmit() {},
  };
  window.runtime = new Proxy(rt, {get: (t, k) => (k in t ? t[k] : () => {})});
})();`

type bridgeCall struct {
	Method string            `json:"method"`
	Args   []json.RawMessage `json:"args"`
}

type bridge struct {
	dist fs.FS
	s    *shell

	mu      sync.Mutex
	clients map[chan []byte]struct{}
	exports int // files exportTimeline wrote
}

func runBridge(dist fs.FS, o cli.WindowOptions, version string, started time.Time, logf func(string, ...any)) error {
	s, err := newShell(o, version, started, logf)
	if err != nil {
		return err
	}
	b := &bridge{dist: dist, s: s, clients: map[chan []byte]struct{}{}}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := s.start(ctx, b.broadcast); err != nil {
		s.stop()
		return err
	}
	defer s.stop()
	ln, err := net.Listen("tcp", o.Bridge)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: b.routes(), ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("bridge listening on http://%s\n", ln.Addr())
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (b *bridge) broadcast(batch []queue.Event) {
	msg, err := json.Marshal(map[string]any{"name": EventQueue, "data": []any{batch}})
	if err != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.clients {
		c <- msg // buffered; a stalled client blocks delivery, which a test should notice
	}
}

func (b *bridge) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /__bridge/bridge.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write([]byte(bridgeJS))
	})
	mux.HandleFunc("GET /__bridge/events", b.events)
	mux.HandleFunc("POST /__bridge/call", b.call)
	mux.HandleFunc("POST /__test/submit", b.submit)
	mux.HandleFunc("POST /__test/seed", b.seed)
	mux.HandleFunc("POST /__test/seed-history", b.seedHistory)
	mux.HandleFunc("GET /__test/proposal/{id}", b.proposal)
	files := http.FileServerFS(b.dist)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/index.html" {
			files.ServeHTTP(w, r)
			return
		}
		page, err := fs.ReadFile(b.dist, "index.html")
		if err != nil {
			http.Error(w, "frontend/dist/index.html is missing: build the frontend first", http.StatusInternalServerError)
			return
		}
		page = bytes.Replace(page, []byte("<head>"), []byte(`<head><script src="/__bridge/bridge.js"></script>`), 1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	return mux
}

func (b *bridge) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan []byte, 4096)
	b.mu.Lock()
	b.clients[c] = struct{}{}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.clients, c)
		b.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-c:
			_, _ = fmt.Fprintf(w, "data: %s\n\n", msg)
			fl.Flush()
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func arg[T any](args []json.RawMessage, i int) (T, error) {
	var v T
	if i >= len(args) {
		return v, fmt.Errorf("missing argument %d", i)
	}
	err := json.Unmarshal(args[i], &v)
	return v, err
}

// call dispatches to the same bound methods the window uses.
func (b *bridge) call(w http.ResponseWriter, r *http.Request) {
	var c bridgeCall
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	a := b.s.app
	var result any
	var err error
	switch c.Method {
	case "ListPending":
		var off, lim int
		if off, err = arg[int](c.Args, 0); err == nil {
			if lim, err = arg[int](c.Args, 1); err == nil {
				result, err = a.ListPending(off, lim)
			}
		}
	case "Get":
		var id string
		if id, err = arg[string](c.Args, 0); err == nil {
			result, err = a.Get(id)
		}
	case "Approve":
		var id string
		if id, err = arg[string](c.Args, 0); err == nil {
			err = a.Approve(id)
		}
	case "Deny":
		var id, reason string
		if id, err = arg[string](c.Args, 0); err == nil {
			if reason, err = arg[string](c.Args, 1); err == nil {
				err = a.Deny(id, reason)
			}
		}
	case "Info":
		result, err = a.Info()
	case "Preview":
		var id string
		if id, err = arg[string](c.Args, 0); err == nil {
			result, err = a.Preview(id)
		}
	case "HistoryPreview":
		var id string
		if id, err = arg[string](c.Args, 0); err == nil {
			result, err = a.HistoryPreview(id)
		}
	case "Secrets":
		var id string
		if id, err = arg[string](c.Args, 0); err == nil {
			result, err = a.Secrets(id)
		}
	case "SheetWindow":
		var id string
		var idx int
		var q sheet.WindowQuery
		if id, err = arg[string](c.Args, 0); err == nil {
			if idx, err = arg[int](c.Args, 1); err == nil {
				if q, err = arg[sheet.WindowQuery](c.Args, 2); err == nil {
					result, err = a.SheetWindow(id, idx, q)
				}
			}
		}
	case "PreviewLines":
		var id string
		var idx, from, to int
		if id, err = arg[string](c.Args, 0); err == nil {
			if idx, err = arg[int](c.Args, 1); err == nil {
				if from, err = arg[int](c.Args, 2); err == nil {
					if to, err = arg[int](c.Args, 3); err == nil {
						result, err = a.PreviewLines(id, idx, from, to)
					}
				}
			}
		}
	case "ApproveSelection":
		var id string
		var sel core.Selection
		if id, err = arg[string](c.Args, 0); err == nil {
			if sel, err = arg[core.Selection](c.Args, 1); err == nil {
				err = a.ApproveSelection(id, sel)
			}
		}
	case "ListDecided":
		var off, lim int
		if off, err = arg[int](c.Args, 0); err == nil {
			if lim, err = arg[int](c.Args, 1); err == nil {
				result, err = a.ListDecided(off, lim)
			}
		}
	case "ListDecidedAfter":
		var cur string
		var skip, lim int
		if cur, err = arg[string](c.Args, 0); err == nil {
			if skip, err = arg[int](c.Args, 1); err == nil {
				if lim, err = arg[int](c.Args, 2); err == nil {
					result, err = a.ListDecidedAfter(cur, skip, lim)
				}
			}
		}
	case "Undo", "Redo":
		var id string
		var force bool
		if id, err = arg[string](c.Args, 0); err == nil {
			if force, err = arg[bool](c.Args, 1); err == nil {
				if c.Method == "Undo" {
					result, err = a.Undo(id, force)
				} else {
					result, err = a.Redo(id, force)
				}
			}
		}
	case "Insights":
		var days int
		if days, err = arg[int](c.Args, 0); err == nil {
			result, err = a.Insights(days)
		}
	case "Timeline":
		var q TimelineQuery
		if q, err = arg[TimelineQuery](c.Args, 0); err == nil {
			result, err = a.Timeline(q)
		}
	case "TimelineEvents":
		var id string
		if id, err = arg[string](c.Args, 0); err == nil {
			result, err = a.TimelineEvents(id)
		}
	case "ExportTimeline":
		var q TimelineQuery
		var format string
		if q, err = arg[TimelineQuery](c.Args, 0); err == nil {
			if format, err = arg[string](c.Args, 1); err == nil {
				result, err = b.exportTimeline(q, format)
			}
		}
	case "Policy":
		result, err = a.Policy()
	case "PreviewRemember", "Remember", "RevokeRule", "ApplyRole", "AcceptRulesFile", "RejectRulesFile":
		var ss [4]string
		for i := range c.Args {
			if i < len(ss) {
				if ss[i], err = arg[string](c.Args, i); err != nil {
					break
				}
			}
		}
		if err == nil {
			switch c.Method {
			case "PreviewRemember":
				result, err = a.PreviewRemember(ss[0], ss[1], ss[2], ss[3])
			case "Remember":
				result, err = a.Remember(ss[0], ss[1], ss[2])
			case "RevokeRule":
				err = a.RevokeRule(ss[0])
			case "ApplyRole":
				err = a.ApplyRole(ss[0], ss[1])
			case "AcceptRulesFile":
				err = a.AcceptRulesFile(ss[0])
			case "RejectRulesFile":
				err = a.RejectRulesFile()
			}
		}
	case "SetBudget":
		var agent string
		var bud policy.Budget
		if agent, err = arg[string](c.Args, 0); err == nil {
			if bud, err = arg[policy.Budget](c.Args, 1); err == nil {
				err = a.SetBudget(agent, bud)
			}
		}
	case "SetPaused":
		var on bool
		if on, err = arg[bool](c.Args, 0); err == nil {
			err = a.SetPaused(on)
		}
	case "UIReady":
		a.UIReady()
	default:
		err = fmt.Errorf("method %q is not bound", c.Method)
	}
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"error": formatError(err)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"result": result})
}

func (b *bridge) submit(w http.ResponseWriter, r *http.Request) {
	var p proposal.Proposal
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	got, err := b.s.core.Submit(r.Context(), p)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, got)
}

// seed submits count simple proposals, for benchmarks that need a full queue.
func (b *bridge) seed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Count < 0 || req.Count > 1_000_000 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want {\"count\": 0..1000000}"})
		return
	}
	for i := 0; i < req.Count; i++ {
		p := proposal.Proposal{
			AgentID:   fmt.Sprintf("seed-agent-%d", i%7),
			Workspace: b.s.o.DataDir + "-seed",
			Summary:   fmt.Sprintf("Seeded change %d: update %s", i, strings.Repeat("x", i%5)),
			Actions:   []proposal.Action{{Kind: proposal.KindFileWrite, Path: fmt.Sprintf("seed/file-%d.txt", i), Content: fmt.Sprintf("content %d\n", i)}},
		}
		if _, err := b.s.core.Queue.Submit(r.Context(), p); err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error(), "seeded": i})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"seeded": req.Count})
}

// seedHistory writes count past proposals straight into the database, the
// newest decided now, for benchmarks of the History view.
func (b *bridge) seedHistory(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Count < 0 || req.Count > 2_000_000 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want {\"count\": 0..2000000}"})
		return
	}
	if err := b.s.core.Store.SeedHistory(r.Context(), req.Count, b.s.o.DataDir+"-seed", time.Now()); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"seeded": req.Count})
}

func (b *bridge) proposal(w http.ResponseWriter, r *http.Request) {
	p, err := b.s.core.Queue.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// exportTimeline stands in for ExportTimeline, whose save dialog a browser
// cannot answer: it writes into exports/ under the data directory, a new
// file each time, and returns where.
func (b *bridge) exportTimeline(q TimelineQuery, format string) (ExportResult, error) {
	ext, ok := exportExt[format]
	if !ok {
		return ExportResult{}, fmt.Errorf("unknown export format %q", format)
	}
	sq, err := q.toStoreQuery()
	if err != nil {
		return ExportResult{}, err
	}
	dir := filepath.Join(b.s.core.DataDir, "exports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ExportResult{}, err
	}
	b.mu.Lock()
	b.exports++
	n := b.exports
	b.mu.Unlock()
	return b.s.app.exportTo(sq, filepath.Join(dir, fmt.Sprintf("history-%d.%s", n, ext)), format)
}
