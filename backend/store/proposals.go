package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"countersign/backend/proposal"
	sqlite3 "modernc.org/sqlite/lib"
)

// inlineParams: an action's parameters up to this many bytes of JSON are kept
// in its row; larger ones go to a blob.
const inlineParams = 2048

// inlineContent: content up to this many bytes is kept, uncompressed, in its
// action's row; larger content goes to a blob, stored once per hash.
const inlineContent = 2048

// EventType names an audit event.
type EventType string

const (
	EventProposed  EventType = "proposed"
	EventApproved  EventType = "approved"
	EventDenied    EventType = "denied"
	EventExpired   EventType = "expired"
	EventWithdrawn EventType = "withdrawn"
	EventExecuting EventType = "executing"
	EventExecuted  EventType = "executed"
	EventFailed    EventType = "failed"
	EventReverted  EventType = "reverted"
)

// Summary is a proposal as a list shows it, without its actions.
type Summary struct {
	ID          string
	AgentID     string
	Summary     string
	Risk        proposal.Risk
	Status      proposal.Status
	CreatedAt   time.Time
	ExpiresAt   time.Time // zero: never
	DecidedAt   time.Time // zero: still pending
	ActionCount int
	Kinds       []proposal.Kind // distinct, in the order first seen
}

// ConflictError reports a status change refused because the proposal is not
// in the expected status.
type ConflictError struct {
	ID      string
	Want    proposal.Status // the status the caller expected
	Current proposal.Status // the status it has
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: proposal %s is %s, not %s", e.ID, e.Current, e.Want)
}
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// params are the fields of an action that have no column of their own.
// Input is kept as a string so that its bytes survive exactly.
type params struct {
	Edits      []proposal.Edit     `json:"edits,omitempty"`
	Cells      []proposal.CellEdit `json:"cells,omitempty"`
	Argv       []string            `json:"argv,omitempty"`
	Dir        string              `json:"dir,omitempty"`
	TimeoutSec int                 `json:"timeout_sec,omitempty"`
	Writes     []string            `json:"writes,omitempty"`
	Method     string              `json:"method,omitempty"`
	URL        string              `json:"url,omitempty"`
	Body       string              `json:"body,omitempty"`
	Tool       string              `json:"tool,omitempty"`
	Input      *string             `json:"input,omitempty"`
	Check      bool                `json:"check,omitempty"`
}

func paramsOf(a *proposal.Action) *params {
	p := &params{Edits: a.Edits, Cells: a.Cells, Argv: a.Argv, Dir: a.Dir, TimeoutSec: a.TimeoutSec,
		Writes: a.Writes, Method: a.Method, URL: a.URL, Body: a.Body, Tool: a.Tool, Check: a.Check}
	if a.Input != nil {
		in := string(a.Input)
		p.Input = &in
	}
	if p.Edits == nil && p.Cells == nil && p.Argv == nil && p.Dir == "" && p.TimeoutSec == 0 &&
		p.Writes == nil && p.Method == "" && p.URL == "" && p.Body == "" && p.Tool == "" && p.Input == nil && !p.Check {
		return nil
	}
	return p
}

func (p *params) apply(a *proposal.Action) {
	a.Edits, a.Cells, a.Argv, a.Dir, a.TimeoutSec = p.Edits, p.Cells, p.Argv, p.Dir, p.TimeoutSec
	a.Writes, a.Method, a.URL, a.Body, a.Tool, a.Check = p.Writes, p.Method, p.URL, p.Body, p.Tool, p.Check
	if p.Input != nil {
		a.Input = json.RawMessage(*p.Input)
	}
}

