// Package keystore keeps Countersign's Ed25519 signing key in the OS keyring
// and publishes its public keys as a JWKS file.
//
// It guarantees that:
//   - the first Open creates one key and every later Open, in this process or
//     another, finds that same key until Rotate replaces it;
//   - a key's id is its RFC 7638 JWK thumbprint, which any JOSE library can
//     recompute from the public key;
//   - the private key never leaves the package: callers get a *Signer that
//     signs and names its key, and public keys; no function returns the seed;
//   - the OS keyring is never silently replaced: when it cannot be used (no
//     session bus, no Secret Service, locked, access refused, no answer) the
//     error matches ErrKeyringUnavailable and says what to do on this OS; a
//     private D-Bus session is never launched to work around a missing one;
//     the weaker file backend (a 0600 file) is used only when asked for, and
//     then Weak reports true;
//   - a record naming a key whose secret is gone gives ErrKeyMissing, and a
//     damaged stored value gives ErrCorrupt; neither is ever overwritten;
//   - after Rotate, retired public keys stay in the key set and the JWKS file
//     (with their retirement time) so old tokens still verify, while the
//     retired private key is deleted;
//   - the JWKS file (data directory, JWKSFile) always matches the record after
//     Open and Rotate, and is replaced atomically (temp file, fsync, rename).
//
// Storage: the backend holds "state" (JSON: every public key, oldest first,
// with its creation time; the last is current and each earlier one was
// retired when the next was created) and "signing-key/<kid>" for the current
// key (the standard base64 of its 32-byte Ed25519 seed). In the OS
// keyring these are items of the service "countersign" whose user names are
// those names.
package keystore

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// RecordName is the backend entry holding the key record.
const RecordName = "state"

// SecretName is the backend entry holding the seed of key kid.
func SecretName(kid string) string { return "signing-key/" + kid }

// Options are a keystore's other dependencies.
type Options struct {
	DataDir string           // where JWKSFile is written; required
	Now     func() time.Time // the clock; time.Now when nil
	Rand    io.Reader        // randomness for new keys; crypto/rand when nil
}

func (o Options) withDefaults() (Options, error) {
	if o.DataDir == "" {
		return o, errors.New("keystore: no data directory")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	return o, nil
}

// Keystore is the signing key and its history, kept in a Backend. Every
// method reads the record from the backend again, so a rotation made by
// another process (the command line) takes effect at once. It is safe for
// concurrent use.
type Keystore struct {
	b    Backend
	opts Options

	mu     sync.Mutex
	signer *Signer // the last current key loaded, by id
}

// Open returns the keystore kept in b, creating the first key if there is
// none, and checks that the current key's secret is there and sound. It
// rewrites the JWKS file when it differs from the record.
func Open(b Backend, opts Options) (*Keystore, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ks := &Keystore{b: b, opts: opts}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	rec, err := ks.loadOrCreate()
	if err != nil {
		return nil, err
	}
	if _, err := ks.signerFor(rec); err != nil {
		return nil, err
	}
	if err := ks.syncJWKS(rec); err != nil {
		return nil, err
	}
	return ks, nil
}

// Weak reports whether the backend is the weaker file backend.
func (ks *Keystore) Weak() bool { return ks.b.Weak() }

// Backend says where the secrets are, for people.
func (ks *Keystore) Backend() string { return ks.b.String() }

// JWKSPath is the JWKS file's path.
func (ks *Keystore) JWKSPath() string { return filepath.Join(ks.opts.DataDir, JWKSFile) }

// Signer returns a signer with the current key.
func (ks *Keystore) Signer() (*Signer, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	rec, err := ks.load()
	if err != nil {
		return nil, err
	}
	return ks.signerFor(rec)
}

// Keys returns every public key, current and retired, from the backend's
// record. Verify against these in the app rather than against the JWKS
// file, which any program running as the user can edit.
func (ks *Keystore) Keys() (KeySet, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	rec, err := ks.load()
	if err != nil {
		return KeySet{}, err
	}
	return rec.keySet()
}

// Rotation names the key a rotation retired and the one it made current.
type Rotation struct {
	Old string    // "" when there was no key before
	New string    // the new current key id
	At  time.Time // when the old key was retired
}

// Rotate makes a new current key. The old public key stays in the record
// and the JWKS file, marked retired; the old private key is deleted. If an
// error comes after the new key became current, the Rotation is still filled
// in, so the caller can record it.
func (ks *Keystore) Rotate() (Rotation, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.rotate()
}

// Rotate rotates the key kept in b without opening it first, for a keystore
// that Open refuses because the current secret is missing (ErrKeyMissing).
// It creates the first key when there is none.
func Rotate(b Backend, opts Options) (Rotation, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Rotation{}, err
	}
	ks := &Keystore{b: b, opts: opts}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return ks.rotate()
}

