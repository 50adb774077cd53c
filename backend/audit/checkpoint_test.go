package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"countersign/backend/config"
	"countersign/backend/keystore"
	"countersign/backend/store"
)

// TestCheckpointVerifiesWithNoteLibrary signs with a key kept in the real
// Secret Service, then checks the checkpoint the way an auditor would: with
// golang.org/x/mod/sumdb/note given only the published verifier key, and the
// root hash recomputed with the library's own RFC 6962 hasher.
func TestCheckpointVerifiesWithNoteLibrary(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(config.DatabasePath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ks, err := keystore.Open(realBackend(t), keystore.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	log, err := Open(context.Background(), Config{Store: st, Keys: ks, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	for i := range 5 {
		if err := st.AppendEvents(context.Background(), []store.Event{{At: t0, Type: store.EventNotified, AgentID: "a", Data: []byte(`{"n":` + string(rune('0'+i)) + `}`)}}); err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := log.Checkpoint(context.Background()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	cps, _ := st.LatestCheckpoints(context.Background(), 1)
	signed := []byte(cps[0].Note)

	// The published key, as `countersign audit key` prints it.
	keyFile, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	vkey := strings.TrimSpace(string(keyFile))
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open with the published key: %v\n%s", err, signed)
	}
	lines := strings.Split(n.Text, "\n")
	if lines[0] != log.Origin() || lines[1] != "5" {
		t.Errorf("checkpoint body %q", n.Text)
	}
	// The root, recomputed independently of this package.
	f := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := f.NewEmptyRange(0)
	st.ScanAudit(context.Background(), 0, func(_ int64, rec []byte) error {
		return r.Append(rfc6962.DefaultHasher.HashLeaf(rec), nil)
	})
	want, _ := r.GetRootHash(nil)
	c, err := ParseCheckpoint(n.Text)
	if err != nil || !bytes.Equal(c.Root, want) {
		t.Errorf("root %x, want %x (%v)", c.Root, want, err)
	}
	// Another key does not verify it.
	_, other, _ := note.GenerateKey(rand.Reader, v.Name())
	ov, _ := note.NewVerifier(other)
	if _, err := note.Open(signed, note.VerifierList(ov)); err == nil {
		t.Error("verified with another key of the same name")
	}
}

func TestHashChildrenIsRFC6962(t *testing.T) {
	l, r := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	if !bytes.Equal(hashChildren(l, r), rfc6962.DefaultHasher.HashChildren(l, r)) {
		t.Error("hashChildren differs from rfc6962")
	}
	var lh leafHasher
	h := lh.hash([]byte("record"))
	if !bytes.Equal(h[:], rfc6962.DefaultHasher.HashLeaf([]byte("record"))) {
		t.Error("leaf hash differs from rfc6962")
	}
}

func TestParseCheckpoint(t *testing.T) {
	c := Checkpoint{Origin: Origin("abc"), Size: 42, Root: bytes.Repeat([]byte{3}, 32), Time: t0}
	got, err := ParseCheckpoint(c.Body())
	if err != nil || got.Size != 42 || !got.Time.Equal(t0) || !bytes.Equal(got.Root, c.Root) {
		t.Fatalf("%+v %v", got, err)
	}
	for name, text := range map[string]string{
		"not ours":      strings.Replace(c.Body(), OriginPrefix, "example.com/log/", 1),
		"size with +":   strings.Replace(c.Body(), "\n42\n", "\n+42\n", 1),
		"short root":    strings.Replace(c.Body(), "AwMD", "", 1),
		"no time":       strings.Replace(c.Body(), "time ", "when ", 1),
		"extra line":    c.Body() + "more\n",
		"leading zeros": strings.Replace(c.Body(), "\n42\n", "\n042\n", 1),
	} {
		if _, err := ParseCheckpoint(text); err == nil {
			t.Errorf("%s: accepted %q", name, text)
		}
	}
}
