package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"countersign/backend/audit/record"
	"countersign/backend/config"
	"countersign/backend/keystore"
	"countersign/backend/proposal"
	"countersign/backend/queue"
	"countersign/backend/redact"
	"countersign/backend/store"
)

var (
	t0       = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	detector = redact.New()
)

// fixture is a data directory with a real database, a signing key, the
// queue that writes events, and the audit log.
type fixture struct {
	t    *testing.T
	dir  string
	st   *store.Store
	ks   *keystore.Keystore
	keys Keys
	q    *queue.Queue
	log  *Log

	mu    sync.Mutex
	clock time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), clock: t0}
	var err error
	if f.st, err = store.Open(config.DatabasePath(f.dir)); err != nil {
		t.Fatal(err)
	}
	f.st.SetRedactor(detector)
	if f.ks, err = keystore.Open(testBackend(t, f.dir), keystore.Options{DataDir: f.dir, Now: f.now}); err != nil {
		t.Fatal(err)
	}
	set, err := f.ks.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if f.keys, err = KeysFromSet(set); err != nil {
		t.Fatal(err)
	}
	f.q = queue.New(queue.Config{Store: f.st, Now: f.now})
	f.openLog()
	t.Cleanup(func() {
		f.log.Close()
		f.st.Close()
	})
	return f
}

func (f *fixture) openLog() {
	f.t.Helper()
	var err error
	if f.log, err = Open(context.Background(), Config{Store: f.st, Keys: f.ks, DataDir: f.dir, Now: f.now}); err != nil {
		f.t.Fatal(err)
	}
}

// now is the fixture's clock: a second later at every call.
func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(time.Second)
	return f.clock
}

// records writes n records: proposals, every other one then denied (one
// event each).
func (f *fixture) records(n int) {
	f.t.Helper()
	ctx := context.Background()
	var last string
	for i := range n {
		if i%2 == 1 {
			if _, err := f.q.Decide(ctx, last, proposal.Decision{Verdict: proposal.VerdictDeny, Reason: "not now", DecidedBy: "ada"}); err != nil {
				f.t.Fatal(err)
			}
			continue
		}
		p, err := f.q.Submit(ctx, proposal.Proposal{AgentID: "agent", Summary: fmt.Sprintf("Write note %d", i),
			Workspace: "/home/ada/w", Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: fmt.Sprintf("n%d.md", i), Content: "hello\n"}}})
		if err != nil {
			f.t.Fatal(err)
		}
		last = p.ID
	}
}

// checkpoint signs a checkpoint and returns its id.
func (f *fixture) checkpoint() store.Checkpoint {
	f.t.Helper()
	if ok, err := f.log.Checkpoint(context.Background()); err != nil || !ok {
		f.t.Fatalf("checkpoint: signed %v, %v", ok, err)
	}
	cps, err := f.st.LatestCheckpoints(context.Background(), 1)
	if err != nil || len(cps) != 1 {
		f.t.Fatal(err)
	}
	return cps[0]
}

// raw opens the database file through a connection of its own, as someone
// tampering with it would.
func (f *fixture) raw() *sql.DB {
	f.t.Helper()
	db, err := sql.Open("sqlite", "file:"+config.DatabasePath(f.dir)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	return db
}

func (f *fixture) exec(db *sql.DB, q string, args ...any) {
	f.t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

// recordAt reads the stored bytes of record seq.
func (f *fixture) recordAt(db *sql.DB, seq int64) []byte {
	f.t.Helper()
	var b []byte
	if err := db.QueryRow(`SELECT record FROM audit_log WHERE seq = ?`, seq).Scan(&b); err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) verify() *Report {
	f.t.Helper()
	r, err := Verify(context.Background(), f.st, f.keys)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// wantProblem fails unless r has a problem whose message contains want and
// that names record rec (if not 0).
func wantProblem(t *testing.T, r *Report, rec int64, want string) {
	t.Helper()
	if r.OK() {
		t.Fatalf("verification passed; want a problem %q", want)
	}
	for _, p := range r.Problems {
		if strings.Contains(p.Message, want) && (rec == 0 || p.Record == rec) {
			return
		}
	}
	t.Errorf("no problem about record %d saying %q; got:\n%s", rec, want, problems(r))
}

func problems(r *Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "  record %d checkpoint %d: %s\n", p.Record, p.Checkpoint, p.Message)
	}
	return b.String()
}

// rechain rewrites records from..to of db so that each holds the hash of
// the one before as it now is, as a careful forger would.
func (f *fixture) rechain(db *sql.DB, from, to int64) {
	f.t.Helper()
	prev := record.LeafHash(f.recordAt(db, from-1))
	for seq := from; seq <= to; seq++ {
		r, err := record.Parse(f.recordAt(db, seq))
		if err != nil {
			f.t.Fatal(err)
		}
		r.Prev = record.HexHash(prev)
		b, err := record.Encode(r)
		if err != nil {
			f.t.Fatal(err)
		}
		f.exec(db, `UPDATE audit_log SET record = ? WHERE seq = ?`, b, seq)
		prev = record.LeafHash(b)
	}
}
