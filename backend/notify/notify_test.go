package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"

	"countersign/backend/core"
	"countersign/backend/desktoptest"
	"countersign/backend/proposal"
)

// With the real dunst: the Notify call is seen on the bus with its summary,
// body and actions, and Approve chosen in dunst's own menu decides the
// proposal through the signed path.
func TestRealDunstApproves(t *testing.T) {
	bus := desktoptest.StartBus(t)
	dunst := desktoptest.StartDunst(t, bus, "#Approve")
	monitor := monitorNotify(t, bus)
	h := newHarnessOn(t, bus, 50*time.Millisecond)

	p := h.submit("claude-code", false)
	m := monitor.next(t)
	if len(m.Body) != 8 {
		t.Fatalf("Notify body %v", m.Body)
	}
	if got, want := m.Body[3], "claude-code asks for your approval"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if body := m.Body[4].(string); !strings.Contains(body, "Write notes.txt &lt;b&gt;now&lt;/b&gt;") || !strings.Contains(body, "low risk") {
		t.Errorf("body %q does not hold the escaped summary and the risk", body)
	}
	if diff := cmp.Diff(m.Body[5], []string{"approve", "Approve", "deny", "Deny", "default", "Open"}); diff != "" {
		t.Errorf("actions (-got +want):\n%s", diff)
	}

	dunst.Context(t)
	got := h.waitStatus(p.ID, proposal.StatusApproved)
	if got.Decision.DecidedBy != DecidedBy {
		t.Errorf("decided by %q, want %q", got.Decision.DecidedBy, DecidedBy)
	}
	if cl := h.claims(got); cl.Decision != proposal.VerdictApprove || cl.ProposalID != p.ID || cl.DecidedBy != DecidedBy {
		t.Errorf("token claims %+v", cl)
	}
	if evs := h.events(p.ID, "notified"); len(evs) != 1 {
		t.Errorf("%d notified events, want 1", len(evs))
	}
}

// A forged ActionInvoked, broadcast or sent to Countersign alone, from a
// connection that is not the notification server, is ignored and recorded,
// and does not use up the notification: the person can still answer it.
func TestForgedActionIsIgnoredAndRecorded(t *testing.T) {
	bus := desktoptest.StartBus(t)
	dunst := desktoptest.StartDunst(t, bus, "#Deny")
	monitor := monitorNotify(t, bus)
	h := newHarnessOn(t, bus, 50*time.Millisecond)
	p := h.submit("claude-code", false)
	monitor.next(t)
	id := h.openID(p.ID)

	forger := bus.Conn(t)
	emitAction(t, forger, "", id, ActionApprove)
	emitAction(t, forger, h.n.conn.Names()[0], id, ActionApprove)
	for range 2 {
		r := h.nextRefusal()
		if r.Sender != forger.Names()[0] || r.Notification != id || r.ProposalID != p.ID || !strings.Contains(r.Reason, "not sent by the notification server ("+dunst.Owner+")") {
			t.Errorf("refusal %+v", r)
		}
	}
	if st := h.status(p.ID); st != proposal.StatusPending {
		t.Fatalf("status %s after a forged approval, want pending", st)
	}
	recorded := h.events(p.ID, EventRefused)
	if len(recorded) != 2 || jsonField(t, recorded[0].Data, "sender") != forger.Names()[0] {
		t.Errorf("recorded refusals %+v", recorded)
	}

	dunst.Context(t) // the person denies through the real server
	got := h.waitStatus(p.ID, proposal.StatusDenied)
	if got.Decision.Reason != DenyReason || got.Decision.DecidedBy != DecidedBy {
		t.Errorf("decision %+v", got.Decision)
	}
	h.claims(got)
}