// rowAction is an action ready to insert.
type rowAction struct {
	kind, path, to              string
	contentSHA, params, paramsS sql.NullString
	content                     []byte // inline content, or nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func kindsOf(actions []proposal.Action) string {
	var ks []string
	for _, a := range actions {
		k := string(a.Kind)
		found := false
		for _, x := range ks {
			if x == k {
				found = true
				break
			}
		}
		if !found {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, ",")
}

// InsertProposal stores p with its actions and content and a "proposed" event
// in one transaction, registering its agent if unknown. p must carry an ID, a
// status and a creation time. It returns ErrExists for a duplicate ID and
// ErrRevoked if the agent has been revoked.
//
// It returns once p is committed. Proposals inserted concurrently may share
// one commit (see the package doc); a proposal inserted while no other write
// is under way is committed on its own, at once.
func (s *Store) InsertProposal(ctx context.Context, p *proposal.Proposal) error {
	return s.InsertProposalThen(ctx, p, nil)
}

// InsertProposalThen is InsertProposal that, if then is not nil, calls then
// once p is committed and before any later change commits, so that a caller
// can record its changes in commit order. then runs while the store's write
// lock is held: it must be quick and must not call the store.
func (s *Store) InsertProposalThen(ctx context.Context, p *proposal.Proposal, then func()) error {
	return s.InsertProposalWith(ctx, p, nil, then)
}

// InsertProposalWith is InsertProposalThen that also stores extra events
// about p (its policy evaluation), in the same transaction, after its
// "proposed" event. Each needs a type and a time; ProposalID and AgentID
// are p's.
func (s *Store) InsertProposalWith(ctx context.Context, p *proposal.Proposal, extra []Event, then func()) error {
	if p.ID == "" || p.AgentID == "" || !p.Status.Known() || p.CreatedAt.IsZero() {
		return fmt.Errorf("store: proposal needs an id, an agent, a known status and a creation time")
	}
	for i, e := range extra {
		if e.Type == "" || e.At.IsZero() || (e.Data != nil && !json.Valid(e.Data)) {
			return fmt.Errorf("store: extra event %d needs a type, a time and JSON data", i)
		}
	}
	s.inserting.Add(1)
	defer s.inserting.Add(-1)
	r, err := s.prepareInsert(ctx, p, then)
	if err != nil {
		return err
	}
	for _, e := range extra {
		e.ProposalID, e.AgentID = p.ID, p.AgentID
		r.extra = append(r.extra, extraEvent{e: e, rec: s.eventRecord(&e)})
	}
	return s.insert(ctx, r)
}

// prepareInsert does everything an insert of p needs but the lock: hashing,
// compression, JSON, the audit record.
func (s *Store) prepareInsert(ctx context.Context, p *proposal.Proposal, then func()) (*insertReq, error) {
	r := &insertReq{ctx: ctx, p: p, then: then, done: make(chan struct{})}
	r.rows = make([]rowAction, len(p.Actions))
	for i := range p.Actions {
		a := &p.Actions[i]
		row := rowAction{kind: string(a.Kind), path: a.Path, to: a.To}
		switch {
		case a.Content == "":
		case len(a.Content) <= inlineContent:
			row.content = []byte(a.Content)
		default:
			b, err := s.makeBlob(ctx, []byte(a.Content))
			if err != nil {
				return nil, err
			}
			r.blobs = append(r.blobs, b)
			row.contentSHA = sql.NullString{String: b.sha, Valid: true}
		}
		if prm := paramsOf(a); prm != nil {
			js, err := json.Marshal(prm)
			if err != nil {
				return nil, fmt.Errorf("store: encode action %d: %w", i, err)
			}
			if len(js) <= inlineParams {
				row.params = sql.NullString{String: string(js), Valid: true}
			} else {
				b, err := s.makeBlob(ctx, js)
				if err != nil {
					return nil, err
				}
				r.blobs = append(r.blobs, b)
				row.paramsS = sql.NullString{String: b.sha, Valid: true}
			}
		}
		r.rows[i] = row
	}
	data, err := json.Marshal(struct {
		Risk    proposal.Risk `json:"risk"`
		Actions int           `json:"actions"`
	}{p.Risk, len(p.Actions)})
	if err != nil {
		return nil, err
	}
	r.data = string(data)
	r.kinds = kindsOf(p.Actions)
	r.rec = s.proposedRecord(p, r.rows)
	r.known = s.isKnown(p.AgentID)
	return r, nil
}

// insertOne writes one proposal in the open transaction t. It returns
// ErrRevoked or ErrExists before writing anything but the registration of an
// unknown agent. revoked caches, for the transaction, whether agents are
// revoked.
func (s *Store) insertOne(t rawTx, r *insertReq, revoked map[string]bool) error {
	p := r.p
	created := p.CreatedAt.UnixNano()
	if !r.known {
		if _, err := t.exec(sqlUpsertAgent, p.AgentID, p.AgentID, created); err != nil {
			return err
		}
	}
	// Revocation is read in the transaction, not from a cache that outlives
	// it: another process (the CLI) may have revoked the agent.
	isRevoked, ok := revoked[p.AgentID]
	if !ok {
		v := []driver.Value{nil}
		found, err := t.queryRow(v, sqlAgentRevoked, p.AgentID)
		if err != nil {
			return err
		}
		isRevoked = found && v[0] != int64(0)
		revoked[p.AgentID] = isRevoked
	}
	if isRevoked {
		return fmt.Errorf("%w: agent %s", ErrRevoked, p.AgentID)
	}
	_, err := t.exec(sqlInsertProposal,
		p.ID, p.AgentID, p.Summary, p.Rationale, p.Workspace, string(p.Status), string(p.Risk),
		created, nullTime(p.ExpiresAt), len(p.Actions), r.kinds, p.AgentRuns)
	if err != nil {
		if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT {
			return fmt.Errorf("%w: proposal %s", ErrExists, p.ID)
		}
		return err
	}
	for _, b := range r.blobs {
		if b.compressed == nil {
			continue
		}
		if _, err := t.exec(sqlInsertBlob, b.sha, b.size, b.compressed); err != nil {
			return err
		}
	}
	for i, row := range r.rows {
		if _, err := t.exec(sqlInsertAction, p.ID, i, row.kind, row.path, row.to,
			row.contentSHA, row.params, row.paramsS, row.content); err != nil {
			return err
		}
	}
	ev, err := t.exec(sqlInsertEvent, created, p.ID, p.AgentID, string(EventProposed), r.data)
	if err != nil {
		return err
	}
	if err := s.appendTo(t, ev, r.rec); err != nil {
		return err
	}
	for _, x := range r.extra {
		var data any
		if x.e.Data != nil {
			data = string(x.e.Data)
		}
		ev, err := t.exec(sqlInsertEvent, x.e.At.UnixNano(), p.ID, p.AgentID, string(x.e.Type), data)
		if err != nil {
			return err
		}
		if err := s.appendTo(t, ev, x.rec); err != nil {
			return err
		}
	}
	return nil
}

// GetProposal returns the proposal with its actions, content and decision.
func (s *Store) GetProposal(ctx context.Context, id string) (*proposal.Proposal, error) {
	p := &proposal.Proposal{ID: id}
	var (
		status, risk                string
		created, expires, decidedAt sql.NullInt64
		verdict, reason, decidedBy  sql.NullString
		token                       sql.NullString
	)
	err := s.stmts.getProposal.QueryRowContext(ctx, id).Scan(&p.AgentID, &p.Summary, &p.Rationale,
		&p.Workspace, &status, &risk, &created, &expires, &verdict, &reason, &decidedBy, &decidedAt, &token, &p.AgentRuns)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: proposal %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, s.wrap("get proposal", err)
	}
	p.Status, p.Risk = proposal.Status(status), proposal.Risk(risk)
	p.CreatedAt, p.ExpiresAt = fromNanos(created), fromNanos(expires)
	if verdict.Valid {
		p.Decision = &proposal.Decision{Verdict: proposal.Verdict(verdict.String), Reason: reason.String,
			DecidedBy: decidedBy.String, DecidedAt: fromNanos(decidedAt), Token: token.String}
	}

	type stored struct {
		a                      proposal.Action
		content, prm, prmBlobs sql.NullString
		inline                 []byte
	}
	var acts []stored
	rows, err := s.stmts.listActions.QueryContext(ctx, id)
	if err != nil {
		return nil, s.wrap("get actions", err)
	}
	for rows.Next() {
		var st stored
		var kind string
		if err := rows.Scan(&kind, &st.a.Path, &st.a.To, &st.content, &st.prm, &st.prmBlobs, &st.inline); err != nil {
			rows.Close()
			return nil, s.wrap("get actions", err)
		}
		st.a.Kind = proposal.Kind(kind)
		acts = append(acts, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.wrap("get actions", err)
	}
	// Blobs are read after the rows are closed, so one connection suffices.
	p.Actions = make([]proposal.Action, len(acts))
	for i, st := range acts {
		a := st.a
		// Content the retention setting removed reads as empty.
		a.Content = string(st.inline)
		if st.content.Valid {
			b, err := s.GetBlob(ctx, st.content.String)
			if err != nil && !errors.Is(err, ErrPruned) {
				return nil, err
			}
			a.Content = string(b)
		}
		js := []byte(st.prm.String)
		if st.prmBlobs.Valid {
			if js, err = s.GetBlob(ctx, st.prmBlobs.String); err != nil && !errors.Is(err, ErrPruned) {
				return nil, err
			}
		}
		if len(js) > 0 {
			var prm params
			if err := json.Unmarshal(js, &prm); err != nil {
				return nil, &CorruptError{Path: s.path, Err: fmt.Errorf("proposal %s action %d: %w", id, i, err)}
			}
			prm.apply(&a)
		}
		p.Actions[i] = a
	}
	return p, nil
}

func scanSummaries(rows *sql.Rows) ([]Summary, error) {
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var (
			sm               Summary
			risk, st, kinds  string
			created, expires sql.NullInt64
			decided          sql.NullInt64
		)
		if err := rows.Scan(&sm.ID, &sm.AgentID, &sm.Summary, &risk, &st, &created, &expires,
			&sm.ActionCount, &kinds, &decided); err != nil {
			return nil, err
		}
		sm.Risk, sm.Status = proposal.Risk(risk), proposal.Status(st)
		sm.CreatedAt, sm.ExpiresAt, sm.DecidedAt = fromNanos(created), fromNanos(expires), fromNanos(decided)
		if kinds != "" {
			for _, k := range strings.Split(kinds, ",") {
				sm.Kinds = append(sm.Kinds, proposal.Kind(k))
			}
		}
		out = append(out, sm)
	}
	return out, rows.Err()
}

