package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"time"

	"countersign/backend/gateway/token"
	"countersign/backend/store"
)

// authEntry is a cached token lookup.
type authEntry struct {
	agentID string
	hash    [sha256.Size]byte
	revoked bool
	at      time.Time
}

// errBadToken covers a token that is malformed, unknown or revoked.
var errBadToken = errors.New("bad token")

// authenticate returns the agent a token belongs to. Lookups are cached for
// authTTL, so revoking an agent from another process (the CLI) takes effect
// for reads within authTTL; a submission by a revoked agent is refused by the
// store in the same transaction that would insert it, whatever the cache says.
func (s *Server) authenticate(ctx context.Context, tok string) (string, error) {
	if !token.WellFormed(tok) {
		return "", errBadToken
	}
	sum := sha256.Sum256([]byte(tok))
	hexSum := hex.EncodeToString(sum[:])
	now := s.now()

	s.authMu.Lock()
	e, ok := s.authCache[hexSum]
	s.authMu.Unlock()
	if !ok || now.Sub(e.at) >= authTTL || now.Before(e.at) {
		a, err := s.cfg.Store.AgentByTokenHash(ctx, hexSum)
		if errors.Is(err, store.ErrNotFound) {
			return "", errBadToken
		}
		if err != nil {
			return "", err
		}
		stored, err := hex.DecodeString(a.TokenHash)
		if err != nil || len(stored) != sha256.Size {
			return "", errBadToken
		}
		e = authEntry{agentID: a.ID, revoked: !a.RevokedAt.IsZero(), at: now}
		copy(e.hash[:], stored)
		s.authMu.Lock()
		if len(s.authCache) >= maxAuthCache {
			clear(s.authCache)
		}
		s.authCache[hexSum] = e
		s.authMu.Unlock()
	}
	// The lookup was by hash; compare the full digests in constant time all
	// the same, so no code path accepts a token on a partial match.
	if subtle.ConstantTimeCompare(e.hash[:], sum[:]) != 1 || e.revoked {
		return "", errBadToken
	}
	return e.agentID, nil
}

const (
	authTTL      = time.Second
	maxAuthCache = 1024
)
