package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// Execution phases: the journal that makes execution, undo and redo safe to
// interrupt. A proposal found executing, or with an execution in a phase
// other than PhaseDone, was interrupted (see backend/executor.Recover).
const (
	PhaseApplying = "applying" // files are being changed to their after-state
	PhaseUndoing  = "undoing"  // files are being restored to their before-state
	PhaseRedoing  = "redoing"  // files are being changed back to their after-state
	PhaseDone     = "done"     // nothing in flight
)

// Kinds of path state in undo steps.
const (
	StateAbsent  = "absent"
	StateFile    = "file"
	StateDir     = "dir"
	StateUnknown = "unknown" // a command may still be changing it
	StateScope   = "scope"   // a directory a command declared it may write
)

// PathState is what is at a path: nothing, a directory, or a regular file
// with its permission bits and content. Content, when set, is stored as a
// blob with the step; SHA alone refers to a stored blob.
type PathState struct {
	Kind    string
	Mode    uint32
	SHA     string
	Content []byte
}

// UndoStep is one path an execution changes, with its state before and after.
type UndoStep struct {
	Seq       int
	ActionIdx int
	Path      string // relative to the workspace, slash-separated
	Pre, Post PathState
}

// Execution is the journal row of one proposal's execution.
type Execution struct {
	ProposalID string
	TokenID    string
	Phase      string
	StartedAt  time.Time
	FinishedAt time.Time // zero while in flight
	Result     json.RawMessage
}

// Journal is written in the same transaction as a status change (through
// StatusChange.Journal) or on its own (UpdateJournal).
type Journal struct {
	// TokenID, when set, starts the execution: it inserts the journal row,
	// and fails with ErrTokenUsed if any execution already used that token.
	TokenID  string
	Phase    string          // the new phase; "" keeps it
	Steps    []UndoStep      // inserted, or replacing the step with the same Seq
	Result   json.RawMessage // replaces the result when not nil
	Finished bool            // sets finished_at to the change's time
}

// ErrTokenUsed: an intent token was already used for an execution.
var ErrTokenUsed = errors.New("store: intent token already used")

func (s *Store) writeJournal(ctx context.Context, tx *sql.Tx, id string, at time.Time, j *Journal, blobs []blob) error {
	for _, b := range blobs {
		if err := s.put(ctx, tx, b); err != nil {
			return err
		}
	}
	if j.TokenID != "" {
		_, err := tx.ExecContext(ctx, `INSERT INTO executions(proposal_id, token_id, phase, started_at) VALUES (?1, ?2, ?3, ?4)`,
			id, j.TokenID, j.Phase, at.UnixNano())
		if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT {
			return fmt.Errorf("%w: proposal %s already has an execution, or the token was used before", ErrTokenUsed, id)
		}
		if err != nil {
			return err
		}
	} else if j.Phase != "" || j.Result != nil || j.Finished {
		var fin any
		if j.Finished {
			fin = at.UnixNano()
		}
		var res any
		if j.Result != nil {
			res = string(j.Result)
		}
		r, err := tx.ExecContext(ctx, `UPDATE executions SET phase = coalesce(nullif(?2, ''), phase),
			result = coalesce(?3, result), finished_at = coalesce(?4, finished_at) WHERE proposal_id = ?1`,
			id, j.Phase, res, fin)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no execution of proposal %s", ErrNotFound, id)
		}
	}
	if j.Result != nil && j.TokenID != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE executions SET result = ?2 WHERE proposal_id = ?1`, id, string(j.Result)); err != nil {
			return err
		}
	}
	if len(j.Steps) > 0 {
		st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO undo_steps(proposal_id, seq, action_idx, path,
			pre_kind, pre_mode, pre_sha, post_kind, post_mode, post_sha) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, u := range j.Steps {
			if _, err := st.ExecContext(ctx, id, u.Seq, u.ActionIdx, u.Path, u.Pre.Kind, u.Pre.Mode, nullString(u.Pre.SHA),
				u.Post.Kind, u.Post.Mode, nullString(u.Post.SHA)); err != nil {
				return err
			}
		}
	}
	return nil
}

// journalBlobs prepares the content the steps carry, hashing it into SHA.
func (s *Store) journalBlobs(ctx context.Context, j *Journal) ([]blob, error) {
	if j == nil {
		return nil, nil
	}
	var out []blob
	seen := map[string]bool{}
	for i := range j.Steps {
		for _, ps := range []*PathState{&j.Steps[i].Pre, &j.Steps[i].Post} {
			if ps.Content == nil {
				continue
			}
			b, err := s.makeBlob(ctx, ps.Content)
			if err != nil {
				return nil, err
			}
			if ps.SHA != "" && ps.SHA != b.sha {
				return nil, fmt.Errorf("store: step %d: content does not match its SHA-256", j.Steps[i].Seq)
			}
			ps.SHA = b.sha
			if !seen[b.sha] {
				seen[b.sha] = true
				out = append(out, b)
			}
		}
	}
	return out, nil
}

// UpdateJournal writes j for proposal id without changing its status.
func (s *Store) UpdateJournal(ctx context.Context, id string, at time.Time, j Journal) error {
	blobs, err := s.journalBlobs(ctx, &j)
	if err != nil {
		return err
	}
	return s.write(ctx, "update journal", func(tx *sql.Tx) error {
		return s.writeJournal(ctx, tx, id, at, &j, blobs)
	})
}

// GetExecution returns the journal row of proposal id, or ErrNotFound.
func (s *Store) GetExecution(ctx context.Context, id string) (*Execution, error) {
	e := &Execution{ProposalID: id}
	var started int64
	var fin sql.NullInt64
	var res sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT token_id, phase, started_at, finished_at, result FROM executions
		WHERE proposal_id = ?1`, id).Scan(&e.TokenID, &e.Phase, &started, &fin, &res)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: execution of proposal %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, s.wrap("get execution", err)
	}
	e.StartedAt, e.FinishedAt = time.Unix(0, started).UTC(), fromNanos(fin)
	if res.Valid {
		e.Result = json.RawMessage(res.String)
	}
	return e, nil
}

