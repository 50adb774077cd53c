// Package intent turns a person's decision on a proposal into a signed intent
// token, and checks such tokens.
//
// A token is a compact JWS (RFC 7515) with the protected header exactly
// {"alg":"EdDSA","kid":<key id>,"typ":"countersign-intent+jwt"} over a JSON
// payload (Claims) in its RFC 8785 canonical form, so any standard JOSE
// library verifies it with the exported JWKS and anyone can recompute the
// signed bytes from the claims.
//
// It guarantees that:
//   - Issue signs only claims that pass the same checks Verify applies, and
//     signs the canonical bytes;
//   - Verify accepts a token only if: it is exactly three canonical base64url
//     segments; the header is exactly the one above (so alg "none", HS256 and
//     every other algorithm are refused before any key is used); the key id
//     is in the key set; the Ed25519 signature verifies; the payload is its
//     own JCS form and reads back into Claims byte for byte; every required
//     field is present and well formed; the key was not retired before the
//     token was issued; the token lives at most MaxLifetime; and now is before
//     exp and not before iat (less ClockSkew). So no two distinct strings
//     verify as the same token, and no bit of a token can change unnoticed;
//   - MatchProposal accepts only claims that name the stored proposal, its
//     approved actions exactly (by index), and for each the kind, target,
//     content digest and previewed target hash that ActionDigest and the
//     caller's hashes give, and otherwise names the first field that differs;
//   - every refusal is an *Error whose Reason says why.
package intent

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/gowebpki/jcs"

	"countersign/backend/proposal"
)

const (
	// TokenType is the JWS "typ" header of every intent token.
	TokenType = "countersign-intent+jwt"
	// Version is the payload's "v".
	Version = 1
	// MaxLifetime bounds exp - iat, so that a retired key's tokens all expire
	// within MaxLifetime of its retirement.
	MaxLifetime = 24 * time.Hour
	// DefaultTTL is the lifetime NewClaims gives a token when asked for none.
	DefaultTTL = 15 * time.Minute
	// ClockSkew is how far in the future iat may be.
	ClockSkew = time.Minute
	// MaxTokenBytes bounds the token Verify reads.
	MaxTokenBytes = 16 << 20
	// TargetAbsent is target_sha256 for a target file that did not exist
	// when it was previewed. "" means the kind has no target file.
	TargetAbsent = "absent"
)

// Signer signs with an Ed25519 key and names it: *keystore.Signer.
type Signer interface {
	crypto.Signer
	KeyID() string
}

// KeySet finds verification keys by id: keystore.KeySet, from the keystore
// or from a JWKS file. retired is zero for the current key.
type KeySet interface {
	PublicKey(kid string) (key ed25519.PublicKey, retired time.Time, ok bool)
}

// Action is one approved action as the token states it.
type Action struct {
	Index  int           `json:"index"` // its index in the proposal
	Kind   proposal.Kind `json:"kind"`
	Target string        `json:"target"` // see ActionDigest
	// TargetSHA256 is, for kinds with a target file (HasTargetFile), the hex
	// SHA-256 of that file as previewed or TargetAbsent; "" for other kinds.
	TargetSHA256  string `json:"target_sha256"`
	ContentSHA256 string `json:"content_sha256"` // see ActionDigest
}

// Claims is a token's payload. Times are Unix seconds (JWT NumericDate).
type Claims struct {
	Version    int              `json:"v"`
	ID         string           `json:"jti"`         // random; the executor uses each at most once
	ProposalID string           `json:"proposal_id"` //
	AgentID    string           `json:"agent_id"`    //
	Workspace  string           `json:"workspace"`   // the proposal's workspace, against which relative paths resolve
	Summary    string           `json:"summary"`     //
	Actions    []Action         `json:"actions"`     // the approved actions, by increasing index; none for deny
	Decision   proposal.Verdict `json:"decision"`    //
	Reason     string           `json:"reason,omitempty"`
	DecidedBy  string           `json:"decided_by"` // the OS user who decided
	IssuedAt   int64            `json:"iat"`
	ExpiresAt  int64            `json:"exp"`
	Nonce      string           `json:"nonce"` // 128 random bits, unpadded base64url
}

// Issued returns iat as a time.
func (c *Claims) Issued() time.Time { return time.Unix(c.IssuedAt, 0).UTC() }

// Expires returns exp as a time.
func (c *Claims) Expires() time.Time { return time.Unix(c.ExpiresAt, 0).UTC() }

// Indexes returns the indexes of the approved actions.
func (c *Claims) Indexes() []int {
	out := make([]int, len(c.Actions))
	for i, a := range c.Actions {
		out[i] = a.Index
	}
	return out
}

