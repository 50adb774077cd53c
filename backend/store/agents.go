package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Agent is a registered agent.
type Agent struct {
	ID        string
	Name      string
	CreatedAt time.Time
	TokenHash string    // empty: none
	RevokedAt time.Time // zero: not revoked
}

// EnsureAgent registers an agent unless it exists and returns it as stored
// (an existing agent keeps its name).
func (s *Store) EnsureAgent(ctx context.Context, id, name string, now time.Time) (Agent, error) {
	if id == "" {
		return Agent{}, fmt.Errorf("store: agent id is empty")
	}
	if name == "" {
		name = id
	}
	err := s.write(ctx, "ensure agent", func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, s.stmts.upsertAgent).ExecContext(ctx, id, name, now.UnixNano())
		return err
	})
	if err != nil {
		return Agent{}, err
	}
	s.markKnown(id)
	return s.GetAgent(ctx, id)
}

// GetAgent returns a registered agent or ErrNotFound.
func (s *Store) GetAgent(ctx context.Context, id string) (Agent, error) {
	var (
		a                Agent
		created, revoked sql.NullInt64
		token            sql.NullString
	)
	err := s.db.QueryRowContext(ctx, sqlGetAgent, id).Scan(&a.ID, &a.Name, &created, &token, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, fmt.Errorf("%w: agent %s", ErrNotFound, id)
	}
	if err != nil {
		return Agent{}, s.wrap("get agent", err)
	}
	a.CreatedAt, a.TokenHash, a.RevokedAt = fromNanos(created), token.String, fromNanos(revoked)
	return a, nil
}

// RevokeAgent marks an agent revoked from now on; InsertProposal then refuses
// its proposals with ErrRevoked. Revoking twice keeps the first time.
func (s *Store) RevokeAgent(ctx context.Context, id string, now time.Time) error {
	return s.write(ctx, "revoke agent", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, sqlRevokeAgent, id, now.UnixNano())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM agents WHERE id = ?1`, id).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: agent %s", ErrNotFound, id)
			}
			return err
		}
		return nil
	})
}