// ListByStatus returns one page of proposals with the given status, newest
// first, and how many have that status in all.
func (s *Store) ListByStatus(ctx context.Context, status proposal.Status, offset, limit int) ([]Summary, int, error) {
	rows, err := s.stmts.listByStatus.QueryContext(ctx, string(status), limit, offset)
	if err != nil {
		return nil, 0, s.wrap("list proposals", err)
	}
	items, err := scanSummaries(rows)
	if err != nil {
		return nil, 0, s.wrap("list proposals", err)
	}
	var total int
	if err := s.stmts.countStatus.QueryRowContext(ctx, string(status)).Scan(&total); err != nil {
		return nil, 0, s.wrap("count proposals", err)
	}
	return items, total, nil
}

// ListByAgent returns one page of an agent's proposals, newest first.
func (s *Store) ListByAgent(ctx context.Context, agentID string, offset, limit int) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, sqlListByAgent, agentID, limit, offset)
	if err != nil {
		return nil, s.wrap("list proposals", err)
	}
	items, err := scanSummaries(rows)
	if err != nil {
		return nil, s.wrap("list proposals", err)
	}
	return items, nil
}

// CountByStatus returns how many proposals have each status; statuses with
// none are absent.
func (s *Store) CountByStatus(ctx context.Context) (map[proposal.Status]int, error) {
	rows, err := s.db.QueryContext(ctx, sqlCountAll)
	if err != nil {
		return nil, s.wrap("count proposals", err)
	}
	defer rows.Close()
	out := map[proposal.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, s.wrap("count proposals", err)
		}
		out[proposal.Status(st)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("count proposals", err)
	}
	return out, nil
}

