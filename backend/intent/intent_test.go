package intent

import (
	"crypto"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gowebpki/jcs"

	"countersign/backend/errs"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
)

// testSigner is an in-memory signer for unit tests; the keystore's own
// Signer is used where the key's life matters.
type testSigner struct {
	kid string
	key ed25519.PrivateKey
}

func newTestSigner(seed byte) *testSigner {
	key := ed25519.NewKeyFromSeed(bytesOf(seed, ed25519.SeedSize))
	return &testSigner{kid: keystore.KeyID(key.Public().(ed25519.PublicKey)), key: key}
}

func bytesOf(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }

func (s *testSigner) KeyID() string            { return s.kid }
func (s *testSigner) Public() crypto.PublicKey { return s.key.Public() }
func (s *testSigner) Sign(_ io.Reader, m []byte, _ crypto.SignerOpts) ([]byte, error) {
	return ed25519.Sign(s.key, m), nil
}

func keysOf(t *testing.T, signers ...*testSigner) keystore.KeySet {
	t.Helper()
	var keys []keystore.PublicKey
	for _, s := range signers {
		keys = append(keys, keystore.PublicKey{KeyID: s.kid, Key: s.key.Public().(ed25519.PublicKey)})
	}
	set, err := keystore.NewKeySet(keys)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

var t0 = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func sampleProposal() *proposal.Proposal {
	return &proposal.Proposal{
		ID: "01JQ7Z8X9Y0ABCDEFGHJKMNPQR", AgentID: "claude-code", Summary: "Tidy projectX",
		Workspace: "/home/ana/projectX",
		Actions: []proposal.Action{
			{Kind: proposal.KindFileWrite, Path: "notes/todo.md", Content: "- ship it\n"},
			{Kind: proposal.KindFileEdit, Path: "main.go", Edits: []proposal.Edit{{Old: "v1", New: "v2"}}},
			{Kind: proposal.KindFileDelete, Path: "tmp/a.log"},
			{Kind: proposal.KindCommandRun, Argv: []string{"go", "test", "./..."}, TimeoutSec: 120},
		},
		Status: proposal.StatusPending, CreatedAt: t0.Add(-time.Minute),
	}
}

var sampleHashes = map[int]string{0: TargetAbsent, 1: strings.Repeat("ab", 32), 2: strings.Repeat("cd", 32)}

func claimsFor(t *testing.T, p *proposal.Proposal, v proposal.Verdict, approved []int) Claims {
	t.Helper()
	c, err := NewClaims(Request{Proposal: p, Verdict: v, DecidedBy: "ana", Approved: approved,
		TargetHashes: sampleHashes, Now: t0})
	if err != nil {
		t.Fatalf("NewClaims: %v", err)
	}
	return c
}

func issue(t *testing.T, s Signer, c Claims) string {
	t.Helper()
	tok, err := Issue(s, c)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok
}

func b64s(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func header(kid string) string {
	return `{"alg":"EdDSA","kid":"` + kid + `","typ":"countersign-intent+jwt"}`
}

// signRaw signs any header and payload with s, bypassing Issue's checks, to
// build tokens that only a holder of the key could make.
func signRaw(s *testSigner, hdr string, payload []byte) string {
	in := b64s([]byte(hdr)) + "." + b64s(payload)
	return in + "." + b64s(ed25519.Sign(s.key, []byte(in)))
}

func parts(t *testing.T, tok string) (hdr, payload []byte) {
	t.Helper()
	p := strings.Split(tok, ".")
	hdr, err1 := base64.RawURLEncoding.DecodeString(p[0])
	payload, err2 := base64.RawURLEncoding.DecodeString(p[1])
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return hdr, payload
}

func wantReason(t *testing.T, err error, r Reason) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Reason != r {
		t.Fatalf("error %v, want reason %s", err, r)
	}
	return e
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	s := newTestSigner(1)
	p := sampleProposal()
	c := claimsFor(t, p, proposal.VerdictApprove, nil)
	tok := issue(t, s, c)

	got, err := Verify(tok, keysOf(t, s), t0.Add(time.Minute))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if diff := cmp.Diff(got, &c); diff != "" {
		t.Errorf("claims (-got +want):\n%s", diff)
	}
	if err := MatchProposal(got, p, []int{0, 1, 2, 3}, sampleHashes); err != nil {
		t.Errorf("MatchProposal: %v", err)
	}
	hdr, payload := parts(t, tok)
	if string(hdr) != header(s.kid) {
		t.Errorf("header %s, want %s", hdr, header(s.kid))
	}
	if canon, _ := jcs.Transform(payload); string(canon) != string(payload) {
		t.Errorf("payload is not canonical:\n%s\n%s", payload, canon)
	}
	for _, want := range []string{`"v":1`, `"decision":"approve"`, `"decided_by":"ana"`, `"target_sha256":"absent"`,
		`"target":"go test ./..."`, `"workspace":"/home/ana/projectX"`, `"iat":1772357400`, `"exp":1772358300`} {
		if !strings.Contains(string(payload), want) {
			t.Errorf("payload lacks %s:\n%s", want, payload)
		}
	}
	if len(c.ID) != 22 || len(c.Nonce) != 22 {
		t.Errorf("jti %q and nonce %q are not 128-bit base64url", c.ID, c.Nonce)
	}
	if c2 := claimsFor(t, p, proposal.VerdictApprove, nil); c2.ID == c.ID || c2.Nonce == c.Nonce {
		t.Error("two claims share a jti or nonce")
	}
}

// TestEveryAlteredByteIsRejected changes, removes or inserts a character at
// every position of a token — header, payload and signature — and expects
// each variant to be refused.
func TestEveryAlteredByteIsRejected(t *testing.T) {
	s := newTestSigner(1)
	keys := keysOf(t, s)
	tok := issue(t, s, claimsFor(t, sampleProposal(), proposal.VerdictApprovePart, []int{1, 3}))
	now := t0.Add(time.Minute)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	tried := 0
	try := func(variant, what string) {
		tried++
		if variant == tok {
			return
		}
		if _, err := Verify(variant, keys, now); err == nil {
			t.Errorf("%s: altered token verified:\n%s", what, variant)
		}
	}
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		subs := []byte{c ^ 0x01, c ^ 0x20, '.', '='}
		if k := strings.IndexByte(alphabet, c); k >= 0 {
			// Neighbours in the alphabet: the last character of a segment
			// then differs only in bits the encoding leaves spare.
			subs = append(subs, alphabet[(k+1)%64], alphabet[(k+63)%64])
		}
		for _, r := range subs {
			try(tok[:i]+string(r)+tok[i+1:], "replace")
		}
		try(tok[:i]+tok[i+1:], "delete")
		try(tok[:i]+"A"+tok[i:], "insert")
		try(tok[:i]+"\n"+tok[i:], "insert newline")
	}
	try(tok+"=", "padding")
	try(tok+".", "extra part")
	try(" "+tok, "leading space")
	if tried < 7*len(tok) {
		t.Fatalf("only %d variants tried", tried)
	}
	if _, err := Verify(tok, keys, now); err != nil {
		t.Fatalf("the original no longer verifies: %v", err)
	}
}

