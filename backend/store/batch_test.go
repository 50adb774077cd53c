package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/proposal"
)

// holdWrites takes the write lock, as a writer in the middle of a commit
// would, and returns the function that releases it.
func holdWrites(s *Store) func() {
	s.wsem <- struct{}{}
	return func() { <-s.wsem }
}

// waitQueued waits until n inserts are queued for a writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	for {
		s.ins.mu.Lock()
		queued := len(s.ins.pending)
		s.ins.mu.Unlock()
		if queued >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// countBatches records the size of every batch written while the test runs.
func countBatches(t *testing.T) func() []int {
	var mu sync.Mutex
	var sizes []int
	batchHook = func(n int) {
		mu.Lock()
		sizes = append(sizes, n)
		mu.Unlock()
	}
	t.Cleanup(func() { batchHook = nil })
	return func() []int {
		mu.Lock()
		defer mu.Unlock()
		return append([]int(nil), sizes...)
	}
}

func TestGroupCommitConcurrentInserts(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	const writers, each = 64, 20
	var (
		mu       sync.Mutex
		announce []string // ids in the order their then ran
	)
	runWriters(t, writers, each, func(w, n int) error {
		p := small(newID(n), fmt.Sprintf("agent-%d", w%8), t0.Add(time.Duration(n)*time.Millisecond))
		p.Actions[0].Content = fmt.Sprintf("notes of %d\n", n)
		err := s.InsertProposalThen(ctx, p, func() {
			mu.Lock()
			announce = append(announce, p.ID)
			mu.Unlock()
		})
		if err != nil {
			return err
		}
		// Committed before InsertProposal returned: readable at once.
		got, err := s.GetProposal(ctx, p.ID)
		if err != nil {
			return err
		}
		if got.Actions[0].Content != p.Actions[0].Content {
			return fmt.Errorf("%s: content %q", p.ID, got.Actions[0].Content)
		}
		return nil
	})
	for table, want := range map[string]int{"proposals": writers * each, "actions": writers * each,
		"events": writers * each, "agents": 8} {
		if n := count(t, s, table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	if len(announce) != writers*each {
		t.Errorf("then ran %d times for %d proposals", len(announce), writers*each)
	}
	// then runs in commit order, which is the order of the event ids.
	ordered := column[string](t, s, `SELECT proposal_id FROM events ORDER BY id`)
	if strings.Join(ordered, ",") != strings.Join(announce, ",") {
		t.Error("then did not run in commit order")
	}
	recordsFollowEvents(t, s)
}

// Inserts that queue while a commit is in flight share the next commit; one
// that is refused inside it fails alone.
func TestGroupCommitRefusalFailsAlone(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.InsertProposal(ctx, small(newID(0), "alice", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureAgent(ctx, "mallory", "", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAgent(ctx, "mallory", t0); err != nil {
		t.Fatal(err)
	}
	// As after a restart: the revoked agent is not in the known cache, so its
	// insert registers it (a no-op) before finding it revoked.
	s.knownMu.Lock()
	delete(s.known, "mallory")
	s.knownMu.Unlock()
	batches := countBatches(t)

	type insert struct {
		p    *proposal.Proposal
		want error
	}
	inserts := []insert{
		{small(newID(1), "alice", t0), nil},
		{small(newID(0), "alice", t0), ErrExists},    // already stored
		{small(newID(2), "bob", t0), nil},            // a new agent
		{small(newID(3), "mallory", t0), ErrRevoked}, // revoked
		{small(newID(4), "alice", t0), nil},
	}
	big := strings.Repeat("stored as a blob ", inlineContent/8)
	inserts[3].p.Actions[0].Content = big // a refused proposal leaves no blob behind
	inserts[4].p.Actions[0].Content = big + "!"

	release := holdWrites(s)
	errs := make([]error, len(inserts))
	var wg sync.WaitGroup
	for i, in := range inserts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.InsertProposal(ctx, in.p)
		}()
	}
	waitQueued(t, s, len(inserts))
	release()
	wg.Wait()

	if got := batches(); len(got) != 1 || got[0] != len(inserts) {
		t.Errorf("batches %v, want one of %d", got, len(inserts))
	}
	for i, in := range inserts {
		if !errors.Is(errs[i], in.want) || (in.want == nil) != (errs[i] == nil) {
			t.Errorf("insert %d (%s by %s): %v, want %v", i, in.p.ID, in.p.AgentID, errs[i], in.want)
		}
	}
	for _, id := range []string{newID(1), newID(2), newID(4)} {
		if _, err := s.GetProposal(ctx, id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
	if _, err := s.GetProposal(ctx, newID(3)); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused proposal: %v, want ErrNotFound", err)
	}
	for table, want := range map[string]int{"proposals": 4, "actions": 4, "events": 4, "blobs": 1, "agents": 3} {
		if n := count(t, s, table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	recordsFollowEvents(t, s)
}

// Two inserts of one id in the same batch: the first is stored, the second
// refused.
func TestGroupCommitDuplicateWithinBatch(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	release := holdWrites(s)
	first := make(chan error, 1)
	go func() { first <- s.InsertProposal(ctx, small(newID(7), "alice", t0)) }()
	waitQueued(t, s, 1)
	second := make(chan error, 1)
	go func() { second <- s.InsertProposal(ctx, small(newID(7), "alice", t0)) }()
	waitQueued(t, s, 2)
	release()
	if err := <-first; err != nil {
		t.Errorf("first: %v", err)
	}
	if err := <-second; !errors.Is(err, ErrExists) {
		t.Errorf("second: %v, want ErrExists", err)
	}
	if n := count(t, s, "proposals"); n != 1 {
		t.Errorf("proposals: %d rows, want 1", n)
	}
}

// column returns the one column of every row query returns.
func column[T any](t *testing.T, s *Store, query string) []T {
	t.Helper()
	rows, err := s.db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recordsFollowEvents checks that the audit log chains and holds one record
// per event, in the events' order.
func recordsFollowEvents(t *testing.T, s *Store) {
	t.Helper()
	rs := records(t, s)
	ids := column[int64](t, s, `SELECT id FROM events ORDER BY id`)
	if len(rs) != len(ids) {
		t.Fatalf("%d records for %d events", len(rs), len(ids))
	}
	for i, r := range rs {
		if r.EventID != ids[i] {
			t.Fatalf("record %d is of event %d, want %d", r.Seq, r.EventID, ids[i])
		}
	}
}

// Proposals committed together get their audit records in the order the
// batch writes them; a proposal refused inside a batch writes none; a batch
// that fails leaves no record behind, nor any trace in the chain.
func TestGroupCommitAuditRecords(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.InsertProposal(ctx, small(newID(0), "alice", t0)); err != nil {
		t.Fatal(err)
	}
	// A batch whose third proposal fails (its content names no blob) after
	// the first two wrote their records: none is stored.
	var failed []*insertReq
	for i := 1; i <= 3; i++ {
		r, err := s.prepareInsert(ctx, small(newID(i), "alice", t0), nil)
		if err != nil {
			t.Fatal(err)
		}
		failed = append(failed, r)
	}
	failed[2].rows[0].content = nil
	failed[2].rows[0].contentSHA = sql.NullString{String: Hash([]byte("nowhere")), Valid: true}
	release := holdWrites(s)
	s.writeBatch(failed)
	release()
	for _, r := range failed {
		if r.err == nil || errors.Is(r.err, ErrExists) {
			t.Errorf("%s: %v, want the batch's error", r.p.ID, r.err)
		}
	}
	if n := count(t, s, "audit_log"); n != 1 {
		t.Fatalf("audit_log: %d rows after a failed batch, want 1", n)
	}
	// A batch with a refusal in the middle, then one more proposal alone.
	release = holdWrites(s)
	errs := make(chan error, 4)
	for _, p := range []*proposal.Proposal{small(newID(4), "alice", t0), small(newID(0), "alice", t0),
		small(newID(5), "bob", t0), small(newID(6), "alice", t0)} {
		go func() { errs <- s.InsertProposal(ctx, p) }()
	}
	waitQueued(t, s, 4)
	release()
	refused := 0
	for range 4 {
		if err := <-errs; errors.Is(err, ErrExists) {
			refused++
		} else if err != nil {
			t.Error(err)
		}
	}
	if refused != 1 {
		t.Errorf("%d refused, want 1", refused)
	}
	if err := s.InsertProposal(ctx, small(newID(7), "alice", t0)); err != nil {
		t.Fatal(err)
	}
	recordsFollowEvents(t, s)
	if n := count(t, s, "audit_log"); n != 5 {
		t.Errorf("audit_log: %d rows, want 5", n)
	}
}

// A caller whose context ends while its insert waits for a writer gets the
// context's error, and its proposal is not stored.
func TestInsertContextCancelledWhileWaiting(t *testing.T) {
	s, _ := openTemp(t)
	release := holdWrites(s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.InsertProposal(ctx, small(newID(1), "alice", t0)) }()
	waitQueued(t, s, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("InsertProposal = %v, want context.Canceled", err)
	}
	release()
	// The next insert finds nothing left of it.
	if err := s.InsertProposal(context.Background(), small(newID(2), "alice", t0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetProposal(context.Background(), newID(1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("cancelled proposal: %v, want ErrNotFound", err)
	}
	if n := count(t, s, "proposals"); n != 1 {
		t.Errorf("proposals: %d rows, want 1", n)
	}
}

// A request whose context ended after it was queued but before a writer
// took it is dropped by the writer, and the rest of the batch is stored.
func TestBatchDropsCancelledRequests(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := &insertReq{ctx: ctx, p: small(newID(1), "alice", t0), done: make(chan struct{})}
	kept, err := s.prepareInsert(context.Background(), small(newID(2), "alice", t0), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.wsem <- struct{}{}
	s.writeBatch([]*insertReq{gone, kept})
	<-s.wsem
	if !errors.Is(gone.err, context.Canceled) || kept.err != nil {
		t.Errorf("errors %v, %v; want context.Canceled, nil", gone.err, kept.err)
	}
	for _, r := range []*insertReq{gone, kept} {
		if !r.finished() {
			t.Errorf("%s not settled", r.p.ID)
		}
	}
	if n := count(t, s, "proposals"); n != 1 {
		t.Errorf("proposals: %d rows, want 1", n)
	}
}

// A caller alone commits at once, in a transaction of its own.
func TestSequentialInsertsCommitAlone(t *testing.T) {
	s, _ := openTemp(t)
	batches := countBatches(t)
	for i := range 5 {
		if err := s.InsertProposal(context.Background(), small(newID(i), "alice", t0)); err != nil {
			t.Fatal(err)
		}
	}
	if got := batches(); fmt.Sprint(got) != "[1 1 1 1 1]" {
		t.Errorf("batches %v, want five of one", got)
	}
}

func TestInlineContent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	contents := []string{
		"x",
		strings.Repeat("a", inlineContent),   // the largest kept inline
		strings.Repeat("b", inlineContent+1), // the smallest kept as a blob
		"not UTF-8: \xff\xfe\x00 end",
	}
	p := small(newID(1), "alice", t0)
	p.Actions = nil
	for i, c := range contents {
		p.Actions = append(p.Actions, proposal.Action{Kind: proposal.KindFileWrite, Path: fmt.Sprintf("f%d", i), Content: c})
	}
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProposal(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range contents {
		if got.Actions[i].Content != c {
			t.Errorf("action %d: content of %d bytes, want %d", i, len(got.Actions[i].Content), len(c))
		}
	}
	if n := count(t, s, "blobs"); n != 1 {
		t.Errorf("blobs: %d rows, want 1", n)
	}
	var inline, hashed int
	if err := s.db.QueryRow(`SELECT count(content), count(content_sha) FROM actions`).Scan(&inline, &hashed); err != nil {
		t.Fatal(err)
	}
	if inline != 3 || hashed != 1 {
		t.Errorf("%d inline and %d hashed contents, want 3 and 1", inline, hashed)
	}
}

func TestMigrationVersions(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d", m.name, m.version, i+1)
		}
	}
	if SchemaVersion() != len(ms) {
		t.Errorf("SchemaVersion() = %d, want %d", SchemaVersion(), len(ms))
	}
}

// A checkpoint round under sustained writing copies the whole WAL, and the
// next writes start it over rather than grow it.
func TestCheckpointRoundRestartsTheWAL(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	s.ckpt.close() // rounds run here, by hand
	insert := func(from, n int) {
		for i := from; i < from+n; i++ {
			if err := s.InsertProposal(ctx, small(newID(i), "alice", t0)); err != nil {
				t.Fatal(err)
			}
		}
	}
	walSize := func() int64 {
		st, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return st.Size()
	}
	insert(0, 200)
	before := walSize()
	if before < 200*4096 {
		t.Fatalf("the WAL has %d bytes after 200 commits", before)
	}
	s.checkpointRound(make(chan struct{}), 1)
	insert(200, 150) // fewer pages than the first 200 wrote
	if after := walSize(); after > before {
		t.Errorf("the WAL grew from %d to %d bytes: it did not start over", before, after)
	}
	// Without a round, the same writes grow it.
	insert(350, 300)
	if grown := walSize(); grown <= before {
		t.Errorf("the WAL has %d bytes after 450 commits since the round, %d before", grown, before)
	}
}

// A database at version 5, the last before content was kept inline, migrates
// to this build's version, and a proposal stored before keeps its content.
func TestMigrateFromVersion5(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	old := small(newID(1), "alice", t0)
	old.Actions[0].Content = strings.Repeat("stored as a blob ", inlineContent/8)
	if err := s.InsertProposal(ctx, old); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE actions DROP COLUMN content`, `PRAGMA user_version = 5`} {
		if _, err := s.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var v int
	if err := s2.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion() {
		t.Errorf("user_version = %d, %v; want %d", v, err, SchemaVersion())
	}
	got, err := s2.GetProposal(ctx, old.ID)
	if err != nil || got.Actions[0].Content != old.Actions[0].Content {
		t.Fatalf("proposal stored before the migration: %v", err)
	}
	if err := s2.InsertProposal(ctx, small(newID(2), "alice", t0)); err != nil {
		t.Fatal(err)
	}
}
