package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"countersign/backend/audit/record"
	"countersign/backend/proposal"
	sqlite3 "modernc.org/sqlite/lib"
)

// Audit records: every event row gets one, written by appendRecord in the
// transaction that writes the event, so there is never an event without its
// record nor a record without its event. The records form a hash chain (each
// holds the leaf hash of the one before) and the leaves of the RFC 6962 tree
// that backend/audit checkpoints and verifies.
//
// What a record's hash is, by event:
//
//	proposed     SHA-256 of summary, rationale and workspace joined by NUL bytes
//	approved...  (a decision) SHA-256 of the intent token, as stored in decisions.token
//	edited       SHA-256 of the edited actions, as stored (their blob's hash)
//	other        SHA-256 of the event's data, as stored in events.data
//
// Free text (summaries, rationales, reasons, targets, command lines, URLs,
// strings in event data) passes through the Redactor before it is written;
// with no Redactor it is written only as its hash.

// Event types beyond the status changes of a proposal.
const (
	EventPolicyEvaluated EventType = "policy.evaluated"
	EventNotified        EventType = "notified"
	EventEdited          EventType = "edited"
	EventRuleCreated     EventType = "rule.created"
	EventRuleRevoked     EventType = "rule.revoked"
	EventKeyRotated      EventType = "key.rotated"
	EventSettingsChanged EventType = "settings.changed"
	EventContentPruned   EventType = "content.pruned"
)

// Redactor removes secrets and personal data from text before it enters an
// audit record.
type Redactor interface {
	// Redact returns text with every secret replaced, and how many it replaced.
	Redact(text string) (string, int)
}

type redactorBox struct{ r Redactor }

// SetRedactor makes r redact the free text of every audit record written from
// now on. Without one, free text is recorded only as its SHA-256.
func (s *Store) SetRedactor(r Redactor) { s.redactor.Store(&redactorBox{r}) }

const (
	// maxScan bounds the text passed to the Redactor, maxText the redacted
	// text kept in a record, maxShort an identifier.
	maxScan  = 64 << 10
	maxText  = 512
	maxShort = 256
	// maxDetail bounds the strings and nesting of an event's data in a record.
	maxDetailDepth = 4
	maxDetailItems = 64
)

// text returns t as a record may hold it, and how many secrets were removed.
func (s *Store) text(t string, limit int) (string, int) {
	if t == "" {
		return "", 0
	}
	box, _ := s.redactor.Load().(*redactorBox)
	if box == nil || box.r == nil {
		return "sha256:" + Hash([]byte(t)), 0
	}
	out, n := box.r.Redact(clip(t, maxScan))
	return clip(out, limit), n
}

// clip cuts s to at most limit bytes on a rune boundary, marking the cut.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// newRecord starts a record of an event.
func newRecord(t EventType, at time.Time, agentID, proposalID string) *record.Record {
	return &record.Record{V: record.Version, Timestamp: record.FormatTime(at), Action: string(t),
		AgentID: clip(agentID, maxShort), IntentID: proposalID}
}

// target is what a record names as an action's target, before redaction.
func target(a *proposal.Action) string {
	switch a.Kind {
	case proposal.KindFileMove:
		return a.Path + " -> " + a.To
	case proposal.KindCommandRun:
		return commandLine(a.Argv)
	case proposal.KindNetRequest:
		return strings.TrimSpace(a.Method + " " + urlWithoutQuery(a.URL))
	case proposal.KindToolCall:
		return a.Tool
	}
	return a.Path
}

// urlWithoutQuery keeps a URL's scheme, host and path: query strings and
// fragments carry tokens too often, and encoded, where no detector sees
// them. The record's hash still covers the whole URL.
func urlWithoutQuery(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		return s[:i] + "?…"
	}
	return s
}

// commandLine joins argv as a shell would read it back.
func commandLine(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && !strings.ContainsAny(a, " \t\n'\"\\$`;&|<>*?()[]{}~#") {
			b.WriteString(a)
			continue
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(a, "'", `'\''`))
		b.WriteByte('\'')
	}
	return b.String()
}

