//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keystore

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	dbus "github.com/godbus/dbus/v5"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Reason
	}{
		{"prompt dismissed", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/collection/login'"), ReasonLocked},
		{"item locked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, ReasonLocked},
		{"no secret service", dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown"}, ReasonNoService},
		{"activation failed", &dbus.Error{Name: "org.freedesktop.DBus.Error.Spawn.ChildExited"}, ReasonNoService},
		{"access denied", dbus.Error{Name: "org.freedesktop.DBus.Error.AccessDenied"}, ReasonDenied},
		{"dead bus socket", fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "unix", Err: os.ErrNotExist}), ReasonNoSessionBus},
		{"no dbus-launch", errors.New(`exec: "dbus-launch": executable file not found in $PATH`), ReasonNoSessionBus},
		{"anything else", errors.New("boom"), ReasonOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %s, want %s", tt.err, got, tt.want)
			}
		})
	}
}

func TestSessionBusCheckNeverAutolaunches(t *testing.T) {
	env := func(addr string) func(string) string {
		return func(k string) string {
			if k == "DBUS_SESSION_BUS_ADDRESS" {
				return addr
			}
			return ""
		}
	}
	empty := t.TempDir()
	withBus := t.TempDir()
	os.WriteFile(filepath.Join(withBus, "bus"), nil, 0o600)
	tests := []struct {
		name   string
		addr   string
		runDir string
		ok     bool
	}{
		{"address set", "unix:path=/run/user/1000/bus", empty, true},
		{"no address, no socket", "", empty, false},
		{"autolaunch address", "autolaunch:", empty, false},
		{"no address, user bus socket", "", withBus, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sessionBusPresentIn(env(tt.addr), tt.runDir)
			if (err == nil) != tt.ok {
				t.Errorf("sessionBusPresentIn = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
