package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"countersign/backend/proposal"
)

// PutEdited keeps the actions of proposal id as the person approved them
// after editing, as a content blob.
func (s *Store) PutEdited(ctx context.Context, id string, actions []proposal.Action) error {
	b, err := json.Marshal(actions)
	if err != nil {
		return err
	}
	sha, err := s.PutBlob(ctx, b)
	if err != nil {
		return err
	}
	return s.write(ctx, "put edited actions", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO decision_edits(proposal_id, actions_sha) VALUES (?1, ?2)`, id, sha)
		return err
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
