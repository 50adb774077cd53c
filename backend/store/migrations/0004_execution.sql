-- Execution and undo.

-- 1 when the agent carries out the approved actions itself (as Claude Code
-- does after a hook approval): Countersign records them but runs nothing.
ALTER TABLE proposals ADD COLUMN agent_runs INTEGER NOT NULL DEFAULT 0;

-- One row per execution of a proposal. token_id is the intent token's jti:
-- UNIQUE, so a token is used at most once. phase is the journal: "applying"
-- while files change, "applied" once every action ran (the proposal is then
-- executed even if the process dies before saying so), "undoing" and
-- "redoing" while an undo or redo runs, and "done" when nothing is in flight.
CREATE TABLE executions (
    proposal_id TEXT PRIMARY KEY REFERENCES proposals(id),
    token_id    TEXT NOT NULL UNIQUE,
    phase       TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    result      TEXT -- JSON: outputs of commands and requests, the failure
) WITHOUT ROWID;

-- The undo data: for every path an execution changes, in the order it
-- changes them, the state before (pre) and after (post). kind is "absent",
-- "file" or "dir"; sha is the content (a blob) of a file; mode its
-- permission bits. post_kind "unknown" marks a path a command may still be
-- changing (its after-state is recorded once the command ends). "scope" rows
-- name a directory a command declared it may write: on rollback, files that
-- appeared under it are removed.
CREATE TABLE undo_steps (
    proposal_id TEXT NOT NULL REFERENCES proposals(id),
    seq         INTEGER NOT NULL,
    action_idx  INTEGER NOT NULL,
    path        TEXT NOT NULL, -- relative to the workspace, slash-separated
    pre_kind    TEXT NOT NULL,
    pre_mode    INTEGER NOT NULL DEFAULT 0,
    pre_sha     TEXT REFERENCES blobs(sha256),
    post_kind   TEXT NOT NULL,
    post_mode   INTEGER NOT NULL DEFAULT 0,
    post_sha    TEXT REFERENCES blobs(sha256),
    PRIMARY KEY (proposal_id, seq)
) WITHOUT ROWID;

-- Recovery on start: executions still in flight.
CREATE INDEX executions_in_flight ON executions(phase) WHERE phase <> 'done';

-- The history: proposals that left pending, most recently decided first. A
-- partial index, so that inserting a pending proposal does not write it.
CREATE INDEX proposals_by_decided ON proposals(decided_at, id) WHERE decided_at IS NOT NULL;
