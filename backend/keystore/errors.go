package keystore

import (
	"errors"
	"fmt"

	"countersign/backend/errs"
)

// Sentinels for errors.Is. Each matches every error of its kind, however
// deeply wrapped; errors.As yields the typed error with the details.
var (
	// ErrKeyringUnavailable: the OS keyring could not be used (no session bus,
	// no Secret Service, locked, access refused, timed out). The typed error is
	// *UnavailableError. There is no fallback to another backend.
	ErrKeyringUnavailable = errors.New("OS keyring unavailable")
	// ErrKeyMissing: the record names a current key whose secret is gone. The
	// typed error is *KeyMissingError.
	ErrKeyMissing = errors.New("signing key missing")
	// ErrCorrupt: a stored value is not what this package wrote. The typed
	// error is *CorruptError.
	ErrCorrupt = errors.New("keystore data damaged")
	// ErrInsecureFile: the file backend's file can be read by other users.
	ErrInsecureFile = errors.New("key file readable by others")
	// ErrNotFound is what a Backend returns for a name it does not hold.
	ErrNotFound = errors.New("not found in keystore backend")
)

// Reason says why the OS keyring is unavailable.
type Reason string

const (
	ReasonNoSessionBus Reason = "no_session_bus" // Linux/BSD: no D-Bus session bus to talk to
	ReasonNoService    Reason = "no_service"     // Linux/BSD: no Secret Service answers on the bus
	ReasonLocked       Reason = "locked"         // the keyring is locked and was not unlocked
	ReasonDenied       Reason = "denied"         // the keyring refused access
	ReasonTimeout      Reason = "timeout"        // the keyring did not answer in time
	ReasonUnsupported  Reason = "unsupported"    // no OS keyring on this platform
	ReasonOther        Reason = "other"          // any other failure of the keyring
)

func (r Reason) text() string {
	switch r {
	case ReasonNoSessionBus:
		return "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and no user bus socket exists)"
	case ReasonNoService:
		return "no Secret Service answers on the D-Bus session bus"
	case ReasonLocked:
		return "the keyring is locked and was not unlocked"
	case ReasonDenied:
		return "the keyring refused access"
	case ReasonTimeout:
		return "the keyring did not answer in time"
	case ReasonUnsupported:
		return "this platform has no supported OS keyring"
	default:
		return "the keyring failed"
	}
}

// Advice says, for people, what to do on goos when the keyring is unavailable.
func Advice(goos string) string {
	switch goos {
	case "darwin":
		return "Unlock the login keychain and allow Countersign to use it (Keychain Access), " +
			"or run with --keystore file (weaker: the key is kept in a file)."
	case "windows":
		return "Make sure Windows Credential Manager is available to your account (you are logged in " +
			"interactively, not as a service), or run with --keystore file (weaker: the key is kept in a file)."
	default:
		return "Start a Secret Service such as gnome-keyring or KeePassXC and unlock it, " +
			"or run with --keystore file (weaker: the key is kept in a file)."
	}
}

// UnavailableError is the typed ErrKeyringUnavailable: what went wrong, what
// to do about it on this OS, and the keyring's own error as the cause.
type UnavailableError struct {
	Reason Reason
	GOOS   string // the advice is for this OS
	Op     string // what was being done: "read", "write", "delete"
	Err    error  // the keyring's own error
}

func (e *UnavailableError) Error() string {
	msg := "the OS keyring is unavailable: " + e.Reason.text()
	if e.Err != nil {
		msg += " (" + e.Op + ": " + e.Err.Error() + ")"
	}
	return msg + ". " + Advice(e.GOOS)
}

// Advice is what the person should do, for the window to show on its own.
func (e *UnavailableError) Advice() string { return Advice(e.GOOS) }

func (e *UnavailableError) Unwrap() error { return e.Err }

// Is matches ErrKeyringUnavailable and errs.ErrUnavailable.
func (e *UnavailableError) Is(target error) bool {
	return target == ErrKeyringUnavailable || target == errs.ErrUnavailable
}

// ErrorCode reports errs.CodeUnavailable.
func (e *UnavailableError) ErrorCode() errs.Code { return errs.CodeUnavailable }

// KeyMissingError is the typed ErrKeyMissing.
type KeyMissingError struct {
	KeyID   string
	Backend string // where the secret should have been
}

func (e *KeyMissingError) Error() string {
	return fmt.Sprintf("the current signing key %s is missing from %s: the keystore record names it, "+
		"but its secret is gone. Run `countersign key rotate` to make a new key; tokens signed with "+
		"the lost key still verify with its public key", e.KeyID, e.Backend)
}

// Is matches ErrKeyMissing and errs.ErrNotFound.
func (e *KeyMissingError) Is(target error) bool {
	return target == ErrKeyMissing || target == errs.ErrNotFound
}

// ErrorCode reports errs.CodeNotFound.
func (e *KeyMissingError) ErrorCode() errs.Code { return errs.CodeNotFound }

// CorruptError is the typed ErrCorrupt: which entry, where, and what is wrong
// with it. Nothing is ever overwritten because of it.
type CorruptError struct {
	Name    string // the entry, e.g. "state" or "signing-key/<kid>"
	Backend string
	Err     error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("keystore entry %q in %s is damaged: %v (nothing was overwritten; restore it "+
		"or remove the entry deliberately)", e.Name, e.Backend, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Is matches ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// ErrorCode reports errs.CodeInternal.
func (e *CorruptError) ErrorCode() errs.Code { return errs.CodeInternal }