// TestReencodedPayloadIsRejected edits the payload and encodes it properly,
// keeping the header and signature.
func TestReencodedPayloadIsRejected(t *testing.T) {
	s := newTestSigner(1)
	tok := issue(t, s, claimsFor(t, sampleProposal(), proposal.VerdictApprovePart, []int{2}))
	p := strings.Split(tok, ".")
	_, payload := parts(t, tok)
	edits := map[string]func(c *Claims){
		"other proposal": func(c *Claims) { c.ProposalID = "01JQ7Z8X9Y0ABCDEFGHJKMNPQS" },
		"more actions": func(c *Claims) {
			c.Actions = append(c.Actions, Action{Index: 3, Kind: proposal.KindCommandRun, Target: "rm -rf /", ContentSHA256: strings.Repeat("0", 64)})
		},
		"other content":     func(c *Claims) { c.Actions[0].ContentSHA256 = strings.Repeat("1", 64) },
		"later expiry":      func(c *Claims) { c.ExpiresAt += 3600 },
		"deny to approve":   func(c *Claims) { c.Decision = proposal.VerdictApprove },
		"other person":      func(c *Claims) { c.DecidedBy = "mallory" },
		"target hash unset": func(c *Claims) { c.Actions[0].TargetSHA256 = "" },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			var c Claims
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			edit(&c)
			forged, err := canonicalClaims(&c)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Verify(p[0]+"."+b64s(forged)+"."+p[2], keysOf(t, s), t0.Add(time.Minute))
			if e := wantReason(t, err, ReasonSignature); e.Error() != "signature invalid" {
				t.Errorf("message %q", e)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	s, other := newTestSigner(1), newTestSigner(2)
	tok := issue(t, s, claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil))
	now := t0.Add(time.Minute)

	_, err := Verify(tok, keysOf(t, other), now)
	if e := wantReason(t, err, ReasonUnknownKey); e.Error() != "unknown key id "+s.kid {
		t.Errorf("message %q", e)
	}
	// The right key id naming another key: the signature does not verify.
	swapped := keyMap{s.kid: other.key.Public().(ed25519.PublicKey)}
	_, err = Verify(tok, swapped, now)
	wantReason(t, err, ReasonSignature)
	if !errors.Is(err, ErrSignature) || errs.CodeOf(err) != errs.CodeForbidden {
		t.Errorf("err %v: not ErrSignature / forbidden", err)
	}
}

type keyMap map[string]ed25519.PublicKey

func (m keyMap) PublicKey(kid string) (ed25519.PublicKey, time.Time, bool) {
	k, ok := m[kid]
	return k, time.Time{}, ok
}

// TestRetiredKeyStillVerifies uses the real keystore (file backend) and its
// JWKS file.
func TestRetiredKeyStillVerifies(t *testing.T) {
	dir := t.TempDir()
	now := t0
	clock := func() time.Time { return now }
	ks, err := keystore.Open(keystore.NewFile(filepath.Join(dir, keystore.FileName)), keystore.Options{DataDir: dir, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := ks.Signer()
	tok := issue(t, old, claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil))

	now = t0.Add(time.Minute)
	rot, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	fromKeystore, _ := ks.Keys()
	fromFile, err := keystore.ReadJWKS(ks.JWKSPath())
	if err != nil {
		t.Fatal(err)
	}
	for name, keys := range map[string]KeySet{"keystore": fromKeystore, "JWKS file": fromFile} {
		if _, err := Verify(tok, keys, t0.Add(2*time.Minute)); err != nil {
			t.Errorf("%s: token of retired key %s: %v", name, rot.Old, err)
		}
	}
	cur, _ := ks.Signer()
	if tok2 := issue(t, cur, claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil)); cur.KeyID() != rot.New {
		t.Fatal("signer is not the new key")
	} else if _, err := Verify(tok2, fromFile, t0.Add(2*time.Minute)); err != nil {
		t.Errorf("token of the new key: %v", err)
	}

	// The old key, still in memory somewhere, signing after its retirement.
	c := claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil)
	c.IssuedAt, c.ExpiresAt = t0.Add(time.Hour).Unix(), t0.Add(2*time.Hour).Unix()
	late := issue(t, old, c)
	_, err = Verify(late, fromFile, t0.Add(time.Hour+time.Minute))
	if e := wantReason(t, err, ReasonRetiredKey); !strings.Contains(e.Error(), "was retired at 2026-03-01T09:31:00Z") {
		t.Errorf("message %q", e)
	}
}

