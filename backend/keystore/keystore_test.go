package keystore

import (
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/zalando/go-keyring"

	"countersign/backend/errs"
)

// clock is a settable fake clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)} }

// fakeBus pretends a session bus is present, so the mock keyring is reached
// without one.
func fakeBus(k string) string {
	if k == "DBUS_SESSION_BUS_ADDRESS" {
		return "unix:path=/nonexistent/mock-bus"
	}
	return ""
}

// mockKeyring installs go-keyring's in-memory provider and returns a backend
// on it.
func mockKeyring(t *testing.T) Backend {
	t.Helper()
	keyring.MockInit()
	return NewKeyring(KeyringConfig{Service: "countersign-unit", Getenv: fakeBus, GOOS: "linux"})
}

func open(t *testing.T, b Backend, dir string, c *clock) *Keystore {
	t.Helper()
	ks, err := Open(b, Options{DataDir: dir, Now: c.now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return ks
}

func readJWKS(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCreateThenLoadReturnsTheSameKey(t *testing.T) {
	b := mockKeyring(t)
	dir := t.TempDir()
	c := newClock()
	ks := open(t, b, dir, c)
	s1, err := ks.Signer()
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("approve proposal 42")
	sig, err := s1.Sign(nil, msg, crypto.Hash(0))
	if err != nil {
		t.Fatal(err)
	}

	// A new Keystore value on the same keyring: what a restart sees.
	c.advance(time.Hour)
	ks2 := open(t, b, dir, c)
	s2, err := ks2.Signer()
	if err != nil {
		t.Fatal(err)
	}
	if s1.KeyID() != s2.KeyID() {
		t.Fatalf("key id changed across Open: %s then %s", s1.KeyID(), s2.KeyID())
	}
	if !ed25519.Verify(s2.Public().(ed25519.PublicKey), msg, sig) {
		t.Fatal("the reloaded key does not verify the first key's signature")
	}
	d, err := ks2.Describe()
	if err != nil {
		t.Fatal(err)
	}
	if !d.Created.Equal(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)) || d.Weak || len(d.Retired) != 0 {
		t.Errorf("Describe = %+v", d)
	}
	for _, want := range []string{s1.KeyID(), "EdDSA (Ed25519)", filepath.Join(dir, JWKSFile), `service "countersign-unit"`} {
		if !strings.Contains(d.String(), want) {
			t.Errorf("key show text lacks %q:\n%s", want, d)
		}
	}
}

func TestKeyIDIsTheRFC7638Thumbprint(t *testing.T) {
	// RFC 8037 appendix A.1/A.3: this key's thumbprint is given there.
	x, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if got, want := KeyID(x), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"; got != want {
		t.Errorf("KeyID = %s, want %s (RFC 8037 A.3)", got, want)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := KeyID(pub), base64.RawURLEncoding.EncodeToString(tp); got != want {
		t.Errorf("KeyID = %s, go-jose thumbprint = %s", got, want)
	}
}

func TestJWKSFileHoldsExactlyThePublicKeys(t *testing.T) {
	b := mockKeyring(t)
	dir := t.TempDir()
	c := newClock()
	ks := open(t, b, dir, c)
	s, _ := ks.Signer()
	got := readJWKS(t, ks.JWKSPath())
	want := map[string]any{"keys": []any{map[string]any{
		"kty": "OKP", "crv": "Ed25519", "x": b64(s.Public().(ed25519.PublicKey)), "kid": s.KeyID(),
		"alg": "EdDSA", "use": "sig", "created_at": "2026-03-01T09:30:00Z",
	}}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("JWKS (-got +want):\n%s", diff)
	}
	fi, err := os.Stat(ks.JWKSPath())
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Errorf("JWKS mode %04o, want 0644", fi.Mode().Perm())
	}
	// go-jose reads it as a standard key set.
	var set jose.JSONWebKeySet
	data, _ := os.ReadFile(ks.JWKSPath())
	if err := json.Unmarshal(data, &set); err != nil {
		t.Fatalf("go-jose cannot read the JWKS: %v", err)
	}
	if k := set.Key(s.KeyID()); len(k) != 1 || !k[0].IsPublic() || !k[0].Valid() {
		t.Fatalf("go-jose finds %+v for kid %s", k, s.KeyID())
	}

	// A deleted JWKS file is written again by the next Open.
	os.Remove(ks.JWKSPath())
	open(t, b, dir, c)
	if diff := cmp.Diff(readJWKS(t, ks.JWKSPath()), want); diff != "" {
		t.Errorf("rewritten JWKS (-got +want):\n%s", diff)
	}
}

func TestRotateKeepsOldPublicKeysAndDeletesOldSecret(t *testing.T) {
	b := mockKeyring(t)
	dir := t.TempDir()
	c := newClock()
	ks := open(t, b, dir, c)
	old, _ := ks.Signer()
	msg := []byte("signed before the rotation")
	sig, _ := old.Sign(nil, msg, nil)

	c.advance(24 * time.Hour)
	rot, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := ks.Signer()
	if rot.Old != old.KeyID() || rot.New != cur.KeyID() || rot.Old == rot.New || !rot.At.Equal(c.now()) {
		t.Fatalf("Rotation = %+v; old %s, current %s", rot, old.KeyID(), cur.KeyID())
	}
	if _, err := b.Get(SecretName(old.KeyID())); !errors.Is(err, ErrNotFound) {
		t.Errorf("retired secret still stored (err %v)", err)
	}
	set, err := ReadJWKS(ks.JWKSPath())
	if err != nil {
		t.Fatal(err)
	}
	pub, retired, ok := set.PublicKey(old.KeyID())
	if !ok || !retired.Equal(c.now()) {
		t.Fatalf("retired key in JWKS: ok %v retired %v", ok, retired)
	}
	if !ed25519.Verify(pub, msg, sig) {
		t.Error("the retired public key does not verify what the old key signed")
	}
	if k, ok := set.Current(); !ok || k.KeyID != rot.New {
		t.Errorf("JWKS current = %+v, want %s", k, rot.New)
	}
	d, _ := ks.Describe()
	if len(d.Retired) != 1 || d.Retired[0].KeyID != rot.Old || !strings.Contains(d.String(), "retired:    "+rot.Old) {
		t.Errorf("Describe after rotate:\n%s", d)
	}

	// Rotating twice keeps both retired keys, newest retirement first.
	c.advance(time.Hour)
	rot2, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	set, _ = ReadJWKS(ks.JWKSPath())
	var kids []string
	for _, k := range set.Keys() {
		kids = append(kids, k.KeyID)
	}
	if diff := cmp.Diff(kids, []string{rot2.New, rot2.Old, rot.Old}); diff != "" {
		t.Errorf("JWKS key order (-got +want):\n%s", diff)
	}
}

func TestRotationByAnotherProcessTakesEffectAtOnce(t *testing.T) {
	b := mockKeyring(t)
	dir := t.TempDir()
	c := newClock()
	app := open(t, b, dir, c)
	cli := open(t, b, dir, c)
	rot, err := cli.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	s, err := app.Signer()
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID() != rot.New {
		t.Fatalf("app signs with %s after the CLI rotated to %s", s.KeyID(), rot.New)
	}
}

func TestFileBackend(t *testing.T) {
	dir := t.TempDir()
	b, err := NewBackend(KindFile, dir)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	ks := open(t, b, dir, c)
	if !ks.Weak() || !b.Weak() {
		t.Error("file backend does not report Weak")
	}
	path := filepath.Join(dir, FileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	s1, _ := ks.Signer()
	if s2, _ := open(t, NewFile(path), dir, c).Signer(); s2.KeyID() != s1.KeyID() {
		t.Fatalf("reopened file keystore has key %s, want %s", s2.KeyID(), s1.KeyID())
	}
	if _, err := ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode after rotate %04o, want 0600", fi.Mode().Perm())
	}
	d, _ := ks.Describe()
	if !d.Weak || !strings.Contains(d.String(), "warning:") {
		t.Errorf("key show does not warn about the file backend:\n%s", d)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}

	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(NewFile(path), Options{DataDir: dir, Now: c.now})
		if !errors.Is(err, ErrInsecureFile) || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("Open with a 0644 key file: %v, want ErrInsecureFile with advice", err)
		}
	}
}

