// Package notify sends a desktop notification for each proposal that needs
// the person, over the freedesktop Notifications D-Bus interface, and turns
// the person's answer into a signed decision.
//
// A notification action is an approval path, and any process of the user
// can emit an ActionInvoked signal on the session bus. So the package
// guarantees that an action is accepted only when (a) the signal's sender is
// the unique bus name that owns org.freedesktop.Notifications at that moment
// (resolved with GetNameOwner and followed through NameOwnerChanged from the
// bus itself), (b) it names a notification this Notifier sent, (c) that
// notification has not been answered or closed yet (one answer each, then it
// is forgotten; all are forgotten when the server changes), and (d) the
// action is one the notification offered and the proposal's risk, read again
// from the store, allows: Approve is never accepted for high or critical
// risk. Every other ActionInvoked is ignored, logged and recorded (an
// audit event of type notification.refused, rate-limited so that a flood of
// forgeries cannot fill the log). An accepted Approve or Deny goes through
// the same signed decision path as the window.
//
// It never notifies a proposal that has left pending, closes a notification
// when its proposal is decided elsewhere, and gathers what arrives in a burst
// into one notification that can only open the window.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/godbus/dbus/v5"
	"golang.org/x/time/rate"

	"countersign/backend/core"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// The freedesktop Notifications interface.
const (
	busName  = "org.freedesktop.Notifications"
	objPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface    = "org.freedesktop.Notifications"
	busOwner = "org.freedesktop.DBus" // the bus itself, sender of NameOwnerChanged
)

// What a decision from a notification says.
const (
	DecidedBy  = "person (notification)"
	DenyReason = "denied from a notification"
)

// EventRefused is the audit event of an action that was not accepted.
const EventRefused store.EventType = "notification.refused"

// Action keys of a notification. "default" is the freedesktop key for
// clicking the notification itself; it opens the window.
const (
	ActionApprove = "approve"
	ActionDeny    = "deny"
	ActionOpen    = "default"
)

// Proposals reads a proposal as stored now (*queue.Queue).
type Proposals interface {
	Get(ctx context.Context, id string) (*proposal.Proposal, error)
}

// Store keeps and reads audit events (*store.Store).
type Store interface {
	AppendEvents(ctx context.Context, events []store.Event) error
	ListEvents(ctx context.Context, proposalID string) ([]store.Event, error)
}

// Config holds a Notifier's dependencies.
type Config struct {
	// Conn is a session bus connection for the Notifier alone; nil = connect
	// to the session bus. Either way the Notifier closes it.
	Conn      *dbus.Conn
	Proposals Proposals
	// Decide is the signed decision path (core.Core.Decide).
	Decide func(ctx context.Context, id string, d core.Decision) (*proposal.Proposal, error)
	// Store records the notified and refused events, and tells which
	// proposals the person's rules decide; nil = neither.
	Store Store
	// Open shows the window, on a proposal when id is not "".
	Open func(id string)
	// Refused observes every refused action, once it is logged and recorded;
	// may be nil.
	Refused func(Refusal)
	// Burst is how long after a notification further proposals are gathered
	// into one; 0 = 1.5 s.
	Burst time.Duration
	Now   func() time.Time
	Logf  func(format string, args ...any)
	Icon  string // the notifications' icon: a file path or an icon name
}

// Refusal is an action that was not accepted, and why.
type Refusal struct {
	At           time.Time `json:"at"`
	Sender       string    `json:"sender"`
	Notification uint32    `json:"notification"`
	Action       string    `json:"action"`
	ProposalID   string    `json:"proposal_id,omitempty"`
	Reason       string    `json:"reason"`
}

// sent is a notification this Notifier sent and that is still open.
type sent struct {
	proposal string   // "" for a burst
	agent    string   // the proposal's agent
	members  []string // the proposals of a burst
	actions  map[string]bool
}

