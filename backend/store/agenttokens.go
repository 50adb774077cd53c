package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Queries for agent tokens and per-agent budgets. They are few and cheap, so
// they are prepared per call rather than kept with the hot-path statements.
const (
	sqlAgentByToken = `SELECT id, name, created_at, token_hash, revoked_at FROM agents WHERE token_hash = ?1`
	sqlListAgents   = `SELECT id, name, created_at, token_hash, revoked_at FROM agents ORDER BY created_at, id`
	// "+agent_id" keeps the planner on an index by status, so the count
	// reads the pending proposals only, not the agent's whole history.
	sqlCountAgentPending = `SELECT count(*) FROM proposals WHERE status = 'pending' AND +agent_id = ?1`
)

// SetAgentToken gives an agent a token, stored only as tokenHash. It creates
// the agent (named name) if it does not exist. An agent that already has a
// token gets ErrExists, and a revoked one ErrRevoked: a token is never
// replaced behind the holder's back, and a revoked id is never reused.
func (s *Store) SetAgentToken(ctx context.Context, id, name, tokenHash string, now time.Time) (Agent, error) {
	if id == "" || tokenHash == "" {
		return Agent{}, fmt.Errorf("store: an agent token needs an agent id and a hash")
	}
	if name == "" {
		name = id
	}
	err := s.write(ctx, "set agent token", func(tx *sql.Tx) error {
		var (
			token   sql.NullString
			revoked sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, `SELECT token_hash, revoked_at FROM agents WHERE id = ?1`, id).Scan(&token, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO agents(id, name, created_at, token_hash) VALUES (?1, ?2, ?3, ?4)`,
				id, name, now.UnixNano(), tokenHash)
			return err
		case err != nil:
			return err
		case revoked.Valid:
			return fmt.Errorf("%w: agent %s", ErrRevoked, id)
		case token.Valid && token.String != "":
			return fmt.Errorf("%w: agent %s already has a token", ErrExists, id)
		}
		_, err = tx.ExecContext(ctx, `UPDATE agents SET token_hash = ?2, name = ?3 WHERE id = ?1`, id, tokenHash, name)
		return err
	})
	if err != nil {
		return Agent{}, err
	}
	s.markKnown(id)
	return s.GetAgent(ctx, id)
}

// AgentByTokenHash returns the agent whose token hashes to tokenHash, revoked
// or not, or ErrNotFound. The caller decides what a revoked agent may do.
func (s *Store) AgentByTokenHash(ctx context.Context, tokenHash string) (Agent, error) {
	if tokenHash == "" {
		return Agent{}, fmt.Errorf("%w: empty token hash", ErrNotFound)
	}
	a, err := scanAgent(s.db.QueryRowContext(ctx, sqlAgentByToken, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, fmt.Errorf("%w: no agent has this token", ErrNotFound)
	}
	if err != nil {
		return Agent{}, s.wrap("agent by token", err)
	}
	return a, nil
}

// ListAgents returns every registered agent, oldest first.
func (s *Store) ListAgents(ctx context.Context) ([]Agent, error) {
	rows, err := s.db.QueryContext(ctx, sqlListAgents)
	if err != nil {
		return nil, s.wrap("list agents", err)
	}
	defer rows.Close()
	out := []Agent{}
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, s.wrap("list agents", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("list agents", err)
	}
	return out, nil
}

// CountPendingByAgent returns how many of an agent's proposals are pending.
func (s *Store) CountPendingByAgent(ctx context.Context, agentID string) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, sqlCountAgentPending, agentID).Scan(&n); err != nil {
		return 0, s.wrap("count pending", err)
	}
	return n, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanAgent(r rowScanner) (Agent, error) {
	var (
		a                Agent
		created, revoked sql.NullInt64
		token            sql.NullString
	)
	if err := r.Scan(&a.ID, &a.Name, &created, &token, &revoked); err != nil {
		return Agent{}, err
	}
	a.CreatedAt, a.TokenHash, a.RevokedAt = fromNanos(created), token.String, fromNanos(revoked)
	return a, nil
}