func TestDamagedValuesGiveAClearError(t *testing.T) {
	seedOf := func() string {
		_, priv, _ := ed25519.GenerateKey(nil)
		return base64.StdEncoding.EncodeToString(priv.Seed())
	}
	tests := []struct {
		name    string
		entry   func(kid string) string // which entry to damage
		value   func(kid string) string
		wantMsg string
	}{
		{"record is not JSON", func(string) string { return RecordName }, func(string) string { return "{nope" }, `"state"`},
		{"record of an unknown version", func(string) string { return RecordName },
			func(string) string { return `{"v":2,"keys":[]}` }, "unknown record version 2"},
		{"record with no keys", func(string) string { return RecordName },
			func(string) string { return `{"v":1,"keys":[]}` }, "no keys"},
		{"record with a short key", func(string) string { return RecordName },
			func(string) string { return `{"v":1,"keys":[{"x":"11qYAYKx","created":1}]}` }, "x holds 6 bytes"},
		{"record with a key twice", func(string) string { return RecordName },
			func(string) string {
				k := `{"x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","created":1}`
				return `{"v":1,"keys":[` + k + `,` + k + `]}`
			}, "appears twice"},
		{"record with keys out of order", func(string) string { return RecordName },
			func(string) string {
				return `{"v":1,"keys":[{"x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","created":2},` +
					`{"x":"` + b64(make([]byte, 32)) + `","created":1}]}`
			}, "created before"},
		{"record with an unknown member", func(string) string { return RecordName },
			func(string) string { return `{"v":1,"keys":[],"d":"secret"}` }, "unknown field"},
		{"seed is not base64", SecretName, func(string) string { return "not base64!" }, "not the base64 of a 32-byte Ed25519 seed"},
		{"seed is too short", SecretName, func(string) string { return base64.StdEncoding.EncodeToString([]byte("short")) },
			"not the base64 of a 32-byte Ed25519 seed"},
		{"seed is another key", SecretName, func(string) string { return seedOf() }, "it holds the key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mockKeyring(t)
			dir := t.TempDir()
			c := newClock()
			s, _ := open(t, b, dir, c).Signer()
			name := tt.entry(s.KeyID())
			if err := b.Set(name, tt.value(s.KeyID())); err != nil {
				t.Fatal(err)
			}
			before, _ := b.Get(name)
			_, err := Open(b, Options{DataDir: dir, Now: c.now})
			var ce *CorruptError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) || ce.Name != name {
				t.Fatalf("Open = %v, want a CorruptError for %q", err, name)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "nothing was overwritten") {
				t.Errorf("error %q lacks %q", err, tt.wantMsg)
			}
			if after, _ := b.Get(name); after != before {
				t.Error("the damaged value was overwritten")
			}
		})
	}
}

