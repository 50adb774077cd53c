package queue

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/errs"
	"countersign/backend/proposal"
	"countersign/backend/store"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/oklog/ulid/v2"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeTimer fires only when the test says so.
type fakeTimer struct {
	d time.Duration
	c chan time.Time
}

func (f *fakeTimer) C() <-chan time.Time { return f.c }
func (f *fakeTimer) Stop() bool          { return true }
func (f *fakeTimer) Fire(at time.Time)   { f.c <- at }

// recorder collects emitted events.
type recorder struct {
	mu     sync.Mutex
	events []Event
	ch     chan Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan Event, 10000)} }

func (r *recorder) Emit(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	r.ch <- e
}

func (r *recorder) All() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// next waits for the next event.
func (r *recorder) next(t *testing.T) Event {
	t.Helper()
	select {
	case e := <-r.ch:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return Event{}
	}
}

type fixture struct {
	q      *Queue
	st     *store.Store
	clock  *fakeClock
	rec    *recorder
	timers chan *fakeTimer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "countersign.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, clock: &fakeClock{t: t0}, rec: newRecorder(), timers: make(chan *fakeTimer, 1000)}
	f.q = New(Config{
		Store: st, Emit: f.rec.Emit, Now: f.clock.Now, DefaultTTL: 10 * time.Minute,
		NewTimer: func(d time.Duration) Timer {
			ft := &fakeTimer{d: d, c: make(chan time.Time, 1)}
			f.timers <- ft
			return ft
		},
	})
	t.Cleanup(func() {
		f.q.Close()
		st.Close()
	})
	return f
}

// timer waits until the loop arms a timer for d.
func (f *fixture) timer(t *testing.T, d time.Duration) *fakeTimer {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ft := <-f.timers:
			if ft.d == d {
				return ft
			}
		case <-deadline:
			t.Fatalf("the loop armed no timer for %v", d)
		}
	}
}

// waiting polls, with a deadline, until someone waits on id.
func (f *fixture) waiting(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f.q.waitMu.Lock()
		w := f.q.waiters[id]
		f.q.waitMu.Unlock()
		if w != nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("nobody waits on %s", id)
}

func sample(agent string) proposal.Proposal {
	return proposal.Proposal{
		AgentID: agent, Summary: "Add notes", Workspace: "/home/ada/project",
		Actions: []proposal.Action{
			{Kind: proposal.KindFileWrite, Path: "notes.md", Content: "# Notes\n"},
			{Kind: proposal.KindFileDelete, Path: "old.md"},
		},
	}
}

func (f *fixture) submit(t *testing.T, agent string) *proposal.Proposal {
	t.Helper()
	p, err := f.q.Submit(context.Background(), sample(agent))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type result struct {
	p   *proposal.Proposal
	err error
}

func (f *fixture) waitAsync(ctx context.Context, id string) chan result {
	ch := make(chan result, 1)
	go func() {
		p, err := f.q.Wait(ctx, id)
		ch <- result{p, err}
	}()
	return ch
}

func receive(t *testing.T, ch chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return within 10s")
		return result{}
	}
}

var approve = proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}

func TestSubmit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := sample("claude")
	in.ID, in.Status, in.Risk = "chosen-by-agent", proposal.StatusApproved, proposal.RiskLow
	p, err := f.q.Submit(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ulid.ParseStrict(p.ID); err != nil {
		t.Errorf("id %q is not a ULID: %v", p.ID, err)
	}
	if p.Status != proposal.StatusPending || p.Risk != proposal.RiskHigh || !p.CreatedAt.Equal(t0) ||
		!p.ExpiresAt.Equal(t0.Add(10*time.Minute)) || p.Decision != nil {
		t.Errorf("assigned fields: status %s risk %s created %v expires %v decision %v",
			p.Status, p.Risk, p.CreatedAt, p.ExpiresAt, p.Decision)
	}
	got, err := f.q.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, p, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Get (-got +want):\n%s", diff)
	}
	e := f.rec.next(t)
	want := Event{Type: EventSubmitted, ProposalID: p.ID, Status: proposal.StatusPending, At: t0, Summary: &Summary{
		ID: p.ID, AgentID: "claude", Summary: "Add notes", Risk: proposal.RiskHigh, Status: proposal.StatusPending,
		CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute), ActionCount: 2,
		Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileDelete}}}
	if diff := cmp.Diff(e, want); diff != "" {
		t.Errorf("event (-got +want):\n%s", diff)
	}

	// A deadline the agent chose is kept.
	in = sample("claude")
	in.ExpiresAt = t0.Add(time.Hour)
	p, err = f.q.Submit(ctx, in)
	if err != nil || !p.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("chosen deadline: %v, %v", p, err)
	}
}

func TestSubmitRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	noSummary := sample("a")
	noSummary.Summary = ""
	past := sample("a")
	past.ExpiresAt = t0
	badPath := sample("a")
	badPath.Actions[1].Path = ""
	tests := []struct {
		name  string
		p     proposal.Proposal
		field string
	}{
		{"no summary", noSummary, "summary"},
		{"deadline not in the future", past, "expires_at"},
		{"empty path", badPath, "actions[1].path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.q.Submit(ctx, tt.p)
			if errs.CodeOf(err) != errs.CodeInvalid || !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("Submit = %v (code %q), want invalid", err, errs.CodeOf(err))
			}
			var ve *proposal.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Errorf("validation error %+v, want field %q", ve, tt.field)
			}
		})
	}
	if err := f.st.RevokeAgent(ctx, "a", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("agent a must not exist yet: %v", err)
	}
	f.submit(t, "a")
	f.rec.next(t)
	if err := f.st.RevokeAgent(ctx, "a", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Submit(ctx, sample("a")); errs.CodeOf(err) != errs.CodeForbidden {
		t.Errorf("revoked agent: %v, want forbidden", err)
	}
	page, err := f.q.ListPending(ctx, 0, 10)
	if err != nil || page.Total != 1 {
		t.Errorf("refused proposals were stored: total %d, %v", page.Total, err)
	}
	if n := len(f.rec.All()); n != 1 {
		t.Errorf("%d events, want only the one accepted submit", n)
	}
}

func TestConcurrentDecidersOneWins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	deny := proposal.Decision{Verdict: proposal.VerdictDeny, Reason: "no", DecidedBy: "bob"}
	for i := range 100 {
		p := f.submit(t, "a")
		start := make(chan struct{})
		results := make([]result, 2)
		var wg sync.WaitGroup
		for j, d := range []proposal.Decision{approve, deny} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got, err := f.q.Decide(ctx, p.ID, d)
				results[j] = result{got, err}
			}()
		}
		close(start)
		wg.Wait()

		var winner, loser *result
		for j := range results {
			if results[j].err == nil {
				winner = &results[j]
			} else {
				loser = &results[j]
			}
		}
		if winner == nil || loser == nil {
			t.Fatalf("round %d: want one winner and one loser, got %v and %v", i, results[0].err, results[1].err)
		}
		var se *StateError
		if !errors.Is(loser.err, errs.ErrConflict) || !errors.As(loser.err, &se) || errs.CodeOf(loser.err) != errs.CodeConflict {
			t.Fatalf("round %d: loser got %v, want a conflict", i, loser.err)
		}
		wantMsg := fmt.Sprintf("proposal %s is already %s", p.ID, winner.p.Status)
		if loser.err.Error() != wantMsg {
			t.Errorf("round %d: message %q, want %q", i, loser.err, wantMsg)
		}
		stored, err := f.q.Get(ctx, p.ID)
		if err != nil || stored.Status != winner.p.Status || stored.Decision.DecidedBy != winner.p.Decision.DecidedBy {
			t.Fatalf("round %d: stored %+v, winner %+v (%v)", i, stored, winner.p, err)
		}
		if stored.Status == proposal.StatusDenied && stored.Decision.Reason != "no" {
			t.Errorf("deny reason lost: %+v", stored.Decision)
		}
		evs, err := f.st.ListEvents(ctx, p.ID)
		if err != nil || len(evs) != 2 {
			t.Errorf("round %d: %d audit events (%v), want proposed and one decision", i, len(evs), err)
		}
	}
}

func TestWaitReturnsOnDecision(t *testing.T) {
	f := newFixture(t)
	p := f.submit(t, "a")
	ch := f.waitAsync(context.Background(), p.ID)
	f.waiting(t, p.ID)
	if _, err := f.q.Decide(context.Background(), p.ID, approve); err != nil {
		t.Fatal(err)
	}
	r := receive(t, ch)
	if r.err != nil || r.p.Status != proposal.StatusApproved || r.p.Decision == nil || r.p.Decision.DecidedBy != "ada" {
		t.Errorf("Wait = %+v, %v; want the approved proposal", r.p, r.err)
	}
	// Once final, Wait returns at once.
	r2, err := f.q.Wait(context.Background(), p.ID)
	if err != nil || r2.Status != proposal.StatusApproved {
		t.Errorf("Wait on a decided proposal = %v, %v", r2, err)
	}
}

