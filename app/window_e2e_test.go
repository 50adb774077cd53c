//go:build e2e

package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"countersign/backend/desktoptest"
)

// syncBuffer collects a process's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required for the window test (see .ci/run for the packages): %v", tool, err)
		}
	}
}

// startXvfb starts a private X server the size of a laptop screen.
func startXvfb(t testing.TB) string { return desktoptest.StartXvfb(t, "1280x800x24") }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (last error: %v)", d, what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func statuses(db *sql.DB) (map[string]string, error) {
	rows, err := db.Query(`SELECT id, status FROM proposals`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			return nil, err
		}
		out[id] = st
	}
	return out, rows.Err()
}

// waitPainted polls the screen until the window shows more than a flat
// background: WebKit reports its first paint before the X server's copy of
// the window catches up, more so on a loaded machine.
func waitPainted(t *testing.T, display string) {
	t.Helper()
	probe := filepath.Join(t.TempDir(), "probe.png")
	waitFor(t, "the window to show its content on screen", 30*time.Second, func() (bool, error) {
		if err := exec.Command("import", "-display", display, "-window", "root", probe).Run(); err != nil {
			return false, err
		}
		out, err := exec.Command("convert", probe, "-crop", "1100x720+90+40", "-format", "%[fx:standard_deviation]", "info:").Output()
		if err != nil {
			return false, err
		}
		var sd float64
		_, err = fmt.Sscan(string(out), &sd)
		return sd > 0.05, err
	})
}

func screenshot(t *testing.T, display, name string) {
	t.Helper()
	dir := os.Getenv("COUNTERSIGN_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	cmd := exec.Command("import", "-display", display, "-window", "root", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("screenshot %s: %v: %s", path, err, out)
		return
	}
	t.Logf("screenshot: %s", path)
}

// TestWindowApproveWithKeyboard runs the production binary with the demo
// agent in a real window, presses the approve shortcut like a person would,
// and checks the decision landed in the real database.
func TestWindowApproveWithKeyboard(t *testing.T) {
	bin := os.Getenv("COUNTERSIGN_BIN")
	if bin == "" {
		t.Fatal("COUNTERSIGN_BIN must name the production binary (make test-e2e sets it)")
	}
	need(t, "Xvfb", "xdotool", "import")
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("run inside a D-Bus session with an unlocked keyring: build/scripts/with-session.sh (make test-e2e does)")
	}
	display := startXvfb(t)

	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	env := append(os.Environ(), "DISPLAY="+display, "COUNTERSIGN_DATA_DIR=")
	// A short runtime dir: a Unix socket path has at most about 100 bytes.
	rt, err := os.MkdirTemp("", "csrt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(rt) })
	env = append(env, "XDG_RUNTIME_DIR="+rt)
	for _, x := range []string{"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"} {
		d := filepath.Join(tmp, strings.ToLower(x))
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, x+"="+d)
	}
	var stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	app := exec.CommandContext(ctx, bin, "--demo", "--data-dir", data)
	app.Env = env
	app.Stdout = &stderr
	app.Stderr = &stderr
	app.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	defer func() {
		_ = syscall.Kill(-app.Process.Pid, syscall.SIGKILL)
		t.Logf("app output:\n%s", stderr.String())
	}()

	waitFor(t, "the first paint", 60*time.Second, func() (bool, error) {
		return strings.Contains(stderr.String(), "first paint after"), nil
	})
	t.Logf("first paint %v after start", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(data, "gateway.json")); err != nil {
		t.Errorf("the gateway did not start: %v\n%s", err, stderr.String())
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "countersign.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var before map[string]string
	waitFor(t, "the demo agent's proposals", 30*time.Second, func() (bool, error) {
		before, err = statuses(db)
		n := 0
		for _, s := range before {
			if s == "pending" {
				n++
			}
		}
		return n >= 3, err
	})
	waitPainted(t, display)
	screenshot(t, display, "window-before-approve.png")

	xdo := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("xdotool", args...)
		cmd.Env = env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("xdotool %v: %v", args, err)
		}
		return string(out)
	}
	win := strings.Fields(xdo("search", "--sync", "--onlyvisible", "--name", "^Countersign$"))[0]
	xdo("windowfocus", "--sync", win)
	xdo("key", "--clearmodifiers", "a")

	// An approval is carried out at once: the proposal may already be
	// executing, executed or failed when the test looks.
	var approved []string
	waitFor(t, "the approval to reach the database", 20*time.Second, func() (bool, error) {
		after, err := statuses(db)
		approved = approved[:0]
		for id, s := range after {
			switch s {
			case "approved", "executing", "executed", "failed":
				approved = append(approved, id)
			}
		}
		return len(approved) > 0, err
	})
	if len(approved) != 1 {
		t.Fatalf("one key press approved %d proposals: %v", len(approved), approved)
	}
	if before[approved[0]] != "pending" {
		t.Errorf("approved %s, which was %q before, not pending", approved[0], before[approved[0]])
	}
	var by, token string
	if err := db.QueryRow(`SELECT decided_by, token FROM decisions WHERE proposal_id = ?`, approved[0]).Scan(&by, &token); err != nil {
		t.Errorf("decision record: %v", err)
	} else if by == "" || token == "" {
		t.Errorf("decision by %q with token %q: want both", by, token)
	} else {
		// The decision is signed with the key in the real keyring: the CLI verifies it.
		cmd := exec.Command(bin, "verify", token, "--against", approved[0], "--data-dir", data)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "valid: approve") {
			t.Errorf("countersign verify: %v\n%s", err, out)
		}
	}
	time.Sleep(time.Second) // for the screenshot only: the result is already checked
	screenshot(t, display, "window-after-approve.png")

	// Ctrl+Q quits cleanly.
	xdo("key", "--clearmodifiers", "ctrl+q")
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("app exited with %v after Ctrl+Q", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("app still running 15 s after Ctrl+Q")
	}
}
