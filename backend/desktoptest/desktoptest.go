// Package desktoptest starts the real desktop services that tests of the tray
// and the notifications talk to: a private D-Bus session bus, a private X
// server, the dunst notification daemon and a StatusNotifierWatcher.
//
// It guarantees that every service it starts is private to the test (its own
// bus address, its own display, its own configuration under t.TempDir()),
// that it is stopped when the test ends, and that a test never reaches the
// person's real desktop session. When a program is missing the test is
// skipped with the package to install, unless COUNTERSIGN_REQUIRE_DESKTOP=1
// (set by `make test`), when it fails instead. It is imported by tests only.
package desktoptest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// packages names the Debian package that provides each program.
var packages = map[string]string{
	"dbus-daemon":             "dbus",
	"Xvfb":                    "xvfb",
	"dunst":                   "dunst",
	"dunstctl":                "dunst",
	"status-notifier-watcher": "haskell-status-notifier-item-utils",
}

// Need skips the test (or fails it, under COUNTERSIGN_REQUIRE_DESKTOP=1)
// when one of the programs is not installed.
func Need(t testing.TB, programs ...string) {
	t.Helper()
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			msg := p + " is not installed (Debian package " + packages[p] + "; `make sysdeps-test` installs it)"
			if os.Getenv("COUNTERSIGN_REQUIRE_DESKTOP") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// Bus is a private session bus.
type Bus struct {
	Address string
}

// StartBus starts a private session bus for the test.
func StartBus(t testing.TB) *Bus {
	t.Helper()
	Need(t, "dbus-daemon")
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(s)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case a := <-addr:
		if a == "" {
			t.Fatal("dbus-daemon did not print its address")
		}
		return &Bus{Address: a}
	case <-time.After(20 * time.Second):
		t.Fatal("dbus-daemon did not start within 20 s")
	}
	return nil
}

// Conn opens a new connection to the bus, closed when the test ends.
func (b *Bus) Conn(t testing.TB) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(b.Address)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Env is the environment of a program started on this bus.
func (b *Bus) Env(extra ...string) []string {
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(e, "DISPLAY=") && !strings.HasPrefix(e, "WAYLAND_DISPLAY=") {
			env = append(env, e)
		}
	}
	return append(append(env, "DBUS_SESSION_BUS_ADDRESS="+b.Address), extra...)
}

// WaitName waits until name has an owner on the bus and returns the owner.
func (b *Bus) WaitName(t testing.TB, name string) string {
	t.Helper()
	c := b.Conn(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var owner string
		if err := c.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, name).Store(&owner); err == nil {
			return owner
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear on the bus within 20 s", name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// StartXvfb starts a private X server with one screen of the given
// geometry (e.g. "1024x768x24") and returns its display name.
func StartXvfb(t testing.TB, screen string) string {
	t.Helper()
	Need(t, "Xvfb")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", screen, "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not report a display")
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	}
	return ""
}

// Dunst is a running dunst notification daemon.
type Dunst struct {
	bus     *Bus
	display string
	// Owner is dunst's unique name on the bus.
	Owner string
}

// StartDunst starts dunst on the bus, on a private X server. Its context
// menu (what `dunstctl context` opens) answers with the first line that
// contains choice, or nothing when choice is "": dunst's menu lines read
// "#Label (summary) [id,action]".
func StartDunst(t testing.TB, b *Bus, choice string) *Dunst {
	t.Helper()
	Need(t, "dunst", "dunstctl")
	display := StartXvfb(t, "1024x768x24")
	dir := t.TempDir()
	menu := filepath.Join(dir, "menu.sh")
	script := "#!/bin/sh\ngrep -m1 -F -- " + shellQuote(choice) + " || true\n"
	if err := os.WriteFile(menu, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "dunstrc")
	rc := "[global]\n    dmenu = " + menu + "\n    show_indicators = no\n"
	if err := os.WriteFile(conf, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dunst", "-conf", conf)
	cmd.Env = b.Env("DISPLAY="+display, "XDG_CONFIG_HOME="+dir, "HOME="+dir)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return &Dunst{bus: b, display: display, Owner: b.WaitName(t, "org.freedesktop.Notifications")}
}

// Context opens dunst's context menu, as a person would, which invokes the
// action its menu script chooses.
func (d *Dunst) Context(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dunstctl", "context")
	cmd.Env = d.bus.Env("DISPLAY=" + d.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dunstctl context: %v: %s", err, out)
	}
}

// StartWatcher starts a StatusNotifierWatcher (the tray host's registry) on
// the bus.
func StartWatcher(t testing.TB, b *Bus) {
	t.Helper()
	Need(t, "status-notifier-watcher")
	cmd := exec.Command("status-notifier-watcher")
	cmd.Env = b.Env()
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	b.WaitName(t, "org.kde.StatusNotifierWatcher")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
