package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/proposal"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "countersign.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// newID returns ids that sort in creation order, as ULIDs do.
func newID(n int) string { return fmt.Sprintf("01J%023d", n) }

func small(id string, agent string, at time.Time) *proposal.Proposal {
	return &proposal.Proposal{
		ID: id, AgentID: agent, Summary: "Add notes", Workspace: "/home/ada/project",
		Actions: []proposal.Action{{Kind: proposal.KindFileWrite, Path: "notes.md", Content: "# Notes\n"}},
		Status:  proposal.StatusPending, Risk: proposal.RiskLow,
		CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute),
	}
}

func everyKind(id string) *proposal.Proposal {
	return &proposal.Proposal{
		ID: id, AgentID: "cowork", Summary: "Tidy the report", Rationale: "Asked on Monday.",
		Workspace: "/home/ada/reports", Status: proposal.StatusPending, Risk: proposal.RiskHigh,
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
		Actions: []proposal.Action{
			{Kind: proposal.KindFileWrite, Path: "q3/summary.md", Content: "Revenue grew.\n"},
			{Kind: proposal.KindFileEdit, Path: "q3/notes.md", Edits: []proposal.Edit{{Old: "TODO", New: "done", ReplaceAll: true}}},
			{Kind: proposal.KindFileDelete, Path: "q3/old.tmp"},
			{Kind: proposal.KindFileMove, Path: "q3/draft.md", To: "q3/final.md"},
			{Kind: proposal.KindDirCreate, Path: "q4"},
			{Kind: proposal.KindSheetUpdate, Path: "q3/f.xlsx", Cells: []proposal.CellEdit{{Sheet: "S", Cell: "B2", Value: "1"}, {Sheet: "S", Cell: "B3", Formula: "=B2*2"}}},
			{Kind: proposal.KindCommandRun, Argv: []string{"git", "status"}, Dir: "q3", TimeoutSec: 30, Writes: []string{"q3/.git"}},
			{Kind: proposal.KindNetRequest, Method: "POST", URL: "https://example.com/up", Body: `{"ok": true}`},
			{Kind: proposal.KindToolCall, Tool: "mcp__slack__post", Input: json.RawMessage(`{"text":  "<done> & dusted"}`)},
			{Kind: proposal.KindFileEdit, Path: "big.txt", Edits: []proposal.Edit{{Old: "a", New: strings.Repeat("long edit ", 1000)}}},
		},
	}
}

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestOpenMigratesFromEmpty(t *testing.T) {
	s, path := openTemp(t)
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || v < 1 {
		t.Errorf("user_version = %d, want %d", v, SchemaVersion())
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	for _, table := range []string{"agents", "proposals", "actions", "decisions", "blobs", "events"} {
		if n := count(t, s, table); n != 0 {
			t.Errorf("%s has %d rows in a new database", table, n)
		}
	}
	st, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode = %o, want 700", perm)
	}
	for _, f := range []string{path, path + "-wal"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: mode %o, want 600", f, perm)
		}
	}
	// Opening again applies nothing and keeps the version.
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Errorf("after reopen user_version = %d, %v", v, err)
	}
}

func TestRoundTripAndReopen(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	want := everyKind(newID(1))
	if err := s.InsertProposal(ctx, want); err != nil {
		t.Fatal(err)
	}
	opts := cmpopts.EquateEmpty()
	got, err := s.GetProposal(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, want, opts); diff != "" {
		t.Errorf("GetProposal (-got +want):\n%s", diff)
	}
	if string(got.Actions[8].Input) != `{"text":  "<done> & dusted"}` {
		t.Errorf("tool input bytes changed: %s", got.Actions[8].Input)
	}
	s.Close()

	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err = s2.GetProposal(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, want, opts); diff != "" {
		t.Errorf("after reopen (-got +want):\n%s", diff)
	}
	if _, err := s2.GetProposal(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetProposal(missing) = %v, want ErrNotFound", err)
	}
}

