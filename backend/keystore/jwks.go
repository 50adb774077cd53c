package keystore

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// JWKSFile is the public key set's file inside the data directory.
const JWKSFile = "jwks.json"

// Algorithm is the JOSE name of the signature algorithm (RFC 8037).
const Algorithm = "EdDSA"

// PublicKey is one verification key and its life: created, and retired when
// a rotation replaced it (zero while it is the current key).
type PublicKey struct {
	KeyID   string
	Key     ed25519.PublicKey
	Created time.Time
	Retired time.Time
}

// Current reports whether the key has not been retired.
func (k PublicKey) Current() bool { return k.Retired.IsZero() }

// KeyID returns the key id of an Ed25519 public key: its RFC 7638 JWK
// thumbprint, that is the unpadded base64url SHA-256 of
// {"crv":"Ed25519","kty":"OKP","x":"<base64url key>"}. Any JOSE library can
// recompute it from the JWKS.
func KeyID(pub ed25519.PublicKey) string {
	// The members in lexicographic order with no whitespace, as RFC 7638
	// section 3.2 requires; x is base64url, so it needs no escaping.
	sum := sha256.Sum256([]byte(`{"crv":"Ed25519","kty":"OKP","x":"` + b64(pub) + `"}`))
	return b64(sum[:])
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// decodeX reads a JWK "x": canonical unpadded base64url of 32 bytes.
func decodeX(x string) (ed25519.PublicKey, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(x)
	if err != nil || b64(raw) != x {
		return nil, fmt.Errorf("x %q is not canonical base64url", x)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("x holds %d bytes, want %d", len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// KeySet is a snapshot of verification keys, current and retired. The zero
// value holds none.
type KeySet struct {
	keys []PublicKey // current first, then retired, newest retirement first
}

// NewKeySet orders keys as a KeySet keeps them. It rejects duplicate key ids
// and ids that are not the key's thumbprint.
func NewKeySet(keys []PublicKey) (KeySet, error) {
	seen := map[string]bool{}
	out := make([]PublicKey, 0, len(keys))
	for _, k := range keys {
		if len(k.Key) != ed25519.PublicKeySize {
			return KeySet{}, fmt.Errorf("key %s: %d bytes, want %d", k.KeyID, len(k.Key), ed25519.PublicKeySize)
		}
		if want := KeyID(k.Key); k.KeyID != want {
			return KeySet{}, fmt.Errorf("key id %q is not the key's thumbprint %q", k.KeyID, want)
		}
		if seen[k.KeyID] {
			return KeySet{}, fmt.Errorf("key id %s appears twice", k.KeyID)
		}
		seen[k.KeyID] = true
		k.Key = slices.Clone(k.Key)
		out = append(out, k)
	}
	slices.SortStableFunc(out, func(a, b PublicKey) int {
		switch {
		case a.Current() != b.Current():
			if a.Current() {
				return -1
			}
			return 1
		case !a.Retired.Equal(b.Retired):
			return b.Retired.Compare(a.Retired)
		}
		return b.Created.Compare(a.Created)
	})
	return KeySet{keys: out}, nil
}

// Keys returns a copy of the keys, current first.
func (s KeySet) Keys() []PublicKey {
	out := make([]PublicKey, len(s.keys))
	for i, k := range s.keys {
		k.Key = slices.Clone(k.Key)
		out[i] = k
	}
	return out
}

// Current returns the key that is not retired, if any.
func (s KeySet) Current() (PublicKey, bool) {
	if len(s.keys) > 0 && s.keys[0].Current() {
		k := s.keys[0]
		k.Key = slices.Clone(k.Key)
		return k, true
	}
	return PublicKey{}, false
}

// PublicKey returns the key with id kid and when it was retired (zero if it
// is current). Its signature is what intent.KeySet asks for.
func (s KeySet) PublicKey(kid string) (ed25519.PublicKey, time.Time, bool) {
	for _, k := range s.keys {
		if k.KeyID == kid {
			return slices.Clone(k.Key), k.Retired, true
		}
	}
	return nil, time.Time{}, false
}

// jwk is one RFC 7517 key as written to the JWKS file, with its life as two
// extra members that JOSE libraries ignore.
type jwk struct {
	Kty     string `json:"kty"`
	Crv     string `json:"crv"`
	X       string `json:"x"`
	Kid     string `json:"kid"`
	Alg     string `json:"alg"`
	Use     string `json:"use"`
	Created string `json:"created_at,omitempty"`
	Retired string `json:"retired_at,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// MarshalJWKS returns the set as an RFC 7517 JWK Set: kty OKP, crv Ed25519,
// x, kid, alg EdDSA, use sig, plus created_at and retired_at (RFC 3339, UTC).
// It never contains private material.
func (s KeySet) MarshalJWKS() ([]byte, error) {
	out := jwks{Keys: make([]jwk, 0, len(s.keys))}
	for _, k := range s.keys {
		j := jwk{Kty: "OKP", Crv: "Ed25519", X: b64(k.Key), Kid: k.KeyID, Alg: Algorithm, Use: "sig"}
		if !k.Created.IsZero() {
			j.Created = k.Created.UTC().Format(time.RFC3339)
		}
		if !k.Retired.IsZero() {
			j.Retired = k.Retired.UTC().Format(time.RFC3339)
		}
		out.Keys = append(out.Keys, j)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// ParseJWKS reads a JWK Set as MarshalJWKS writes it. It refuses keys of
// another type or algorithm, private members, unknown members, and key ids
// that are not the key's RFC 7638 thumbprint.
func ParseJWKS(data []byte) (KeySet, error) {
	var set jwks
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		return KeySet{}, fmt.Errorf("not a Countersign JWKS: %w", err)
	}
	if dec.More() {
		return KeySet{}, errors.New("not a Countersign JWKS: data after the key set")
	}
	keys := make([]PublicKey, 0, len(set.Keys))
	for i, j := range set.Keys {
		if j.Kty != "OKP" || j.Crv != "Ed25519" {
			return KeySet{}, fmt.Errorf("key %d: kty %q crv %q, want OKP Ed25519", i, j.Kty, j.Crv)
		}
		if j.Alg != Algorithm || j.Use != "sig" {
			return KeySet{}, fmt.Errorf("key %d: alg %q use %q, want %s sig", i, j.Alg, j.Use, Algorithm)
		}
		pub, err := decodeX(j.X)
		if err != nil {
			return KeySet{}, fmt.Errorf("key %d: %w", i, err)
		}
		k := PublicKey{KeyID: j.Kid, Key: pub}
		for _, f := range []struct {
			s  string
			to *time.Time
		}{{j.Created, &k.Created}, {j.Retired, &k.Retired}} {
			if f.s == "" {
				continue
			}
			t, err := time.Parse(time.RFC3339, f.s)
			if err != nil {
				return KeySet{}, fmt.Errorf("key %d: %w", i, err)
			}
			*f.to = t
		}
		keys = append(keys, k)
	}
	return NewKeySet(keys)
}

// ReadJWKS reads and parses a JWKS file.
func ReadJWKS(path string) (KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return KeySet{}, err
	}
	s, err := ParseJWKS(data)
	if err != nil {
		return KeySet{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