func TestMissingSecretGivesKeyMissingAndRotateRecovers(t *testing.T) {
	b := mockKeyring(t)
	dir := t.TempDir()
	c := newClock()
	s, _ := open(t, b, dir, c).Signer()
	if err := keyring.Delete("countersign-unit", SecretName(s.KeyID())); err != nil {
		t.Fatal(err)
	}
	_, err := Open(b, Options{DataDir: dir, Now: c.now})
	var me *KeyMissingError
	if !errors.As(err, &me) || !errors.Is(err, ErrKeyMissing) || me.KeyID != s.KeyID() {
		t.Fatalf("Open = %v, want KeyMissingError for %s", err, s.KeyID())
	}
	if !strings.Contains(err.Error(), "countersign key rotate") {
		t.Errorf("error does not say how to recover: %v", err)
	}
	rot, err := Rotate(b, Options{DataDir: dir, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if rot.Old != s.KeyID() {
		t.Errorf("Rotation.Old = %s, want %s", rot.Old, s.KeyID())
	}
	ks := open(t, b, dir, c)
	set, _ := ks.Keys()
	if _, retired, ok := set.PublicKey(s.KeyID()); !ok || retired.IsZero() {
		t.Error("the lost key's public key is not kept as retired")
	}
}

func TestKeyringFailuresAreTypedWithAdvice(t *testing.T) {
	locked := errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	for _, goos := range []string{"linux", "darwin", "windows"} {
		t.Run(goos, func(t *testing.T) {
			keyring.MockInitWithError(locked)
			b := NewKeyring(KeyringConfig{Service: "countersign-unit", Getenv: fakeBus, GOOS: goos})
			_, err := Open(b, Options{DataDir: t.TempDir()})
			var ue *UnavailableError
			if !errors.As(err, &ue) || !errors.Is(err, ErrKeyringUnavailable) || !errors.Is(err, locked) {
				t.Fatalf("Open = %v, want an UnavailableError wrapping the cause", err)
			}
			if !errors.Is(err, errs.ErrUnavailable) || errs.CodeOf(err) != errs.CodeUnavailable {
				t.Errorf("code %s, want %s", errs.CodeOf(err), errs.CodeUnavailable)
			}
			want := map[string]string{
				"linux":   "Start a Secret Service such as gnome-keyring or KeePassXC and unlock it, or run with --keystore file (weaker",
				"darwin":  "Keychain Access), or run with --keystore file (weaker",
				"windows": "Windows Credential Manager is available to your account",
			}[goos]
			if !strings.Contains(err.Error(), want) || ue.Advice() == "" {
				t.Errorf("message %q lacks %q", err, want)
			}
		})
	}
}

func TestKeyringCallTimesOut(t *testing.T) {
	b := NewKeyring(KeyringConfig{Getenv: fakeBus, Timeout: 20 * time.Millisecond, GOOS: "linux"}).(*keyringBackend)
	release := make(chan struct{})
	defer close(release)
	err := b.call("read", func() error { <-release; return nil })
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Reason != ReasonTimeout {
		t.Fatalf("call = %v, want a timeout UnavailableError", err)
	}
}

func TestSignerNeverPrintsItsKey(t *testing.T) {
	b := mockKeyring(t)
	s, err := open(t, b, t.TempDir(), newClock()).Signer()
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := b.Get(SecretName(s.KeyID()))
	seed, _ := base64.StdEncoding.DecodeString(stored)
	j, _ := json.Marshal(s)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s), fmt.Sprintf("%v", *s), string(j)} {
		for _, secret := range []string{stored, hex.EncodeToString(seed), fmt.Sprint(seed)} {
			if strings.Contains(out, secret) {
				t.Errorf("formatted signer %q reveals the seed", out)
			}
		}
	}
	if _, err := s.Sign(nil, []byte("x"), crypto.SHA256); err == nil {
		t.Error("Sign with a hash accepted; only pure Ed25519 is allowed")
	}
	if _, err := s.Sign(nil, []byte("x"), &ed25519.Options{Context: "ctx"}); err == nil {
		t.Error("Sign with an Ed25519ctx context accepted")
	}
}

