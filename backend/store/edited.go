package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"countersign/backend/proposal"
)

// PutEdited keeps the actions of proposal id as the person (by) approved them
// after editing, as a content blob, and records an "edited" event at time at
// in the same transaction.
func (s *Store) PutEdited(ctx context.Context, id string, actions []proposal.Action, at time.Time, by string) error {
	b, err := json.Marshal(actions)
	if err != nil {
		return err
	}
	sha, err := s.PutBlob(ctx, b)
	if err != nil {
		return err
	}
	data, err := json.Marshal(map[string]any{"actions": len(actions), "actions_sha256": sha})
	if err != nil {
		return err
	}
	ev := Event{At: at, ProposalID: id, Type: EventEdited, Data: data, UserID: by}
	rec := s.eventRecord(&ev)
	rec.Hash = sha
	return s.write(ctx, "put edited actions", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO decision_edits(proposal_id, actions_sha) VALUES (?1, ?2)`, id, sha); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT agent_id FROM proposals WHERE id = ?1`, id).Scan(&ev.AgentID); err != nil {
			return err
		}
		res, err := tx.StmtContext(ctx, s.stmts.insertEvent).ExecContext(ctx, at.UnixNano(), id, ev.AgentID, string(ev.Type), string(data))
		if err != nil {
			return err
		}
		rec.AgentID = clip(ev.AgentID, maxShort)
		return s.appendRecord(ctx, tx, res, rec)
	})
}

// GetEdited returns the edited actions of proposal id, and false when the
// proposal was not edited.
func (s *Store) GetEdited(ctx context.Context, id string) ([]proposal.Action, bool, error) {
	var sha string
	err := s.db.QueryRowContext(ctx, `SELECT actions_sha FROM decision_edits WHERE proposal_id = ?1`, id).Scan(&sha)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.wrap("get edited actions", err)
	}
	b, err := s.GetBlob(ctx, sha)
	if err != nil {
		return nil, false, err
	}
	var actions []proposal.Action
	if err := json.Unmarshal(b, &actions); err != nil {
		return nil, false, fmt.Errorf("%w: edited actions of %s: %v", ErrCorrupt, id, err)
	}
	return actions, true, nil
}