func TestExpiryAndIssueTime(t *testing.T) {
	s := newTestSigner(1)
	c := claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil)
	tok := issue(t, s, c)
	keys := keysOf(t, s)

	if _, err := Verify(tok, keys, c.Expires().Add(-time.Second)); err != nil {
		t.Errorf("a second before exp: %v", err)
	}
	_, err := Verify(tok, keys, c.Expires())
	if e := wantReason(t, err, ReasonExpired); e.Error() != "token expired at 2026-03-01T09:45:00Z" || !errors.Is(err, ErrExpired) {
		t.Errorf("message %q", e)
	}
	if _, err := Verify(tok, keys, t0.Add(-ClockSkew)); err != nil {
		t.Errorf("iat within the clock skew: %v", err)
	}
	_, err = Verify(tok, keys, t0.Add(-ClockSkew-time.Second))
	wantReason(t, err, ReasonNotYetValid)
	if _, err := Inspect(tok, keys); err != nil {
		t.Errorf("Inspect ignores the clock but failed: %v", err)
	}

	long := c
	long.ExpiresAt = long.IssuedAt + int64(MaxLifetime/time.Second) + 1
	if _, err := Issue(s, long); err == nil || errs.CodeOf(err) != errs.CodeInvalid {
		t.Errorf("Issue of a token living longer than MaxLifetime: %v", err)
	}
	payload, _ := canonicalClaims(&long)
	_, err = Verify(signRaw(s, header(s.kid), payload), keys, t0)
	if e := wantReason(t, err, ReasonInvalidClaims); e.Field != "exp" {
		t.Errorf("field %q", e.Field)
	}
}

