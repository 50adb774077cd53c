package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"countersign/backend/audit/record"
)

// Event is one audit record.
type Event struct {
	ID         int64 // assigned by the store, increasing
	At         time.Time
	ProposalID string // empty for events about no proposal
	AgentID    string
	Type       EventType
	Data       json.RawMessage // JSON, or nil
	UserID     string          // the person who acted, if a person did; recorded in the audit log only
}

// AppendEvents stores a batch of events in one transaction, in order.
func (s *Store) AppendEvents(ctx context.Context, events []Event) error {
	for i, e := range events {
		if e.Type == "" || e.At.IsZero() {
			return fmt.Errorf("store: event %d needs a type and a time", i)
		}
		if e.Data != nil && !json.Valid(e.Data) {
			return fmt.Errorf("store: event %d: data is not valid JSON", i)
		}
	}
	if len(events) == 0 {
		return nil
	}
	recs := make([]*record.Record, len(events))
	for i := range events {
		recs[i] = s.eventRecord(&events[i])
	}
	return s.write(ctx, "append events", func(tx *sql.Tx) error {
		ins := tx.StmtContext(ctx, s.stmts.insertEvent)
		for i, e := range events {
			var data any
			if e.Data != nil {
				data = string(e.Data)
			}
			res, err := ins.ExecContext(ctx, e.At.UnixNano(), nullString(e.ProposalID), e.AgentID,
				string(e.Type), data)
			if err != nil {
				return err
			}
			if err := s.appendRecord(ctx, tx, res, recs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanEvents(rows *sql.Rows) ([]Event, error) {
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var (
			e        Event
			ts       sql.NullInt64
			pid, dat sql.NullString
			typ      string
		)
		if err := rows.Scan(&e.ID, &ts, &pid, &e.AgentID, &typ, &dat); err != nil {
			return nil, err
		}
		e.At, e.ProposalID, e.Type = fromNanos(ts), pid.String, EventType(typ)
		if dat.Valid {
			e.Data = json.RawMessage(dat.String)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListEvents returns a proposal's events in the order they were stored.
func (s *Store) ListEvents(ctx context.Context, proposalID string) ([]Event, error) {
	rows, err := s.stmts.listEvents.QueryContext(ctx, proposalID)
	if err != nil {
		return nil, s.wrap("list events", err)
	}
	out, err := scanEvents(rows)
	return out, s.wrap("list events", err)
}

// ListAgentEvents returns up to limit of an agent's events at or after since,
// oldest first.
func (s *Store) ListAgentEvents(ctx context.Context, agentID string, since time.Time, limit int) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, sqlListAgentEvents, agentID, since.UnixNano(), limit)
	if err != nil {
		return nil, s.wrap("list events", err)
	}
	out, err := scanEvents(rows)
	return out, s.wrap("list events", err)
}
