package notify

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"countersign/backend/core"
	"countersign/backend/desktoptest"
	"countersign/backend/intent"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/store"
)

// harness is a core with a file keystore and a Notifier on a private bus.
type harness struct {
	t       testing.TB
	bus     *desktoptest.Bus
	core    *core.Core
	n       *Notifier
	refused chan Refusal
	opened  chan string
	ws      string
}

func newHarness(t testing.TB, burst time.Duration) *harness {
	t.Helper()
	return newHarnessOn(t, desktoptest.StartBus(t), burst)
}

func newHarnessOn(t testing.TB, bus *desktoptest.Bus, burst time.Duration) *harness {
	t.Helper()
	h := &harness{t: t, bus: bus, refused: make(chan Refusal, 100), opened: make(chan string, 100), ws: t.TempDir()}
	var target atomic.Pointer[Notifier]
	c, err := core.Open(core.Options{DataDir: t.TempDir(), Keystore: keystore.KindFile, Manual: true,
		RuntimeDir: t.TempDir(), Roots: []string{h.ws}, Emit: func(e queue.Event) {
			if n := target.Load(); n != nil {
				n.Handle(e)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyErr != nil {
		t.Fatal(c.KeyErr)
	}
	t.Cleanup(func() { c.Close() })
	h.core = c
	h.n = New(Config{Conn: bus.Conn(t), Proposals: c.Queue, Decide: c.Decide, Store: c.Store, Burst: burst,
		Open: func(id string) { h.opened <- id }, Refused: func(r Refusal) { h.refused <- r }, Logf: t.Logf})
	target.Store(h.n)
	if err := h.n.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.n.Close() })
	return h
}

// submit proposes a low-risk file write, or with high a command (high risk).
func (h *harness) submit(agent string, high bool) *proposal.Proposal {
	h.t.Helper()
	a := proposal.Action{Kind: proposal.KindFileWrite, Path: "notes.txt", Content: "hello\n"}
	if high {
		a = proposal.Action{Kind: proposal.KindCommandRun, Argv: []string{"make", "clean"}}
	}
	p, err := h.core.Submit(context.Background(), proposal.Proposal{AgentID: agent,
		Summary: "Write notes.txt <b>now</b>", Workspace: h.ws, Actions: []proposal.Action{a}})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

func (h *harness) status(id string) proposal.Status {
	h.t.Helper()
	p, err := h.core.Queue.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.Status
}

// waitStatus waits until the proposal reaches want.
func (h *harness) waitStatus(id string, want proposal.Status) *proposal.Proposal {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		p, err := h.core.Queue.Get(context.Background(), id)
		if err == nil && p.Status == want {
			return p
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("proposal %s is %v, want %s", id, p.Status, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// claims checks the decision's intent token against the core's keys.
func (h *harness) claims(p *proposal.Proposal) *intent.Claims {
	h.t.Helper()
	keys, err := h.core.Keys.Keys()
	if err != nil {
		h.t.Fatal(err)
	}
	cl, err := intent.Inspect(p.Decision.Token, keys)
	if err != nil {
		h.t.Fatalf("the decision's token does not verify: %v", err)
	}
	return cl
}

func (h *harness) nextRefusal() Refusal {
	h.t.Helper()
	select {
	case r := <-h.refused:
		return r
	case <-time.After(10 * time.Second):
		h.t.Fatal("no refusal within 10 s")
	}
	return Refusal{}
}

// events returns the recorded events of a type for a proposal.
func (h *harness) events(id string, typ store.EventType) []store.Event {
	h.t.Helper()
	evs, err := h.core.Store.ListEvents(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []store.Event
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// emitAction sends an ActionInvoked signal from conn: broadcast, or to one
// destination when dest is not "".
func emitAction(t *testing.T, conn *dbus.Conn, dest string, id uint32, action string) {
	t.Helper()
	msg := &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:      dbus.MakeVariant(objPath),
		dbus.FieldInterface: dbus.MakeVariant(iface),
		dbus.FieldMember:    dbus.MakeVariant("ActionInvoked"),
		dbus.FieldSignature: dbus.MakeVariant(dbus.SignatureOf(id, action)),
	}, Body: []any{id, action}}
	if dest != "" {
		msg.Headers[dbus.FieldDestination] = dbus.MakeVariant(dest)
	}
	call := conn.Send(msg, make(chan *dbus.Call, 1))
	if call.Err != nil {
		t.Fatal(call.Err)
	}
}

// notifyCall is one Notify call a fake server received.
type notifyCall struct {
	ID       uint32
	Replaces uint32
	Summary  string
	Body     string
	Actions  []string
	Hints    map[string]dbus.Variant
}

// fakeServer owns org.freedesktop.Notifications on a test connection, so a
// test can send ActionInvoked from the server's own name.
type fakeServer struct {
	conn   *dbus.Conn
	mu     sync.Mutex
	next   uint32
	calls  chan notifyCall
	closed chan uint32
	at     chan time.Time // when each Notify arrived, when not nil
}

func startFakeServer(t testing.TB, bus *desktoptest.Bus) *fakeServer {
	t.Helper()
	f := &fakeServer{conn: bus.Conn(t), next: 40, calls: make(chan notifyCall, 100), closed: make(chan uint32, 100)}
	if err := f.conn.Export(f, objPath, iface); err != nil {
		t.Fatal(err)
	}
	reply, err := f.conn.RequestName(busName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", busName, reply, err)
	}
	return f
}

func (f *fakeServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	id := replaces
	if id == 0 {
		f.next++
		id = f.next
	}
	f.mu.Unlock()
	if f.at != nil {
		f.at <- time.Now()
		return id, nil
	}
	f.calls <- notifyCall{ID: id, Replaces: replaces, Summary: summary, Body: body, Actions: actions, Hints: hints}
	return id, nil
}

func (f *fakeServer) CloseNotification(id uint32) *dbus.Error {
	f.closed <- id
	return nil
}

func (f *fakeServer) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"actions", "body", "body-markup"}, nil
}

// invoke sends ActionInvoked from the server's own connection.
func (f *fakeServer) invoke(t *testing.T, id uint32, action string) {
	t.Helper()
	if err := f.conn.Emit(objPath, iface+".ActionInvoked", id, action); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeServer) nextCall(t *testing.T) notifyCall {
	t.Helper()
	select {
	case c := <-f.calls:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no Notify call within 10 s")
	}
	return notifyCall{}
}

func jsonField(t *testing.T, data []byte, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m[field]
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
