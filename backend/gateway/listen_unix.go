//go:build unix

package gateway

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"
)

// socketsSupported: Unix domain sockets are served on every Unix.
const socketsSupported = true

// DefaultRuntimeDir returns the per-user directory for the socket:
// $XDG_RUNTIME_DIR on Linux and other Unixes that set it, otherwise a
// directory named for the user inside the per-user (macOS) or system
// temporary directory.
func DefaultRuntimeDir() (string, error) {
	if runtime.GOOS != "darwin" {
		if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && filepath.IsAbs(d) {
			return d, nil
		}
	}
	return filepath.Join(os.TempDir(), "countersign-"+strconv.Itoa(os.Getuid())), nil
}

// ensurePrivateDir creates dir (and its parents) and makes sure it is a real
// directory, not a symlink, owned by the user and closed to everyone else.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("gateway: create %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return fmt.Errorf("gateway: %s is not a directory (a symlink?); refusing to put the socket there", dir)
	case !ok || int(st.Uid) != os.Getuid():
		return fmt.Errorf("gateway: %s belongs to another user; refusing to put the socket there", dir)
	case fi.Mode().Perm()&0o077 != 0:
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("gateway: make %s private: %w", dir, err)
		}
	}
	return nil
}

// listenUnix listens on path with mode 0600 inside a 0700 directory. A
// socket file already there is removed only if it is a socket owned by the
// user on which nobody answers; a live one means another instance serves
// this data directory, and any other file is left alone.
func listenUnix(path string) (net.Listener, error) {
	if err := ensurePrivateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(path); err == nil {
		st, ok := fi.Sys().(*syscall.Stat_t)
		switch {
		case fi.Mode().Type() != fs.ModeSocket:
			return nil, fmt.Errorf("gateway: %s exists and is not a socket; not touching it", path)
		case !ok || int(st.Uid) != os.Getuid():
			return nil, fmt.Errorf("gateway: %s belongs to another user; not touching it", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("gateway: another Countersign is already serving this data directory on %s", path)
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("gateway: remove stale socket %s: %w", path, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("gateway: listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("gateway: chmod %s: %w", path, err)
	}
	return l, nil
}
