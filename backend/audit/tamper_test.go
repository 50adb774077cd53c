package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"countersign/backend/audit/record"
)

// tampered is a log of 12 records with checkpoint A at 4 records and
// checkpoint B at 10, then 2 more records not yet covered.
type tampered struct {
	*fixture
	a, b int64 // checkpoint ids
}

func newTampered(t *testing.T) *tampered {
	f := newFixture(t)
	f.records(4)
	a := f.checkpoint()
	f.records(6)
	b := f.checkpoint()
	f.records(2)
	if r := f.verify(); !r.OK() || r.Records != 12 || r.Verified != 2 || r.Covered != 10 {
		t.Fatalf("untampered log: %+v\n%s", r, problems(r))
	}
	return &tampered{fixture: f, a: a.ID, b: b.ID}
}

func TestVerifyUntampered(t *testing.T) {
	f := newTampered(t)
	r := f.verify()
	if !strings.Contains(r.Summary(), "records 11..12 are not yet covered") {
		t.Errorf("summary %q", r.Summary())
	}
	// Closing signs a last checkpoint, so a cleanly closed log is covered.
	if err := f.log.Close(); err != nil {
		t.Fatal(err)
	}
	if r := f.verify(); !r.OK() || r.Covered != 12 || r.Verified != 3 {
		t.Errorf("after Close: %+v\n%s", r, problems(r))
	}
}

// TestVerifyCatchesTampering tampers with the real SQLite file through a
// connection of its own and checks that Verify names what was done.
func TestVerifyCatchesTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(f *tampered, db *sql.DB)
		record int64  // the record the problem must name; 0: any
		cp     bool   // the problem must name checkpoint B
		want   string // in the problem's message
	}{
		{"edited record", func(f *tampered, db *sql.DB) {
			b := bytes.Replace(f.recordAt(db, 6), []byte(`"outcome":"denied"`), []byte(`"outcome":"approved"`), 1)
			f.exec(db, `UPDATE audit_log SET record = ? WHERE seq = 6`, b)
		}, 6, false, "record 6 was changed"},
		{"edited record, chain recomputed after it", func(f *tampered, db *sql.DB) {
			b := bytes.Replace(f.recordAt(db, 6), []byte(`"outcome":"denied"`), []byte(`"outcome":"approved"`), 1)
			f.exec(db, `UPDATE audit_log SET record = ? WHERE seq = 6`, b)
			f.rechain(db, 7, 12)
		}, 10, true, "after record 4, which checkpoint"},
		{"deleted record", func(f *tampered, db *sql.DB) {
			f.exec(db, `DELETE FROM audit_log WHERE seq = 6`)
		}, 6, false, "record 6 is missing: it was deleted"},
		{"deleted records renumbered", func(f *tampered, db *sql.DB) {
			f.exec(db, `DELETE FROM audit_log WHERE seq = 6`)
			f.exec(db, `UPDATE audit_log SET seq = -(seq - 1) WHERE seq > 6`)
			f.exec(db, `UPDATE audit_log SET seq = -seq WHERE seq < 0`)
		}, 6, false, "record 6 says it is record 7"},
		{"inserted record", func(f *tampered, db *sql.DB) {
			f.exec(db, `UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 6`)
			f.exec(db, `UPDATE audit_log SET seq = -seq WHERE seq < 0`)
			forged := &record.Record{V: 1, Seq: 6, Prev: record.HexHash(record.LeafHash(f.recordAt(db, 5))), EventID: 6,
				Timestamp: record.FormatTime(t0), Action: "approved", AgentID: "agent", UserID: "ada", Outcome: "approved"}
			b, err := record.Encode(forged)
			if err != nil {
				t.Fatal(err)
			}
			f.exec(db, `INSERT INTO audit_log(seq, record) VALUES (6, ?)`, b)
		}, 6, false, "record 6 was inserted"},
		{"reordered records", func(f *tampered, db *sql.DB) {
			r3, r8 := f.recordAt(db, 3), f.recordAt(db, 8)
			f.exec(db, `UPDATE audit_log SET record = ? WHERE seq = 3`, r8)
			f.exec(db, `UPDATE audit_log SET record = ? WHERE seq = 8`, r3)
		}, 3, false, "record 3 says it is record 8"},
		{"truncated log", func(f *tampered, db *sql.DB) {
			f.exec(db, `DELETE FROM audit_log WHERE seq > 7`)
		}, 8, true, "covers 10 records but the log has 7: records 8..10 were removed (truncated)"},
		{"overwritten record", func(f *tampered, db *sql.DB) {
			f.exec(db, `UPDATE audit_log SET record = ? WHERE seq = 6`, []byte("garbage"))
		}, 6, false, "record 6 is not a record"},
		{"forged checkpoint: root changed", func(f *tampered, db *sql.DB) {
			var n string
			if err := db.QueryRow(`SELECT note FROM audit_checkpoints WHERE id = ?`, f.b).Scan(&n); err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(n, "\n", 4)
			lines[2] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
			f.exec(db, `UPDATE audit_checkpoints SET note = ? WHERE id = ?`, strings.Join(lines, "\n"), f.b)
		}, 0, true, "does not verify: forged or altered"},
		{"forged checkpoint: another key", func(f *tampered, db *sql.DB) {
			_, priv, _ := ed25519.GenerateKey(rand.Reader)
			signed := signWith(t, priv, Checkpoint{Origin: f.log.Origin(), Size: 12, Root: bytes.Repeat([]byte{1}, 32), Time: t0})
			f.exec(db, `UPDATE audit_checkpoints SET note = ? WHERE id = ?`, signed, f.b)
		}, 0, true, "no signature by a known key"},
		{"checkpoint of another log", func(f *tampered, db *sql.DB) {
			other := Checkpoint{Origin: Origin("0123456789abcdef0123456789abcdef"), Size: 10, Root: bytes.Repeat([]byte{1}, 32), Time: t0}
			ns, err := f.ks.Signer()
			if err != nil {
				t.Fatal(err)
			}
			s, _ := NewNoteSigner(ns)
			signed, err := SignCheckpoint(other, s)
			if err != nil {
				t.Fatal(err)
			}
			f.exec(db, `UPDATE audit_checkpoints SET note = ? WHERE id = ?`, signed, f.b)
		}, 0, true, "is of another log"},
		{"event without its record", func(f *tampered, db *sql.DB) {
			f.exec(db, `INSERT INTO events(ts, proposal_id, agent_id, type) VALUES (1, NULL, 'x', 'approved')`)
		}, 0, false, "1 events have no audit record (first: event 13)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTampered(t)
			tt.tamper(f, f.raw())
			r := f.verify()
			t.Logf("%s\n%s", r.Summary(), problems(r))
			wantProblem(t, r, tt.record, tt.want)
			if tt.cp {
				found := false
				for _, p := range r.Problems {
					found = found || p.Checkpoint == f.b
				}
				if !found {
					t.Errorf("no problem names checkpoint %d:\n%s", f.b, problems(r))
				}
			}
		})
	}
}