// Issue signs c and returns the compact token. c must pass the checks Verify
// applies (apart from the clock); NewClaims builds such claims.
func Issue(s Signer, c Claims) (string, error) {
	if c.Actions == nil {
		c.Actions = []Action{}
	}
	if err := c.check(); err != nil {
		err.issuing = true
		return "", err
	}
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("intent: signer key is %T, not Ed25519", s.Public())
	}
	if s.KeyID() == "" {
		return "", errors.New("intent: signer has no key id")
	}
	payload, err := canonicalClaims(&c)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: joseSigner{s: s, pub: pub}},
		(&jose.SignerOptions{}).WithType(TokenType))
	if err != nil {
		return "", fmt.Errorf("intent: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("intent: signing: %w", err)
	}
	return jws.CompactSerialize()
}

// joseSigner lends a Signer to go-jose without the private key leaving it.
type joseSigner struct {
	s   Signer
	pub ed25519.PublicKey
}

func (o joseSigner) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: o.pub, KeyID: o.s.KeyID(), Algorithm: string(jose.EdDSA), Use: "sig"}
}

func (o joseSigner) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{jose.EdDSA} }

func (o joseSigner) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	if alg != jose.EdDSA {
		return nil, fmt.Errorf("intent: refusing to sign with %s", alg)
	}
	return o.s.Sign(nil, payload, crypto.Hash(0))
}

func canonicalClaims(c *Claims) ([]byte, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("intent: %w", err)
	}
	return jcs.Transform(raw)
}

// Verify checks token completely (see the package guarantees) against keys
// at time now, and returns its claims. The caller still has to check that
// the claims match the stored proposal (MatchProposal) and that their ID was
// not used before.
func Verify(token string, keys KeySet, now time.Time) (*Claims, error) {
	c, err := Inspect(token, keys)
	if err != nil {
		return nil, err
	}
	if !now.Before(c.Expires()) {
		return nil, fail(ReasonExpired, "exp", "token expired at %s", c.Expires().Format(time.RFC3339))
	}
	if c.Issued().After(now.Add(ClockSkew)) {
		return nil, fail(ReasonNotYetValid, "iat", "token issued at %s, which is in the future", c.Issued().Format(time.RFC3339))
	}
	return c, nil
}

// Inspect checks everything Verify checks except the clock, for showing an
// old token in the audit view. Nothing may be executed on its word.
func Inspect(token string, keys KeySet) (*Claims, error) {
	if len(token) > MaxTokenBytes {
		return nil, fail(ReasonMalformed, "", "token is %d bytes, more than %d", len(token), MaxTokenBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fail(ReasonMalformed, "", "not a compact JWS: %d dot-separated parts, want 3", len(parts))
	}
	hdr, err := segment(parts[0])
	if err != nil {
		return nil, fail(ReasonMalformed, "header", "header: %v", err)
	}
	var h map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &h); err != nil {
		return nil, fail(ReasonMalformed, "header", "header is not a JSON object: %v", err)
	}
	var alg, kid, typ string
	if err := json.Unmarshal(h["alg"], &alg); err != nil || alg != string(jose.EdDSA) {
		given := string(h["alg"])
		if given == "" {
			given = "(none given)"
		}
		return nil, fail(ReasonAlgorithm, "header.alg", "algorithm %s is not allowed: only EdDSA", given)
	}
	json.Unmarshal(h["kid"], &kid)
	json.Unmarshal(h["typ"], &typ)
	if typ != TokenType {
		return nil, fail(ReasonMalformed, "header.typ", "typ %q, want %q", typ, TokenType)
	}
	if kid == "" {
		return nil, fail(ReasonMalformed, "header.kid", "no key id in the header")
	}
	if want, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": typ}); !bytes.Equal(hdr, want) {
		return nil, fail(ReasonMalformed, "header", "header must be exactly %s", want)
	}
	if _, err := segment(parts[1]); err != nil {
		return nil, fail(ReasonMalformed, "payload", "payload: %v", err)
	}
	if _, err := segment(parts[2]); err != nil {
		return nil, fail(ReasonMalformed, "signature", "signature: %v", err)
	}
	pub, retired, ok := keys.PublicKey(kid)
	if !ok {
		return nil, fail(ReasonUnknownKey, "header.kid", "unknown key id %s", kid)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, &Error{Reason: ReasonMalformed, Message: "not a compact JWS: " + err.Error(), Err: err}
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, &Error{Reason: ReasonSignature, Field: "signature", Message: "signature invalid", Err: err}
	}

	c, err := decodeClaims(payload)
	if err != nil {
		return nil, err
	}
	if !retired.IsZero() && c.Issued().After(retired) {
		return nil, fail(ReasonRetiredKey, "iat", "key %s was retired at %s, before this token was issued at %s",
			kid, retired.UTC().Format(time.RFC3339), c.Issued().Format(time.RFC3339))
	}
	return c, nil
}