// TestForgedAlgorithmsAreRejected builds the classic forgeries: alg none,
// and HS256 keyed with the public key.
func TestForgedAlgorithmsAreRejected(t *testing.T) {
	s := newTestSigner(1)
	keys := keysOf(t, s)
	c := claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil)
	payload, _ := canonicalClaims(&c)
	pub := s.key.Public().(ed25519.PublicKey)
	hs := func(alg string, key []byte) string {
		in := b64s([]byte(`{"alg":"`+alg+`","kid":"`+s.kid+`","typ":"countersign-intent+jwt"}`)) + "." + b64s(payload)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(in))
		return in + "." + b64s(m.Sum(nil))
	}
	tests := map[string]string{
		"none, empty signature":         b64s([]byte(`{"alg":"none","kid":"`+s.kid+`","typ":"countersign-intent+jwt"}`)) + "." + b64s(payload) + ".",
		"none, no kid":                  b64s([]byte(`{"alg":"none"}`)) + "." + b64s(payload) + ".",
		"HS256 with the raw public key": hs("HS256", pub),
		"HS256 with the public key's x": hs("HS256", []byte(b64s(pub))),
		"HS512":                         hs("HS512", pub),
		"ES256":                         hs("ES256", pub),
		"Ed25519 (the RFC 9864 name)":   hs("Ed25519", pub),
		"eddsa in lower case":           hs("eddsa", pub),
		"no alg":                        b64s([]byte(`{"kid":"`+s.kid+`","typ":"countersign-intent+jwt"}`)) + "." + b64s(payload) + "." + b64s(ed25519.Sign(s.key, payload)),
		"alg as a list":                 b64s([]byte(`{"alg":["EdDSA"],"kid":"`+s.kid+`","typ":"countersign-intent+jwt"}`)) + "." + b64s(payload) + ".",
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Verify(tok, keys, t0)
			e := wantReason(t, err, ReasonAlgorithm)
			if !strings.Contains(e.Error(), "only EdDSA") {
				t.Errorf("message %q", e)
			}
		})
	}
	// The JSON serialization is not accepted either.
	jsonForm := `{"protected":"` + b64s([]byte(header(s.kid))) + `","payload":"` + b64s(payload) + `","signature":"x"}`
	_, err := Verify(jsonForm, keys, t0)
	wantReason(t, err, ReasonMalformed)
}

