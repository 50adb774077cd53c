package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// writer is the one connection every write of this process goes through,
// taken from the pool when the store opens and kept until it closes. Holding
// it keeps the hot-path statements prepared on it and its page cache warm.
//
// Proposal inserts run on the driver connection itself (sql.Conn.Raw), with
// statements prepared once, BEGIN and COMMIT included. Through database/sql,
// each transaction would start a goroutine to watch its context (and the
// driver one more per statement run with a cancellable context), convert
// every argument, and parse BEGIN and COMMIT afresh.
type writer struct {
	conn  *sql.Conn
	stmts map[string]rawStmt // prepared on conn, by SQL text
}

// SQL of the statements that frame a raw write transaction.
const (
	sqlBegin     = `BEGIN IMMEDIATE`
	sqlCommit    = `COMMIT`
	sqlRollback  = `ROLLBACK`
	sqlSavepoint = `SAVEPOINT one`
	sqlRelease   = `RELEASE one`
	sqlUndoOne   = `ROLLBACK TO one`
)

func openWriter(ctx context.Context, db *sql.DB) (*writer, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &writer{conn: c, stmts: map[string]rawStmt{}}, nil
}

func (w *writer) close() error {
	err := w.conn.Raw(func(any) error {
		var first error
		for _, st := range w.stmts {
			if err := st.Close(); err != nil && first == nil {
				first = err
			}
		}
		clear(w.stmts)
		return first
	})
	return errors.Join(err, w.conn.Close())
}

// rawStmt is a statement prepared on the driver connection.
type rawStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// rawTx is a write transaction on the driver connection. Its statements run
// without a context: they are short, and the caller checks its context
// before the transaction starts.
type rawTx struct {
	w          *writer
	dc         driver.ConnPrepareContext
	driverConn any // dc as the driver returned it
}

// raw runs fn with the driver connection. The caller holds wsem.
func (w *writer) raw(fn func(t rawTx) error) error {
	return w.conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("store: driver connection %T cannot prepare statements", dc)
		}
		return fn(rawTx{w: w, dc: pc, driverConn: dc})
	})
}

// stmt returns the statement for query, preparing it on first use.
func (t rawTx) stmt(query string) (rawStmt, error) {
	if st, ok := t.w.stmts[query]; ok {
		return st, nil
	}
	ds, err := t.dc.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(rawStmt)
	if !ok {
		ds.Close()
		return nil, fmt.Errorf("store: driver statement %T cannot run with a context", ds)
	}
	t.w.stmts[query] = st
	return st, nil
}

// exec runs query with args, which may be of the types database/sql accepts
// for SQLite: nil, bool, int, int64, string, []byte and driver.Valuer.
func (t rawTx) exec(query string, args ...any) (driver.Result, error) {
	st, nv, err := t.bind(query, args)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.Background(), nv)
}

// bind returns the statement for query and args as the driver takes them.
func (t rawTx) bind(query string, args []any) (rawStmt, []driver.NamedValue, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, nil, err
	}
	nv, err := namedValues(args)
	return st, nv, err
}

// queryRow runs query with args and reads its first row into dest, which
// must have one element per column. It reports false if there is no row.
func (t rawTx) queryRow(dest []driver.Value, query string, args ...any) (bool, error) {
	st, nv, err := t.bind(query, args)
	if err != nil {
		return false, err
	}
	rows, err := st.QueryContext(context.Background(), nv)
	if err != nil {
		return false, err
	}
	err = rows.Next(dest)
	cerr := rows.Close()
	switch {
	case err == io.EOF:
		return false, cerr
	case err != nil:
		return false, err
	}
	return true, cerr
}

func namedValues(args []any) ([]driver.NamedValue, error) {
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		if v, ok := a.(driver.Valuer); ok {
			var err error
			if a, err = v.Value(); err != nil {
				return nil, err
			}
		}
		if n, ok := a.(int); ok {
			a = int64(n)
		}
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv, nil
}

// lastRecord and insertRecord make rawTx a recordTx, so that proposal inserts
// append their audit records in their own transaction.
func (t rawTx) lastRecord() (int64, []byte, error) {
	v := []driver.Value{nil, nil}
	found, err := t.queryRow(v, sqlLastRecord)
	if !found || err != nil {
		return 0, nil, err
	}
	seq, _ := v[0].(int64)
	switch rec := v[1].(type) {
	case []byte:
		return seq, rec, nil
	case string:
		return seq, []byte(rec), nil
	}
	return 0, nil, fmt.Errorf("store: audit record %d is a %T", seq, v[1])
}

func (t rawTx) insertRecord(seq int64, rec []byte) error {
	_, err := t.exec(sqlInsertRecord, seq, rec)
	return err
}