func TestWaitReturnsOnWithdrawal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.submit(t, "owner")
	ch := f.waitAsync(ctx, p.ID)
	f.waiting(t, p.ID)

	_, err := f.q.Withdraw(ctx, p.ID, "someone-else")
	if errs.CodeOf(err) != errs.CodeForbidden {
		t.Errorf("withdraw by another agent = %v, want forbidden", err)
	}
	if _, err := f.q.Withdraw(ctx, p.ID, "owner"); err != nil {
		t.Fatal(err)
	}
	r := receive(t, ch)
	if r.err != nil || r.p.Status != proposal.StatusWithdrawn {
		t.Errorf("Wait = %+v, %v; want withdrawn", r.p, r.err)
	}
	_, err = f.q.Withdraw(ctx, p.ID, "owner")
	if !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "withdrawn") {
		t.Errorf("second withdraw = %v, want a conflict", err)
	}
	_, err = f.q.Decide(ctx, p.ID, approve)
	if !errors.Is(err, errs.ErrConflict) {
		t.Errorf("decide after withdraw = %v, want a conflict", err)
	}
}

func TestWaitReturnsOnExpiryByTheLoop(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := f.q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	f.timer(t, maxSleep) // nothing pending: the loop sleeps the longest
	in := sample("a")
	in.ExpiresAt = t0.Add(30 * time.Second)
	p, err := f.q.Submit(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	tm := f.timer(t, 30*time.Second) // re-armed for the new deadline
	ch := f.waitAsync(ctx, p.ID)
	f.waiting(t, p.ID)

	f.clock.Advance(30 * time.Second)
	tm.Fire(f.clock.Now())
	r := receive(t, ch)
	if r.err != nil || r.p.Status != proposal.StatusExpired || r.p.Decision != nil {
		t.Errorf("Wait = %+v, %v; want expired with no decision", r.p, r.err)
	}
	_, err = f.q.Decide(ctx, p.ID, approve)
	var se *StateError
	if !errors.As(err, &se) || se.Status != proposal.StatusExpired || !strings.Contains(err.Error(), "expired") {
		t.Errorf("decide after expiry = %v, want an expired state error", err)
	}
	// Waiters are woken at the commit and events are emitted just after it,
	// so the events are read as they come rather than listed at once.
	types := []EventType{f.rec.next(t).Type, f.rec.next(t).Type}
	if diff := cmp.Diff(types, []EventType{EventSubmitted, EventExpired}); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(f.rec.All()); n != 2 {
		t.Errorf("%d events, want 2: the refused decision must emit none", n)
	}
}

func TestLoopRearmsForEarlierDeadline(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := f.q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	late := sample("a")
	late.ExpiresAt = t0.Add(50 * time.Second)
	if _, err := f.q.Submit(ctx, late); err != nil {
		t.Fatal(err)
	}
	f.timer(t, 50*time.Second)
	early := sample("a")
	early.ExpiresAt = t0.Add(20 * time.Second)
	pe, err := f.q.Submit(ctx, early)
	if err != nil {
		t.Fatal(err)
	}
	tm := f.timer(t, 20*time.Second)
	f.clock.Advance(20 * time.Second)
	tm.Fire(f.clock.Now())
	f.rec.next(t) // submitted
	f.rec.next(t) // submitted
	if e := f.rec.next(t); e.Type != EventExpired || e.ProposalID != pe.ID {
		t.Errorf("event %+v, want the early proposal expired", e)
	}
	f.timer(t, 30*time.Second) // and the loop sleeps until the late one
}

func TestWaitContextCancelled(t *testing.T) {
	f := newFixture(t)
	p := f.submit(t, "a")
	ctx, cancel := context.WithCancel(context.Background())
	ch := f.waitAsync(ctx, p.ID)
	f.waiting(t, p.ID)
	cancel()
	r := receive(t, ch)
	if !errors.Is(r.err, context.Canceled) || r.p != nil {
		t.Errorf("Wait = %v, %v; want context.Canceled", r.p, r.err)
	}
	// The waiter was released.
	f.q.waitMu.Lock()
	n := len(f.q.waiters)
	f.q.waitMu.Unlock()
	if n != 0 {
		t.Errorf("%d waiters left after cancel", n)
	}
}

func TestWaitReturnsOnClose(t *testing.T) {
	f := newFixture(t)
	p := f.submit(t, "a")
	ch := f.waitAsync(context.Background(), p.ID)
	f.waiting(t, p.ID)
	f.q.Close()
	if r := receive(t, ch); errs.CodeOf(r.err) != errs.CodeUnavailable {
		t.Errorf("Wait after Close = %v, want unavailable", r.err)
	}
	if _, err := f.q.Submit(context.Background(), sample("a")); errs.CodeOf(err) != errs.CodeUnavailable {
		t.Errorf("Submit after Close = %v, want unavailable", err)
	}
}

func TestOverdueIsNeverApproved(t *testing.T) {
	f := newFixture(t) // the loop is not started
	ctx := context.Background()
	p := f.submit(t, "a")
	f.clock.Advance(10 * time.Minute)
	_, err := f.q.Decide(ctx, p.ID, approve)
	var se *StateError
	if !errors.As(err, &se) || se.Status != proposal.StatusExpired {
		t.Fatalf("Decide past the deadline = %v, want expired", err)
	}
	got, err := f.q.Get(ctx, p.ID)
	if err != nil || got.Status != proposal.StatusExpired {
		t.Errorf("stored status %v (%v), want expired", got.Status, err)
	}
	// Wait on an overdue proposal expires it too and returns.
	p2 := f.submit(t, "a")
	f.clock.Advance(11 * time.Minute)
	r, err := f.q.Wait(ctx, p2.ID)
	if err != nil || r.Status != proposal.StatusExpired {
		t.Errorf("Wait on overdue = %v, %v", r, err)
	}
}

func TestStartExpiresOverdue(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := sample("a"), sample("a")
	a.ExpiresAt, b.ExpiresAt = t0.Add(time.Minute), t0.Add(2*time.Minute)
	pa, _ := f.q.Submit(ctx, a)
	pb, _ := f.q.Submit(ctx, b)
	pc := f.submit(t, "a") // default: 10 minutes
	f.clock.Advance(5 * time.Minute)
	if err := f.q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// Start expired the overdue ones before returning.
	want := map[string]proposal.Status{pa.ID: proposal.StatusExpired, pb.ID: proposal.StatusExpired, pc.ID: proposal.StatusPending}
	for id, st := range want {
		p, err := f.q.Get(ctx, id)
		if err != nil || p.Status != st {
			t.Errorf("%s: %v (%v), want %s", id, p.Status, err, st)
		}
	}
	if err := f.q.Start(ctx); err == nil {
		t.Errorf("a second Start succeeded")
	}
}

func TestEventsInOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p1 := f.submit(t, "a")
	f.clock.Advance(time.Second)
	if _, err := f.q.Decide(ctx, p1.ID, proposal.Decision{Verdict: proposal.VerdictDeny, Reason: "r", DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	p2 := f.submit(t, "a")
	f.clock.Advance(time.Second)
	if _, err := f.q.Withdraw(ctx, p2.ID, "a"); err != nil {
		t.Fatal(err)
	}
	p3 := f.submit(t, "b")
	f.clock.Advance(10 * time.Minute)
	if n, err := f.q.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v", n, err)
	}
	p4 := f.submit(t, "b")
	if _, err := f.q.Decide(ctx, p4.ID, proposal.Decision{Verdict: proposal.VerdictApproveEdited, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	type ev struct {
		Type   EventType
		ID     string
		Status proposal.Status
		At     time.Time
	}
	var got []ev
	for _, e := range f.rec.All() {
		got = append(got, ev{e.Type, e.ProposalID, e.Status, e.At})
	}
	t1, t2, t3 := t0.Add(time.Second), t0.Add(2*time.Second), t0.Add(2*time.Second+10*time.Minute)
	want := []ev{
		{EventSubmitted, p1.ID, proposal.StatusPending, t0},
		{EventDenied, p1.ID, proposal.StatusDenied, t1},
		{EventSubmitted, p2.ID, proposal.StatusPending, t1},
		{EventWithdrawn, p2.ID, proposal.StatusWithdrawn, t2},
		{EventSubmitted, p3.ID, proposal.StatusPending, t2},
		{EventExpired, p3.ID, proposal.StatusExpired, t3},
		{EventSubmitted, p4.ID, proposal.StatusPending, t3},
		{EventApproved, p4.ID, proposal.StatusApproved, t3},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
}

// Concurrent submissions share commits in the store; Emit still sees every
// change once, in the order the store committed them.
func TestConcurrentEventsInCommitOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const workers, each = 32, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				p, err := f.q.Submit(ctx, sample("a"))
				if err != nil {
					errs <- err
					continue
				}
				if i%2 == 0 {
					if _, err := f.q.Decide(ctx, p.ID, proposal.Decision{Verdict: proposal.VerdictDeny, DecidedBy: "ada"}); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var got []string
	for _, e := range f.rec.All() {
		got = append(got, string(e.Type)+" "+e.ProposalID)
	}
	// The store's audit events, in the order they were committed.
	stored, err := f.st.ListAgentEvents(ctx, "a", time.Time{}, 2*workers*each)
	if err != nil {
		t.Fatal(err)
	}
	names := map[store.EventType]EventType{store.EventProposed: EventSubmitted, store.EventDenied: EventDenied}
	var want []string
	for _, e := range stored {
		want = append(want, string(names[e.Type])+" "+e.ProposalID)
	}
	if len(want) != workers*each*3/2 {
		t.Fatalf("%d events stored, want %d", len(want), workers*each*3/2)
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("emitted events differ from the commit order (-got +want):\n%s", diff)
	}
}

// Emit may call back into the queue: it is never called with a lock held.
func TestEmitMayCallBack(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "countersign.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var q *Queue
	var mu sync.Mutex
	var seen []EventType
	q = New(Config{Store: st, Now: func() time.Time { return t0 }, Emit: func(e Event) {
		mu.Lock()
		seen = append(seen, e.Type)
		mu.Unlock()
		if e.Type == EventSubmitted {
			if _, err := q.ListPending(context.Background(), 0, 10); err != nil {
				t.Error(err)
			}
			if _, err := q.Decide(context.Background(), e.ProposalID, approve); err != nil {
				t.Error(err)
			}
		}
	}})
	defer q.Close()
	if _, err := q.Submit(context.Background(), sample("a")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff(seen, []EventType{EventSubmitted, EventApproved}); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
}

func TestListPendingNewestFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []string
	for i := range 7 {
		if i%2 == 0 {
			f.clock.Advance(time.Second) // pairs share a timestamp
		}
		ids = append(ids, f.submit(t, fmt.Sprintf("agent-%d", i)).ID)
	}
	if _, err := f.q.Decide(ctx, ids[2], approve); err != nil {
		t.Fatal(err)
	}
	var got []string
	for offset := 0; offset < 10; offset += 3 {
		page, err := f.q.ListPending(ctx, offset, 3)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 6 || page.Offset != offset {
			t.Errorf("page at %d: total %d offset %d", offset, page.Total, page.Offset)
		}
		for _, s := range page.Items {
			got = append(got, s.ID)
		}
	}
	want := []string{ids[6], ids[5], ids[4], ids[3], ids[1], ids[0]}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("pending, newest first (-got +want):\n%s", diff)
	}
	page, err := f.q.ListPending(ctx, -5, 0)
	if err != nil || page.Offset != 0 || len(page.Items) != 6 {
		t.Errorf("defaults: offset %d, %d items, %v", page.Offset, len(page.Items), err)
	}
	empty, err := f.q.ListPending(ctx, 100, 10)
	if err != nil || empty.Items == nil || len(empty.Items) != 0 {
		t.Errorf("past the end: %+v, %v (items must be an empty list, not null)", empty, err)
	}
}

func TestDecideRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.submit(t, "a")
	tests := []struct {
		name string
		id   string
		d    proposal.Decision
		code errs.Code
	}{
		{"unknown verdict", p.ID, proposal.Decision{Verdict: "maybe", DecidedBy: "ada"}, errs.CodeInvalid},
		{"nobody decided", p.ID, proposal.Decision{Verdict: proposal.VerdictApprove}, errs.CodeInvalid},
		{"no such proposal", "01J00000000000000000000000", approve, errs.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.q.Decide(ctx, tt.id, tt.d)
			if got := errs.CodeOf(err); got != tt.code {
				t.Errorf("Decide = %v (code %q), want %q", err, got, tt.code)
			}
		})
	}
	if _, err := f.q.Get(ctx, "missing"); !errors.Is(err, errs.ErrNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get(missing) = %v", err)
	}
}