// TestHeaderMustBeExact signs, with the right key, headers that differ from
// the one Issue writes.
func TestHeaderMustBeExact(t *testing.T) {
	s := newTestSigner(1)
	c := claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil)
	payload, _ := canonicalClaims(&c)
	if _, err := Verify(signRaw(s, header(s.kid), payload), keysOf(t, s), t0); err != nil {
		t.Fatalf("control: the exact header was refused: %v", err)
	}
	pub := b64s(s.key.Public().(ed25519.PublicKey))
	tests := map[string]string{
		"embedded jwk":  `{"alg":"EdDSA","jwk":{"crv":"Ed25519","kty":"OKP","x":"` + pub + `"},"kid":"` + s.kid + `","typ":"countersign-intent+jwt"}`,
		"crit":          `{"alg":"EdDSA","crit":["exp"],"exp":1,"kid":"` + s.kid + `","typ":"countersign-intent+jwt"}`,
		"b64 false":     `{"alg":"EdDSA","b64":false,"kid":"` + s.kid + `","typ":"countersign-intent+jwt"}`,
		"x5u":           `{"alg":"EdDSA","kid":"` + s.kid + `","typ":"countersign-intent+jwt","x5u":"https://evil.example"}`,
		"other order":   `{"kid":"` + s.kid + `","alg":"EdDSA","typ":"countersign-intent+jwt"}`,
		"whitespace":    `{"alg": "EdDSA","kid":"` + s.kid + `","typ":"countersign-intent+jwt"}`,
		"duplicate alg": `{"alg":"EdDSA","alg":"EdDSA","kid":"` + s.kid + `","typ":"countersign-intent+jwt"}`,
		"other typ":     `{"alg":"EdDSA","kid":"` + s.kid + `","typ":"JWT"}`,
		"no typ":        `{"alg":"EdDSA","kid":"` + s.kid + `"}`,
		"no kid":        `{"alg":"EdDSA","typ":"countersign-intent+jwt"}`,
		"not JSON":      `alg=EdDSA`,
	}
	for name, hdr := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Verify(signRaw(s, hdr, payload), keysOf(t, s), t0)
			wantReason(t, err, ReasonMalformed)
		})
	}
}

// TestNonCanonicalPayloadIsRejected signs, with the right key, payloads
// that mean the same claims but are not the canonical bytes.
func TestNonCanonicalPayloadIsRejected(t *testing.T) {
	s := newTestSigner(1)
	keys := keysOf(t, s)
	c := claimsFor(t, sampleProposal(), proposal.VerdictDeny, nil)
	good, _ := canonicalClaims(&c)
	g := string(good)
	if _, err := Verify(signRaw(s, header(s.kid), good), keys, t0); err != nil {
		t.Fatalf("control: canonical payload refused: %v", err)
	}
	var m map[string]any
	json.Unmarshal(good, &m)
	indented, _ := json.MarshalIndent(m, "", " ")
	tests := []struct {
		name    string
		payload string
		reason  Reason
	}{
		{"indented", string(indented), ReasonNotCanonical},
		{"trailing newline", g + "\n", ReasonNotCanonical},
		{"members out of order", `{"v":1,` + strings.Replace(g[1:], `,"v":1`, "", 1), ReasonNotCanonical},
		{"escaped letter", strings.Replace(g, `"ana"`, `"\u0061na"`, 1), ReasonNotCanonical},
		{"1.0 for 1", strings.Replace(g, `"v":1`, `"v":1.0`, 1), ReasonNotCanonical},
		{"duplicate member", strings.Replace(g, `"v":1`, `"v":1,"v":1`, 1), ReasonNotCanonical},
		{"not JSON", "not json", ReasonNotCanonical},
		{"member in other case", strings.Replace(g, `"summary"`, `"Summary"`, 1), ReasonNotCanonical},
		{"empty optional member present", strings.Replace(g, `"proposal_id"`, `"reason":"","proposal_id"`, 1), ReasonNotCanonical},
		{"null actions", strings.Replace(g, `"actions":[]`, `"actions":null`, 1), ReasonInvalidClaims},
		{"unknown member", g[:len(g)-1] + `,"zz":true}`, ReasonInvalidClaims},
		{"array", `[` + g + `]`, ReasonInvalidClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.payload == g {
				t.Fatal("the test did not change the payload")
			}
			_, err := Verify(signRaw(s, header(s.kid), []byte(tt.payload)), keys, t0)
			wantReason(t, err, tt.reason)
		})
	}
}

