//go:build unix

package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"countersign/backend/gateway/api"
	"countersign/backend/proposal"
)

func TestListenersAndDiscoveryFile(t *testing.T) {
	f := newFixture(t, nil)
	d := f.gw.Discovery()

	b, err := os.ReadFile(filepath.Join(f.dataDir, api.DiscoveryFile))
	if err != nil {
		t.Fatal(err)
	}
	var got api.Discovery
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got != d || got.Version != 1 || got.PID != os.Getpid() || !strings.HasPrefix(got.HTTP, "http://127.0.0.1:") ||
		!strings.HasPrefix(got.Socket, filepath.Join(f.runDir, "countersign")+"/") {
		t.Fatalf("discovery %+v", got)
	}
	if strings.Contains(string(b), "cs_") || strings.Contains(strings.ToLower(string(b)), "token") {
		t.Fatalf("the discovery file holds something secret: %s", b)
	}
	for path, want := range map[string]os.FileMode{
		filepath.Join(f.dataDir, api.DiscoveryFile): 0o600,
		filepath.Dir(d.Socket):                      0o700 | os.ModeDir,
		d.Socket:                                    0o600 | os.ModeSocket,
	} {
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
		}
	}

	t.Run("the Unix socket serves the same API", func(t *testing.T) {
		r, err := http.NewRequest("GET", "http://localhost/v1/proposals", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Authorization", "Bearer "+f.tokens["alice"])
		res, err := f.unix.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), `"items":[]`) {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		r.Host = "evil.example"
		res, err = f.unix.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 403 {
			t.Fatalf("a foreign Host over the socket: %d", res.StatusCode)
		}
	})

	t.Run("a second gateway on the same data directory refuses to start", func(t *testing.T) {
		gw2, err := New(Config{Store: f.st, Queue: f.q, DataDir: f.dataDir, RuntimeDir: f.runDir})
		if err != nil {
			t.Fatal(err)
		}
		err = gw2.Start(context.Background())
		if err == nil || !strings.Contains(err.Error(), "already serving") {
			t.Fatalf("got %v", err)
		}
		if _, err := os.Stat(d.Socket); err != nil {
			t.Fatalf("the live socket was touched: %v", err)
		}
	})

	t.Run("close removes the socket and the discovery file", func(t *testing.T) {
		if err := f.gw.Close(); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{d.Socket, filepath.Join(f.dataDir, api.DiscoveryFile)} {
			if _, err := os.Lstat(p); !os.IsNotExist(err) {
				t.Errorf("%s still there: %v", p, err)
			}
		}
		if err := f.gw.Close(); err != nil {
			t.Errorf("second close: %v", err)
		}
	})
}

func TestSocketPathSafety(t *testing.T) {
	f := newFixture(t, nil)
	f.gw.Close()
	sock, err := socketPath(f.runDir, f.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	start := func() error {
		gw, err := New(Config{Store: f.st, Queue: f.q, DataDir: f.dataDir, RuntimeDir: f.runDir})
		if err != nil {
			t.Fatal(err)
		}
		err = gw.Start(context.Background())
		if err == nil {
			gw.Close()
		}
		return err
	}

	t.Run("a stale socket is replaced", func(t *testing.T) {
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		l.SetUnlinkOnClose(false)
		l.Close() // the file stays, nobody listens: a crashed instance
		if _, err := os.Lstat(sock); err != nil {
			t.Fatal(err)
		}
		if err := start(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a file that is not a socket is left alone", func(t *testing.T) {
		if err := os.WriteFile(sock, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(sock)
		if err := start(); err == nil || !strings.Contains(err.Error(), "not a socket") {
			t.Fatalf("got %v", err)
		}
		if b, _ := os.ReadFile(sock); string(b) != "keep me" {
			t.Fatal("the file was changed")
		}
	})
	t.Run("a symlinked socket directory is refused", func(t *testing.T) {
		run := shortTempDir(t)
		target := shortTempDir(t)
		if err := os.Symlink(target, filepath.Join(run, "countersign")); err != nil {
			t.Fatal(err)
		}
		gw, err := New(Config{Store: f.st, Queue: f.q, DataDir: f.dataDir, RuntimeDir: run})
		if err != nil {
			t.Fatal(err)
		}
		if err := gw.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "not a directory") {
			gw.Close()
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a loose socket directory is made private", func(t *testing.T) {
		run := shortTempDir(t)
		dir := filepath.Join(run, "countersign")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		gw, err := New(Config{Store: f.st, Queue: f.q, DataDir: f.dataDir, RuntimeDir: run})
		if err != nil {
			t.Fatal(err)
		}
		if err := gw.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer gw.Close()
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("mode %v, %v", fi.Mode(), err)
		}
	})
	t.Run("a socket path too long is refused with advice", func(t *testing.T) {
		_, err := socketPath("/"+strings.Repeat("d", 120), f.dataDir)
		if err == nil || !strings.Contains(err.Error(), "XDG_RUNTIME_DIR") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a non-loopback TCP address is refused", func(t *testing.T) {
		gw, err := New(Config{Store: f.st, Queue: f.q, DataDir: f.dataDir, NoSocket: true, Addr: "0.0.0.0:0"})
		if err != nil {
			t.Fatal(err)
		}
		if err := gw.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "not a loopback") {
			gw.Close()
			t.Fatalf("got %v", err)
		}
	})
}

func TestPreviewNeverOpensAFIFOForReading(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := Previews(context.Background(), &proposal.Proposal{Workspace: dir, Actions: []proposal.Action{{Kind: proposal.KindFileDelete, Path: "pipe"}}})
	if len(got) != 1 || !strings.Contains(got[0].Error, "not a regular file") {
		t.Fatalf("got %+v", got)
	}
}