// Description is what `countersign key show` prints.
type Description struct {
	KeyID     string      // the current key id (RFC 7638 thumbprint)
	Algorithm string      // "EdDSA (Ed25519)"
	Created   time.Time   // when the current key was made
	PublicKey string      // the raw public key, unpadded base64url (the JWK "x")
	JWKSPath  string      // the public key set file
	Backend   string      // where the private key is kept
	Weak      bool        // whether that is the weaker file backend
	Retired   []PublicKey // earlier keys, newest retirement first
}

// Describe reports the current key and its history without loading the
// private key.
func (ks *Keystore) Describe() (Description, error) {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	rec, err := ks.load()
	if err != nil {
		return Description{}, err
	}
	set, err := rec.keySet()
	if err != nil {
		return Description{}, err
	}
	cur, ok := set.Current()
	if !ok {
		return Description{}, &CorruptError{Name: RecordName, Backend: ks.b.String(), Err: errors.New("no current key")}
	}
	d := Description{
		KeyID: cur.KeyID, Algorithm: Algorithm + " (Ed25519)", Created: cur.Created,
		PublicKey: b64(cur.Key), JWKSPath: ks.JWKSPath(), Backend: ks.b.String(), Weak: ks.b.Weak(),
	}
	for _, k := range set.Keys() {
		if !k.Current() {
			d.Retired = append(d.Retired, k)
		}
	}
	return d, nil
}

// String renders the description as `key show` prints it.
func (d Description) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "key id:     %s\n", d.KeyID)
	fmt.Fprintf(&sb, "algorithm:  %s\n", d.Algorithm)
	fmt.Fprintf(&sb, "created:    %s\n", d.Created.UTC().Format(time.RFC3339))
	fmt.Fprintf(&sb, "public key: %s\n", d.PublicKey)
	fmt.Fprintf(&sb, "jwks:       %s\n", d.JWKSPath)
	fmt.Fprintf(&sb, "stored in:  %s\n", d.Backend)
	if d.Weak {
		sb.WriteString("warning:    the file backend is weaker than the OS keyring: any program running as you can read the key\n")
	}
	for _, k := range d.Retired {
		fmt.Fprintf(&sb, "retired:    %s (created %s, retired %s)\n", k.KeyID,
			k.Created.UTC().Format(time.RFC3339), k.Retired.UTC().Format(time.RFC3339))
	}
	return sb.String()
}

// record is the "state" entry: every key, oldest first; the last is
// current, and each earlier key was retired when its successor was created.
// It is kept small because some keyrings bound a value's size (Windows:
// 2,560 bytes): about 73 bytes a key, so some 34 keys fit there.
type record struct {
	V    int         `json:"v"`
	Keys []recordKey `json:"keys"`
}

type recordKey struct {
	X       string `json:"x"`       // unpadded base64url public key; its id is its thumbprint
	Created int64  `json:"created"` // Unix seconds
}

// current is the current key's id.
func (r *record) current() string {
	pub, _ := decodeX(r.Keys[len(r.Keys)-1].X) // check has vetted it
	return KeyID(pub)
}

func (r *record) keySet() (KeySet, error) {
	keys := make([]PublicKey, 0, len(r.Keys))
	for i, k := range r.Keys {
		pub, err := decodeX(k.X)
		if err != nil {
			return KeySet{}, fmt.Errorf("key %d: %w", i, err)
		}
		pk := PublicKey{KeyID: KeyID(pub), Key: pub, Created: time.Unix(k.Created, 0).UTC()}
		if i+1 < len(r.Keys) {
			pk.Retired = time.Unix(r.Keys[i+1].Created, 0).UTC()
		}
		keys = append(keys, pk)
	}
	return NewKeySet(keys)
}

// check verifies the record's shape: version 1, at least one key, sound
// and distinct keys, created in order.
func (r *record) check() error {
	if r.V != 1 {
		return fmt.Errorf("unknown record version %d", r.V)
	}
	if len(r.Keys) == 0 {
		return errors.New("no keys")
	}
	for i := 1; i < len(r.Keys); i++ {
		if r.Keys[i].Created < r.Keys[i-1].Created {
			return fmt.Errorf("key %d was created before key %d", i, i-1)
		}
	}
	_, err := r.keySet()
	return err
}

func (ks *Keystore) load() (*record, error) {
	v, err := ks.b.Get(RecordName)
	if err != nil {
		return nil, err
	}
	var rec record
	dec := json.NewDecoder(strings.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return nil, &CorruptError{Name: RecordName, Backend: ks.b.String(), Err: err}
	}
	if err := rec.check(); err != nil {
		return nil, &CorruptError{Name: RecordName, Backend: ks.b.String(), Err: err}
	}
	return &rec, nil
}

func (ks *Keystore) loadOrCreate() (*record, error) {
	rec, err := ks.load()
	if !errors.Is(err, ErrNotFound) {
		return rec, err
	}
	if _, err := ks.rotate(); err != nil {
		return nil, err
	}
	return ks.load()
}

func (ks *Keystore) store(rec *record) error {
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return ks.b.Set(RecordName, string(data))
}

