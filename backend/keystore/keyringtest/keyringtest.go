//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

// Package keyringtest gives tests a keyring service of their own in the real
// Secret Service (gnome-keyring in the D-Bus session that
// build/scripts/with-session.sh starts).
//
// It guarantees that Service never lets the D-Bus library launch a private
// bus, skips the test when no Secret Service answers (and fails it instead
// when COUNTERSIGN_REQUIRE_KEYRING=1), and deletes every item of the service
// it handed out when the test ends.
package keyringtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"countersign/backend/keystore"
)

// EnvRequire makes a missing Secret Service fail the test instead of
// skipping it.
const EnvRequire = "COUNTERSIGN_REQUIRE_KEYRING"

const (
	secretsName = "org.freedesktop.secrets"
	secretsPath = dbus.ObjectPath("/org/freedesktop/secrets")
)

// Service returns a fresh keyring service name for this test, removed with
// all its items afterwards, once it has checked that a Secret Service
// answers on the session bus.
func Service(t testing.TB) string {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s=1 but the real Secret Service cannot be used: %v "+
				"(run the tests with bash build/scripts/with-session.sh)", EnvRequire, err)
		}
		t.Skipf("no real Secret Service (%v); run under build/scripts/with-session.sh", err)
	}
	var b [6]byte
	rand.Read(b[:])
	service := "countersign-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if err := keyring.DeleteAll(service); err != nil {
			t.Errorf("cleaning up keyring service %s: %v", service, err)
		}
	})
	return service
}

// Available reports why the real Secret Service cannot be used, or nil.
func Available() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		// Never let the D-Bus library launch a private bus.
		return errors.New("DBUS_SESSION_BUS_ADDRESS is not set")
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("session bus: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var v dbus.Variant
	err = conn.Object(secretsName, secretsPath).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0,
		"org.freedesktop.Secret.Service", "Collections").Store(&v)
	if err != nil {
		return fmt.Errorf("Secret Service: %w", err)
	}
	return nil
}

// Backend is the keystore backend of a keyring service.
func Backend(service string) keystore.Backend {
	return keystore.NewKeyring(keystore.KeyringConfig{Service: service, Timeout: 30 * time.Second})
}
