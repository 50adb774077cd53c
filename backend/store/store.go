// Package store keeps proposals, decisions, events, agents and content in one
// SQLite file (modernc.org/sqlite, no cgo).
//
// It guarantees that: Open applies the embedded migrations in order, each
// version in one transaction, and records the version in PRAGMA user_version;
// a database written by a newer build (ErrNewerSchema) or a file that is not a
// sound SQLite database (ErrCorrupt) is refused without writing a byte to it;
// every multi-row change (a proposal with its actions, content and event; a
// status change with its decision and event; a batch of events) commits or
// rolls back as a whole; InsertProposal returns only once its proposal is
// committed, and proposals inserted concurrently may share one commit, in
// which a refused one (ErrExists, ErrRevoked) fails alone and leaves the
// others stored, while a proposal inserted with no other write under way is
// committed on its own; a status change succeeds only from the status the
// caller expects, so of two concurrent deciders exactly one wins; content over
// 2 KiB is stored once per SHA-256, zstd-compressed, and checked against its
// hash and a size cap when read back, and smaller content is kept as is in its
// action's row. Writers within one process are serialized in Go, so they never
// meet SQLITE_BUSY; readers run concurrently under WAL.
package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MaxBlobBytes caps one stored content, compressed or not.
const MaxBlobBytes = 64 << 20

// busyTimeoutMS bounds how long a connection waits for a lock held by another
// process (a second Countersign, the CLI, a backup tool).
const busyTimeoutMS = 5000

// maxOpenConns bounds the pool. One connection is the writer's for the life of
// the store (see writer), since writers are serialized by Store.wsem; the
// others serve readers, which WAL lets run alongside the writer, and the
// checkpointer's passes.
const maxOpenConns = 5

var (
	// ErrCorrupt: the file is not a sound SQLite database. Returned as *CorruptError.
	ErrCorrupt = errors.New("store: database is corrupt")
	// ErrNewerSchema: the database was written by a newer build. Returned as *SchemaError.
	ErrNewerSchema = errors.New("store: database schema is newer than this build")
	// ErrNotFound: no row with that key.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: the row is not in the expected state. Returned as *ConflictError.
	ErrConflict = errors.New("store: conflict")
	// ErrExists: a proposal with that id is already stored.
	ErrExists = errors.New("store: already exists")
	// ErrRevoked: the agent has been revoked and may not submit.
	ErrRevoked = errors.New("store: agent revoked")
	// ErrTooLarge: content over MaxBlobBytes.
	ErrTooLarge = errors.New("store: content too large")
)

// CorruptError reports a database file that cannot be used. The file has not
// been modified.
type CorruptError struct {
	Path string
	Err  error // the driver's or the header check's error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store: %s is corrupt, truncated or not a SQLite database (left untouched): %v", e.Path, e.Err)
}
func (e *CorruptError) Unwrap() error        { return e.Err }
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// SchemaError reports a database whose schema version this build does not know.
type SchemaError struct {
	Path    string
	Version int // PRAGMA user_version of the file
	Known   int // highest version this build can migrate to
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("store: %s has schema version %d but this build knows versions up to %d; "+
		"it was written by a newer Countersign and was left untouched", e.Path, e.Version, e.Known)
}
func (e *SchemaError) Is(target error) bool { return target == ErrNewerSchema }

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	db        *sql.DB
	path      string
	wsem      chan struct{} // one writer at a time in this process
	w         *writer       // the connection writes go through; used under wsem
	ins       insertQueue   // proposal inserts waiting for a writer
	inserting atomic.Int64  // InsertProposal calls under way
	batchMean float64       // moving mean of proposals per batch; guarded by wsem
	ckpt      *checkpointer // copies the WAL into the database off the commit path
	enc       *zstd.Encoder
	dec       *zstd.Decoder
	stmts     statements

	// known holds agent ids already in the agents table (rows are never
	// deleted), so InsertProposal can skip registering them. Revocation is
	// checked by the insert itself, not through this cache.
	knownMu sync.Mutex
	known   map[string]struct{}

	redactor atomic.Value // *redactorBox: see SetRedactor
	tip      tip          // the last audit record; only the writer holding wsem uses it
	textIdx  textIndexer  // see StartTextIndexer
}

