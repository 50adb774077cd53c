package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Reading the audit log, and the checkpoints that backend/audit signs.

// Checkpoint is one signed checkpoint as stored.
type Checkpoint struct {
	ID        int64
	Size      int64
	Note      string // the signed note
	Range     []byte // the compact range of leaves [0, Size): 32-byte hashes, left to right
	CreatedAt time.Time
}

// AuditLogID returns the log's identity, which checkpoints name.
func (s *Store) AuditLogID(ctx context.Context) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM audit_meta WHERE key = 'log_id'`).Scan(&id)
	if err != nil {
		return "", s.wrap("audit log id", err)
	}
	return id, nil
}

// AuditSize returns the highest record position, 0 when the log is empty.
func (s *Store) AuditSize(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT max(seq) FROM audit_log`).Scan(&n); err != nil {
		return 0, s.wrap("audit size", err)
	}
	return n.Int64, nil
}

// ScanAudit calls fn for every record with a position above after, in
// order, until fn returns an error. rec is valid only during the call. The
// records are read in one read transaction, so they are a consistent
// snapshot.
func (s *Store) ScanAudit(ctx context.Context, after int64, fn func(seq int64, rec []byte) error) error {
	return s.scanAudit(ctx, after, -1, fn)
}

// ScanAuditUpTo is ScanAudit stopping after position upTo.
func (s *Store) ScanAuditUpTo(ctx context.Context, after, upTo int64, fn func(seq int64, rec []byte) error) error {
	return s.scanAudit(ctx, after, upTo, fn)
}

func (s *Store) scanAudit(ctx context.Context, after, upTo int64, fn func(seq int64, rec []byte) error) error {
	q := `SELECT seq, record FROM audit_log WHERE seq > ?1 ORDER BY seq`
	args := []any{after}
	if upTo >= 0 {
		q = `SELECT seq, record FROM audit_log WHERE seq > ?1 AND seq <= ?2 ORDER BY seq`
		args = append(args, upTo)
	}
	// A connection of its own, reading the file through a memory map: a
	// scan of the whole log then makes no read call per page. The map is
	// dropped before the connection goes back to the pool.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("read audit log", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA mmap_size = 1073741824`); err != nil {
		return s.wrap("read audit log", err)
	}
	defer conn.ExecContext(context.Background(), `PRAGMA mmap_size = 0`)
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return s.wrap("read audit log", err)
	}
	defer rows.Close()
	var (
		seq int64
		rec sql.RawBytes
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &rec); err != nil {
			return s.wrap("read audit log", err)
		}
		if err := fn(seq, rec); err != nil {
			return err
		}
	}
	return s.wrap("read audit log", rows.Err())
}

// EventStats returns how many events there are and the highest event id.
func (s *Store) EventStats(ctx context.Context) (count, maxID int64, err error) {
	var m sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), max(id) FROM events`).Scan(&count, &m); err != nil {
		return 0, 0, s.wrap("count events", err)
	}
	return count, m.Int64, nil
}

// EventIDs calls fn with every event id, in increasing order.
func (s *Store) EventIDs(ctx context.Context, fn func(id int64) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM events ORDER BY id`)
	if err != nil {
		return s.wrap("list events", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return s.wrap("list events", err)
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	return s.wrap("list events", rows.Err())
}

// AddCheckpoint stores a signed checkpoint and returns its id.
func (s *Store) AddCheckpoint(ctx context.Context, c Checkpoint) (int64, error) {
	if c.Size < 0 || c.Note == "" || c.CreatedAt.IsZero() || len(c.Range)%32 != 0 {
		return 0, fmt.Errorf("store: a checkpoint needs a size, a note, a time and a range of 32-byte hashes")
	}
	var id int64
	err := s.write(ctx, "add checkpoint", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints(size, note, range, created_at) VALUES (?1, ?2, ?3, ?4)`,
			c.Size, c.Note, c.Range, c.CreatedAt.UnixNano())
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	return id, err
}

const checkpointColumns = `id, size, note, range, created_at`

func scanCheckpoint(r rowScanner) (Checkpoint, error) {
	var c Checkpoint
	var at sql.NullInt64
	if err := r.Scan(&c.ID, &c.Size, &c.Note, &c.Range, &at); err != nil {
		return Checkpoint{}, err
	}
	c.CreatedAt = fromNanos(at)
	return c, nil
}

// Checkpoints returns every stored checkpoint, by size then id.
func (s *Store) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	return s.checkpoints(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY size, id`)
}

// LatestCheckpoints returns up to n checkpoints, largest size (then newest)
// first.
func (s *Store) LatestCheckpoints(ctx context.Context, n int) ([]Checkpoint, error) {
	return s.checkpoints(ctx, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT ?1`, n)
}

func (s *Store) checkpoints(ctx context.Context, q string, args ...any) ([]Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.wrap("list checkpoints", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, s.wrap("list checkpoints", err)
		}
		out = append(out, c)
	}
	return out, s.wrap("list checkpoints", rows.Err())
}

// Settings returns every stored setting, by key.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, s.wrap("read settings", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, s.wrap("read settings", err)
		}
		out[k] = v
	}
	return out, s.wrap("read settings", rows.Err())
}

// SaveSettings writes values (key to value; an empty value deletes the key)
// and the event e, of type settings.changed, with its audit record, in one
// transaction.
func (s *Store) SaveSettings(ctx context.Context, values map[string]string, e Event) error {
	if e.Type != EventSettingsChanged || e.At.IsZero() {
		return errors.New("store: a settings change needs a settings.changed event with a time")
	}
	rec := s.eventRecord(&e)
	return s.write(ctx, "save settings", func(tx *sql.Tx) error {
		for k, v := range values {
			var err error
			if v == "" {
				_, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?1`, k)
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?1, ?2, ?3)
					ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, k, v, e.At.UnixNano())
			}
			if err != nil {
				return err
			}
		}
		var data any
		if e.Data != nil {
			data = string(e.Data)
		}
		res, err := tx.StmtContext(ctx, s.stmts.insertEvent).ExecContext(ctx, e.At.UnixNano(), nil, e.AgentID, string(e.Type), data)
		if err != nil {
			return err
		}
		return s.appendRecord(ctx, tx, res, rec)
	})
}
