// Package token makes, hashes and registers agent tokens: the secret an
// agent presents to the gateway.
//
// It guarantees that a token carries 256 bits from crypto/rand, that only its
// SHA-256 is ever stored, that Add never replaces an agent's existing token
// and never reuses a revoked agent's name, and that nothing here keeps a
// token after returning it. It is small on purpose: the command line links it
// without the gateway server.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"countersign/backend/gateway/api"
	"countersign/backend/store"
)

// randomBytes is the entropy of a token: 256 bits.
const randomBytes = 32

// encodedLen is the length of a token: the prefix and 43 base64url characters.
var encodedLen = len(api.TokenPrefix) + base64.RawURLEncoding.EncodedLen(randomBytes)

// New returns a fresh token: "cs_" and 32 random bytes in unpadded
// base64url. rnd is crypto/rand.Reader outside tests.
func New(rnd io.Reader) (string, error) {
	b := make([]byte, randomBytes)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", fmt.Errorf("cannot make a token: %w", err)
	}
	return api.TokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// WellFormed reports whether s has the shape New gives, so that malformed
// tokens are refused without a database read.
func WellFormed(s string) bool {
	if len(s) != encodedLen || s[:len(api.TokenPrefix)] != api.TokenPrefix {
		return false
	}
	for _, c := range s[len(api.TokenPrefix):] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Hash returns the lower-case hex SHA-256 of a token, the only form in which
// tokens are stored.
//
// A fast hash is enough here: slow password hashes (bcrypt, argon2) exist to
// make guessing low-entropy secrets expensive, and a token has 256 random
// bits, so there is nothing to guess; its hash reveals nothing usable even if
// the database is read. A fast hash also keeps authentication at
// microseconds per request.
func Hash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// ValidName reports whether name can be an agent's id: 1 to 64 letters,
// digits, '.', '_' or '-', starting with a letter or digit, so it reads well
// in the window and in the log.
func ValidName(name string) error {
	ok := len(name) >= 1 && len(name) <= 64
	for i, c := range name {
		alnum := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '.' && c != '_' && c != '-')) {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("agent name %q must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

// Add registers an agent with a new token and returns the token, which is
// shown once and never stored.
func Add(ctx context.Context, st *store.Store, name string, now time.Time) (string, store.Agent, error) {
	if err := ValidName(name); err != nil {
		return "", store.Agent{}, err
	}
	tok, err := New(rand.Reader)
	if err != nil {
		return "", store.Agent{}, err
	}
	a, err := st.SetAgentToken(ctx, name, name, Hash(tok), now)
	switch {
	case errors.Is(err, store.ErrExists):
		return "", store.Agent{}, fmt.Errorf("agent %q already has a token; revoke it first or choose another name", name)
	case errors.Is(err, store.ErrRevoked):
		return "", store.Agent{}, fmt.Errorf("agent %q was revoked and its name cannot be reused; choose another name", name)
	case err != nil:
		return "", store.Agent{}, err
	}
	return tok, a, nil
}
