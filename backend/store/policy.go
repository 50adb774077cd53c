package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"countersign/backend/audit/record"
)

// PolicyVersion is one rule set the person accepted.
type PolicyVersion struct {
	Seq        int64
	At         time.Time
	AcceptedBy string
	SHA256     string // hex SHA-256 of Body
	Body       string // the rules file as accepted
	KeyID      string
	Signature  string // base64 Ed25519 signature; see migration 0009
}

// Usage is what rules approved for one agent over a span of time.
type Usage struct {
	Writes, Deletes int
	Bytes           int64
}

// RuleUse is how often a rule decided, and when last.
type RuleUse struct {
	Uses     int
	LastUsed time.Time
}

// AddPolicyVersion stores an accepted rule set with the event e (rule.created,
// rule.revoked or settings.changed) and its audit record, in one transaction.
func (s *Store) AddPolicyVersion(ctx context.Context, v PolicyVersion, e Event) (int64, error) {
	if v.Body == "" || v.SHA256 == "" || v.KeyID == "" || v.Signature == "" || v.AcceptedBy == "" || v.At.IsZero() {
		return 0, errors.New("store: a policy version needs a body, its hash, a signature, who accepted it and when")
	}
	if e.Type == "" || e.At.IsZero() || (e.Data != nil && !json.Valid(e.Data)) {
		return 0, errors.New("store: a policy version needs an event with a type, a time and JSON data")
	}
	rec := s.eventRecord(&e)
	var seq int64
	err := s.write(ctx, "save rules", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO policy_versions(at, accepted_by, sha256, body, key_id, signature)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6)`, v.At.UnixNano(), v.AcceptedBy, v.SHA256, v.Body, v.KeyID, v.Signature)
		if err != nil {
			return err
		}
		if seq, err = res.LastInsertId(); err != nil {
			return err
		}
		return s.insertEventTx(ctx, tx, &e, rec)
	})
	return seq, err
}

// LatestPolicyVersions returns up to n accepted rule sets, newest first.
func (s *Store) LatestPolicyVersions(ctx context.Context, n int) ([]PolicyVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, at, accepted_by, sha256, body, key_id, signature
		FROM policy_versions ORDER BY seq DESC LIMIT ?1`, n)
	if err != nil {
		return nil, s.wrap("read rules", err)
	}
	defer rows.Close()
	var out []PolicyVersion
	for rows.Next() {
		var (
			v  PolicyVersion
			at sql.NullInt64
		)
		if err := rows.Scan(&v.Seq, &at, &v.AcceptedBy, &v.SHA256, &v.Body, &v.KeyID, &v.Signature); err != nil {
			return nil, s.wrap("read rules", err)
		}
		v.At = fromNanos(at)
		out = append(out, v)
	}
	return out, s.wrap("read rules", rows.Err())
}

// RecordRuleUse counts the use of each rule that decided proposal id and,
// for an approval, what it approved for agent's budget, in one transaction.
func (s *Store) RecordRuleUse(ctx context.Context, id, agent string, at time.Time, rules []string, approved *Usage) error {
	return s.write(ctx, "record rule use", func(tx *sql.Tx) error {
		for _, r := range rules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rule_uses(rule_id, uses, last_used) VALUES (?1, 1, ?2)
				ON CONFLICT(rule_id) DO UPDATE SET uses = uses + 1, last_used = excluded.last_used`, r, at.UnixNano()); err != nil {
				return err
			}
		}
		if u := approved; u != nil {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO policy_usage(proposal_id, agent_id, at, writes, deletes, bytes)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6)`, id, agent, at.UnixNano(), u.Writes, u.Deletes, u.Bytes); err != nil {
				return err
			}
		}
		return nil
	})
}

// AgentUsage sums what rules approved for agent since the given time.
func (s *Store) AgentUsage(ctx context.Context, agent string, since time.Time) (Usage, error) {
	var u Usage
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(writes), 0), COALESCE(SUM(deletes), 0), COALESCE(SUM(bytes), 0)
		FROM policy_usage WHERE agent_id = ?1 AND at >= ?2`, agent, since.UnixNano()).Scan(&u.Writes, &u.Deletes, &u.Bytes)
	return u, s.wrap("read budget usage", err)
}

// RuleUses returns the use of every rule that ever decided, by rule id.
func (s *Store) RuleUses(ctx context.Context) (map[string]RuleUse, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rule_id, uses, last_used FROM rule_uses`)
	if err != nil {
		return nil, s.wrap("read rule use", err)
	}
	defer rows.Close()
	out := map[string]RuleUse{}
	for rows.Next() {
		var (
			id string
			u  RuleUse
			at sql.NullInt64
		)
		if err := rows.Scan(&id, &u.Uses, &at); err != nil {
			return nil, s.wrap("read rule use", err)
		}
		u.LastUsed = fromNanos(at)
		out[id] = u
	}
	return out, s.wrap("read rule use", rows.Err())
}

// insertEventTx writes e and its audit record in tx.
func (s *Store) insertEventTx(ctx context.Context, tx *sql.Tx, e *Event, rec *record.Record) error {
	var data any
	if e.Data != nil {
		data = string(e.Data)
	}
	res, err := tx.StmtContext(ctx, s.stmts.insertEvent).ExecContext(ctx, e.At.UnixNano(), nullString(e.ProposalID), e.AgentID, string(e.Type), data)
	if err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return s.appendRecord(ctx, tx, res, rec)
}

// ExtendPendingDeadlines moves the deadline of every pending proposal later
// by d (the time the queue was held).
func (s *Store) ExtendPendingDeadlines(ctx context.Context, d time.Duration) error {
	return s.write(ctx, "extend deadlines", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE proposals SET expires_at = expires_at + ?1
			WHERE status = 'pending' AND expires_at IS NOT NULL`, d.Nanoseconds())
		return err
	})
}
