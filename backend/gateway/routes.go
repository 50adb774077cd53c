package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"countersign/backend/errs"
	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
	"countersign/backend/store"
)

// Route is one endpoint of the API.
type Route struct {
	Method  string // GET or POST
	Pattern string // as net/http.ServeMux writes it, e.g. /v1/proposals/{id}
	Doc     string
	handler http.Handler
}

// Routes returns the route table: the whole of what an agent can do.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

func (s *Server) routeTable() []Route {
	h := func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }
	return []Route{
		{http.MethodPost, "/v1/proposals", "submit a proposal", h(s.submit)},
		{http.MethodGet, "/v1/proposals", "list the agent's own proposals, newest first", h(s.list)},
		{http.MethodGet, "/v1/proposals/{id}", "read one proposal, with previews", h(s.get)},
		{http.MethodGet, "/v1/proposals/{id}/wait", "wait for a decision (long poll)", h(s.wait)},
		{http.MethodPost, "/v1/proposals/{id}/withdraw", "withdraw a pending proposal", h(s.withdraw)},
		{http.MethodPost, "/v1/proposals/{id}/observed", "record files' state after the agent carried out an approved proposal", h(s.observed)},
	}
}

// matches reports whether path fits the route's pattern, whatever the method.
func (rt Route) matches(path string) bool {
	ps, ws := strings.Split(strings.Trim(rt.Pattern, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(ws) {
		return false
	}
	for i := range ps {
		if !strings.HasPrefix(ps[i], "{") && ps[i] != ws[i] {
			return false
		}
	}
	return true
}

// allow lists the methods of every route with the same pattern.
func (rt Route) allow(all []Route) string {
	var ms []string
	for _, o := range all {
		if o.Pattern == rt.Pattern {
			ms = append(ms, o.Method)
		}
	}
	return strings.Join(ms, ", ")
}

// ulidShape is what a proposal id looks like.
var ulidShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{26}$`)

// own returns the agent's proposal with the path's id, or not found for an
// id that is malformed, unknown or another agent's.
func (s *Server) own(r *http.Request) (*proposal.Proposal, error) {
	id := r.PathValue("id")
	notFound := errs.New(errs.CodeNotFound, fmt.Sprintf("proposal %s not found", id))
	if !ulidShape.MatchString(id) {
		return nil, notFound
	}
	p, err := s.cfg.Queue.Get(r.Context(), id)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if p.AgentID != agentOf(r) {
		return nil, notFound
	}
	return p, nil
}

// readBody reads a JSON request body within limit, answering 415 or 413
// itself; ok is false when it has answered.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64, allowEmpty bool) ([]byte, bool) {
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, api.ErrorDetail{Code: api.CodeTooLarge, Field: "body",
			Message: fmt.Sprintf("the body is %d bytes, more than the limit of %d", r.ContentLength, limit)})
		return nil, false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && allowEmpty && r.ContentLength <= 0 {
		return nil, true
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, api.ErrorDetail{Code: api.CodeUnsupportedMedia, Field: "Content-Type",
			Message: fmt.Sprintf("the body must be application/json, not %q", ct)})
		return nil, false
	}
	weight := limit
	if r.ContentLength >= 0 {
		weight = r.ContentLength
	}
	release, ok := s.budget.takeBytes(weight)
	if !ok {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, api.ErrorDetail{Code: string(errs.CodeUnavailable),
			Message: "the gateway is busy decoding other large requests; try again"})
		return nil, false
	}
	defer release()
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeError(w, http.StatusRequestEntityTooLarge, api.ErrorDetail{Code: api.CodeTooLarge, Field: "body",
			Message: fmt.Sprintf("the body is more than the limit of %d bytes", limit)})
		return nil, false
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, api.ErrorDetail{Code: string(errs.CodeInvalid), Field: "body",
			Message: "cannot read the body: " + err.Error()})
		return nil, false
	}
	return b, true
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r, s.MaxBodyBytes(), false)
	if !ok {
		return
	}
	agent := agentOf(r)
	p, ref, err := decodeSubmit(body, agent, s.limits, s.now())
	if err != nil {
		s.fail(w, err)
		return
	}
	release, ok, err := s.budget.reservePending(r.Context(), agent)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !ok {
		s.tooMany(w, 30*time.Second, fmt.Sprintf("this agent has %d or more proposals waiting for a decision; wait for some to be decided, or withdraw some", s.budget.b.MaxPending))
		return
	}
	submit := s.cfg.Queue.Submit
	if s.cfg.Submit != nil {
		submit = s.cfg.Submit
	}
	stored, err := submit(r.Context(), *p)
	release(err == nil)
	if err != nil {
		s.fail(w, fromValidation(err))
		return
	}
	if ref != "" {
		s.remember(agent, ref, stored.ID)
	}
	w.Header().Set("Location", "/v1/proposals/"+stored.ID)
	writeJSON(w, http.StatusCreated, s.view(stored))
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	p, err := s.own(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	v := s.view(p)
	if s.cfg.Previews {
		v.Previews = Previews(r.Context(), p)
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) wait(w http.ResponseWriter, r *http.Request) {
	timeout := api.DefaultWait
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := parseTimeout(v)
		if err != nil {
			s.fail(w, fieldError("timeout", "%v", err))
			return
		}
		timeout = d
	}
	p, err := s.own(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	settled := p.Status != proposal.StatusPending
	if s.cfg.Settles {
		settled = settled && p.Status != proposal.StatusApproved && p.Status != proposal.StatusExecuting
	}
	if settled {
		writeJSON(w, http.StatusOK, s.view(p))
		return
	}
	// A zero timeout still goes through Wait, which expires a proposal
	// found past its deadline before answering.
	done, ok := s.budget.startWait(agentOf(r))
	if !ok {
		s.tooMany(w, time.Second, fmt.Sprintf("this agent already has %d waits open", s.budget.b.MaxWaits))
		return
	}
	defer done()
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	wait := s.cfg.Queue.Wait
	if s.cfg.Settles {
		wait = s.cfg.Queue.WaitSettled
	}
	decided, err := wait(ctx, p.ID)
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, s.view(decided))
	case s.isClosing():
		s.fail(w, errs.New(errs.CodeUnavailable, "Countersign is shutting down; the proposal stays pending"))
	case errors.Is(err, context.DeadlineExceeded):
		// No decision yet: say so with the current state.
		cur, gerr := s.cfg.Queue.Get(r.Context(), p.ID)
		if gerr != nil {
			s.fail(w, gerr)
			return
		}
		writeJSON(w, http.StatusOK, s.view(cur))
	default:
		s.fail(w, err)
	}
}

func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

// parseTimeout reads a wait timeout: a Go duration ("30s", "1m") or whole
// seconds ("30"), from 0 to api.MaxWait.
func parseTimeout(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.Atoi(v)
		if nerr != nil {
			return 0, fmt.Errorf("%q is not a duration like 30s or a number of seconds", v)
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 || d > api.MaxWait {
		return 0, fmt.Errorf("must be between 0s and %s, got %s", api.MaxWait, d)
	}
	return d, nil
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r, 1<<10, true)
	if !ok {
		return
	}
	if len(body) > 0 {
		var empty struct{}
		if err := strictDecode(body, &empty); err != nil {
			s.fail(w, jsonError("", err))
			return
		}
	}
	p, err := s.own(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	out, err := s.cfg.Queue.Withdraw(r.Context(), p.ID, agentOf(r))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.view(out))
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, limit := 0, api.DefaultPage
	for _, f := range []struct {
		name     string
		dst      *int
		min, max int
	}{{"offset", &offset, 0, 1 << 30}, {"limit", &limit, 1, api.MaxPage}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < f.min || n > f.max {
			s.fail(w, fieldError(f.name, "must be an integer from %d to %d, got %q", f.min, f.max, v))
			return
		}
		*f.dst = n
	}
	agent := agentOf(r)
	out := api.List{Items: []api.Summary{}, Offset: offset, Limit: limit}
	if ref := q.Get("client_ref"); ref != "" {
		// The one proposal the agent submitted under this reference.
		if id, ok := s.lookup(agent, ref); ok {
			if p, err := s.cfg.Queue.Get(r.Context(), id); err == nil && p.AgentID == agent && offset == 0 {
				out.Items = append(out.Items, summaryOf(p))
			}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	items, err := s.cfg.Store.ListByAgent(r.Context(), agent, offset, limit+1)
	if err != nil {
		s.fail(w, err)
		return
	}
	if len(items) > limit {
		items = items[:limit]
		next := offset + limit
		out.NextOffset = &next
	}
	for _, it := range items {
		kinds := it.Kinds
		if kinds == nil {
			kinds = []proposal.Kind{}
		}
		out.Items = append(out.Items, api.Summary{ID: it.ID, Status: it.Status, Summary: it.Summary, Risk: it.Risk,
			CreatedAt: it.CreatedAt, ExpiresAt: it.ExpiresAt, ActionCount: it.ActionCount, Kinds: kinds})
	}
	writeJSON(w, http.StatusOK, out)
}

// Observed files: at most this many per request, and content kept up to
// the per-action content limit.
const maxObservedFiles = 100

// EventObserved is the store event that records files' state after the agent
// carried out an approved proposal itself.
const EventObserved store.EventType = "observed"

func (s *Server) observed(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r, s.MaxBodyBytes(), false)
	if !ok {
		return
	}
	var req api.ObserveRequest
	if err := strictDecode(body, &req); err != nil {
		s.fail(w, jsonError("", err))
		return
	}
	p, err := s.own(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	switch p.Status {
	case proposal.StatusApproved, proposal.StatusExecuting, proposal.StatusExecuted:
	default:
		s.fail(w, errs.New(errs.CodeConflict, fmt.Sprintf("proposal %s is %s; only an approved proposal's effects can be recorded", p.ID, p.Status)))
		return
	}
	if len(req.Files) == 0 || len(req.Files) > maxObservedFiles {
		s.fail(w, fieldError("files", "must list from 1 to %d files, got %d", maxObservedFiles, len(req.Files)))
		return
	}
	type rec struct {
		api.ObservedRecord
		content []byte
	}
	recs := make([]rec, len(req.Files))
	for i, f := range req.Files {
		field := fmt.Sprintf("files[%d]", i)
		switch {
		case f.Path == "" || strings.IndexByte(f.Path, 0) >= 0 || len(f.Path) > s.limits.MaxPath:
			s.fail(w, fieldError(field+".path", "must be a non-empty path without NUL bytes, at most %d bytes", s.limits.MaxPath))
			return
		case !f.Exists && (f.SHA256 != "" || f.ContentBase64 != "" || f.Size != 0):
			s.fail(w, fieldError(field, "a file that does not exist has no digest, size or content"))
			return
		case f.Exists && f.SHA256 == "" && f.ContentBase64 == "":
			s.fail(w, fieldError(field+".sha256", "is required for a file that exists (or send content_base64)"))
			return
		case f.SHA256 != "" && !isHexSHA256(f.SHA256):
			s.fail(w, fieldError(field+".sha256", "must be 64 lower-case hex digits"))
			return
		case f.Size < 0:
			s.fail(w, fieldError(field+".size", "is negative"))
			return
		}
		rc := rec{ObservedRecord: api.ObservedRecord{Path: f.Path, Exists: f.Exists, SHA256: f.SHA256, Size: f.Size}}
		if f.ContentBase64 != "" {
			b, err := base64.StdEncoding.DecodeString(f.ContentBase64)
			if err != nil {
				s.fail(w, fieldError(field+".content_base64", "is not standard base64: %v", err))
				return
			}
			if len(b) > s.limits.MaxContentBytes {
				s.fail(w, fieldError(field+".content_base64", "carries %d bytes, more than the limit of %d", len(b), s.limits.MaxContentBytes))
				return
			}
			sum := sha256.Sum256(b)
			got := hex.EncodeToString(sum[:])
			if f.SHA256 != "" && f.SHA256 != got {
				s.fail(w, fieldError(field+".sha256", "does not match the content (its SHA-256 is %s)", got))
				return
			}
			if f.Size != 0 && f.Size != int64(len(b)) {
				s.fail(w, fieldError(field+".size", "is %d but the content has %d bytes", f.Size, len(b)))
				return
			}
			rc.SHA256, rc.Size, rc.content, rc.ContentStored = got, int64(len(b)), b, true
		}
		recs[i] = rc
	}
	out := api.ObserveResponse{Files: make([]api.ObservedRecord, len(recs))}
	for i, rc := range recs {
		if rc.content != nil {
			if _, err := s.cfg.Store.PutBlob(r.Context(), rc.content); err != nil {
				s.fail(w, err)
				return
			}
		}
		out.Files[i] = rc.ObservedRecord
	}
	data, err := json.Marshal(out)
	if err != nil {
		s.fail(w, err)
		return
	}
	if err := s.cfg.Store.AppendEvents(r.Context(), []store.Event{{At: s.now(), ProposalID: p.ID,
		AgentID: p.AgentID, Type: EventObserved, Data: data}}); err != nil {
		s.fail(w, err)
		return
	}
	if s.cfg.Observe != nil {
		if err := s.cfg.Observe(r.Context(), p.ID); err != nil {
			s.log.Warn("record the after-state the agent left", "proposal", p.ID, "err", err)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// remember indexes a proposal under the agent's client reference.
func (s *Server) remember(agent, ref, id string) {
	s.refMu.Lock()
	defer s.refMu.Unlock()
	k := refKey{agent, ref}
	if _, ok := s.refs[k]; !ok {
		if len(s.refFIFO) >= maxRefs {
			delete(s.refs, s.refFIFO[0])
			s.refFIFO = s.refFIFO[1:]
		}
		s.refFIFO = append(s.refFIFO, k)
	}
	s.refs[k] = id
}

func (s *Server) lookup(agent, ref string) (string, bool) {
	s.refMu.Lock()
	defer s.refMu.Unlock()
	id, ok := s.refs[refKey{agent, ref}]
	return id, ok
}

func summaryOf(p *proposal.Proposal) api.Summary {
	sum := api.Summary{ID: p.ID, Status: p.Status, Summary: p.Summary, Risk: p.Risk, CreatedAt: p.CreatedAt,
		ExpiresAt: p.ExpiresAt, ActionCount: len(p.Actions), Kinds: []proposal.Kind{}}
	for _, a := range p.Actions {
		seen := false
		for _, k := range sum.Kinds {
			seen = seen || k == a.Kind
		}
		if !seen {
			sum.Kinds = append(sum.Kinds, a.Kind)
		}
	}
	return sum
}

// view is a proposal as its agent sees it.
func (s *Server) view(p *proposal.Proposal) api.Proposal {
	v := api.Proposal{ID: p.ID, Status: p.Status, Summary: p.Summary, Rationale: p.Rationale, Workspace: p.Workspace,
		Risk: p.Risk, CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt, Actions: make([]api.Action, len(p.Actions)),
		Message: statusMessage(p)}
	for i, a := range p.Actions {
		v.Actions[i] = api.Action{Index: i, Kind: a.Kind, Path: a.Path, To: a.To, Argv: a.Argv, Dir: a.Dir,
			Method: a.Method, URL: a.URL, Tool: a.Tool, ContentBytes: len(a.Content) + len(a.Body) + len(a.Input),
			Edits: len(a.Edits), Cells: len(a.Cells)}
	}
	if d := p.Decision; d != nil {
		v.Decision = &api.Decision{Verdict: d.Verdict, Reason: d.Reason, DecidedAt: d.DecidedAt}
		v.IntentToken = d.Token
	}
	if ex, err := s.cfg.Store.GetExecution(context.Background(), p.ID); err == nil && ex.Result != nil {
		var r api.Result
		if json.Unmarshal(ex.Result, &r) == nil && r.Outcome != "" {
			v.Result = &r
			if r.Error != "" && p.Status == proposal.StatusFailed {
				v.Message += " " + r.Error
			}
		}
	}
	return v
}

// statusMessage says what a status means for the agent.
func statusMessage(p *proposal.Proposal) string {
	switch p.Status {
	case proposal.StatusPending:
		return "Waiting for the person to decide in the Countersign window. Nothing has been done yet."
	case proposal.StatusApproved:
		if p.Decision != nil && p.Decision.Verdict != proposal.VerdictApprove {
			return fmt.Sprintf("Approved with changes (%s).", p.Decision.Verdict)
		}
		return "Approved by the person."
	case proposal.StatusDenied:
		if p.Decision != nil && p.Decision.Reason != "" {
			return "Denied by the person: " + p.Decision.Reason
		}
		return "Denied by the person."
	case proposal.StatusExpired:
		return "Expired: no decision came before the deadline. Nothing was done."
	case proposal.StatusWithdrawn:
		return "Withdrawn by the agent. Nothing was done."
	case proposal.StatusExecuting:
		return "Approved and being carried out."
	case proposal.StatusExecuted:
		return "Approved and carried out."
	case proposal.StatusFailed:
		return "Approved, but carrying it out failed."
	case proposal.StatusReverted:
		return "Carried out, then undone."
	}
	return string(p.Status)
}