// StatusChange moves one proposal from an expected status to another.
type StatusChange struct {
	ID       string
	From, To proposal.Status
	At       time.Time          // when; also the decided_at of the proposal when it leaves pending
	Decision *proposal.Decision // recorded with the change, if not nil
	Event    EventType          // the audit event written with the change
	Data     json.RawMessage    // extra event data; nil: the decision, if any
	Journal  *Journal           // execution journal written with the change, if not nil
}

// UpdateStatus applies c in one transaction: the status changes only if it is
// still c.From (otherwise *ConflictError, or ErrNotFound), and the decision
// and the event are written with it. A transition the state machine forbids
// returns *proposal.TransitionError without touching the database.
func (s *Store) UpdateStatus(ctx context.Context, c StatusChange) error {
	return s.UpdateStatusThen(ctx, c, nil)
}

// UpdateStatusThen is UpdateStatus that, if then is not nil, calls then once
// the change is committed and before any later change commits, as
// InsertProposalThen does. then runs while the store's write lock is held: it
// must be quick and must not call the store.
func (s *Store) UpdateStatusThen(ctx context.Context, c StatusChange, then func()) error {
	if err := proposal.Transition(c.From, c.To); err != nil {
		return err
	}
	if c.Event == "" || c.At.IsZero() {
		return fmt.Errorf("store: a status change needs an event type and a time")
	}
	data := c.Data
	if data == nil && c.Decision != nil {
		var err error
		data, err = json.Marshal(struct {
			Verdict   proposal.Verdict `json:"verdict"`
			Reason    string           `json:"reason,omitempty"`
			DecidedBy string           `json:"decided_by"`
		}{c.Decision.Verdict, c.Decision.Reason, c.Decision.DecidedBy})
		if err != nil {
			return err
		}
	}
	var dataArg any
	if data != nil {
		dataArg = string(data)
	}
	blobs, err := s.journalBlobs(ctx, c.Journal)
	if err != nil {
		return err
	}
	at := c.At.UnixNano()
	rec := s.statusRecord(&c, data)
	return s.writeThen(ctx, "update status", func(tx *sql.Tx) error {
		var decidedAt any
		if c.From == proposal.StatusPending {
			decidedAt = at
		}
		var agentID string
		err := tx.StmtContext(ctx, s.stmts.updateStatus).QueryRowContext(ctx,
			string(c.To), decidedAt, c.ID, string(c.From)).Scan(&agentID)
		if errors.Is(err, sql.ErrNoRows) {
			var cur string
			err := tx.StmtContext(ctx, s.stmts.statusOf).QueryRowContext(ctx, c.ID).Scan(&cur)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: proposal %s", ErrNotFound, c.ID)
			}
			if err != nil {
				return err
			}
			return &ConflictError{ID: c.ID, Want: c.From, Current: proposal.Status(cur)}
		}
		if err != nil {
			return err
		}
		if d := c.Decision; d != nil {
			when := d.DecidedAt
			if when.IsZero() {
				when = c.At
			}
			if _, err := tx.StmtContext(ctx, s.stmts.insertDecision).ExecContext(ctx,
				c.ID, string(d.Verdict), d.Reason, d.DecidedBy, when.UnixNano(), d.Token); err != nil {
				return err
			}
		}
		if c.Journal != nil {
			if err := s.writeJournal(ctx, tx, c.ID, c.At, c.Journal, blobs); err != nil {
				return err
			}
		}
		ev, err := tx.StmtContext(ctx, s.stmts.insertEvent).ExecContext(ctx, at, c.ID, agentID, string(c.Event), dataArg)
		if err != nil {
			return err
		}
		rec.AgentID = clip(agentID, maxShort)
		return s.appendRecord(ctx, tx, ev, rec)
	}, then)
}

// Due is a pending proposal whose deadline has passed.
type Due struct {
	ID        string
	ExpiresAt time.Time
}

// DueForExpiry returns up to limit pending proposals whose deadline is at or
// before now, earliest deadline first.
func (s *Store) DueForExpiry(ctx context.Context, now time.Time, limit int) ([]Due, error) {
	rows, err := s.stmts.dueForExpiry.QueryContext(ctx, now.UnixNano(), limit)
	if err != nil {
		return nil, s.wrap("due for expiry", err)
	}
	defer rows.Close()
	var out []Due
	for rows.Next() {
		var d Due
		var at sql.NullInt64
		if err := rows.Scan(&d.ID, &at); err != nil {
			return nil, s.wrap("due for expiry", err)
		}
		d.ExpiresAt = fromNanos(at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("due for expiry", err)
	}
	return out, nil
}

// NextExpiry returns the earliest deadline among pending proposals, and false
// if none has one.
func (s *Store) NextExpiry(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	if err := s.stmts.nextExpiry.QueryRowContext(ctx).Scan(&at); err != nil {
		return time.Time{}, false, s.wrap("next expiry", err)
	}
	return fromNanos(at), at.Valid, nil
}
