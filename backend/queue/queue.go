// Package queue is where proposals wait for a person's decision.
//
// It guarantees that: a submitted proposal is validated, assigned a ULID, a
// risk and a deadline, and stored before it is announced; of any number of
// concurrent decisions, withdrawals and expiries of one proposal exactly one
// takes effect and the others get a *StateError (code conflict); a proposal
// past its deadline is never approved, even if the expiry loop has not yet
// run; only the agent that submitted a proposal may withdraw it; every change
// is passed to Config.Emit once, after it is committed, in commit order, and
// never while a lock of the queue is held; Wait returns as soon as a proposal
// leaves pending, without polling. Errors carry the codes of package errs;
// validation errors keep their *proposal.ValidationError for errors.As.
package queue

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"countersign/backend/errs"
	"countersign/backend/proposal"
	"countersign/backend/store"
	"github.com/oklog/ulid/v2"
)

// EventType names a change announced to the UI.
type EventType string

const (
	EventSubmitted EventType = "proposal.submitted"
	EventApproved  EventType = "proposal.approved"
	EventDenied    EventType = "proposal.denied"
	EventExpired   EventType = "proposal.expired"
	EventWithdrawn EventType = "proposal.withdrawn"
	EventExecuting EventType = "proposal.executing"
	EventExecuted  EventType = "proposal.executed"
	EventFailed    EventType = "proposal.failed"
	EventReverted  EventType = "proposal.reverted"
)

// uiEvents maps the store events of execution and undo to what the UI hears.
var uiEvents = map[store.EventType]EventType{
	store.EventExecuting: EventExecuting,
	store.EventExecuted:  EventExecuted,
	store.EventFailed:    EventFailed,
	store.EventReverted:  EventReverted,
}

// Event is one change, as the UI receives it.
type Event struct {
	Type       EventType       `json:"type"`
	ProposalID string          `json:"proposal_id"`
	Status     proposal.Status `json:"status"`
	At         time.Time       `json:"at"`
	Summary    *Summary        `json:"summary,omitempty"` // set on submitted, so the UI can insert without a round trip
}

// Summary is a proposal as the pending list shows it.
type Summary struct {
	ID          string          `json:"id"`
	AgentID     string          `json:"agent_id"`
	Summary     string          `json:"summary"`
	Risk        proposal.Risk   `json:"risk"`
	Status      proposal.Status `json:"status"`
	CreatedAt   time.Time       `json:"created_at"`
	ExpiresAt   time.Time       `json:"expires_at"`
	DecidedAt   time.Time       `json:"decided_at"` // zero while pending
	ActionCount int             `json:"action_count"`
	Kinds       []proposal.Kind `json:"kinds"`
}

// Page is one page of a list, with the total number of items.
type Page struct {
	Items  []Summary `json:"items"`
	Total  int       `json:"total"`
	Offset int       `json:"offset"`
}

// DecidedPage is a page of the history read by cursor: Next is the cursor
// of the position after its last row, "" when nothing follows.
type DecidedPage struct {
	Items []Summary `json:"items"`
	Next  string    `json:"next"`
}

// Timer is what the expiry loop sleeps on; see Config.NewTimer.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// Config holds the queue's dependencies.
type Config struct {
	Store      *store.Store
	Emit       func(Event)      // called for every change; must not block for long; nil = no-op
	Now        func() time.Time // injected clock; nil = time.Now
	DefaultTTL time.Duration    // deadline when the proposal has none; 0 = 10 minutes
	Limits     proposal.Limits  // zero fields mean proposal.DefaultLimits
	// NewTimer starts the expiry loop's timer; nil = a real time.Timer. Tests
	// pass a fake to fire the loop by hand.
	NewTimer func(d time.Duration) Timer
	Logger   *slog.Logger // errors of the expiry loop; nil = discarded
}

const (
	defaultTTL = 10 * time.Minute
	// defaultPage and maxPage bound ListPending.
	defaultPage = 50
	maxPage     = 500
	// maxSleep caps the expiry loop's sleep, so a wall-clock jump or a
	// suspended laptop delays an expiry by at most this long (Decide checks
	// the deadline itself in any case).
	maxSleep = time.Minute
	// expireBatch is how many due proposals one query fetches.
	expireBatch = 100
)

