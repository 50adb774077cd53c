//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"countersign/backend/desktoptest"
	"countersign/backend/proposal"
	"countersign/backend/queue"
)

// fakeConsent is the backend as the tray sees it.
type fakeConsent struct {
	mu      sync.Mutex
	paused  bool
	by      []string
	pending []queue.Summary
}

func (f *fakeConsent) Paused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused
}

func (f *fakeConsent) SetPaused(_ context.Context, paused bool, by string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = paused
	f.by = append(f.by, by)
	return nil
}

func (f *fakeConsent) ListPending(_ context.Context, offset, limit int) (queue.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	items := slices.Clone(f.pending)
	if len(items) > limit {
		items = items[:limit]
	}
	return queue.Page{Items: items, Total: len(f.pending)}, nil
}

// menuEntry is one item of the tray's D-Bus menu.
type menuEntry struct {
	ID      int32
	Label   string
	Visible bool
	Toggle  int32
}

// layout reads the tray menu over D-Bus, as a tray host does.
func layout(t *testing.T, conn *dbus.Conn, name string) []menuEntry {
	t.Helper()
	var rev uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	call := conn.Object(name, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if err := call.Store(&rev, &root); err != nil {
		t.Fatal(err)
	}
	var out []menuEntry
	for _, c := range root.Children {
		f, ok := c.Value().([]any)
		if !ok || len(f) < 2 {
			t.Fatalf("menu child %#v", c.Value())
		}
		props, _ := f[1].(map[string]dbus.Variant)
		e := menuEntry{ID: f[0].(int32), Visible: true}
		if v, ok := props["label"]; ok {
			e.Label, _ = v.Value().(string)
		}
		if v, ok := props["visible"]; ok {
			e.Visible, _ = v.Value().(bool)
		}
		if v, ok := props["toggle-state"]; ok {
			e.Toggle, _ = v.Value().(int32)
		}
		out = append(out, e)
	}
	return out
}

func find(entries []menuEntry, label string) (menuEntry, bool) {
	for _, e := range entries {
		if e.Label == label && e.Visible {
			return e, true
		}
	}
	return menuEntry{}, false
}

func click(t *testing.T, conn *dbus.Conn, name string, id int32) {
	t.Helper()
	err := conn.Object(name, "/StatusNotifierItem/menu").Call("com.canonical.dbusmenu.Event", 0,
		id, "clicked", dbus.MakeVariant(""), uint32(0)).Err
	if err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The tray registers with a real StatusNotifierWatcher, shows the pending
// count and the newest proposals, and its menu, clicked over D-Bus as a tray
// host does, pauses agents, opens the window on a proposal, and quits.
// (The tray library keeps one tray per process, so this is one test.)
func TestTrayOverDBus(t *testing.T) {
	bus := desktoptest.StartBus(t)
	desktoptest.StartWatcher(t, bus)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	if !trayAvailable() {
		t.Fatal("trayAvailable is false with a watcher on the bus")
	}

	be := &fakeConsent{pending: []queue.Summary{
		{ID: "p2", AgentID: "claude-code", Summary: "Delete build/", Risk: proposal.RiskHigh},
		{ID: "p1", AgentID: "codex", Summary: "Write notes.txt", Risk: proposal.RiskLow},
	}}
	shown := make(chan string, 10)
	quits := make(chan struct{}, 10)
	icon, err := os.ReadFile("../build/appicon.png")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := startTray(context.Background(), trayConfig{core: be, icon: icon, logf: t.Logf,
		show: func(id string) { shown <- id }, quit: func() { quits <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			tr.Stop()
		}
	})

	conn := bus.Conn(t)
	name := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid())
	owner := bus.WaitName(t, name)
	watcher := conn.Object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
	eventually(t, "the item in the watcher's RegisteredStatusNotifierItems", func() bool {
		v, err := watcher.GetProperty("org.kde.StatusNotifierWatcher.RegisteredStatusNotifierItems")
		if err != nil {
			return false
		}
		items, _ := v.Value().([]string)
		return slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, name) || strings.Contains(s, owner) })
	})
	item := conn.Object(name, "/StatusNotifierItem")
	eventually(t, "the pending count in the title", func() bool {
		v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
		return err == nil && v.Value() == "Countersign: 2 pending"
	})
	eventually(t, "the proposals in the menu", func() bool {
		_, ok := find(layout(t, conn, name), "claude-code: Delete build/ (high)")
		return ok
	})

	// Pause all agents: the kill switch, from the menu.
	pause, ok := find(layout(t, conn, name), "Pause all agents")
	if !ok || pause.Toggle != 0 {
		t.Fatalf("pause item %+v in %+v", pause, layout(t, conn, name))
	}
	click(t, conn, name, pause.ID)
	eventually(t, "agents paused", be.Paused)
	eventually(t, "the pause checked and the title saying so", func() bool {
		p, _ := find(layout(t, conn, name), "Pause all agents")
		v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
		return p.Toggle == 1 && err == nil && v.Value() == "Countersign: agents paused, 2 held"
	})
	click(t, conn, name, pause.ID)
	eventually(t, "agents resumed", func() bool { return !be.Paused() })
	be.mu.Lock()
	if !slices.Equal(be.by, []string{PausedBy, PausedBy}) {
		t.Errorf("paused by %v", be.by)
	}
	be.mu.Unlock()

	// A proposal in the menu opens the window on it.
	p1, _ := find(layout(t, conn, name), "codex: Write notes.txt (low)")
	click(t, conn, name, p1.ID)
	if got := waitString(t, shown); got != "p1" {
		t.Errorf("shown %q, want p1", got)
	}
	open, _ := find(layout(t, conn, name), "Open Countersign")
	click(t, conn, name, open.ID)
	if got := waitString(t, shown); got != "" {
		t.Errorf("shown %q, want the window alone", got)
	}

	// A decision elsewhere: the tray follows the queue's events.
	be.mu.Lock()
	be.pending = be.pending[1:]
	be.mu.Unlock()
	tr.Handle(queue.Event{Type: queue.EventApproved, ProposalID: "p2"})
	eventually(t, "the count to drop", func() bool {
		v, err := item.GetProperty("org.kde.StatusNotifierItem.Title")
		_, stale := find(layout(t, conn, name), "claude-code: Delete build/ (high)")
		return err == nil && v.Value() == "Countersign: 1 pending" && !stale
	})

	quit, _ := find(layout(t, conn, name), "Quit Countersign")
	click(t, conn, name, quit.ID)
	select {
	case <-quits:
	case <-time.After(10 * time.Second):
		t.Fatal("Quit did not quit")
	}

	// Stopping removes the item from the bus, without hanging.
	done := make(chan struct{})
	go func() { tr.Stop(); close(done) }()
	select {
	case <-done:
		stopped = true
	case <-time.After(10 * time.Second):
		t.Fatal("the tray did not stop within 10 s")
	}
	eventually(t, "the item to leave the bus", func() bool {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		return err == nil && !has
	})
}