func TestRequiredFields(t *testing.T) {
	s := newTestSigner(1)
	tests := map[string]func(c *Claims){
		"version":                         func(c *Claims) { c.Version = 2 },
		"jti":                             func(c *Claims) { c.ID = "" },
		"proposal_id":                     func(c *Claims) { c.ProposalID = "" },
		"agent_id":                        func(c *Claims) { c.AgentID = "" },
		"summary":                         func(c *Claims) { c.Summary = "" },
		"decided_by":                      func(c *Claims) { c.DecidedBy = "" },
		"iat":                             func(c *Claims) { c.IssuedAt = 0 },
		"exp before iat":                  func(c *Claims) { c.ExpiresAt = c.IssuedAt },
		"nonce":                           func(c *Claims) { c.Nonce = "short" },
		"decision":                        func(c *Claims) { c.Decision = "maybe" },
		"approve nothing":                 func(c *Claims) { c.Actions = []Action{} },
		"deny something":                  func(c *Claims) { c.Decision = proposal.VerdictDeny },
		"unsorted indexes":                func(c *Claims) { c.Actions[0], c.Actions[1] = c.Actions[1], c.Actions[0] },
		"repeated index":                  func(c *Claims) { c.Actions[1].Index = c.Actions[0].Index },
		"unknown kind":                    func(c *Claims) { c.Actions[0].Kind = "file.shred" },
		"bad content hash":                func(c *Claims) { c.Actions[0].ContentSHA256 = strings.ToUpper(c.Actions[0].ContentSHA256) },
		"bad target hash":                 func(c *Claims) { c.Actions[1].TargetSHA256 = "missing" },
		"file action without target hash": func(c *Claims) { c.Actions[2].TargetSHA256 = "" },
		"command with a target hash":      func(c *Claims) { c.Actions[3].TargetSHA256 = TargetAbsent },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			c := claimsFor(t, sampleProposal(), proposal.VerdictApprove, nil)
			edit(&c)
			_, err := Issue(s, c)
			if e := wantReason(t, err, ReasonInvalidClaims); errs.CodeOf(e) != errs.CodeInvalid {
				t.Errorf("Issue error code %s", errs.CodeOf(e))
			}
			payload, _ := canonicalClaims(&c)
			_, err = Verify(signRaw(s, header(s.kid), payload), keysOf(t, s), t0)
			if wantReason(t, err, ReasonInvalidClaims); errs.CodeOf(err) != errs.CodeForbidden {
				t.Errorf("Verify error code %s", errs.CodeOf(err))
			}
		})
	}
}

func TestPartialApprovalCarriesOnlyTheSubset(t *testing.T) {
	s := newTestSigner(1)
	p := sampleProposal()
	tok := issue(t, s, claimsFor(t, p, proposal.VerdictApprovePart, []int{3, 1}))
	c, err := Verify(tok, keysOf(t, s), t0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Indexes(), []int{1, 3}); diff != "" {
		t.Errorf("indexes (-got +want):\n%s", diff)
	}
	for _, a := range c.Actions {
		target, content := ActionDigest(p.Actions[a.Index])
		if a.Kind != p.Actions[a.Index].Kind || a.Target != target || a.ContentSHA256 != content || a.TargetSHA256 != sampleHashes[a.Index] {
			t.Errorf("action %d: %+v does not state proposal action %d", a.Index, a, a.Index)
		}
	}
	_, payload := parts(t, tok)
	if strings.Contains(string(payload), "todo.md") || strings.Contains(string(payload), "tmp/a.log") {
		t.Errorf("payload names unapproved actions: %s", payload)
	}
	if err := MatchProposal(c, p, []int{3, 1}, sampleHashes); err != nil {
		t.Errorf("MatchProposal: %v", err)
	}
	err = MatchProposal(c, p, []int{0, 1, 3}, sampleHashes)
	if e := wantReason(t, err, ReasonMismatch); e.Error() != "the token approves actions [1 3], the stored decision approves [0 1 3]" {
		t.Errorf("message %q", e)
	}
}

