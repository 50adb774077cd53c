-- Countersign schema, version 5: the tamper-evident audit log (see backend/audit).
-- Every statement is idempotent (IF NOT EXISTS, OR IGNORE): a build that
-- lacks an earlier version re-applies this one at each Open until it has it.

-- One record per event, written in the transaction that writes the event.
-- seq is the record's position in the log, from 1 (leaf seq-1 of the RFC 6962
-- tree); record holds the exact leaf bytes, a canonical JSON object that
-- starts with its own seq and the leaf hash of the record before it (see
-- backend/audit/record). Rows are never updated or deleted, by retention or
-- anything else.
CREATE TABLE IF NOT EXISTS audit_log (
    seq    INTEGER PRIMARY KEY,
    record BLOB NOT NULL
);

-- Signed checkpoints: a tree size and its root hash as a signed note
-- (golang.org/x/mod/sumdb/note, C2SP tlog-checkpoint body). range holds the
-- compact range of leaves [0, size) (its hashes, 32 bytes each, left to
-- right), so that the writer resumes without rereading the log; it is
-- trusted only when it reproduces the signed root.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    size       INTEGER NOT NULL,
    note       TEXT NOT NULL,
    range      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS audit_checkpoints_by_size ON audit_checkpoints(size, id);

-- The log's identity: every checkpoint names it in its origin line, so a
-- checkpoint of another Countersign log (another data directory signed by the
-- same key) is never taken for one of this log.
CREATE TABLE IF NOT EXISTS audit_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO audit_meta(key, value) VALUES ('log_id', lower(hex(randomblob(16))));

-- The person's settings, as key and JSON value. Every change is written with a
-- "settings.changed" event (and its audit record) in one transaction.
CREATE TABLE IF NOT EXISTS settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Content removed by the retention setting. The blob row stays (actions refer
-- to its hash, and audit records name it) with its compressed bytes emptied.
CREATE TABLE IF NOT EXISTS blobs_pruned (
    sha256    TEXT PRIMARY KEY,
    pruned_at INTEGER NOT NULL
) WITHOUT ROWID;
