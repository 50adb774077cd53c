package keystore

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultService is the OS keyring service under which the keys are kept.
const DefaultService = "countersign"

// DefaultKeyringTimeout bounds one keyring call, including the time a person
// takes to answer an unlock prompt.
const DefaultKeyringTimeout = 2 * time.Minute

// KeyringConfig configures the OS keyring backend. Zero fields take defaults.
type KeyringConfig struct {
	Service string              // keyring service name; DefaultService when empty
	Timeout time.Duration       // per call; DefaultKeyringTimeout when zero
	GOOS    string              // whose advice errors give; runtime.GOOS when empty
	Getenv  func(string) string // reads DBUS_SESSION_BUS_ADDRESS; os.Getenv when nil
}

// keyringBackend keeps secrets in the OS keyring through go-keyring: the
// Secret Service on Linux and BSD, the Keychain on macOS, Credential Manager
// on Windows.
type keyringBackend struct {
	service string
	timeout time.Duration
	goos    string
	getenv  func(string) string
}

// NewKeyring returns the OS keyring backend. It does not touch the keyring
// until used.
func NewKeyring(c KeyringConfig) Backend {
	b := &keyringBackend{service: c.Service, timeout: c.Timeout, goos: c.GOOS, getenv: c.Getenv}
	if b.service == "" {
		b.service = DefaultService
	}
	if b.timeout <= 0 {
		b.timeout = DefaultKeyringTimeout
	}
	if b.goos == "" {
		b.goos = runtime.GOOS
	}
	if b.getenv == nil {
		b.getenv = os.Getenv
	}
	return b
}

func (b *keyringBackend) Weak() bool { return false }

func (b *keyringBackend) String() string {
	var where string
	switch b.goos {
	case "darwin":
		where = "the macOS Keychain"
	case "windows":
		where = "Windows Credential Manager"
	default:
		where = "the Secret Service keyring"
	}
	return fmt.Sprintf("%s (service %q)", where, b.service)
}

func (b *keyringBackend) Get(name string) (string, error) {
	var v string
	err := b.call("read", func() (err error) {
		v, err = keyring.Get(b.service, name)
		return err
	})
	return v, err
}

func (b *keyringBackend) Set(name, value string) error {
	return b.call("write", func() error { return keyring.Set(b.service, name, value) })
}

func (b *keyringBackend) Delete(name string) error {
	err := b.call("delete", func() error { return keyring.Delete(b.service, name) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// call runs one keyring operation with a deadline and turns its failure
// into ErrNotFound, a size error, or an *UnavailableError. It checks for a
// session bus first, so that no private bus is ever launched: a keyring on
// a bus nobody else uses would hold a key that vanishes with it.
func (b *keyringBackend) call(op string, f func() error) error {
	if err := sessionBusPresent(b.getenv); err != nil {
		return &UnavailableError{Reason: ReasonNoSessionBus, GOOS: b.goos, Op: op, Err: err}
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(b.timeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
	case <-timer.C:
		// The call stays blocked in the keyring library (typically on an
		// unanswered prompt); it holds no lock of ours and ends with it.
		return &UnavailableError{Reason: ReasonTimeout, GOOS: b.goos, Op: op,
			Err: fmt.Errorf("no answer after %s", b.timeout)}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%w: %s", ErrNotFound, err)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("the OS keyring refused the value as too big (on Windows and macOS the key record "+
			"outgrows the limit after about 30 rotations): %w", err)
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return &UnavailableError{Reason: ReasonUnsupported, GOOS: b.goos, Op: op, Err: err}
	}
	return &UnavailableError{Reason: classify(err), GOOS: b.goos, Op: op, Err: err}
}
