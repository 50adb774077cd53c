package audit

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"countersign/backend/keystore"
)

// OriginPrefix starts the origin line of every checkpoint; the log's id
// follows.
const OriginPrefix = "countersign/audit/"

// Origin is the origin line of the log with the given id.
func Origin(logID string) string { return OriginPrefix + logID }

// KeyName is the signed-note key name of the key with id kid. Key ids are
// unpadded base64url, so the name has no space and no "+".
func KeyName(kid string) string { return "countersign/" + kid }

// Checkpoint is a signed statement of the log's size and root hash, in the
// C2SP tlog-checkpoint form: the origin, the size in decimal and the root
// hash in standard base64, one per line, then one extension line with the
// time it was made.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
	Time   time.Time // to the second
}

// Body is the checkpoint's note text.
func (c Checkpoint) Body() string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root),
		c.Time.UTC().Format(time.RFC3339))
}

// ParseCheckpoint reads a checkpoint's note text, exactly as Body writes it.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[4] != "" {
		return Checkpoint{}, errors.New("a checkpoint has four lines: origin, size, root hash, time")
	}
	var c Checkpoint
	c.Origin = lines[0]
	if !strings.HasPrefix(c.Origin, OriginPrefix) {
		return Checkpoint{}, fmt.Errorf("origin %q is not a Countersign audit log", c.Origin)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("size %q is not a decimal number", lines[1])
	}
	c.Size = size
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != hashSize {
		return Checkpoint{}, fmt.Errorf("root hash %q is not %d bytes of base64", lines[2], hashSize)
	}
	c.Root = root
	ts, ok := strings.CutPrefix(lines[3], "time ")
	if !ok {
		return Checkpoint{}, errors.New("no time line")
	}
	if c.Time, err = time.Parse(time.RFC3339, ts); err != nil {
		return Checkpoint{}, fmt.Errorf("time: %w", err)
	}
	if c.Body() != text {
		return Checkpoint{}, errors.New("checkpoint is not in canonical form")
	}
	return c, nil
}

// NoteSigner signs notes with the keystore's key without the private key
// leaving it. It implements note.Signer with the Ed25519 rules of
// golang.org/x/mod/sumdb/note: the key hash is the first four bytes of
// SHA-256 over the name, a newline, the algorithm byte 1 and the public key,
// and the signature is pure Ed25519 over the note text.
type NoteSigner struct {
	name   string
	hash   uint32
	signer crypto.Signer
}

// Signer is what NoteSigner needs: *keystore.Signer.
type Signer interface {
	crypto.Signer
	KeyID() string
}

// NewNoteSigner wraps s.
func NewNoteSigner(s Signer) (*NoteSigner, error) {
	pub, ok := s.Public().(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("audit: the signing key is %T, not Ed25519", s.Public())
	}
	vkey, err := note.NewEd25519VerifierKey(KeyName(s.KeyID()), pub)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return &NoteSigner{name: v.Name(), hash: v.KeyHash(), signer: s}, nil
}

// Name is the key name.
func (n *NoteSigner) Name() string { return n.name }

// KeyHash is the note key hash.
func (n *NoteSigner) KeyHash() uint32 { return n.hash }

// Sign signs msg with pure Ed25519.
func (n *NoteSigner) Sign(msg []byte) ([]byte, error) {
	return n.signer.Sign(nil, msg, crypto.Hash(0))
}

// SignCheckpoint returns c as a signed note.
func SignCheckpoint(c Checkpoint, s note.Signer) (string, error) {
	msg, err := note.Sign(&note.Note{Text: c.Body()}, s)
	if err != nil {
		return "", fmt.Errorf("audit: signing checkpoint: %w", err)
	}
	return string(msg), nil
}

// ParseCheckpointNote reads the checkpoint of a signed note without checking
// its signature, for a note this process just signed.
func ParseCheckpointNote(signed string) (Checkpoint, error) {
	i := strings.LastIndex(signed, "\n\n")
	if i < 0 {
		return Checkpoint{}, errors.New("audit: not a signed note")
	}
	return ParseCheckpoint(signed[:i+1])
}

// VerifierKey is the signed-note verifier key ("name+hash+key") of a public
// key, which note.NewVerifier reads.
func VerifierKey(kid string, pub ed25519.PublicKey) (string, error) {
	return note.NewEd25519VerifierKey(KeyName(kid), pub)
}

// Keys are the verifier keys a checkpoint may be signed with.
type Keys struct {
	List  []string // verifier keys, current first
	known note.Verifiers
}

// KeysFromSet makes the verifier keys of every key of a key set, current
// and retired.
func KeysFromSet(set keystore.KeySet) (Keys, error) {
	var vkeys []string
	for _, k := range set.Keys() {
		v, err := VerifierKey(k.KeyID, k.Key)
		if err != nil {
			return Keys{}, err
		}
		vkeys = append(vkeys, v)
	}
	return ParseKeys(vkeys)
}

// ParseKeys reads verifier keys.
func ParseKeys(vkeys []string) (Keys, error) {
	var vs []note.Verifier
	for _, s := range vkeys {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		v, err := note.NewVerifier(s)
		if err != nil {
			return Keys{}, fmt.Errorf("audit: verifier key %q: %w", s, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return Keys{}, errors.New("audit: no verifier key")
	}
	return Keys{List: vkeys, known: note.VerifierList(vs...)}, nil
}

// OpenCheckpoint checks a signed checkpoint's signature with keys and reads
// it. The error says whether the signature failed or the text is malformed.
func OpenCheckpoint(signed string, keys Keys) (Checkpoint, error) {
	n, err := note.Open([]byte(signed), keys.known)
	if err != nil {
		var unknown *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unknown):
			return Checkpoint{}, errors.New("no signature by a known key: forged, or signed with a key not given")
		case errors.As(err, &invalid):
			return Checkpoint{}, fmt.Errorf("the signature by %s does not verify: forged or altered", invalid.Name)
		}
		return Checkpoint{}, fmt.Errorf("not a signed note: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("signed, but %w", err)
	}
	return c, nil
}

// keyLines writes one verifier key per line.
func keyLines(keys []string) []byte {
	var b bytes.Buffer
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('\n')
	}
	return b.Bytes()
}