// segment decodes one part of a compact JWS, refusing anything but the
// canonical unpadded base64url (no padding, no line breaks, zero spare bits).
func segment(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64url: %v", err)
	}
	if base64.RawURLEncoding.EncodeToString(b) != s {
		return nil, errors.New("not canonical unpadded base64url")
	}
	return b, nil
}

// decodeClaims reads a verified payload: it must be its own JCS form, fit
// Claims exactly, read back to the same bytes, and pass check.
func decodeClaims(payload []byte) (*Claims, error) {
	canon, err := jcs.Transform(payload)
	if err != nil {
		return nil, &Error{Reason: ReasonNotCanonical, Field: "payload", Message: "payload is not JSON: " + err.Error(), Err: err}
	}
	if !bytes.Equal(canon, payload) {
		return nil, fail(ReasonNotCanonical, "payload", "payload is not in RFC 8785 canonical form")
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &Error{Reason: ReasonInvalidClaims, Field: "payload", Message: "payload does not fit the claims: " + err.Error(), Err: err}
	}
	again, err := canonicalClaims(&c)
	if err != nil || !bytes.Equal(again, payload) {
		return nil, fail(ReasonNotCanonical, "payload",
			"payload does not read back byte for byte (a member is misspelt, null, or an empty optional member is present)")
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// check applies the field rules shared by Issue and Verify.
func (c *Claims) check() *Error {
	bad := func(field, format string, args ...any) *Error {
		return fail(ReasonInvalidClaims, field, field+": "+format, args...)
	}
	switch {
	case c.Version != Version:
		return bad("v", "version %d, want %d", c.Version, Version)
	case c.ID == "" || len(c.ID) > 128:
		return bad("jti", "missing or longer than 128 bytes")
	case c.ProposalID == "":
		return bad("proposal_id", "missing")
	case c.AgentID == "":
		return bad("agent_id", "missing")
	case c.Summary == "":
		return bad("summary", "missing")
	case c.DecidedBy == "":
		return bad("decided_by", "missing")
	case c.IssuedAt <= 0:
		return bad("iat", "missing")
	case c.ExpiresAt <= c.IssuedAt:
		return bad("exp", "%d is not after iat %d", c.ExpiresAt, c.IssuedAt)
	case time.Duration(c.ExpiresAt-c.IssuedAt)*time.Second > MaxLifetime:
		return bad("exp", "lifetime %s exceeds %s", time.Duration(c.ExpiresAt-c.IssuedAt)*time.Second, MaxLifetime)
	case c.Actions == nil:
		return bad("actions", "missing")
	}
	if n, err := base64.RawURLEncoding.Strict().DecodeString(c.Nonce); err != nil || len(n) != 16 ||
		base64.RawURLEncoding.EncodeToString(n) != c.Nonce {
		return bad("nonce", "not 128 bits of unpadded base64url")
	}
	switch c.Decision {
	case proposal.VerdictDeny:
		if len(c.Actions) != 0 {
			return bad("actions", "a denial approves no actions, but %d are listed", len(c.Actions))
		}
	case proposal.VerdictApprove, proposal.VerdictApproveEdited, proposal.VerdictApprovePart:
		if len(c.Actions) == 0 {
			return bad("actions", "%s approves no actions", c.Decision)
		}
	default:
		return bad("decision", "unknown decision %q", c.Decision)
	}
	for i, a := range c.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		switch {
		case a.Index < 0 || (i > 0 && a.Index <= c.Actions[i-1].Index):
			return bad(f+".index", "%d is not after the previous index", a.Index)
		case !a.Kind.Known():
			return bad(f+".kind", "unknown kind %q", a.Kind)
		case HasTargetFile(a.Kind) && a.TargetSHA256 != TargetAbsent && !hex64.MatchString(a.TargetSHA256):
			return bad(f+".target_sha256", "%q is neither the lower-case hex SHA-256 of the previewed %s target nor %q",
				a.TargetSHA256, a.Kind, TargetAbsent)
		case !HasTargetFile(a.Kind) && a.TargetSHA256 != "":
			return bad(f+".target_sha256", "must be empty: %s has no target file", a.Kind)
		case !hex64.MatchString(a.ContentSHA256):
			return bad(f+".content_sha256", "%q is not a lower-case hex SHA-256", a.ContentSHA256)
		}
	}
	return nil
}
