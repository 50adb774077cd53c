package keystore

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Backend keeps small named secrets. Names are like "state" and
// "signing-key/<kid>"; values are short printable strings.
type Backend interface {
	// Get returns the value stored under name, or an error matching
	// ErrNotFound when there is none.
	Get(name string) (string, error)
	// Set stores value under name, replacing any previous value.
	Set(name, value string) error
	// Delete removes name; removing a name that is absent is not an error.
	Delete(name string) error
	// Weak reports whether the secrets are protected by file permissions
	// only, so the window can warn about it.
	Weak() bool
	// String says where the secrets are, for people.
	String() string
}

// Kind names a backend as the --keystore flag spells it.
type Kind string

const (
	KindKeyring Kind = "keyring" // the OS keyring (default)
	KindFile    Kind = "file"    // a 0600 file in the data directory; weaker, opt-in only
)

// ParseKind reads a --keystore value; "" means KindKeyring.
func ParseKind(s string) (Kind, error) {
	switch Kind(strings.ToLower(strings.TrimSpace(s))) {
	case "", KindKeyring:
		return KindKeyring, nil
	case KindFile:
		return KindFile, nil
	}
	return "", fmt.Errorf("unknown keystore %q: use %q (the OS keyring, default) or %q (a file, weaker)", s, KindKeyring, KindFile)
}

// NewBackend returns the backend of kind k for the data directory dataDir:
// the OS keyring under the service "countersign", or the file FileName in
// dataDir. It never substitutes one for the other.
func NewBackend(k Kind, dataDir string) (Backend, error) {
	switch k {
	case KindKeyring, "":
		return NewKeyring(KeyringConfig{}), nil
	case KindFile:
		return NewFile(filepath.Join(dataDir, FileName)), nil
	}
	return nil, fmt.Errorf("unknown keystore kind %q", k)
}