// proposedRecord describes a new proposal; rows are its actions as stored.
func (s *Store) proposedRecord(p *proposal.Proposal, rows []rowAction) *record.Record {
	r := newRecord(EventProposed, p.CreatedAt, p.AgentID, p.ID)
	r.Outcome = string(p.Status)
	r.Hash = Hash([]byte(p.Summary + "\x00" + p.Rationale + "\x00" + p.Workspace))
	var n int
	r.Summary, n = s.text(p.Summary, maxText)
	r.Redacted += n
	if p.Rationale != "" {
		var why string
		why, n = s.text(p.Rationale, maxText)
		r.Redacted += n
		r.Detail = map[string]any{"rationale": why, "risk": string(p.Risk)}
	} else {
		r.Detail = map[string]any{"risk": string(p.Risk)}
	}
	r.Resources = make([]record.Resource, len(p.Actions))
	for i := range p.Actions {
		res := record.Resource{Kind: string(p.Actions[i].Kind)}
		res.Target, n = s.text(target(&p.Actions[i]), maxText)
		r.Redacted += n
		switch row := rows[i]; {
		case row.contentSHA.Valid:
			res.SHA256 = row.contentSHA.String
		case row.content != nil: // kept inline: the same hash a blob would have
			res.SHA256 = Hash(row.content)
		case row.paramsS.Valid:
			res.SHA256 = row.paramsS.String
		case row.params.Valid:
			res.SHA256 = Hash([]byte(row.params.String))
		}
		r.Resources[i] = res
	}
	return r
}

// statusRecord describes a status change; the agent is filled in inside the
// transaction.
func (s *Store) statusRecord(c *StatusChange, data []byte) *record.Record {
	r := newRecord(c.Event, c.At, "", c.ID)
	r.Outcome = string(c.To)
	if d := c.Decision; d != nil {
		var n int
		r.UserID = clip(d.DecidedBy, maxShort)
		r.Reason, n = s.text(d.Reason, maxText)
		r.Redacted += n
		r.Detail = map[string]any{"verdict": string(d.Verdict)}
		if d.Token != "" {
			r.Hash = Hash([]byte(d.Token))
			r.KeyID, r.Signature = tokenSignature(d.Token)
		}
		if c.Data == nil {
			return r
		}
	}
	s.addData(r, data)
	return r
}

// eventRecord describes an appended event.
func (s *Store) eventRecord(e *Event) *record.Record {
	r := newRecord(e.Type, e.At, e.AgentID, e.ProposalID)
	r.UserID = clip(e.UserID, maxShort)
	s.addData(r, e.Data)
	return r
}

// addData puts an event's data in a record: its hash, and its values with
// every string redacted.
func (s *Store) addData(r *record.Record, data []byte) {
	if data == nil {
		return
	}
	r.Hash = Hash(data)
	var v any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return
	}
	items := 0
	v = s.sanitize(v, 0, &items, &r.Redacted)
	if m, ok := v.(map[string]any); ok {
		if r.Detail == nil {
			r.Detail = m
			return
		}
		for k, x := range m {
			if _, taken := r.Detail[k]; !taken {
				r.Detail[k] = x
			}
		}
		return
	}
	if r.Detail == nil {
		r.Detail = map[string]any{}
	}
	r.Detail["data"] = v
}

// sanitize redacts every string of a decoded JSON value and bounds its size:
// what lies deeper than maxDetailDepth, or past maxDetailItems values, is
// left out (the record's hash still covers it).
func (s *Store) sanitize(v any, depth int, items, redacted *int) any {
	*items++
	if depth > maxDetailDepth || *items > maxDetailItems {
		return "…"
	}
	switch x := v.(type) {
	case string:
		out, n := s.text(x, maxShort)
		*redacted += n
		return out
	case map[string]any:
		m := make(map[string]any, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			m[clip(k, 64)] = s.sanitize(x[k], depth+1, items, redacted)
		}
		return m
	case []any:
		out := make([]any, 0, len(x))
		for _, y := range x {
			if *items > maxDetailItems {
				out = append(out, "…")
				break
			}
			out = append(out, s.sanitize(y, depth+1, items, redacted))
		}
		return out
	}
	return v
}

// tokenSignature returns the key id and the signature of a compact JWS.
func tokenSignature(token string) (kid, sig string) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", ""
	}
	if hdr, err := base64.RawURLEncoding.DecodeString(parts[0]); err == nil {
		var h struct {
			Kid string `json:"kid"`
		}
		if json.Unmarshal(hdr, &h) == nil {
			kid = clip(h.Kid, maxShort)
		}
	}
	return kid, clip(parts[2], maxShort)
}

// tip is the last record this process wrote or read: its position and
// leaf hash. It saves appendRecord a read per record. Writers are serialized
// (Store.wsem), so only the writer holding the lock touches it; write drops
// it when a transaction fails, so it never names a record that was rolled
// back. A record another process appended meanwhile makes the insert at
// seq+1 collide, and appendRecord then reads the tip again.
type tip struct {
	valid, pending bool
	seq            int64
	hash           [record.HashSize]byte
	next           struct {
		seq  int64
		hash [record.HashSize]byte
	}
}