// signWith signs c with a key that is not Countersign's.
func signWith(t *testing.T, priv ed25519.PrivateKey, c Checkpoint) string {
	t.Helper()
	vkey, err := note.NewEd25519VerifierKey("attacker", priv.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	s := &NoteSigner{name: v.Name(), hash: v.KeyHash(), signer: priv}
	signed, err := SignCheckpoint(c, s)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestLogResumesFromCheckpoint: a reopened log reads only the records after
// its last checkpoint, and keeps signing checkpoints that verify.
func TestLogResumesFromCheckpoint(t *testing.T) {
	f := newFixture(t)
	f.records(5)
	f.checkpoint()
	f.log.Close()
	f.records(3)
	f.openLog()
	if f.log.tree.from != 5 || f.log.Size() != 8 {
		t.Errorf("resumed from %d with size %d, want 5 and 8", f.log.tree.from, f.log.Size())
	}
	f.checkpoint()
	if r := f.verify(); !r.OK() || r.Covered != 8 {
		t.Errorf("%+v\n%s", r, problems(r))
	}
	// With no checkpoint it can trust, it rebuilds from the first record.
	f.exec(f.raw(), `UPDATE audit_checkpoints SET range = X'00'`)
	f.log.Close()
	f.openLog()
	if f.log.tree.from != 0 || f.log.Size() != 8 {
		t.Errorf("rebuilt from %d with size %d, want 0 and 8", f.log.tree.from, f.log.Size())
	}
}

// TestCheckpointsAcrossRotation: checkpoints signed before a key rotation
// still verify with the retired public key.
func TestCheckpointsAcrossRotation(t *testing.T) {
	f := newFixture(t)
	f.records(3)
	f.checkpoint()
	if _, err := f.ks.Rotate(); err != nil {
		t.Fatal(err)
	}
	f.records(3)
	f.checkpoint()
	set, _ := f.ks.Keys()
	keys, err := KeysFromSet(set)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Verify(context.Background(), f.st, keys)
	if err != nil || !r.OK() || r.Verified != 2 {
		t.Fatalf("%v %+v\n%s", err, r, problems(r))
	}
	// With only the new key, the old checkpoint is not trusted.
	cur, _ := set.Current()
	vk, _ := VerifierKey(cur.KeyID, cur.Key)
	only, _ := ParseKeys([]string{vk})
	r, _ = Verify(context.Background(), f.st, only)
	wantProblem(t, r, 0, "no signature by a known key")
}