// openID waits until the Notifier has registered the notification of a
// proposal (the server's reply to Notify arrived) and returns its id.
func (h *harness) openID(pid string) uint32 {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h.n.mu.Lock()
		id, ok := h.n.byProposal[pid]
		h.n.mu.Unlock()
		if ok {
			return id
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no open notification for %s", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAnActionIsAcceptedOnce(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	h.n.refreshOwner(context.Background())
	p := h.submit("codex", false)
	c := srv.nextCall(t)
	h.openID(p.ID)
	srv.invoke(t, c.ID, ActionApprove)
	got := h.waitStatus(p.ID, proposal.StatusApproved)
	h.claims(got)
	srv.invoke(t, c.ID, ActionDeny)
	if r := h.nextRefusal(); r.Reason != "this notification was already answered" || r.Notification != c.ID {
		t.Errorf("second answer: %+v", r)
	}
	if st := h.status(p.ID); st != proposal.StatusApproved {
		t.Errorf("status %s, want approved", st)
	}
	srv.invoke(t, 9999, ActionApprove)
	if r := h.nextRefusal(); r.Reason != "not a notification Countersign has open" {
		t.Errorf("unknown id: %+v", r)
	}
}

func TestHighRiskOnlyOpensTheWindow(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	h.n.refreshOwner(context.Background())
	p := h.submit("codex", true)
	if p.Risk != proposal.RiskHigh {
		t.Fatalf("risk %s, want high", p.Risk)
	}
	c := srv.nextCall(t)
	h.openID(p.ID)
	if diff := cmp.Diff(c.Actions, []string{"default", "Open"}); diff != "" {
		t.Errorf("actions (-got +want):\n%s", diff)
	}
	if !strings.Contains(c.Body, "approve it in the Countersign window") || c.Hints["urgency"].Value() != byte(2) {
		t.Errorf("body %q hints %v", c.Body, c.Hints)
	}
	// The server itself asks to approve: refused, recorded, still pending.
	srv.invoke(t, c.ID, ActionApprove)
	if r := h.nextRefusal(); !strings.Contains(r.Reason, `did not offer "approve"`) {
		t.Errorf("refusal %+v", r)
	}
	if st := h.status(p.ID); st != proposal.StatusPending {
		t.Fatalf("status %s, want pending", st)
	}
	if len(h.events(p.ID, EventRefused)) != 1 {
		t.Error("the refusal is not recorded")
	}
}

// Even a notification that offered Approve is refused when the proposal's
// risk, read again at action time, is high.
func TestRiskIsCheckedAgainWhenTheActionArrives(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	h.n.refreshOwner(context.Background())
	p := h.submit("codex", true)
	c := srv.nextCall(t)
	h.openID(p.ID)
	h.n.mu.Lock()
	h.n.open[c.ID].actions[ActionApprove] = true // as if offered when the risk was lower
	h.n.mu.Unlock()
	srv.invoke(t, c.ID, ActionApprove)
	if r := h.nextRefusal(); r.Reason != "high risk: it can be approved only in the window" {
		t.Errorf("refusal %+v", r)
	}
	if st := h.status(p.ID); st != proposal.StatusPending {
		t.Fatalf("status %s, want pending", st)
	}
}

func TestOpenShowsTheProposal(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	h.n.refreshOwner(context.Background())
	p := h.submit("codex", true)
	c := srv.nextCall(t)
	h.openID(p.ID)
	srv.invoke(t, c.ID, ActionOpen)
	select {
	case id := <-h.opened:
		if id != p.ID {
			t.Errorf("opened %q, want %q", id, p.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the window was not opened")
	}
}

func TestDecidedElsewhereClosesTheNotification(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	p := h.submit("codex", false)
	c := srv.nextCall(t)
	if _, err := h.core.Decide(context.Background(), p.ID, core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada"}); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-srv.closed:
		if id != c.ID {
			t.Errorf("closed %d, want %d", id, c.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the notification was not closed")
	}
}

func TestABurstIsOneNotification(t *testing.T) {
	h := newHarness(t, 400*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	var ids []string
	for range 5 {
		ids = append(ids, h.submit("claude-code", false).ID)
	}
	first := srv.nextCall(t)
	if len(first.Actions) != 6 {
		t.Errorf("the first of a burst is an ordinary notification, got actions %v", first.Actions)
	}
	burst := srv.nextCall(t)
	if burst.Summary != "5 new requests from claude-code" || burst.Replaces != first.ID {
		t.Errorf("burst notification %+v (first was %d)", burst, first.ID)
	}
	if diff := cmp.Diff(burst.Actions, []string{"default", "Open"}); diff != "" {
		t.Errorf("burst actions (-got +want):\n%s", diff)
	}
	select {
	case c := <-srv.calls:
		t.Errorf("an extra notification: %+v", c)
	case <-time.After(600 * time.Millisecond):
	}
	// Two agents at once are named by number.
	time.Sleep(500 * time.Millisecond) // let the quiet burst window close
	h.submit("a", false)
	h.submit("b", false)
	srv.nextCall(t)
	if c := srv.nextCall(t); c.Summary != "2 new requests from 2 agents" {
		t.Errorf("burst summary %q", c.Summary)
	}
	// Once every member is decided elsewhere, the burst notification closes.
	for _, id := range ids {
		if _, err := h.core.Decide(context.Background(), id, core.Decision{Verdict: proposal.VerdictDeny, DecidedBy: "ada"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case id := <-srv.closed:
			if id == burst.ID {
				return
			}
		case <-deadline:
			t.Fatal("the burst notification was not closed")
		}
	}
}

// When another process takes over the notification server's name, the ids
// of the former server mean nothing any more.
func TestANewServerCannotAnswerTheFormerServersNotifications(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	h.n.refreshOwner(context.Background())
	p := h.submit("codex", false)
	c := srv.nextCall(t)
	h.openID(p.ID)
	if _, err := srv.conn.ReleaseName(busName); err != nil {
		t.Fatal(err)
	}
	usurper := startFakeServer(t, h.bus)
	deadline := time.Now().Add(10 * time.Second)
	for h.ownerIs(usurper.conn.Names()[0]) == false {
		if time.Now().After(deadline) {
			t.Fatal("the new owner was not noticed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	usurper.invoke(t, c.ID, ActionApprove)
	if r := h.nextRefusal(); r.Reason != "not a notification Countersign has open" {
		t.Errorf("refusal %+v", r)
	}
	if st := h.status(p.ID); st != proposal.StatusPending {
		t.Errorf("status %s, want pending", st)
	}
}

func (h *harness) ownerIs(name string) bool {
	h.n.mu.Lock()
	defer h.n.mu.Unlock()
	return h.n.owner == name
}

// A forged NameOwnerChanged cannot make a forger the server.
func TestForgedOwnerChangeIsIgnored(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	h.n.refreshOwner(context.Background())
	p := h.submit("codex", false)
	c := srv.nextCall(t)
	h.openID(p.ID)
	forger := h.bus.Conn(t)
	if err := forger.Emit("/org/freedesktop/DBus", "org.freedesktop.DBus.NameOwnerChanged", busName, srv.conn.Names()[0], forger.Names()[0]); err != nil {
		t.Fatal(err)
	}
	emitAction(t, forger, "", c.ID, ActionApprove)
	if r := h.nextRefusal(); !strings.Contains(r.Reason, "not sent by the notification server") {
		t.Errorf("refusal %+v", r)
	}
	if st := h.status(p.ID); st != proposal.StatusPending {
		t.Errorf("status %s, want pending", st)
	}
}

// monitor sees the Notify calls on the bus, as dbus-monitor would.
type monitor struct{ ch chan *dbus.Message }

func monitorNotify(t *testing.T, bus *desktoptest.Bus) *monitor {
	t.Helper()
	conn := bus.Conn(t)
	rules := []string{"type='method_call',interface='org.freedesktop.Notifications',member='Notify'"}
	if err := conn.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, rules, uint32(0)).Err; err != nil {
		t.Fatal(err)
	}
	m := &monitor{ch: make(chan *dbus.Message, 100)}
	conn.Eavesdrop(m.ch)
	return m
}

func (m *monitor) next(t *testing.T) *dbus.Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case msg := <-m.ch:
			if mem, _ := msg.Headers[dbus.FieldMember].Value().(string); mem == "Notify" {
				return msg
			}
		case <-deadline:
			t.Fatal("no Notify call seen on the bus within 10 s")
		}
	}
}

// What the pause (or a rule) decides at submission is not notified.
func TestWhatTheRulesDecideIsNotNotified(t *testing.T) {
	h := newHarness(t, 50*time.Millisecond)
	srv := startFakeServer(t, h.bus)
	if err := h.core.SetPaused(context.Background(), true, "ada"); err != nil {
		t.Fatal(err)
	}
	p := h.submit("codex", false)
	if p.Status != proposal.StatusDenied {
		t.Fatalf("status %s while paused, want denied", p.Status)
	}
	select {
	case c := <-srv.calls:
		t.Errorf("notified %+v", c)
	case <-time.After(500 * time.Millisecond):
	}
}
