//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keystore

// sessionBusPresent: only the Secret Service needs a session bus.
func sessionBusPresent(func(string) string) error { return nil }

// classify: the Keychain and Credential Manager errors carry no reason worth
// telling apart; the advice covers them.
func classify(error) Reason { return ReasonOther }
