//go:build linux || freebsd || openbsd || netbsd

package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"countersign/backend/queue"
)

// The tray is a StatusNotifierItem on the session bus (fyne.io/systray,
// pure D-Bus on these systems), run inside the app's process.

const watcherName = "org.kde.StatusNotifierWatcher"

var errNoTray = errors.New("no tray: no StatusNotifierWatcher on the session bus")

// trayAvailable reports whether a tray host is listening: only then may
// closing the window leave Countersign running in the tray.
func trayAvailable() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has)
	return err == nil && has
}

// tray is the running tray icon and its menu.
type tray struct {
	cfg  trayConfig
	ctx  context.Context
	kick chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
	end  func()

	plain, busy []byte

	// The menu; after ready, changed only by the update loop.
	ready             chan struct{}
	mOpen, mPause     *systray.MenuItem
	mQuit             *systray.MenuItem
	slots             [trayRecent]*systray.MenuItem
	shownBusy         bool
	slotLabels        [trayRecent]string
	mu                sync.Mutex
	slotIDs           [trayRecent]string
	stopOnce, endOnce sync.Once
}

// startTray shows the tray icon. It can be started once per process.
func startTray(ctx context.Context, cfg trayConfig) (*tray, error) {
	if !trayAvailable() {
		return nil, errNoTray
	}
	t := &tray{cfg: cfg, ctx: ctx, kick: make(chan struct{}, 1), stop: make(chan struct{}), ready: make(chan struct{})}
	if t.cfg.logf == nil {
		t.cfg.logf = func(string, ...any) {}
	}
	t.plain, t.busy = trayIcons(cfg.icon)
	start, end := systray.RunWithExternalLoop(t.onReady, t.onExit)
	t.end = end
	start()
	return t, nil
}

func (t *tray) onReady() {
	systray.SetIcon(t.plain)
	systray.SetTitle("Countersign")
	systray.SetTooltip("Countersign")
	t.mOpen = systray.AddMenuItem("Open Countersign", "Show the window")
	t.mPause = systray.AddMenuItemCheckbox("Pause all agents", "Deny new proposals and hold pending ones", t.cfg.core.Paused())
	systray.AddSeparator()
	for i := range t.slots {
		t.slots[i] = systray.AddMenuItem("", "")
		t.slots[i].Hide()
	}
	systray.AddSeparator()
	t.mQuit = systray.AddMenuItem("Quit Countersign", "Stop Countersign; agents cannot reach it until it runs again")
	select {
	case <-t.stop:
		close(t.ready)
		return
	default:
	}
	t.wg.Add(2 + trayRecent)
	go t.clicks()
	for i := range t.slots {
		go t.slotClicks(i)
	}
	go t.updates()
	close(t.ready)
	t.Refresh()
}

func (t *tray) onExit() {
	t.stopOnce.Do(func() { close(t.stop) })
	t.wg.Wait()
}

// Stop removes the tray icon; it returns once the tray's goroutines ended.
func (t *tray) Stop() {
	t.endOnce.Do(func() {
		t.end()
		<-t.ready
	})
}

// Handle takes a queue event: the tray updates, debounced.
func (t *tray) Handle(queue.Event) { t.Refresh() }

// Refresh asks for an update; it never blocks.
func (t *tray) Refresh() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

func (t *tray) clicks() {
	defer t.wg.Done()
	for {
		select {
		case <-t.stop:
			return
		case <-t.mOpen.ClickedCh:
			t.cfg.show("")
		case <-t.mPause.ClickedCh:
			paused := !t.cfg.core.Paused()
			if err := t.cfg.core.SetPaused(t.ctx, paused, PausedBy); err != nil {
				t.cfg.logf("tray: pause: %v", err)
			}
			t.Refresh()
		case <-t.mQuit.ClickedCh:
			t.cfg.quit()
		}
	}
}

func (t *tray) slotClicks(i int) {
	defer t.wg.Done()
	for {
		select {
		case <-t.stop:
			return
		case _, ok := <-t.slots[i].ClickedCh:
			if !ok {
				return
			}
			t.mu.Lock()
			id := t.slotIDs[i]
			t.mu.Unlock()
			if id != "" {
				t.cfg.show(id)
			}
		}
	}
}

// updates applies the state at most once per trayDebounce, however many
// events arrive.
func (t *tray) updates() {
	defer t.wg.Done()
	for {
		select {
		case <-t.stop:
			return
		case <-t.kick:
		}
		t.apply()
		timer := time.NewTimer(trayDebounce)
		select {
		case <-t.stop:
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

func (t *tray) apply() {
	page, err := t.cfg.core.ListPending(t.ctx, 0, trayRecent)
	if err != nil {
		t.cfg.logf("tray: %v", err)
		return
	}
	st := stateOf(page, t.cfg.core.Paused())
	systray.SetTitle(st.Title)
	systray.SetTooltip(st.Title)
	if st.Busy != t.shownBusy {
		if st.Busy {
			systray.SetIcon(t.busy)
		} else {
			systray.SetIcon(t.plain)
		}
		t.shownBusy = st.Busy
	}
	if st.Paused != t.mPause.Checked() {
		if st.Paused {
			t.mPause.Check()
		} else {
			t.mPause.Uncheck()
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, item := range t.slots {
		if i < len(st.Recent) {
			if t.slotLabels[i] != st.Recent[i].Label {
				item.SetTitle(st.Recent[i].Label)
				t.slotLabels[i] = st.Recent[i].Label
			}
			if t.slotIDs[i] == "" {
				item.Show()
			}
			t.slotIDs[i] = st.Recent[i].ID
		} else if t.slotIDs[i] != "" {
			item.Hide()
			t.slotIDs[i] = ""
		}
	}
}