// signerFor loads the current key of rec, reusing the cached signer when it
// is the same key.
func (ks *Keystore) signerFor(rec *record) (*Signer, error) {
	kid := rec.current()
	if ks.signer != nil && ks.signer.kid == kid {
		return ks.signer, nil
	}
	name := SecretName(kid)
	v, err := ks.b.Get(name)
	if errors.Is(err, ErrNotFound) {
		return nil, &KeyMissingError{KeyID: kid, Backend: ks.b.String()}
	}
	if err != nil {
		return nil, err
	}
	seed, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, &CorruptError{Name: name, Backend: ks.b.String(),
			Err: fmt.Errorf("not the base64 of a %d-byte Ed25519 seed", ed25519.SeedSize)}
	}
	key := ed25519.NewKeyFromSeed(seed)
	pub := key.Public().(ed25519.PublicKey)
	if KeyID(pub) != kid {
		return nil, &CorruptError{Name: name, Backend: ks.b.String(),
			Err: fmt.Errorf("it holds the key %s, not %s", KeyID(pub), kid)}
	}
	ks.signer = &Signer{kid: kid, key: key}
	return ks.signer, nil
}

// rotate makes a new key and makes it current. The order keeps every crash
// recoverable: the new secret is stored first (an orphan if we stop there),
// then the record names it (the commit point), then the JWKS file follows
// and the old secret is deleted.
func (ks *Keystore) rotate() (Rotation, error) {
	old, err := ks.load()
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Rotation{}, err
	}
	pub, priv, err := ed25519.GenerateKey(ks.opts.Rand)
	if err != nil {
		return Rotation{}, fmt.Errorf("cannot make a key: %w", err)
	}
	kid := KeyID(pub)
	now := ks.opts.Now().UTC().Truncate(time.Second)
	if err := ks.b.Set(SecretName(kid), base64.StdEncoding.EncodeToString(priv.Seed())); err != nil {
		return Rotation{}, err
	}
	if old == nil {
		// Another process may have made the first key meanwhile; keep its.
		if _, err := ks.b.Get(RecordName); err == nil {
			_ = ks.b.Delete(SecretName(kid))
			cur, err := ks.load()
			if err != nil {
				return Rotation{}, err
			}
			return Rotation{New: cur.current(), At: now}, nil
		}
	}
	rec := &record{V: 1}
	rot := Rotation{New: kid, At: now}
	if old != nil {
		rot.Old = old.current()
		rec.Keys = append(rec.Keys, old.Keys...)
		if last := rec.Keys[len(rec.Keys)-1].Created; now.Unix() < last {
			// The clock went back: keep the order, retire at the last creation.
			now = time.Unix(last, 0).UTC()
			rot.At = now
		}
	}
	rec.Keys = append(rec.Keys, recordKey{X: b64(pub), Created: now.Unix()})
	if err := ks.store(rec); err != nil {
		_ = ks.b.Delete(SecretName(kid))
		return Rotation{}, err
	}
	ks.signer = &Signer{kid: kid, key: priv}
	if err := ks.syncJWKS(rec); err != nil {
		return rot, fmt.Errorf("rotated to %s, but the JWKS file was not updated: %w", kid, err)
	}
	if rot.Old != "" {
		if err := ks.b.Delete(SecretName(rot.Old)); err != nil {
			return rot, fmt.Errorf("rotated to %s, but the retired secret %s was not deleted: %w", kid, rot.Old, err)
		}
	}
	return rot, nil
}

// syncJWKS writes the JWKS file when it differs from rec.
func (ks *Keystore) syncJWKS(rec *record) error {
	set, err := rec.keySet()
	if err != nil {
		return err
	}
	data, err := set.MarshalJWKS()
	if err != nil {
		return err
	}
	path := ks.JWKSPath()
	if cur, err := os.ReadFile(path); err == nil && string(cur) == string(data) {
		return nil
	}
	return writeFileAtomic(path, data, 0o644)
}

// Signer signs with one Ed25519 key and names it. It implements
// crypto.Signer for pure Ed25519 only. It never reveals the private key: it
// prints as its key id and has no accessor for the seed.
type Signer struct {
	kid string
	key ed25519.PrivateKey
}

// KeyID is the signing key's id.
func (s *Signer) KeyID() string { return s.kid }

// Public returns the ed25519.PublicKey.
func (s *Signer) Public() crypto.PublicKey { return s.key.Public() }

// Sign signs message with pure Ed25519 (RFC 8032). opts must be nil,
// crypto.Hash(0), or *ed25519.Options without a hash or context.
func (s *Signer) Sign(_ io.Reader, message []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != 0 {
		return nil, errors.New("keystore: only pure Ed25519 signatures are made")
	}
	if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
		return nil, errors.New("keystore: only pure Ed25519 signatures are made")
	}
	return ed25519.Sign(s.key, message), nil
}

// String names the key without revealing it.
func (s *Signer) String() string { return "Ed25519 signer " + s.kid }

// GoString names the key without revealing it.
func (s *Signer) GoString() string { return "keystore.Signer{" + s.kid + "}" }
