package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/audit/record"
	"countersign/backend/proposal"
)

// records reads every audit record, checking that they form a chain.
func records(t *testing.T, s *Store) []*record.Record {
	t.Helper()
	var out []*record.Record
	var prev [record.HashSize]byte
	err := s.ScanAudit(context.Background(), 0, func(seq int64, rec []byte) error {
		r, err := record.Parse(rec)
		if err != nil {
			return fmt.Errorf("record %d: %w", seq, err)
		}
		if r.Seq != seq || (seq > 1 && r.Prev != record.HexHash(prev)) {
			return fmt.Errorf("record %d: seq %d, prev %s: the chain is broken", seq, r.Seq, r.Prev)
		}
		prev = record.LeafHash(rec)
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// upper is a Redactor for tests: it replaces the word "secret".
type upper struct{}

func (upper) Redact(s string) (string, int) {
	n := strings.Count(s, "secret")
	return strings.ReplaceAll(s, "secret", "[REDACTED:test]"), n
}

func TestEveryEventHasItsRecord(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	p := everyKind(newID(1))
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	token := "eyJhbGciOiJFZERTQSIsImtpZCI6ImtleS0xIn0.cGF5bG9hZA.c2lnbmF0dXJl"
	if err := s.UpdateStatus(ctx, StatusChange{ID: p.ID, From: proposal.StatusPending, To: proposal.StatusApproved, At: t0,
		Decision: &proposal.Decision{Verdict: proposal.VerdictApprove, DecidedBy: "ada", Token: token}, Event: EventApproved}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEdited(ctx, p.ID, p.Actions[:1], t0, "ada"); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, []Event{{At: t0, Type: EventKeyRotated, Data: []byte(`{"new_key_id":"k2"}`), UserID: "ada"}}); err != nil {
		t.Fatal(err)
	}
	rs := records(t, s)
	events, maxID, _ := s.EventStats(ctx)
	if int64(len(rs)) != events || rs[len(rs)-1].EventID != maxID {
		t.Fatalf("%d records for %d events", len(rs), events)
	}
	got := []string{}
	for _, r := range rs {
		got = append(got, r.Action+"/"+r.Outcome)
	}
	if strings.Join(got, " ") != "proposed/pending approved/approved edited/ key.rotated/" {
		t.Errorf("records %v", got)
	}
	prop, dec := rs[0], rs[1]
	if len(prop.Resources) != len(p.Actions) || prop.Resources[0].SHA256 != Hash([]byte(p.Actions[0].Content)) ||
		prop.Resources[6].Target != "sha256:"+Hash([]byte("git status")) {
		t.Errorf("resources %+v", prop.Resources)
	}
	// Without a Redactor, text is kept only as its hash.
	if !strings.HasPrefix(prop.Summary, "sha256:") || strings.Contains(prop.Summary, "Tidy") {
		t.Errorf("summary %q", prop.Summary)
	}
	if dec.UserID != "ada" || dec.KeyID != "key-1" || dec.Signature != "c2lnbmF0dXJl" || dec.Hash != Hash([]byte(token)) || dec.AgentID != "cowork" {
		t.Errorf("decision record %+v", dec)
	}
	if rs[2].Hash == "" || rs[2].UserID != "ada" || rs[2].AgentID != "cowork" {
		t.Errorf("edited record %+v", rs[2])
	}
}

func TestRecordsAreRedacted(t *testing.T) {
	s, _ := openTemp(t)
	s.SetRedactor(upper{})
	ctx := context.Background()
	p := small(newID(1), "agent", t0)
	p.Summary, p.Actions[0].Path = "write the secret", "secret.txt"
	p.Actions = append(p.Actions, proposal.Action{Kind: proposal.KindNetRequest, Method: "GET", URL: "https://h/x?token=abc#f"})
	if err := s.InsertProposal(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateStatus(ctx, StatusChange{ID: p.ID, From: proposal.StatusPending, To: proposal.StatusDenied, At: t0,
		Decision: &proposal.Decision{Verdict: proposal.VerdictDeny, Reason: "no secret here", DecidedBy: "ada"}, Event: EventDenied}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, []Event{{At: t0, Type: EventFailed, Data: []byte(`{"err":"a secret","n":[1,{"s":"secret"}]}`)}}); err != nil {
		t.Fatal(err)
	}
	rs := records(t, s)
	var all []string
	for _, r := range rs {
		b, _ := record.Encode(r)
		all = append(all, string(b))
	}
	joined := strings.Join(all, "\n")
	if strings.Contains(joined, "secret") || strings.Contains(joined, "token=abc") {
		t.Errorf("a secret survived:\n%s", joined)
	}
	if rs[0].Redacted != 2 || rs[0].Resources[1].Target != "GET https://h/x?…" || rs[1].Reason != "no [REDACTED:test] here" || rs[2].Redacted != 2 {
		t.Errorf("records:\n%s", joined)
	}
}

// TestRecordsFromTwoProcesses: two stores on one file (as the app and the
// command line are) append in turn; the chain never breaks, though each
// one's idea of the last record goes stale.
func TestRecordsFromTwoProcesses(t *testing.T) {
	a, path := openTemp(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	for i := range 10 {
		s := a
		if i%3 == 1 {
			s = b
		}
		if err := s.AppendEvents(ctx, []Event{{At: t0, Type: EventNotified, AgentID: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if rs := records(t, a); len(rs) != 10 {
		t.Fatalf("%d records", len(rs))
	}
}

// TestRolledBackRecordIsForgotten: a transaction that wrote a record and
// then failed leaves no trace in the next record's position or link.
func TestRolledBackRecordIsForgotten(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.AppendEvents(ctx, []Event{{At: t0, Type: EventNotified}}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := s.write(ctx, "test", func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.stmts.insertEvent).ExecContext(ctx, t0.UnixNano(), nil, "", string(EventNotified), nil)
		if err != nil {
			return err
		}
		if err := s.appendRecord(ctx, tx, res, newRecord(EventNotified, t0, "", "")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if err := s.AppendEvents(ctx, []Event{{At: t0, Type: EventNotified}}); err != nil {
		t.Fatal(err)
	}
	if rs := records(t, s); len(rs) != 2 || rs[1].Seq != 2 {
		t.Fatalf("%d records", len(rs))
	}
}

// TestEventsBeforeTheLogGetRecords: a database whose events predate the
// audit log gets a record for each at Open, in order.
func TestEventsBeforeTheLogGetRecords(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	// reopen closes the store and opens the file again, as a restart does.
	reopen := func(s *Store) *Store {
		t.Helper()
		s.Close()
		s2, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s2.Close() })
		return s2
	}
	if err := s.AppendEvents(ctx, []Event{{At: t0, Type: EventNotified}, {At: t0, Type: EventExpired, ProposalID: "p"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`DELETE FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	s = reopen(s)
	rs := records(t, s)
	if len(rs) != 2 || rs[1].Action != "expired" || rs[1].EventID != 2 {
		t.Fatalf("records %+v", rs)
	}
	// Once the log has records, an event without one is left for
	// verification to report, not filled in.
	if _, err := s.db.Exec(`INSERT INTO events(ts, type) VALUES (1, 'notified')`); err != nil {
		t.Fatal(err)
	}
	s = reopen(s)
	if rs := records(t, s); len(rs) != 2 {
		t.Errorf("%d records", len(rs))
	}
}

func TestPruneContent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	// Content large enough to be kept in blobs, not inline.
	large := func(s string) string { return s + strings.Repeat("x", inlineContent) }
	old, kept, shared := small(newID(1), "a", t0), small(newID(2), "a", t0), small(newID(3), "a", t0.Add(time.Hour))
	old.Actions[0].Content, kept.Actions[0].Content = large("old content\n"), large("pending content\n")
	shared.Actions[0].Content = large("old content\n") // the same blob as old, in a recent proposal
	for _, p := range []*proposal.Proposal{old, kept} {
		if err := s.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	deny := func(p *proposal.Proposal) {
		if err := s.UpdateStatus(ctx, StatusChange{ID: p.ID, From: proposal.StatusPending, To: proposal.StatusDenied, At: t0,
			Decision: &proposal.Decision{Verdict: proposal.VerdictDeny, DecidedBy: "ada"}, Event: EventDenied}); err != nil {
			t.Fatal(err)
		}
	}
	deny(old)
	cutoff := t0.Add(time.Minute)
	if n, err := s.PruneContent(ctx, cutoff, t0.Add(48*time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	got, err := s.GetProposal(ctx, old.ID)
	if err != nil || got.Actions[0].Content != "" {
		t.Errorf("pruned proposal: %v %q", err, got.Actions[0].Content)
	}
	if _, err := s.GetBlob(ctx, Hash([]byte(large("old content\n")))); !errors.Is(err, ErrPruned) {
		t.Errorf("GetBlob = %v, want ErrPruned", err)
	}
	if got, _ := s.GetProposal(ctx, kept.ID); got.Actions[0].Content != large("pending content\n") {
		t.Error("a pending proposal lost its content")
	}
	// Content that a proposal still in use shares is kept.
	s2, _ := openTemp(t)
	for _, p := range []*proposal.Proposal{old, shared} {
		p.Status = proposal.StatusPending
		if err := s2.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	s, s2 = s2, s
	deny(old)
	if n, err := s.PruneContent(ctx, cutoff, t0.Add(48*time.Hour)); err != nil || n != 0 {
		t.Errorf("pruned %d shared blobs, %v", n, err)
	}
	rs := records(t, s2)
	if last := rs[len(rs)-1]; last.Action != string(EventContentPruned) || last.Detail["blobs"] == nil {
		t.Errorf("last record %+v", last)
	}
}

// Small content, kept in its action's row rather than in a blob, is pruned
// with its proposal all the same, and its hash stays in the audit record.
func TestPruneInlineContent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	old, kept := small(newID(1), "a", t0), small(newID(2), "a", t0)
	old.Actions[0].Content, kept.Actions[0].Content = "old content\n", "old content\n"
	for _, p := range []*proposal.Proposal{old, kept} {
		if err := s.InsertProposal(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.UpdateStatus(ctx, StatusChange{ID: old.ID, From: proposal.StatusPending, To: proposal.StatusDenied, At: t0,
		Decision: &proposal.Decision{Verdict: proposal.VerdictDeny, DecidedBy: "ada"}, Event: EventDenied}); err != nil {
		t.Fatal(err)
	}
	cutoff, now := t0.Add(time.Minute), t0.Add(48*time.Hour)
	if n, err := s.PruneContent(ctx, cutoff, now); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	got, err := s.GetProposal(ctx, old.ID)
	if err != nil || got.Actions[0].Content != "" || got.Actions[0].Path != old.Actions[0].Path {
		t.Errorf("pruned proposal: %v %+v", err, got.Actions)
	}
	if got, err := s.GetProposal(ctx, kept.ID); err != nil || got.Actions[0].Content != "old content\n" {
		t.Errorf("a pending proposal lost its content: %v", err)
	}
	if n, err := s.PruneContent(ctx, cutoff, now); err != nil || n != 0 {
		t.Errorf("pruned %d again, %v", n, err)
	}
	rs := records(t, s)
	if rs[0].Resources[0].SHA256 != Hash([]byte("old content\n")) {
		t.Errorf("the proposed record names %q", rs[0].Resources[0].SHA256)
	}
	if last := rs[len(rs)-1]; last.Action != string(EventContentPruned) || fmt.Sprint(last.Detail["inline"]) != "1" {
		t.Errorf("last record %+v", last)
	}
}

func TestSaveSettings(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	ev := Event{At: t0, Type: EventSettingsChanged, UserID: "ada", Data: []byte(`{"a":["","1"]}`)}
	if err := s.SaveSettings(ctx, map[string]string{"a": "1", "b": "2"}, ev); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSettings(ctx, map[string]string{"b": ""}, ev); err != nil {
		t.Fatal(err)
	}
	m, err := s.Settings(ctx)
	if err != nil || len(m) != 1 || m["a"] != "1" {
		t.Errorf("settings %v %v", m, err)
	}
	if err := s.SaveSettings(ctx, nil, Event{At: t0, Type: EventNotified}); err == nil {
		t.Error("saved settings with another event type")
	}
	if rs := records(t, s); len(rs) != 2 || rs[0].UserID != "ada" {
		t.Errorf("records %+v", rs)
	}
}