// Notifier sends and answers notifications. Its methods are safe for
// concurrent use.
type Notifier struct {
	cfg  Config
	conn *dbus.Conn

	mu         sync.Mutex
	owner      string // unique name of the notification server; "" = none
	open       map[uint32]*sent
	byProposal map[string]uint32
	answered   map[uint32]bool // recently answered ids, for the refusal's reason
	answeredQ  []uint32

	inMu    sync.Mutex
	inbox   []queue.Event
	dropped int
	wake    chan struct{}

	// The event loop's own state (touched only by loop).
	burstOpen bool
	gathered  []string // submitted during the burst window
	group     []string // what the burst notification stands for
	groupID   uint32   // the notification of the current burst

	limiter *rate.Limiter
	started atomic.Bool
	signals chan *dbus.Signal
	stop    context.CancelFunc
	done    sync.WaitGroup
	closeMu sync.Once
}

const (
	maxInbox     = 10000
	maxAnswered  = 1024
	callTimeout  = 5 * time.Second
	maxSummary   = 200
	defaultBurst = 1500 * time.Millisecond
)

// New returns a Notifier; Start connects it.
func New(cfg Config) *Notifier {
	if cfg.Burst <= 0 {
		cfg.Burst = defaultBurst
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Open == nil {
		cfg.Open = func(string) {}
	}
	return &Notifier{cfg: cfg, open: map[uint32]*sent{}, byProposal: map[string]uint32{}, answered: map[uint32]bool{},
		wake: make(chan struct{}, 1), limiter: rate.NewLimiter(rate.Every(time.Second), 30)}
}

// Start connects to the session bus, finds the notification server and
// starts listening. Without a session bus it returns an error and the
// Notifier stays idle.
func (n *Notifier) Start(ctx context.Context) error {
	conn := n.cfg.Conn
	if conn == nil {
		var err error
		if conn, err = dbus.ConnectSessionBus(); err != nil {
			return fmt.Errorf("notifications: no session bus: %w", err)
		}
	}
	n.conn = conn
	// No sender in the match rules: forged signals must reach us so that
	// they are recorded. Servers that send ActionInvoked to us alone (dunst)
	// need no rule at all.
	rules := [][]dbus.MatchOption{
		{dbus.WithMatchInterface(iface), dbus.WithMatchMember("ActionInvoked")},
		{dbus.WithMatchInterface(iface), dbus.WithMatchMember("NotificationClosed")},
		{dbus.WithMatchSender(busOwner), dbus.WithMatchInterface("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, busName)},
	}
	for _, r := range rules {
		if err := conn.AddMatchSignalContext(ctx, r...); err != nil {
			conn.Close()
			return fmt.Errorf("notifications: listen on the session bus: %w", err)
		}
	}
	n.signals = make(chan *dbus.Signal, 256)
	conn.Signal(n.signals)
	n.refreshOwner(ctx)
	loopCtx, cancel := context.WithCancel(context.Background())
	n.stop = cancel
	n.done.Add(2)
	go n.listen(loopCtx)
	go n.loop(loopCtx)
	n.started.Store(true)
	return nil
}

// Close stops the Notifier, closes its notifications (their actions would
// reach nobody) and the connection.
func (n *Notifier) Close() error {
	n.closeMu.Do(func() {
		if !n.started.Load() {
			return
		}
		n.started.Store(false)
		n.stop()
		n.done.Wait()
		n.mu.Lock()
		ids := make([]uint32, 0, len(n.open))
		for id := range n.open {
			ids = append(ids, id)
		}
		n.open, n.byProposal = map[uint32]*sent{}, map[string]uint32{}
		n.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		for _, id := range ids {
			n.closeNotification(ctx, id)
		}
		n.conn.Close()
	})
	return nil
}

// Handle takes a queue event; it never blocks. Give it every event of the
// queue (core.Options.Emit).
func (n *Notifier) Handle(e queue.Event) {
	if !n.started.Load() {
		return
	}
	n.inMu.Lock()
	if len(n.inbox) < maxInbox {
		n.inbox = append(n.inbox, e)
	} else {
		n.dropped++
	}
	n.inMu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// loop handles queue events and the burst timer, one at a time, so that a
// notification is always registered before the event that closes it.
func (n *Notifier) loop(ctx context.Context) {
	defer n.done.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-n.wake:
			n.inMu.Lock()
			batch, dropped := n.inbox, n.dropped
			n.inbox, n.dropped = nil, 0
			n.inMu.Unlock()
			if dropped > 0 {
				n.cfg.Logf("notifications: %d queue events dropped under load", dropped)
			}
			for _, e := range batch {
				if e.Type == queue.EventSubmitted && e.Status == proposal.StatusPending {
					if !n.burstOpen {
						n.burstOpen = true
						n.group = nil
						if id, ok := n.notifyOne(ctx, e.ProposalID, 0); ok {
							n.group, n.groupID = []string{e.ProposalID}, id
						}
						timer.Reset(n.cfg.Burst)
					} else {
						n.gathered = append(n.gathered, e.ProposalID)
					}
				} else if e.Status != proposal.StatusPending {
					n.leftPending(ctx, e.ProposalID)
				}
			}
		case <-timer.C:
			if n.endBurst(ctx) {
				timer.Reset(n.cfg.Burst)
			}
		}
	}
}

// endBurst sends what gathered during the burst window: one notification
// for them all (replacing the burst's earlier one) or, when only one is left
// pending, an ordinary one. It reports whether the window stays open.
func (n *Notifier) endBurst(ctx context.Context) bool {
	fresh := n.stillPending(ctx, n.gathered)
	n.gathered = nil
	if len(fresh) == 0 {
		n.burstOpen = false
		n.group, n.groupID = nil, 0
		return false
	}
	n.mu.Lock()
	replaces := n.groupID
	if _, ok := n.open[replaces]; !ok {
		replaces = 0
	}
	n.mu.Unlock()
	members := append(n.stillPending(ctx, n.group), fresh...)
	if len(members) == 1 {
		if id, ok := n.notifyOne(ctx, members[0], replaces); ok {
			n.group, n.groupID = members, id
		}
		return true
	}
	if id, ok := n.notifyBurst(ctx, members, replaces); ok {
		n.group, n.groupID = members, id
	}
	return true
}

// stillPending keeps the ids whose proposals are still pending.
func (n *Notifier) stillPending(ctx context.Context, ids []string) []string {
	var out []string
	for _, id := range ids {
		if p, err := n.cfg.Proposals.Get(ctx, id); err == nil && p.Status == proposal.StatusPending && !n.rulesDecide(ctx, id) {
			out = append(out, id)
		}
	}
	return out
}

// leftPending closes the notification of a proposal decided elsewhere, and
// the burst notification once none of its proposals is pending.
func (n *Notifier) leftPending(ctx context.Context, pid string) {
	n.gathered = remove(n.gathered, pid)
	n.group = remove(n.group, pid)
	var closeIDs []uint32
	n.mu.Lock()
	if id, ok := n.byProposal[pid]; ok {
		closeIDs = append(closeIDs, id)
		n.forget(id)
	}
	for id, s := range n.open {
		if s.proposal == "" {
			if s.members = remove(s.members, pid); len(s.members) == 0 {
				closeIDs = append(closeIDs, id)
				n.forget(id)
			}
		}
	}
	n.mu.Unlock()
	for _, id := range closeIDs {
		n.closeNotification(ctx, id)
	}
}

func remove(ids []string, id string) []string {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// forget drops an open notification; n.mu is held.
func (n *Notifier) forget(id uint32) {
	if s := n.open[id]; s != nil && s.proposal != "" && n.byProposal[s.proposal] == id {
		delete(n.byProposal, s.proposal)
	}
	delete(n.open, id)
}

// ApprovableFromNotification reports whether a proposal of risk r may be
// approved from a notification: only low and medium risk may.
func ApprovableFromNotification(r proposal.Risk) bool {
	return r == proposal.RiskLow || r == proposal.RiskMedium
}

// notifyOne sends the notification of one proposal, if it is still pending.
func (n *Notifier) notifyOne(ctx context.Context, pid string, replaces uint32) (uint32, bool) {
	p, err := n.cfg.Proposals.Get(ctx, pid)
	if err != nil || p.Status != proposal.StatusPending || n.rulesDecide(ctx, pid) {
		return 0, false
	}
	title := clip(p.AgentID, 64) + " asks for your approval"
	body := escape(clip(p.Summary, maxSummary))
	if k := len(p.Actions); k > 1 {
		body += fmt.Sprintf("\n%d actions, %s risk", k, p.Risk)
	} else {
		body += fmt.Sprintf("\n%s risk", p.Risk)
	}
	actions := []string{ActionOpen, "Open"}
	if ApprovableFromNotification(p.Risk) {
		actions = []string{ActionApprove, "Approve", ActionDeny, "Deny", ActionOpen, "Open"}
	} else {
		body += "\nHigh risk: approve it in the Countersign window."
	}
	urgency := byte(1)
	if !ApprovableFromNotification(p.Risk) {
		urgency = 2
	}
	s := &sent{proposal: pid, agent: p.AgentID, actions: offered(actions)}
	id, ok := n.send(ctx, replaces, title, body, actions, urgency, s)
	if ok {
		n.record(ctx, []store.Event{n.notifiedEvent(pid, p.AgentID, id, actions, false)})
	}
	return id, ok
}

// rulesDecide reports whether the person's rules (or the pause) decided a
// proposal when it was submitted: the core settles it a moment later, and
// the person need not be asked.
func (n *Notifier) rulesDecide(ctx context.Context, pid string) bool {
	if n.cfg.Store == nil {
		return false
	}
	evs, err := n.cfg.Store.ListEvents(ctx, pid)
	if err != nil {
		return false
	}
	for _, e := range evs {
		if e.Type == store.EventPolicyEvaluated {
			var rec struct {
				Outcome string `json:"outcome"`
			}
			if json.Unmarshal(e.Data, &rec) == nil && rec.Outcome != "" && rec.Outcome != "ask" {
				return true
			}
		}
	}
	return false
}

// notifyBurst sends one notification for many proposals: it can only open
// the window.
func (n *Notifier) notifyBurst(ctx context.Context, pids []string, replaces uint32) (uint32, bool) {
	agents := map[string]bool{}
	agentOf := map[string]string{}
	for _, pid := range pids {
		if p, err := n.cfg.Proposals.Get(ctx, pid); err == nil {
			agents[p.AgentID] = true
			agentOf[pid] = p.AgentID
		}
	}
	title := fmt.Sprintf("%d new requests from %d agents", len(pids), len(agents))
	if len(agents) == 1 {
		for a := range agents {
			title = fmt.Sprintf("%d new requests from %s", len(pids), a)
		}
	}
	body := "Open Countersign to review them."
	actions := []string{ActionOpen, "Open"}
	s := &sent{members: append([]string(nil), pids...), actions: offered(actions)}
	id, ok := n.send(ctx, replaces, title, body, actions, 1, s)
	if ok {
		evs := make([]store.Event, 0, len(pids))
		for _, pid := range pids {
			evs = append(evs, n.notifiedEvent(pid, agentOf[pid], id, actions, true))
		}
		n.record(ctx, evs)
	}
	return id, ok
}

func offered(actions []string) map[string]bool {
	m := map[string]bool{}
	for i := 0; i < len(actions); i += 2 {
		m[actions[i]] = true
	}
	return m
}

func (n *Notifier) notifiedEvent(pid, agent string, id uint32, actions []string, burst bool) store.Event {
	keys := []string{}
	for i := 0; i < len(actions); i += 2 {
		keys = append(keys, actions[i])
	}
	data, _ := json.Marshal(map[string]any{"notification": id, "actions": keys, "burst": burst})
	return store.Event{At: n.cfg.Now(), ProposalID: pid, AgentID: agent, Type: store.EventNotified, Data: data}
}

// send calls Notify and registers the notification as open.
func (n *Notifier) send(ctx context.Context, replaces uint32, title, body string, actions []string, urgency byte, s *sent) (uint32, bool) {
	hints := map[string]dbus.Variant{
		"urgency":       dbus.MakeVariant(urgency),
		"desktop-entry": dbus.MakeVariant("countersign"),
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var id uint32
	err := n.conn.Object(busName, objPath).CallWithContext(cctx, iface+".Notify", 0,
		"Countersign", replaces, n.cfg.Icon, title, body, actions, hints, int32(-1)).Store(&id)
	if err != nil {
		n.cfg.Logf("notifications: cannot notify: %v", err)
		return 0, false
	}
	n.mu.Lock()
	if replaces != 0 {
		n.forget(replaces)
	}
	n.forget(id)
	n.open[id] = s
	if s.proposal != "" {
		n.byProposal[s.proposal] = id
	}
	unknown := n.owner == ""
	n.mu.Unlock()
	if unknown { // the call may have started the server (D-Bus activation)
		n.refreshOwner(ctx)
	}
	return id, true
}

func (n *Notifier) closeNotification(ctx context.Context, id uint32) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if err := n.conn.Object(busName, objPath).CallWithContext(cctx, iface+".CloseNotification", 0, id).Err; err != nil {
		n.cfg.Logf("notifications: cannot close notification %d: %v", id, err)
	}
}

// refreshOwner asks the bus who owns the notification server's name now.
// When the owner changed, every open notification is forgotten: their ids
// belonged to the former server.
func (n *Notifier) refreshOwner(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var owner string
	if err := n.conn.BusObject().CallWithContext(cctx, "org.freedesktop.DBus.GetNameOwner", 0, busName).Store(&owner); err != nil {
		owner = ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if owner != n.owner && n.owner != "" && len(n.open) > 0 {
		n.cfg.Logf("notifications: the notification server changed (%s to %s); %d open notifications forgotten", n.owner, owner, len(n.open))
		n.open, n.byProposal = map[uint32]*sent{}, map[string]uint32{}
	}
	n.owner = owner
}

// listen handles the signals the connection receives.
func (n *Notifier) listen(ctx context.Context) {
	defer n.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case sig, ok := <-n.signals:
			if !ok || sig == nil {
				return
			}
			n.signal(ctx, sig)
		}
	}
}

func (n *Notifier) signal(ctx context.Context, sig *dbus.Signal) {
	switch sig.Name {
	case "org.freedesktop.DBus.NameOwnerChanged":
		if sig.Sender == busOwner && len(sig.Body) > 0 && sig.Body[0] == busName {
			n.refreshOwner(ctx)
		}
	case iface + ".ActionInvoked":
		n.action(ctx, sig)
	case iface + ".NotificationClosed":
		id, ok := bodyID(sig)
		n.mu.Lock()
		if !ok || sig.Sender == "" || sig.Sender != n.owner {
			owner := n.owner
			n.mu.Unlock()
			n.refuse(ctx, Refusal{Sender: sig.Sender, Notification: id, Action: "(closed)",
				Reason: fmt.Sprintf("NotificationClosed not sent by the notification server (%s)", orNone(owner))}, "")
			return
		}
		n.forget(id)
		n.mu.Unlock()
	}
}

func bodyID(sig *dbus.Signal) (uint32, bool) {
	if len(sig.Body) < 1 {
		return 0, false
	}
	id, ok := sig.Body[0].(uint32)
	return id, ok
}

func orNone(s string) string {
	if s == "" {
		return "none on the bus"
	}
	return s
}

// action checks an ActionInvoked signal and carries out what it asks if,
// and only if, every check passes.
func (n *Notifier) action(ctx context.Context, sig *dbus.Signal) {
	id, ok := bodyID(sig)
	key := ""
	if len(sig.Body) == 2 {
		key, _ = sig.Body[1].(string)
	}
	r := Refusal{Sender: sig.Sender, Notification: id, Action: key}
	if !ok || len(sig.Body) != 2 {
		r.Reason = "malformed ActionInvoked signal"
		n.refuse(ctx, r, "")
		return
	}
	n.mu.Lock()
	if sig.Sender == "" || sig.Sender != n.owner {
		owner := n.owner
		s := n.open[id]
		n.mu.Unlock()
		r.Reason = fmt.Sprintf("not sent by the notification server (%s)", orNone(owner))
		agent := ""
		if s != nil {
			r.ProposalID, agent = s.proposal, s.agent
		}
		n.refuse(ctx, r, agent)
		return
	}
	s := n.open[id]
	if s == nil {
		answered := n.answered[id]
		n.mu.Unlock()
		r.Reason = "not a notification Countersign has open"
		if answered {
			r.Reason = "this notification was already answered"
		}
		n.refuse(ctx, r, "")
		return
	}
	// One answer per notification: it is forgotten before anything is done.
	n.forget(id)
	n.answered[id] = true
	n.answeredQ = append(n.answeredQ, id)
	if len(n.answeredQ) > maxAnswered {
		delete(n.answered, n.answeredQ[0])
		n.answeredQ = n.answeredQ[1:]
	}
	n.mu.Unlock()
	r.ProposalID = s.proposal
	if !s.actions[key] {
		r.Reason = fmt.Sprintf("the notification did not offer %q", key)
		n.refuse(ctx, r, s.agent)
		return
	}
	if key == ActionOpen {
		n.cfg.Open(s.proposal)
		return
	}
	p, err := n.cfg.Proposals.Get(ctx, s.proposal)
	if err != nil {
		r.Reason = "the proposal cannot be read: " + err.Error()
		n.refuse(ctx, r, s.agent)
		return
	}
	d := core.Decision{Verdict: proposal.VerdictDeny, Reason: DenyReason, DecidedBy: DecidedBy}
	if key == ActionApprove {
		if !ApprovableFromNotification(p.Risk) {
			r.Reason = fmt.Sprintf("%s risk: it can be approved only in the window", p.Risk)
			n.refuse(ctx, r, p.AgentID)
			return
		}
		d = core.Decision{Verdict: proposal.VerdictApprove, DecidedBy: DecidedBy}
	}
	if _, err := n.cfg.Decide(ctx, p.ID, d); err != nil {
		n.cfg.Logf("notifications: %s of %s from a notification failed: %v", key, p.ID, err)
	}
}

// refuse logs, observes and records an action that was not accepted.
func (n *Notifier) refuse(ctx context.Context, r Refusal, agent string) {
	r.At = n.cfg.Now()
	n.cfg.Logf("notifications: refused %q on notification %d from %s: %s", r.Action, r.Notification, orNone(r.Sender), r.Reason)
	if n.limiter.Allow() { // else logged only: a flood must not fill the audit log
		data, _ := json.Marshal(r)
		n.record(ctx, []store.Event{{At: r.At, ProposalID: r.ProposalID, AgentID: agent, Type: EventRefused, Data: data}})
	}
	if n.cfg.Refused != nil {
		n.cfg.Refused(r)
	}
}

func (n *Notifier) record(ctx context.Context, evs []store.Event) {
	if n.cfg.Store == nil || len(evs) == 0 {
		return
	}
	if err := n.cfg.Store.AppendEvents(ctx, evs); err != nil && !errors.Is(err, context.Canceled) {
		n.cfg.Logf("notifications: cannot record %s: %v", evs[0].Type, err)
	}
}

// clip shortens s to at most max runes, on one line.
func clip(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// escape makes agent text safe for servers that read the body as markup.
func escape(s string) string { return html.EscapeString(s) }