// Queue holds pending proposals. Its methods are safe for concurrent use.
type Queue struct {
	st       *store.Store
	emitFn   func(Event)
	clock    func() time.Time
	ttl      time.Duration
	limits   proposal.Limits
	newTimer func(time.Duration) Timer
	log      *slog.Logger

	idMu    sync.Mutex
	entropy *ulid.MonotonicEntropy

	// Events are queued by the store's commit callbacks (InsertProposalThen,
	// UpdateStatusThen), which run in commit order, under the store's write
	// lock; outMu guards the queue itself.
	outMu    sync.Mutex
	outbox   []Event
	emitting bool

	waitMu  sync.Mutex
	waiters map[string]*waiter

	armMu    sync.Mutex
	armState armState
	armedAt  time.Time
	kick     chan struct{}

	lifeMu   sync.Mutex
	started  bool
	closed   bool
	done     chan struct{}
	loopDone chan struct{}

	// While held, nothing expires; see Hold.
	holdMu    sync.Mutex
	heldSince time.Time // zero when not held
}

type armState int

const (
	armComputing armState = iota // the loop is reading the next deadline: every submit kicks
	armNone                      // no pending proposal has a deadline
	armAt                        // the loop sleeps until armedAt
)

type waiter struct {
	ch chan struct{}
	n  int
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// New returns a queue over cfg.Store. Call Start to run the expiry loop.
func New(cfg Config) *Queue {
	q := &Queue{
		st:       cfg.Store,
		emitFn:   cfg.Emit,
		clock:    cfg.Now,
		ttl:      cfg.DefaultTTL,
		limits:   cfg.Limits,
		newTimer: cfg.NewTimer,
		log:      cfg.Logger,
		entropy:  ulid.Monotonic(rand.Reader, 0),
		waiters:  map[string]*waiter{},
		kick:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	if q.emitFn == nil {
		q.emitFn = func(Event) {}
	}
	if q.clock == nil {
		q.clock = time.Now
	}
	if q.ttl <= 0 {
		q.ttl = defaultTTL
	}
	if q.newTimer == nil {
		q.newTimer = func(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	return q
}

// now reads the clock, in UTC and without a monotonic reading, so that times
// compare equal after a round trip through the store.
func (q *Queue) now() time.Time { return q.clock().UTC().Round(0) }

func (q *Queue) isClosed() bool {
	select {
	case <-q.done:
		return true
	default:
		return false
	}
}

// Start expires what is already overdue, then runs the expiry loop until ctx
// ends or Close is called. It may be called once.
func (q *Queue) Start(ctx context.Context) error {
	q.lifeMu.Lock()
	defer q.lifeMu.Unlock()
	if q.closed {
		return errClosed
	}
	if q.started {
		return errs.New(errs.CodeConflict, "the queue is already started")
	}
	if _, err := q.ExpireDue(ctx); err != nil {
		return err
	}
	q.started = true
	go q.loop(ctx)
	return nil
}

// Close stops the expiry loop and makes every Wait return. It does not close
// the store. Calls after the first do nothing.
func (q *Queue) Close() error {
	q.lifeMu.Lock()
	if q.closed {
		q.lifeMu.Unlock()
		return nil
	}
	q.closed = true
	close(q.done)
	started := q.started
	q.lifeMu.Unlock()
	if started {
		<-q.loopDone
	}
	return nil
}

// loop sleeps until the earliest deadline (or maxSleep), expires what is
// due, and starts over; a submit with an earlier deadline wakes it.
func (q *Queue) loop(ctx context.Context) {
	defer close(q.loopDone)
	for {
		q.armMu.Lock()
		q.armState = armComputing
		q.armMu.Unlock()

		sleep := maxSleep
		next, ok, err := q.st.NextExpiry(ctx)
		q.armMu.Lock()
		switch {
		case err != nil:
			q.log.Error("queue: reading the next deadline", "err", err)
			q.armState = armNone
		case ok:
			sleep = min(max(next.Sub(q.now()), 0), maxSleep)
			q.armState, q.armedAt = armAt, next
		default:
			q.armState = armNone
		}
		q.armMu.Unlock()

		t := q.newTimer(sleep)
		select {
		case <-t.C():
			if _, err := q.ExpireDue(ctx); err != nil && ctx.Err() == nil {
				q.log.Error("queue: expiring proposals", "err", err)
			}
		case <-q.kick:
			t.Stop()
		case <-ctx.Done():
			t.Stop()
			return
		case <-q.done:
			t.Stop()
			return
		}
	}
}

// rearm wakes the loop if a new deadline comes before the one it sleeps for.
func (q *Queue) rearm(deadline time.Time) {
	q.armMu.Lock()
	wake := q.armState != armAt || deadline.Before(q.armedAt)
	q.armMu.Unlock()
	if wake {
		select {
		case q.kick <- struct{}{}:
		default:
		}
	}
}

// ExpireDue expires every pending proposal whose deadline has passed by the
// queue's clock and returns how many it expired. The loop calls it; tests
// and the app may call it directly.
func (q *Queue) ExpireDue(ctx context.Context) (int, error) {
	if q.Held() {
		return 0, nil
	}
	n := 0
	for {
		now := q.now()
		due, err := q.st.DueForExpiry(ctx, now, expireBatch)
		if err != nil {
			return n, fromStore("", err)
		}
		for _, d := range due {
			expired, err := q.expire(ctx, d.ID, now)
			if err != nil {
				return n, err
			}
			if expired {
				n++
			}
		}
		if len(due) < expireBatch {
			return n, nil
		}
	}
}

// expire moves a pending proposal to expired; it reports false if another
// change got there first.
func (q *Queue) expire(ctx context.Context, id string, now time.Time) (bool, error) {
	err := q.change(ctx, store.StatusChange{ID: id, From: proposal.StatusPending, To: proposal.StatusExpired,
		At: now, Event: store.EventExpired}, EventExpired)
	var se *StateError
	if errors.As(err, &se) {
		return false, nil
	}
	return err == nil, err
}

// Hold stops (on) or resumes expiry. A proposal does not expire while the
// queue is held; on resume every pending deadline moves later by the time the
// queue was held, so nothing that waited for the person is lost to the pause.
// since is when the hold began (it may predate this process: a pause lasts
// across restarts); zero means now.
func (q *Queue) Hold(ctx context.Context, on bool, since time.Time) error {
	q.holdMu.Lock()
	defer q.holdMu.Unlock()
	if on {
		if q.heldSince.IsZero() {
			if since.IsZero() {
				since = q.now()
			}
			q.heldSince = since
		}
		return nil
	}
	if q.heldSince.IsZero() {
		return nil
	}
	held := q.now().Sub(q.heldSince)
	if held > 0 {
		if err := q.st.ExtendPendingDeadlines(ctx, held); err != nil {
			return fromStore("", err)
		}
	}
	q.heldSince = time.Time{}
	select {
	case q.kick <- struct{}{}:
	default:
	}
	return nil
}

// Held reports whether expiry is held.
func (q *Queue) Held() bool {
	q.holdMu.Lock()
	defer q.holdMu.Unlock()
	return !q.heldSince.IsZero()
}

// change applies a status change and queues its event, then emits.
func (q *Queue) change(ctx context.Context, c store.StatusChange, ev EventType) error {
	err := q.st.UpdateStatusThen(ctx, c, func() {
		q.enqueue(Event{Type: ev, ProposalID: c.ID, Status: c.To, At: c.At})
		q.notify(c.ID)
	})
	q.drain()
	return fromStore(c.ID, err)
}

// enqueue adds an event to the outbox. It is called from the store's commit
// callbacks, so events are queued in commit order.
func (q *Queue) enqueue(e Event) {
	q.outMu.Lock()
	q.outbox = append(q.outbox, e)
	q.outMu.Unlock()
}

// drain emits queued events in order. Only one goroutine emits at a time; the
// others leave their events to it, so Emit sees one ordered stream and is
// never called with a queue lock held.
func (q *Queue) drain() {
	q.outMu.Lock()
	if q.emitting {
		q.outMu.Unlock()
		return
	}
	q.emitting = true
	for len(q.outbox) > 0 {
		batch := q.outbox
		q.outbox = nil
		q.outMu.Unlock()
		q.emitAll(batch)
		q.outMu.Lock()
	}
	q.emitting = false
	q.outMu.Unlock()
}

// emitAll calls Emit for each event; if Emit panics, the next drain takes
// over emitting.
func (q *Queue) emitAll(batch []Event) {
	ok := false
	defer func() {
		if !ok {
			q.outMu.Lock()
			q.emitting = false
			q.outMu.Unlock()
		}
	}()
	for _, e := range batch {
		q.emitFn(e)
	}
	ok = true
}

// watch returns a channel closed at the next change of id.
func (q *Queue) watch(id string) (<-chan struct{}, func()) {
	q.waitMu.Lock()
	defer q.waitMu.Unlock()
	w := q.waiters[id]
	if w == nil {
		w = &waiter{ch: make(chan struct{})}
		q.waiters[id] = w
	}
	w.n++
	return w.ch, func() {
		q.waitMu.Lock()
		defer q.waitMu.Unlock()
		if q.waiters[id] == w {
			if w.n--; w.n == 0 {
				delete(q.waiters, id)
			}
		}
	}
}

// notify wakes everyone waiting on id.
func (q *Queue) notify(id string) {
	q.waitMu.Lock()
	defer q.waitMu.Unlock()
	if w := q.waiters[id]; w != nil {
		close(w.ch)
		delete(q.waiters, id)
	}
}

func (q *Queue) newID(t time.Time) (string, error) {
	q.idMu.Lock()
	defer q.idMu.Unlock()
	id, err := ulid.New(ulid.Timestamp(t), q.entropy)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// SummaryOf is p as the lists show it.
func SummaryOf(p *proposal.Proposal) Summary { return summaryOf(p) }

func summaryOf(p *proposal.Proposal) Summary {
	s := Summary{ID: p.ID, AgentID: p.AgentID, Summary: p.Summary, Risk: p.Risk, Status: p.Status,
		CreatedAt: p.CreatedAt, ExpiresAt: p.ExpiresAt, ActionCount: len(p.Actions), Kinds: []proposal.Kind{}}
	for _, a := range p.Actions {
		seen := false
		for _, k := range s.Kinds {
			seen = seen || k == a.Kind
		}
		if !seen {
			s.Kinds = append(s.Kinds, a.Kind)
		}
	}
	return s
}

// Submit validates p, assigns its ID (a ULID), creation time, status
// (pending), risk and, if it has none, a deadline DefaultTTL from now; stores
// it with its agent in one transaction; and announces it. What the agent set
// in those fields is ignored, except a deadline, which must lie in the future.
func (q *Queue) Submit(ctx context.Context, p proposal.Proposal) (*proposal.Proposal, error) {
	return q.SubmitWith(ctx, p, nil)
}

// SubmitWith is Submit that calls screen, if not nil, with the proposal as
// it will be stored (id, risk and deadline set) before storing it; the
// events screen returns (its policy evaluation) are stored with it, in the
// same transaction.
func (q *Queue) SubmitWith(ctx context.Context, p proposal.Proposal, screen func(*proposal.Proposal) []store.Event) (*proposal.Proposal, error) {
	if q.isClosed() {
		return nil, errClosed
	}
	if err := p.Validate(q.limits); err != nil {
		return nil, errs.Wrap(errs.CodeInvalid, err)
	}
	now := q.now()
	id, err := q.newID(now)
	if err != nil {
		return nil, &errs.Error{Code: errs.CodeInternal, Message: "cannot make an id: " + err.Error(), Err: err}
	}
	p.ID, p.CreatedAt, p.Status, p.Decision = id, now, proposal.StatusPending, nil
	p.Risk = proposal.AssessRisk(&p)
	switch {
	case p.ExpiresAt.IsZero():
		p.ExpiresAt = now.Add(q.ttl)
	case !p.ExpiresAt.After(now):
		return nil, errs.Wrap(errs.CodeInvalid, proposal.ValidationErrors{
			{Field: "expires_at", Message: fmt.Sprintf("is not in the future (%s)", p.ExpiresAt.Format(time.RFC3339))}})
	default:
		p.ExpiresAt = p.ExpiresAt.UTC().Round(0)
	}

	// Concurrent submissions may share one commit (see store.InsertProposal).
	var extra []store.Event
	if screen != nil {
		extra = screen(&p)
	}
	sum := summaryOf(&p)
	err = q.st.InsertProposalWith(ctx, &p, extra, func() {
		q.enqueue(Event{Type: EventSubmitted, ProposalID: p.ID, Status: p.Status, At: now, Summary: &sum})
	})
	if err != nil {
		return nil, fromStore(p.ID, err)
	}
	q.drain()
	q.rearm(p.ExpiresAt)
	return &p, nil
}

// ListPending returns one page of pending proposals, newest first. limit
// defaults to 50 and is capped at 500.
func (q *Queue) ListPending(ctx context.Context, offset, limit int) (Page, error) {
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	offset = max(offset, 0)
	items, total, err := q.st.ListByStatus(ctx, proposal.StatusPending, offset, limit)
	if err != nil {
		return Page{}, fromStore("", err)
	}
	return Page{Items: summaries(items), Total: total, Offset: offset}, nil
}

// ListDecided returns a page of proposals that left pending, the most
// recently decided first. Total is the number of items in the page plus
// one when more may follow (the history is not counted).
func (q *Queue) ListDecided(ctx context.Context, offset, limit int) (Page, error) {
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	offset = max(offset, 0)
	items, err := q.st.ListDecided(ctx, offset, limit+1)
	if err != nil {
		return Page{}, fromStore("", err)
	}
	total := offset + len(items)
	if len(items) > limit {
		items = items[:limit]
	}
	return Page{Items: summaries(items), Total: total, Offset: offset}, nil
}

// ListDecidedAfter returns a page of the history after the position
// cursor names ("" for the top), skip rows (at most store.MaxSkip) further
// on. limit defaults to 50 and is capped at 500.
func (q *Queue) ListDecidedAfter(ctx context.Context, cursor string, skip, limit int) (DecidedPage, error) {
	if limit <= 0 {
		limit = defaultPage
	}
	limit = min(limit, maxPage)
	items, err := q.st.ListDecidedAfter(ctx, cursor, skip, limit+1)
	if errors.Is(err, store.ErrBadQuery) {
		return DecidedPage{}, errs.Wrap(errs.CodeInvalid, err)
	}
	if err != nil {
		return DecidedPage{}, fromStore("", err)
	}
	page := DecidedPage{Items: summaries(items)}
	if len(items) > limit {
		page.Items = page.Items[:limit]
		page.Next = store.DecidedCursor(items[limit-1])
	}
	return page, nil
}

func summaries(items []store.Summary) []Summary {
	out := make([]Summary, len(items))
	for i, s := range items {
		kinds := s.Kinds
		if kinds == nil {
			kinds = []proposal.Kind{}
		}
		out[i] = Summary{ID: s.ID, AgentID: s.AgentID, Summary: s.Summary, Risk: s.Risk, Status: s.Status,
			CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, DecidedAt: s.DecidedAt, ActionCount: s.ActionCount, Kinds: kinds}
	}
	return out
}

// Get returns a proposal with its actions and decision.
func (q *Queue) Get(ctx context.Context, id string) (*proposal.Proposal, error) {
	p, err := q.st.GetProposal(ctx, id)
	if err != nil {
		return nil, fromStore(id, err)
	}
	return p, nil
}

// overdue expires p if it is pending past its deadline and reports whether it
// is (now) expired.
func (q *Queue) overdue(ctx context.Context, p *proposal.Proposal, now time.Time) (bool, error) {
	if p.Status != proposal.StatusPending || p.ExpiresAt.IsZero() || now.Before(p.ExpiresAt) || q.Held() {
		return false, nil
	}
	if _, err := q.expire(ctx, p.ID, now); err != nil {
		return false, err
	}
	return true, nil
}

// Decide records a person's decision on a pending proposal: any approving
// verdict moves it to approved, deny to denied. DecidedAt is set from the
// queue's clock. Of concurrent deciders exactly one wins; the others get a
// *StateError such as "proposal 01J... is already approved". A proposal past
// its deadline is expired instead, and the decision refused.
func (q *Queue) Decide(ctx context.Context, id string, d proposal.Decision) (*proposal.Proposal, error) {
	if q.isClosed() {
		return nil, errClosed
	}
	var to proposal.Status
	var ev store.EventType
	var qev EventType
	switch {
	case d.Verdict.Approves():
		to, ev, qev = proposal.StatusApproved, store.EventApproved, EventApproved
	case d.Verdict == proposal.VerdictDeny:
		to, ev, qev = proposal.StatusDenied, store.EventDenied, EventDenied
	default:
		return nil, errs.Wrap(errs.CodeInvalid, proposal.ValidationErrors{
			{Field: "verdict", Message: fmt.Sprintf("unknown verdict %q", d.Verdict)}})
	}
	if strings.TrimSpace(d.DecidedBy) == "" {
		return nil, errs.Wrap(errs.CodeInvalid, proposal.ValidationErrors{
			{Field: "decided_by", Message: "is empty; a decision names who made it"}})
	}
	p, err := q.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	now := q.now()
	if expired, err := q.overdue(ctx, p, now); err != nil {
		return nil, err
	} else if expired {
		return nil, &StateError{ID: id, Status: proposal.StatusExpired}
	}
	if p.Status != proposal.StatusPending {
		return nil, &StateError{ID: id, Status: p.Status}
	}
	d.DecidedAt = now
	err = q.change(ctx, store.StatusChange{ID: id, From: proposal.StatusPending, To: to, At: now,
		Decision: &d, Event: ev}, qev)
	if err != nil {
		return nil, err
	}
	p.Status, p.Decision = to, &d
	return p, nil
}

// Move applies a status change of an approved proposal's execution, undo or
// redo (c.Event is one of store's executing, executed, failed, reverted),
// with its journal, and announces it. Decisions go through Decide, not Move.
func (q *Queue) Move(ctx context.Context, c store.StatusChange) error {
	if q.isClosed() {
		return errClosed
	}
	ev, ok := uiEvents[c.Event]
	if !ok || c.From == proposal.StatusPending {
		return fmt.Errorf("queue: Move does not record %q changes from %s", c.Event, c.From)
	}
	if c.At.IsZero() {
		c.At = q.now()
	}
	return q.change(ctx, c, ev)
}

// Withdraw takes back a pending proposal; only the agent that submitted it
// may.
func (q *Queue) Withdraw(ctx context.Context, id, agentID string) (*proposal.Proposal, error) {
	if q.isClosed() {
		return nil, errClosed
	}
	p, err := q.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.AgentID != agentID {
		return nil, errs.New(errs.CodeForbidden, fmt.Sprintf("proposal %s belongs to another agent", id))
	}
	now := q.now()
	if expired, err := q.overdue(ctx, p, now); err != nil {
		return nil, err
	} else if expired {
		return nil, &StateError{ID: id, Status: proposal.StatusExpired}
	}
	if p.Status != proposal.StatusPending {
		return nil, &StateError{ID: id, Status: p.Status}
	}
	err = q.change(ctx, store.StatusChange{ID: id, From: proposal.StatusPending, To: proposal.StatusWithdrawn,
		At: now, Event: store.EventWithdrawn}, EventWithdrawn)
	if err != nil {
		return nil, err
	}
	p.Status = proposal.StatusWithdrawn
	return p, nil
}

// Wait returns the proposal once it has left pending (decided, withdrawn or
// expired), at once if it already has. It returns ctx.Err() when ctx ends and
// an unavailable error when the queue closes. A proposal found pending past
// its deadline is expired on the spot.
func (q *Queue) Wait(ctx context.Context, id string) (*proposal.Proposal, error) {
	return q.waitFor(ctx, id, func(s proposal.Status) bool { return s != proposal.StatusPending })
}

// WaitSettled is Wait past approval: it returns once the proposal is
// neither pending, nor approved, nor executing (a proposal the agent
// carries out itself settles at once after approval).
func (q *Queue) WaitSettled(ctx context.Context, id string) (*proposal.Proposal, error) {
	return q.waitFor(ctx, id, func(s proposal.Status) bool {
		return s != proposal.StatusPending && s != proposal.StatusApproved && s != proposal.StatusExecuting
	})
}

func (q *Queue) waitFor(ctx context.Context, id string, done func(proposal.Status) bool) (*proposal.Proposal, error) {
	for {
		ch, release := q.watch(id)
		p, err := q.Get(ctx, id)
		if err != nil {
			release()
			return nil, err
		}
		if p.Status == proposal.StatusPending {
			expired, err := q.overdue(ctx, p, q.now())
			if err != nil {
				release()
				return nil, err
			}
			if expired {
				release()
				continue
			}
		}
		if done(p.Status) {
			release()
			return p, nil
		}
		select {
		case <-ch:
			release()
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		case <-q.done:
			release()
			return nil, errClosed
		}
	}
}