func TestInsertProposalRefusals(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	p := small(newID(1), "a", t0)
	p.Actions[0].Content = strings.Repeat("large enough for a blob ", inlineContent/8)
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertProposal(ctx, p); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate id: %v, want ErrExists", err)
	}
	if err := s.RevokeAgent(ctx, "a", t0); err != nil {
		t.Fatal(err)
	}
	refused := small(newID(2), "a", t0)
	refused.Actions[0].Content = strings.Repeat("other content for a blob ", inlineContent/8)
	if err := s.InsertProposal(ctx, refused); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked agent: %v, want ErrRevoked", err)
	}
	if err := s.RevokeAgent(ctx, "ghost", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoke unknown agent: %v, want ErrNotFound", err)
	}
	// The refused inserts left nothing behind.
	for table, want := range map[string]int{"proposals": 1, "actions": 1, "events": 1, "blobs": 1} {
		if n := count(t, s, table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
}

func TestEnsureAgent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	a, err := s.EnsureAgent(ctx, "claude", "Claude Code", t0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.EnsureAgent(ctx, "claude", "Another name", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := Agent{ID: "claude", Name: "Claude Code", CreatedAt: t0}
	for _, got := range []Agent{a, again} {
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("agent (-got +want):\n%s", diff)
		}
	}
}

// runWriters calls fn(w, n) from writers goroutines, w being the goroutine's
// number and n running over w*each to w*each+each-1 in order, and reports
// every error fn returns.
func runWriters(t *testing.T, writers, each int, fn func(w, n int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := fn(w, w*each+i); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	const writers, each = 8, 200
	runWriters(t, writers, each, func(w, n int) error {
		p := small(newID(n), fmt.Sprintf("agent-%d", w), t0.Add(time.Duration(n)*time.Millisecond))
		// Some shared content, large enough to be stored as a blob.
		p.Actions[0].Content = fmt.Sprintf("content %d\n", n%10) + strings.Repeat("x", inlineContent)
		if err := s.InsertProposal(ctx, p); err != nil {
			return fmt.Errorf("concurrent insert: %w", err)
		}
		if n%10 == 0 {
			if _, _, err := s.ListByStatus(ctx, proposal.StatusPending, 0, 20); err != nil {
				return err
			}
		}
		return nil
	})
	if n := count(t, s, "proposals"); n != writers*each {
		t.Errorf("proposals = %d, want %d", n, writers*each)
	}
	if n := count(t, s, "blobs"); n != 10 {
		t.Errorf("blobs = %d, want 10 (content shared between proposals)", n)
	}
	if n := count(t, s, "agents"); n != writers {
		t.Errorf("agents = %d, want %d", n, writers)
	}
}

func TestCorruptFileRefusedUntouched(t *testing.T) {
	// A real database with enough content to span many pages.
	makeDB := func(t *testing.T) string {
		s, path := openTemp(t)
		for i := range 50 {
			p := small(newID(i), "a", t0)
			p.Actions[0].Content = strings.Repeat(fmt.Sprintf("%d unique text ", i), 500)
			if err := s.InsertProposal(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			t.Fatalf("WAL left after close")
		}
		return path
	}
	write := func(t *testing.T, b []byte) string {
		path := filepath.Join(t.TempDir(), "countersign.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name string
		make func(t *testing.T) string
	}{
		{"text file", func(t *testing.T) string { return write(t, []byte(strings.Repeat("not a database\n", 500))) }},
		{"shorter than a header", func(t *testing.T) string { return write(t, []byte("SQLite format 3\x00\x10")) }},
		{"magic then garbage", func(t *testing.T) string {
			b := make([]byte, 8192)
			for i := range b {
				b[i] = byte(i*7 + 3)
			}
			copy(b, sqliteMagic)
			return write(t, b)
		}},
		{"truncated", func(t *testing.T) string {
			path := makeDB(t)
			st, _ := os.Stat(path)
			if err := os.Truncate(path, st.Size()/2); err != nil {
				t.Fatal(err)
			}
			return path
		}},
		{"schema page overwritten", func(t *testing.T) string {
			path := makeDB(t)
			b, _ := os.ReadFile(path)
			for i := 100; i < 4096; i++ {
				b[i] = 0xA5
			}
			return write(t, b)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.make(t)
			before := fileHash(t, path)
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded on a corrupt file")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Open = %v, want ErrCorrupt", err)
			}
			t.Log(err)
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Err == nil {
				t.Errorf("error %v is not a *CorruptError with a cause", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("message %q does not name the file", err)
			}
			if after := fileHash(t, path); after != before {
				t.Errorf("the file changed")
			}
		})
	}
}

func TestNewerSchemaRefusedUntouched(t *testing.T) {
	s, path := openTemp(t)
	newer := SchemaVersion() + 3
	if _, err := s.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := fileHash(t, path)

	_, err := Open(path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	var se *SchemaError
	if !errors.As(err, &se) || se.Version != newer || se.Known != SchemaVersion() {
		t.Errorf("SchemaError = %+v", se)
	}
	for _, want := range []string{fmt.Sprint(newer), fmt.Sprint(SchemaVersion()), path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if after := fileHash(t, path); after != before {
		t.Errorf("the file changed")
	}
}

func TestBlobs(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, size := range []int{1, 1000, checkBeforeCompress + 1, 3 << 20} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := []byte(strings.Repeat("abcdefgh", size/8+1)[:size])
			before := count(t, s, "blobs")
			sha1, err := s.PutBlob(ctx, data)
			if err != nil {
				t.Fatal(err)
			}
			sha2, err := s.PutBlob(ctx, append([]byte(nil), data...))
			if err != nil {
				t.Fatal(err)
			}
			if sha1 != sha2 || sha1 != Hash(data) {
				t.Errorf("hashes %s, %s, want %s", sha1, sha2, Hash(data))
			}
			if n := count(t, s, "blobs") - before; n != 1 {
				t.Errorf("stored the same content as %d rows, want 1", n)
			}
			got, err := s.GetBlob(ctx, sha1)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(data) {
				t.Errorf("content changed in the round trip")
			}
			var stored int
			if err := s.db.QueryRow("SELECT length(compressed) FROM blobs WHERE sha256 = ?", sha1).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if size >= 1000 && stored >= size/10 {
				t.Errorf("repetitive %d bytes stored as %d: not compressed", size, stored)
			}
		})
	}
	if _, err := s.GetBlob(ctx, Hash([]byte("never stored"))); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing blob: %v", err)
	}
	if _, err := s.PutBlob(ctx, make([]byte, MaxBlobBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized blob: %v", err)
	}
}

func TestBlobTamperingDetected(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sha, err := s.PutBlob(ctx, []byte("the approved content"))
	if err != nil {
		t.Fatal(err)
	}
	other := s.enc.EncodeAll([]byte("something else"), nil)
	tests := []struct {
		name, sql string
		args      []any
	}{
		{"other content", "UPDATE blobs SET compressed = ?1 WHERE sha256 = ?2", []any{other, sha}},
		{"garbage", "UPDATE blobs SET compressed = ?1 WHERE sha256 = ?2", []any{[]byte("garbage"), sha}},
		{"size lies", "UPDATE blobs SET size = ?1 WHERE sha256 = ?2", []any{3, sha}},
		{"size beyond the cap", "UPDATE blobs SET size = ?1 WHERE sha256 = ?2", []any{MaxBlobBytes + 1, sha}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := s.db.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.Exec(tt.sql, tt.args...); err != nil {
				t.Fatal(err)
			}
			var size int64
			var compressed []byte
			if err := tx.QueryRow(sqlGetBlob, sha).Scan(&size, &compressed); err != nil {
				t.Fatal(err)
			}
			// Read through the same decoding path as GetBlob, on the
			// transaction's view of the row.
			_, err = s.decodeBlob(sha, size, compressed)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("decode = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestUpdateStatus(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	p := small(newID(1), "agent", t0)
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	dec := &proposal.Decision{Verdict: proposal.VerdictDeny, Reason: "not today", DecidedBy: "ada", DecidedAt: at}
	err := s.UpdateStatus(ctx, StatusChange{ID: p.ID, From: proposal.StatusPending, To: proposal.StatusDenied,
		At: at, Decision: dec, Event: EventDenied})
	if err != nil {
		t.Fatal(err)
	}

	err = s.UpdateStatus(ctx, StatusChange{ID: p.ID, From: proposal.StatusPending, To: proposal.StatusApproved,
		At: at, Decision: &proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "bob"}, Event: EventApproved})
	var ce *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) || ce.Current != proposal.StatusDenied {
		t.Errorf("second decision = %v, want a conflict naming denied", err)
	}
	err = s.UpdateStatus(ctx, StatusChange{ID: "missing", From: proposal.StatusPending, To: proposal.StatusExpired, At: at, Event: EventExpired})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("missing proposal = %v, want ErrNotFound", err)
	}
	var te *proposal.TransitionError
	err = s.UpdateStatus(ctx, StatusChange{ID: p.ID, From: proposal.StatusDenied, To: proposal.StatusApproved, At: at, Event: EventApproved})
	if !errors.As(err, &te) {
		t.Errorf("forbidden transition = %v, want *proposal.TransitionError", err)
	}

	got, err := s.GetProposal(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != proposal.StatusDenied {
		t.Errorf("status = %s, want denied", got.Status)
	}
	if diff := cmp.Diff(got.Decision, dec); diff != "" {
		t.Errorf("decision (-got +want):\n%s", diff)
	}
	evs, err := s.ListEvents(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var types []EventType
	for _, e := range evs {
		types = append(types, e.Type)
		if e.AgentID != "agent" {
			t.Errorf("event %s has agent %q", e.Type, e.AgentID)
		}
	}
	if diff := cmp.Diff(types, []EventType{EventProposed, EventDenied}); diff != "" {
		t.Errorf("events (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(string(evs[1].Data), `{"verdict":"deny","reason":"not today","decided_by":"ada"}`); diff != "" {
		t.Errorf("decision event data (-got +want):\n%s", diff)
	}
	if n := count(t, s, "decisions"); n != 1 {
		t.Errorf("decisions = %d, want 1", n)
	}
}

func TestListByStatusNewestFirst(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	const n = 25
	for i := range n {
		// Two proposals share each timestamp; the id breaks the tie.
		p := small(newID(i), fmt.Sprintf("agent-%d", i%2), t0.Add(time.Duration(i/2)*time.Second))
		if i == 3 {
			p.Actions = append(p.Actions, proposal.Action{Kind: proposal.KindFileDelete, Path: "x"},
				proposal.Action{Kind: proposal.KindFileWrite, Path: "y", Content: "y"})
		}
		if err := s.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateStatus(ctx, StatusChange{ID: newID(24), From: proposal.StatusPending, To: proposal.StatusWithdrawn,
		At: t0, Event: EventWithdrawn}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for offset := 0; ; offset += 10 {
		page, total, err := s.ListByStatus(ctx, proposal.StatusPending, offset, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != n-1 {
			t.Errorf("total = %d, want %d", total, n-1)
		}
		for _, sm := range page {
			ids = append(ids, sm.ID)
		}
		if len(page) < 10 {
			break
		}
	}
	var want []string
	for i := n - 2; i >= 0; i-- {
		want = append(want, newID(i))
	}
	if diff := cmp.Diff(ids, want); diff != "" {
		t.Errorf("pending, newest first (-got +want):\n%s", diff)
	}

	page, _, err := s.ListByStatus(ctx, proposal.StatusPending, n-5, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantSummary := Summary{ID: newID(3), AgentID: "agent-1", Summary: "Add notes", Risk: proposal.RiskLow,
		Status: proposal.StatusPending, CreatedAt: t0.Add(time.Second), ExpiresAt: t0.Add(time.Second + 10*time.Minute),
		ActionCount: 3, Kinds: []proposal.Kind{proposal.KindFileWrite, proposal.KindFileDelete}}
	if diff := cmp.Diff(page[0], wantSummary); diff != "" {
		t.Errorf("summary (-got +want):\n%s", diff)
	}

	counts, err := s.CountByStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(counts, map[proposal.Status]int{proposal.StatusPending: n - 1, proposal.StatusWithdrawn: 1}); diff != "" {
		t.Errorf("counts (-got +want):\n%s", diff)
	}
	mine, err := s.ListByAgent(ctx, "agent-0", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine) != 13 || mine[0].ID != newID(24) || mine[12].ID != newID(0) {
		t.Errorf("ListByAgent returned %d items from %v", len(mine), mine)
	}
}

func TestExpiryQueries(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, ok, err := s.NextExpiry(ctx); err != nil || ok {
		t.Errorf("NextExpiry on empty = %v, %v", ok, err)
	}
	deadlines := []time.Duration{5 * time.Minute, time.Minute, 0, 3 * time.Minute}
	for i, d := range deadlines {
		p := small(newID(i), "a", t0)
		p.ExpiresAt = time.Time{}
		if d > 0 {
			p.ExpiresAt = t0.Add(d)
		}
		if err := s.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	next, ok, err := s.NextExpiry(ctx)
	if err != nil || !ok || !next.Equal(t0.Add(time.Minute)) {
		t.Errorf("NextExpiry = %v, %v, %v; want %v", next, ok, err, t0.Add(time.Minute))
	}
	due, err := s.DueForExpiry(ctx, t0.Add(3*time.Minute), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Due{{newID(1), t0.Add(time.Minute)}, {newID(3), t0.Add(3 * time.Minute)}}
	if diff := cmp.Diff(due, want); diff != "" {
		t.Errorf("due (-got +want):\n%s", diff)
	}
	// A decided proposal is no longer due.
	if err := s.UpdateStatus(ctx, StatusChange{ID: newID(1), From: proposal.StatusPending, To: proposal.StatusApproved,
		At: t0, Event: EventApproved}); err != nil {
		t.Fatal(err)
	}
	due, err = s.DueForExpiry(ctx, t0.Add(time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(due, []Due{{newID(3), t0.Add(3 * time.Minute)}}); diff != "" {
		t.Errorf("due after a decision, limit 1 (-got +want):\n%s", diff)
	}
}

func TestAppendEvents(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	batch := []Event{
		{At: t0, AgentID: "a", Type: "rule.created", Data: json.RawMessage(`{"scope":"once"}`)},
		{At: t0.Add(time.Second), ProposalID: "p1", AgentID: "a", Type: EventApproved},
		{At: t0.Add(2 * time.Second), ProposalID: "p1", AgentID: "b", Type: EventExecuted},
	}
	if err := s.AppendEvents(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, []Event{{At: t0, Type: "x", Data: json.RawMessage(`{bad`)}}); err == nil {
		t.Errorf("invalid JSON data accepted")
	}
	got, err := s.ListEvents(ctx, "p1")
	if err != nil {
		t.Fatal(err)
	}
	ignoreID := cmpopts.IgnoreFields(Event{}, "ID")
	if diff := cmp.Diff(got, batch[1:], ignoreID); diff != "" {
		t.Errorf("ListEvents (-got +want):\n%s", diff)
	}
	if got[0].ID >= got[1].ID {
		t.Errorf("ids not increasing: %d, %d", got[0].ID, got[1].ID)
	}
	got, err = s.ListAgentEvents(ctx, "a", t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, batch[:2], ignoreID); diff != "" {
		t.Errorf("ListAgentEvents (-got +want):\n%s", diff)
	}
}

func TestQueryPlansUseIndexes(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for i := range 200 {
		if err := s.InsertProposal(ctx, small(newID(i), fmt.Sprintf("a%d", i%7), t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	plans, err := s.QueryPlans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != len(uiQueries)+len(timelineQueries) {
		t.Errorf("%d plans for %d queries", len(plans), len(uiQueries)+len(timelineQueries))
	}
	for name, lines := range plans {
		t.Run(name, func(t *testing.T) {
			t.Logf("%s", strings.Join(lines, "\n"))
			if len(lines) == 0 {
				t.Fatal("empty plan")
			}
			for _, l := range lines {
				usesIndex := strings.Contains(l, " USING INDEX ") || strings.Contains(l, " USING COVERING INDEX ") ||
					strings.Contains(l, " USING PRIMARY KEY ") || strings.Contains(l, " USING INTEGER PRIMARY KEY ") ||
					ftsIndexed(l)
				if (strings.HasPrefix(l, "SCAN ") || strings.HasPrefix(l, "SEARCH ")) && !usesIndex {
					t.Errorf("no index: %q", l)
				}
				if strings.Contains(l, "TEMP B-TREE") {
					t.Errorf("sorts in a temporary b-tree: %q", l)
				}
			}
		})
	}
}

// ftsIndexed reports whether an FTS5 plan line reads its index: a MATCH (M
// in its idxStr) or a rowid bound (=, < or >).
func ftsIndexed(line string) bool {
	_, idx, ok := strings.Cut(line, " VIRTUAL TABLE INDEX ")
	_, str, _ := strings.Cut(idx, ":")
	return ok && strings.ContainsAny(str, "M=<>")
}

func TestCheck(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.InsertProposal(context.Background(), small(newID(1), "a", t0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Errorf("Check on a sound database: %v", err)
	}
}

// Driver errors that mean "damaged" become ErrCorrupt; others keep their cause.
func TestClassify(t *testing.T) {
	if err := classify("/x", "op", sql.ErrConnDone); errors.Is(err, ErrCorrupt) || !errors.Is(err, sql.ErrConnDone) {
		t.Errorf("classify(ErrConnDone) = %v", err)
	}
}