// ListSteps returns the undo steps of proposal id in order.
func (s *Store) ListSteps(ctx context.Context, id string) ([]UndoStep, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, action_idx, path, pre_kind, pre_mode, pre_sha, post_kind,
		post_mode, post_sha FROM undo_steps WHERE proposal_id = ?1 ORDER BY seq`, id)
	if err != nil {
		return nil, s.wrap("list undo steps", err)
	}
	defer rows.Close()
	var out []UndoStep
	for rows.Next() {
		var u UndoStep
		var pre, post sql.NullString
		if err := rows.Scan(&u.Seq, &u.ActionIdx, &u.Path, &u.Pre.Kind, &u.Pre.Mode, &pre, &u.Post.Kind,
			&u.Post.Mode, &post); err != nil {
			return nil, s.wrap("list undo steps", err)
		}
		u.Pre.SHA, u.Post.SHA = pre.String, post.String
		out = append(out, u)
	}
	return out, s.wrap("list undo steps", rows.Err())
}

// InFlight returns the ids of proposals that are executing or whose
// execution journal is in a phase other than done, oldest first.
func (s *Store) InFlight(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM proposals WHERE status = 'executing'
		UNION SELECT proposal_id FROM executions WHERE phase <> 'done' ORDER BY 1`)
	if err != nil {
		return nil, s.wrap("list executions in flight", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("list executions in flight", err)
		}
		out = append(out, id)
	}
	return out, s.wrap("list executions in flight", rows.Err())
}

// BlobStats reports how many content blobs are stored and their total
// uncompressed and compressed sizes.
func (s *Store) BlobStats(ctx context.Context) (count, bytes, compressed int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(size), 0), coalesce(sum(length(compressed)), 0) FROM blobs`).
		Scan(&count, &bytes, &compressed)
	return count, bytes, compressed, s.wrap("blob stats", err)
}

// ListDecided returns one page of proposals that left pending (decided,
// expired or withdrawn), the most recently decided first.
func (s *Store) ListDecided(ctx context.Context, offset, limit int) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, sqlListDecided, limit, offset)
	if err != nil {
		return nil, s.wrap("list decided", err)
	}
	out, err := scanSummaries(rows)
	return out, s.wrap("list decided", err)
}

// MaxSkip bounds the rows a keyset page skips after its cursor (the
// history's ListDecidedAfter and the timeline's Skip): enough to reach any
// row from a cursor the UI keeps every few hundred rows, little enough that
// skipping stays as cheap as a page.
const MaxSkip = 2000

// DecidedCursor is the position after s in the history, for
// ListDecidedAfter. s must have left pending (have a decided_at).
func DecidedCursor(s Summary) string {
	return base64.RawURLEncoding.EncodeToString([]byte("k" + strconv.FormatInt(s.DecidedAt.UnixNano(), 10) + ":" + s.ID))
}

// ListDecidedAfter returns one page of the history (as ListDecided) after
// the position cursor names ("" for the top), skipping skip rows first.
// The cursor is a row's sort key, so the page costs what the first does
// however deep it is, and rows decided meanwhile (which go on top) shift
// nothing after it.
func (s *Store) ListDecidedAfter(ctx context.Context, cursor string, skip, limit int) ([]Summary, error) {
	if skip < 0 || skip > MaxSkip {
		return nil, fmt.Errorf("%w: skip %d is not between 0 and %d", ErrBadQuery, skip, MaxSkip)
	}
	if cursor == "" {
		return s.ListDecided(ctx, skip, limit)
	}
	bad := fmt.Errorf("%w: the cursor is not one of the history's", ErrBadQuery)
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 2 || b[0] != 'k' {
		return nil, bad
	}
	ts, id, ok := strings.Cut(string(b[1:]), ":")
	at, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return nil, bad
	}
	rows, err := s.db.QueryContext(ctx, sqlListDecidedAfter, at, id, limit, skip)
	if err != nil {
		return nil, s.wrap("list decided after", err)
	}
	out, err := scanSummaries(rows)
	return out, s.wrap("list decided after", err)
}

// DecisionTokens returns the intent token of each proposal in ids that has
// a decision with one (by primary key, one lookup per id).
func (s *Store) DecisionTokens(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		var tok sql.NullString
		err := s.db.QueryRowContext(ctx, `SELECT token FROM decisions WHERE proposal_id = ?1`, id).Scan(&tok)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, s.wrap("decision tokens", err)
		}
		if tok.String != "" {
			out[id] = tok.String
		}
	}
	return out, nil
}
