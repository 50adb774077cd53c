//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keystore

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	dbus "github.com/godbus/dbus/v5"
)

// sessionBusPresent reports an error when go-keyring would find no session
// bus and fall back to launching a private one with dbus-launch. It looks
// where the D-Bus library looks: $DBUS_SESSION_BUS_ADDRESS, then
// /run/user/<uid>/bus and /run/user/<uid>/dbus-session.
func sessionBusPresent(getenv func(string) string) error {
	return sessionBusPresentIn(getenv, filepath.Join("/run/user", fmt.Sprint(os.Getuid())))
}

func sessionBusPresentIn(getenv func(string) string, runDir string) error {
	if a := getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runDir, name)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("DBUS_SESSION_BUS_ADDRESS is not set and %s has no bus socket", runDir)
}

// classify names the cause of a Secret Service failure.
func classify(err error) Reason {
	var de dbus.Error
	var dp *dbus.Error
	name := ""
	if errors.As(err, &de) {
		name = de.Name
	} else if errors.As(err, &dp) && dp != nil {
		name = dp.Name
	}
	switch {
	case name == "org.freedesktop.Secret.Error.IsLocked":
		return ReasonLocked
	case name == "org.freedesktop.DBus.Error.AccessDenied", name == "org.freedesktop.DBus.Error.AuthFailed":
		return ReasonDenied
	case name == "org.freedesktop.DBus.Error.ServiceUnknown", name == "org.freedesktop.DBus.Error.NameHasNoOwner",
		name == "org.freedesktop.DBus.Error.UnknownObject", name == "org.freedesktop.DBus.Error.UnknownMethod",
		name == "org.freedesktop.DBus.Error.NoReply", strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn."):
		return ReasonNoService
	}
	msg := err.Error()
	var ne *net.OpError
	switch {
	case strings.Contains(msg, "failed to unlock correct collection"):
		// go-keyring's words when the unlock prompt was dismissed or could
		// not be shown.
		return ReasonLocked
	case errors.As(err, &ne), strings.Contains(msg, "dbus-launch"),
		strings.Contains(msg, "couldn't determine address of session bus"),
		strings.Contains(msg, "dbus: authentication failed"):
		return ReasonNoSessionBus
	}
	return ReasonOther
}