// maxKnownAgents bounds the known-agents cache.
const maxKnownAgents = 4096

func (s *Store) isKnown(agentID string) bool {
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	_, ok := s.known[agentID]
	return ok
}

func (s *Store) markKnown(agentID string) {
	s.knownMu.Lock()
	defer s.knownMu.Unlock()
	if len(s.known) < maxKnownAgents {
		s.known[agentID] = struct{}{}
	}
}

// migration is one embedded schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in order, checking that their
// versions run 1, 2, 3... without gaps.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %q is not named NNNN_name.sql", name)
		}
		b, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s has version %d, want %d", m.name, m.version, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build migrates to.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// fileURI turns an absolute path into a SQLite URI with the given query.
func fileURI(abs string, query url.Values) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: query.Encode()}
	return u.String()
}

// Open opens the database at path, creating it (and its directory, mode
// 0700) if needed, and migrates it to SchemaVersion.
//
// Integrity is checked cheaply before anything is written: the 100-byte
// header (magic string, page size, and the page count against the file size,
// which catches truncation) and a read of the schema through a read-only
// connection. PRAGMA quick_check is not run here: it reads every page, which
// grows with the content kept and would delay every start; Check runs it on
// demand, and corruption met later surfaces as ErrCorrupt from the query that
// meets it.
func Open(path string) (*Store, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: create directory: %w", err)
	}
	existing, err := checkHeader(abs)
	if err != nil {
		return nil, err
	}
	if existing {
		if err := inspect(abs, len(ms)); err != nil {
			return nil, err
		}
	} else if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close() // an empty file, so that SQLite keeps mode 0600 for it and its WAL
	}

	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	q.Set("_txlock", "immediate") // a write transaction takes the lock at BEGIN, never upgrades
	db, err := sql.Open("sqlite", fileURI(abs, q))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)

	s := &Store{db: db, path: abs, wsem: make(chan struct{}, 1), known: map[string]struct{}{}}
	if err := s.migrate(context.Background(), ms); err != nil {
		db.Close()
		return nil, err
	}
	conc := min(runtime.GOMAXPROCS(0), 4)
	s.enc, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(conc), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	s.dec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(conc),
		zstd.WithDecoderMaxMemory(MaxBlobBytes), zstd.WithDecodeAllCapLimit(true))
	if err != nil {
		s.enc.Close()
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	if s.w, err = openWriter(context.Background(), db); err != nil {
		s.Close()
		return nil, s.wrap("open writer", err)
	}
	if err := s.prepare(context.Background()); err != nil {
		s.Close()
		return nil, s.wrap("prepare", err)
	}
	if err := s.startCheckpointer(); err != nil {
		s.Close()
		return nil, s.wrap("start checkpointer", err)
	}
	if err := s.catchUpAudit(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database. It does not wait for readers of returned data.
func (s *Store) Close() error {
	s.textIdx.close()
	if s.ckpt != nil {
		s.ckpt.close()
	}
	s.stmts.close()
	if s.w != nil {
		s.w.close()
	}
	if s.dec != nil {
		s.dec.Close()
	}
	if s.enc != nil {
		s.enc.Close()
	}
	return s.db.Close()
}

// sqliteMagic starts every SQLite 3 database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// checkHeader reports whether path holds a database to open (false for a
// missing or empty file, which SQLite treats as new) and returns a
// *CorruptError if its header is not that of a sound SQLite database. It only
// reads the file.
func checkHeader(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	if st.IsDir() {
		return false, fmt.Errorf("store: %s is a directory", path)
	}
	if st.Size() == 0 {
		return false, nil
	}
	corrupt := func(format string, args ...any) (bool, error) {
		return false, &CorruptError{Path: path, Err: fmt.Errorf(format, args...)}
	}
	hdr := make([]byte, 100)
	if n, err := io.ReadFull(f, hdr); err != nil {
		return corrupt("file is %d bytes, shorter than a database header", n)
	}
	if !bytes.Equal(hdr[:16], sqliteMagic) {
		return corrupt("file does not start with the SQLite header")
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return corrupt("header has an invalid page size %d", pageSize)
	}
	// The in-header page count is valid when the change counter matches the
	// version-valid-for number. A WAL file may legitimately hold pages not yet
	// copied back, so skip the check when one is present.
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	valid := bytes.Equal(hdr[24:28], hdr[92:96])
	if wal, err := os.Stat(path + "-wal"); err == nil && wal.Size() > 0 {
		valid = false
	}
	if valid && pages > 0 && st.Size() < pages*pageSize {
		return corrupt("file is truncated: the header counts %d pages of %d bytes but the file has %d bytes",
			pages, pageSize, st.Size())
	}
	return true, nil
}

// inspect opens an existing database read-only and refuses it if its schema
// cannot be read or is newer than known. Nothing is written to the file.
func inspect(path string, known int) error {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	db, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer db.Close()
	ctx := context.Background()
	var version, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return classify(path, "read schema version", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables); err != nil {
		return classify(path, "read schema", err)
	}
	if version > known {
		return &SchemaError{Path: path, Version: version, Known: known}
	}
	return nil
}

// migrate brings the database to len(ms), each migration with its version
// bump in one transaction.
func (s *Store) migrate(ctx context.Context, ms []migration) error {
	for {
		done, err := s.migrateOne(ctx, ms)
		if err != nil || done {
			return err
		}
	}
}

func (s *Store) migrateOne(ctx context.Context, ms []migration) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, classify(s.path, "begin migration", err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, classify(s.path, "read schema version", err)
	}
	switch {
	case v > len(ms):
		return false, &SchemaError{Path: s.path, Version: v, Known: len(ms)}
	case v == len(ms):
		return true, nil
	}
	m := ms[v]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, classify(s.path, "migration "+m.name, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return false, classify(s.path, "migration "+m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, classify(s.path, "migration "+m.name, err)
	}
	return false, nil
}

// Check runs PRAGMA quick_check, which reads every page, and returns a
// *CorruptError describing the first problems if the database is not sound.
func (s *Store) Check(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(10)")
	if err != nil {
		return s.wrap("check", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.wrap("check", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap("check", err)
	}
	if len(problems) > 0 {
		return &CorruptError{Path: s.path, Err: errors.New(strings.Join(problems, "; "))}
	}
	return nil
}

// sqliteCode returns the primary SQLite result code in err, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// classify turns driver errors that mean "this file is damaged" into a
// *CorruptError and adds context to the others.
func classify(path, op string, err error) error {
	if err == nil {
		return nil
	}
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return &CorruptError{Path: path, Err: err}
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func (s *Store) wrap(op string, err error) error { return classify(s.path, op, err) }

// write runs fn in a write transaction. Writers are serialized here rather
// than by SQLite's busy handler, which would sleep and retry.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	return s.writeThen(ctx, op, fn, nil)
}

// writeThen is write that calls then, if not nil, after the commit and
// before releasing the write lock.
func (s *Store) writeThen(ctx context.Context, op string, fn func(tx *sql.Tx) error, then func()) error {
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wsem }()
	tx, err := s.w.conn.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		s.tip.drop()
		if sqliteCode(err) != 0 {
			return s.wrap(op, err)
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		s.tip.drop()
		return s.wrap(op, err)
	}
	s.tip.commit()
	s.w.conn.Raw(func(dc any) error { s.committed(dc); return nil })
	if then != nil {
		then()
	}
	return nil
}