func waitString(t *testing.T, ch chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("nothing within 10 s")
	}
	return ""
}

func TestTrayStateSaysWhatIsPending(t *testing.T) {
	var items []queue.Summary
	for i := range 7 {
		items = append(items, queue.Summary{ID: fmt.Sprint(i), AgentID: "a", Summary: strings.Repeat("x", 100), Risk: proposal.RiskLow})
	}
	for _, tc := range []struct {
		name   string
		page   queue.Page
		paused bool
		title  string
		recent int
	}{
		{"nothing", queue.Page{}, false, "Countersign: nothing pending", 0},
		{"paused, nothing", queue.Page{}, true, "Countersign: agents paused", 0},
		{"many", queue.Page{Items: items, Total: 12}, false, "Countersign: 12 pending", trayRecent},
		{"paused, held", queue.Page{Items: items[:2], Total: 2}, true, "Countersign: agents paused, 2 held", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := stateOf(tc.page, tc.paused)
			if st.Title != tc.title || len(st.Recent) != tc.recent || st.Busy != (tc.page.Total > 0) || st.Paused != tc.paused {
				t.Errorf("state %+v", st)
			}
			for _, r := range st.Recent {
				if n := len([]rune(r.Label)); n > trayLabelMax {
					t.Errorf("label of %d runes: %q", n, r.Label)
				}
			}
		})
	}
}

func TestTrayIconsAreSmallAndDiffer(t *testing.T) {
	src, err := os.ReadFile("../build/appicon.png")
	if err != nil {
		t.Fatal(err)
	}
	plain, busy := trayIcons(src)
	if len(plain) > 64<<10 || len(busy) > 64<<10 || string(plain) == string(busy) {
		t.Errorf("icons of %d and %d bytes (equal: %v)", len(plain), len(busy), string(plain) == string(busy))
	}
}
