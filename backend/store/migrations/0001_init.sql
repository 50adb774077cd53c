-- Countersign schema, version 1.
-- Times are INTEGER nanoseconds since the Unix epoch (UTC); NULL means "none".
-- Hashes are lower-case hex SHA-256 of the uncompressed content.

CREATE TABLE agents (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    token_hash TEXT,
    revoked_at INTEGER
) WITHOUT ROWID;

-- Content-addressed, zstd-compressed content. A rowid table, because blobs can
-- be large and WITHOUT ROWID tables keep whole rows in their b-tree.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    compressed BLOB NOT NULL
);

-- Keyed by ULID, which sorts by creation time, so inserts append to the b-tree
-- and every index below ends in id (a stable newest-first tie-break).
CREATE TABLE proposals (
    id           TEXT PRIMARY KEY,
    agent_id     TEXT NOT NULL REFERENCES agents(id),
    summary      TEXT NOT NULL,
    rationale    TEXT NOT NULL DEFAULT '',
    workspace    TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    risk         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    decided_at   INTEGER,
    action_count INTEGER NOT NULL,
    kinds        TEXT NOT NULL -- distinct action kinds, comma-separated, first seen first
) WITHOUT ROWID;

-- The list the UI shows for a status, newest first, and its count.
CREATE INDEX proposals_by_status ON proposals(status, created_at);
-- One agent's proposals, newest first.
CREATE INDEX proposals_by_agent ON proposals(agent_id, created_at);
-- The expiry timer: pending proposals by deadline. (A partial index on
-- expires_at WHERE status = 'pending' would be smaller, but without ANALYZE
-- statistics the planner prefers proposals_by_status and sorts.)
CREATE INDEX proposals_by_expiry ON proposals(status, expires_at);

CREATE TABLE actions (
    proposal_id TEXT NOT NULL REFERENCES proposals(id),
    idx         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    path        TEXT NOT NULL DEFAULT '',
    to_path     TEXT NOT NULL DEFAULT '',
    content_sha TEXT REFERENCES blobs(sha256), -- file.write content
    params      TEXT,                          -- the kind's other fields as JSON, when small
    params_sha  TEXT REFERENCES blobs(sha256), -- the same JSON in a blob, when large
    PRIMARY KEY (proposal_id, idx)
) WITHOUT ROWID;

CREATE TABLE decisions (
    proposal_id TEXT PRIMARY KEY REFERENCES proposals(id),
    verdict     TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL,
    decided_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- Append-only. Rows are never deleted, so INTEGER PRIMARY KEY already hands out
-- strictly increasing ids; AUTOINCREMENT would only add a write to
-- sqlite_sequence on every commit.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ts          INTEGER NOT NULL,
    proposal_id TEXT,
    agent_id    TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL,
    data        TEXT -- JSON
);

CREATE INDEX events_by_proposal ON events(proposal_id, id) WHERE proposal_id IS NOT NULL;
CREATE INDEX events_by_agent ON events(agent_id, ts);