func TestDenialGetsAToken(t *testing.T) {
	s := newTestSigner(1)
	p := sampleProposal()
	c, err := NewClaims(Request{Proposal: p, Verdict: proposal.VerdictDeny, Reason: "not today", DecidedBy: "ana", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	tok := issue(t, s, c)
	got, err := Verify(tok, keysOf(t, s), t0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Decision != proposal.VerdictDeny || got.Reason != "not today" || len(got.Actions) != 0 {
		t.Errorf("denial claims %+v", got)
	}
	if _, payload := parts(t, tok); !strings.Contains(string(payload), `"actions":[]`) {
		t.Errorf("payload %s lacks an empty actions list", payload)
	}
	p.Decision = &proposal.Decision{Verdict: proposal.VerdictDeny, DecidedBy: "ana", DecidedAt: t0}
	if err := MatchProposal(got, p, nil, nil); err != nil {
		t.Errorf("MatchProposal: %v", err)
	}
	p.Decision.Verdict = proposal.VerdictApprove
	err = MatchProposal(got, p, nil, nil)
	if e := wantReason(t, err, ReasonMismatch); e.Field != "decision" {
		t.Errorf("field %q", e.Field)
	}
}

func TestEditedApprovalCarriesTheEditedContent(t *testing.T) {
	s := newTestSigner(1)
	orig := sampleProposal()
	edited := sampleProposal()
	edited.Actions[0].Content = "- ship it on Monday\n"
	c := claimsFor(t, edited, proposal.VerdictApproveEdited, nil)
	got, err := Verify(issue(t, s, c), keysOf(t, s), t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, want := ActionDigest(edited.Actions[0]); got.Actions[0].ContentSHA256 != want {
		t.Error("edited approval does not carry the edited content's digest")
	}
	if err := MatchProposal(got, edited, []int{0, 1, 2, 3}, sampleHashes); err != nil {
		t.Errorf("MatchProposal against the edited actions: %v", err)
	}
	err = MatchProposal(got, orig, []int{0, 1, 2, 3}, sampleHashes)
	if e := wantReason(t, err, ReasonMismatch); e.Error() != "action 0 content differs from the stored proposal" {
		t.Errorf("message %q", e)
	}
}

func TestMatchProposalNamesTheField(t *testing.T) {
	s := newTestSigner(1)
	p := sampleProposal()
	c, err := Verify(issue(t, s, claimsFor(t, p, proposal.VerdictApprove, nil)), keysOf(t, s), t0)
	if err != nil {
		t.Fatal(err)
	}
	all := []int{0, 1, 2, 3}
	tests := []struct {
		name    string
		change  func(p *proposal.Proposal, hashes map[int]string) []int
		field   string
		message string
	}{
		{"proposal id", func(p *proposal.Proposal, _ map[int]string) []int { p.ID = "other"; return all }, "proposal_id", `proposal_id differs: the token has "01JQ7Z8X9Y0ABCDEFGHJKMNPQR", the stored proposal "other"`},
		{"agent", func(p *proposal.Proposal, _ map[int]string) []int { p.AgentID = "x"; return all }, "agent_id", ""},
		{"workspace", func(p *proposal.Proposal, _ map[int]string) []int { p.Workspace = "/home/ana/other"; return all }, "workspace", ""},
		{"summary", func(p *proposal.Proposal, _ map[int]string) []int { p.Summary = "x"; return all }, "summary", ""},
		{"decided by", func(p *proposal.Proposal, _ map[int]string) []int {
			p.Decision = &proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "bob"}
			return all
		}, "decided_by", ""},
		{"fewer actions approved", func(*proposal.Proposal, map[int]string) []int { return []int{0, 1} }, "actions", ""},
		{"kind", func(p *proposal.Proposal, _ map[int]string) []int {
			p.Actions[2].Kind = proposal.KindDirCreate
			return all
		}, "actions[2].kind", ""},
		{"target", func(p *proposal.Proposal, _ map[int]string) []int { p.Actions[2].Path = "tmp/b.log"; return all }, "actions[2].target",
			`action 2 target differs: the token has "tmp/a.log", the stored proposal "tmp/b.log"`},
		{"content", func(p *proposal.Proposal, _ map[int]string) []int { p.Actions[1].Edits[0].New = "v3"; return all }, "actions[1].content_sha256",
			"action 1 content differs from the stored proposal"},
		{"argv", func(p *proposal.Proposal, _ map[int]string) []int { p.Actions[3].TimeoutSec = 1; return all }, "actions[3].content_sha256", ""},
		{"target file changed", func(_ *proposal.Proposal, h map[int]string) []int { h[2] = strings.Repeat("ef", 32); return all }, "actions[2].target_sha256", ""},
		{"target file appeared", func(_ *proposal.Proposal, h map[int]string) []int { h[0] = strings.Repeat("ef", 32); return all }, "actions[0].target_sha256", ""},
		{"action gone", func(p *proposal.Proposal, _ map[int]string) []int { p.Actions = p.Actions[:3]; return all }, "actions[3].index", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sampleProposal()
			hashes := map[int]string{}
			for k, v := range sampleHashes {
				hashes[k] = v
			}
			approved := tt.change(p, hashes)
			e := wantReason(t, MatchProposal(c, p, approved, hashes), ReasonMismatch)
			if e.Field != tt.field {
				t.Errorf("field %q, want %q (%v)", e.Field, tt.field, e)
			}
			if tt.message != "" && e.Error() != tt.message {
				t.Errorf("message %q, want %q", e, tt.message)
			}
		})
	}
}

func TestNewClaimsRefuses(t *testing.T) {
	tests := map[string]Request{
		"no proposal":          {Verdict: proposal.VerdictApprove},
		"approve a subset":     {Verdict: proposal.VerdictApprove, Approved: []int{0}},
		"deny with actions":    {Verdict: proposal.VerdictDeny, Approved: []int{0}},
		"approve-part of none": {Verdict: proposal.VerdictApprovePart},
		"index out of range":   {Verdict: proposal.VerdictApprovePart, Approved: []int{4}},
		"negative index":       {Verdict: proposal.VerdictApprovePart, Approved: []int{-1}},
		"index twice":          {Verdict: proposal.VerdictApprovePart, Approved: []int{1, 1}},
		"lifetime too long":    {Verdict: proposal.VerdictApprove, TTL: MaxLifetime + time.Second},
		"unknown verdict":      {Verdict: "approve-all"},
		"no decider":           {Verdict: proposal.VerdictApprove, DecidedBy: "-"},
	}
	for name, r := range tests {
		t.Run(name, func(t *testing.T) {
			if name != "no proposal" {
				r.Proposal = sampleProposal()
			}
			if r.DecidedBy == "" {
				r.DecidedBy = "ana"
			} else if r.DecidedBy == "-" {
				r.DecidedBy = ""
			}
			r.Now = t0
			_, err := NewClaims(r)
			if wantReason(t, err, ReasonInvalidClaims); errs.CodeOf(err) != errs.CodeInvalid {
				t.Errorf("code %s", errs.CodeOf(err))
			}
		})
	}
}