func (t *tip) commit() {
	if t.pending {
		t.seq, t.hash, t.valid, t.pending = t.next.seq, t.next.hash, true, false
	}
}

func (t *tip) drop() { t.valid, t.pending = false, false }

// recordTx is the write transaction an audit record goes into: one of
// database/sql (sqlRecordTx) or one on the writer's driver connection
// (rawTx, for proposal inserts).
type recordTx interface {
	// lastRecord returns the last record, or seq 0 if there is none.
	lastRecord() (seq int64, rec []byte, err error)
	insertRecord(seq int64, rec []byte) error
}

type sqlRecordTx struct {
	ctx context.Context
	tx  *sql.Tx
	s   *Store
}

func (t sqlRecordTx) lastRecord() (int64, []byte, error) {
	var (
		seq  int64
		last []byte
	)
	err := t.tx.StmtContext(t.ctx, t.s.stmts.lastRecord).QueryRowContext(t.ctx).Scan(&seq, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	return seq, last, err
}

func (t sqlRecordTx) insertRecord(seq int64, rec []byte) error {
	_, err := t.tx.StmtContext(t.ctx, t.s.stmts.insertRecord).ExecContext(t.ctx, seq, rec)
	return err
}

// loadTip reads the last record inside tx.
func (s *Store) loadTip(tx recordTx) error {
	seq, last, err := tx.lastRecord()
	switch {
	case err != nil:
		return err
	case seq == 0:
		s.tip.seq, s.tip.hash = 0, [record.HashSize]byte{}
	default:
		s.tip.seq, s.tip.hash = seq, record.LeafHash(last)
	}
	s.tip.valid = true
	return nil
}

// appendRecord writes r as the next record, for the event the last insert
// wrote, inside tx.
func (s *Store) appendRecord(ctx context.Context, tx *sql.Tx, ev sql.Result, r *record.Record) error {
	return s.appendTo(sqlRecordTx{ctx, tx, s}, ev, r)
}

// appendTo is appendRecord in either kind of transaction.
func (s *Store) appendTo(tx recordTx, ev sql.Result, r *record.Record) error {
	id, err := ev.LastInsertId()
	if err != nil {
		return err
	}
	r.EventID = id
	for attempt := 0; ; attempt++ {
		if !s.tip.valid || s.tip.pending {
			// pending: an earlier record of this same transaction.
			if s.tip.pending {
				s.tip.seq, s.tip.hash, s.tip.valid, s.tip.pending = s.tip.next.seq, s.tip.next.hash, true, false
			} else if err := s.loadTip(tx); err != nil {
				return err
			}
		}
		r.Seq, r.Prev = s.tip.seq+1, ""
		if s.tip.seq > 0 {
			r.Prev = record.HexHash(s.tip.hash)
		}
		data, err := record.Encode(r)
		if err != nil {
			return fmt.Errorf("store: audit record of event %d: %w", id, err)
		}
		if err := tx.insertRecord(r.Seq, data); err != nil {
			if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT && attempt == 0 {
				s.tip.valid = false // another process wrote meanwhile
				continue
			}
			return err
		}
		s.tip.next.seq, s.tip.next.hash, s.tip.pending = r.Seq, record.LeafHash(data), true
		return nil
	}
}

// catchUpAudit gives a record to every event of a database that has events
// but no audit log yet: one written before this schema version. Once the log
// has a record, an event without one is evidence of tampering (or of a
// writer that bypassed appendRecord) for backend/audit to report, so it is
// never filled in.
func (s *Store) catchUpAudit(ctx context.Context) error {
	return s.write(ctx, "audit catch-up", func(tx *sql.Tx) error {
		var records, events bool
		err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_log), EXISTS (SELECT 1 FROM events)`).Scan(&records, &events)
		if err != nil || records || !events {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY id`)
		if err != nil {
			return err
		}
		all, err := scanEvents(rows)
		if err != nil {
			return err
		}
		for i := range all {
			if err := s.appendRecord(ctx, tx, idResult(all[i].ID), s.eventRecord(&all[i])); err != nil {
				return err
			}
		}
		return nil
	})
}

// idResult is an insert result naming an existing row.
type idResult int64

func (r idResult) LastInsertId() (int64, error) { return int64(r), nil }
func (r idResult) RowsAffected() (int64, error) { return 1, nil }