func TestParseJWKSRefusesWhatItDidNotWrite(t *testing.T) {
	const x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	const kid = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
	key := func(extra string) string {
		return `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"` + kid + `","alg":"EdDSA","use":"sig"` + extra + `}]}`
	}
	if _, err := ParseJWKS([]byte(key(""))); err != nil {
		t.Fatalf("valid JWKS refused: %v", err)
	}
	tests := map[string]string{
		"private member":   key(`,"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"`),
		"wrong kid":        strings.Replace(key(""), kid, "k1", 1),
		"wrong curve":      strings.Replace(key(""), `"Ed25519"`, `"X25519"`, 1),
		"wrong algorithm":  strings.Replace(key(""), `"EdDSA"`, `"ES256"`, 1),
		"short x":          strings.Replace(key(""), x, "11qYAYKx", 1),
		"duplicate key":    `{"keys":[` + key("")[9:len(key(""))-2] + `,` + key("")[9:len(key(""))-2] + `]}`,
		"trailing data":    key("") + `{}`,
		"bad created time": key(`,"created_at":"yesterday"`),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseJWKS([]byte(data)); err == nil {
				t.Errorf("ParseJWKS accepted %s", data)
			}
		})
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"": KindKeyring, "keyring": KindKeyring, "FILE": KindFile} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseKind("plaintext"); err == nil {
		t.Error(`ParseKind("plaintext") accepted`)
	}
}

// TestRecordFitsWindowsCredentialManager keeps the record small enough for
// the smallest keyring limit (Windows: 2,560 bytes per value) after 29
// rotations.
func TestRecordFitsWindowsCredentialManager(t *testing.T) {
	b := mockKeyring(t)
	c := newClock()
	ks := open(t, b, t.TempDir(), c)
	for range 29 {
		c.advance(time.Hour)
		if _, err := ks.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	rec, _ := b.Get(RecordName)
	if len(rec) > 2560 {
		t.Errorf("record of 30 keys is %d bytes, more than 2560", len(rec))
	}
	set, _ := ks.Keys()
	if n := len(set.Keys()); n != 30 {
		t.Errorf("%d keys, want 30", n)
	}
}
