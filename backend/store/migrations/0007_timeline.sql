-- Countersign schema, version 7: the timeline, with filters and full-text search.
-- Every statement is idempotent (IF NOT EXISTS), as in version 5.

-- Every timeline filter has an index that yields its proposals newest first,
-- so that a page reads no more rows than it shows (plus those the other
-- filters drop). Indexes of a WITHOUT ROWID table end in its key, id, which
-- breaks ties. proposals_by_status and proposals_by_agent serve status and
-- agent already.
CREATE INDEX IF NOT EXISTS proposals_by_created ON proposals(created_at, id);
CREATE INDEX IF NOT EXISTS proposals_by_risk ON proposals(risk, created_at, id);

-- One partial index per action kind: a proposal is written to those of the
-- kinds it holds (its kinds column lists them; no kind's name is part of
-- another's). A kind added later needs its index here.
CREATE INDEX IF NOT EXISTS proposals_kind_file_write ON proposals(created_at, id) WHERE instr(kinds, 'file.write') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_file_edit ON proposals(created_at, id) WHERE instr(kinds, 'file.edit') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_file_delete ON proposals(created_at, id) WHERE instr(kinds, 'file.delete') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_file_move ON proposals(created_at, id) WHERE instr(kinds, 'file.move') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_dir_create ON proposals(created_at, id) WHERE instr(kinds, 'dir.create') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_sheet_update ON proposals(created_at, id) WHERE instr(kinds, 'sheet.update') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_command_run ON proposals(created_at, id) WHERE instr(kinds, 'command.run') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_net_request ON proposals(created_at, id) WHERE instr(kinds, 'net.request') > 0;
CREATE INDEX IF NOT EXISTS proposals_kind_tool_call ON proposals(created_at, id) WHERE instr(kinds, 'tool.call') > 0;

-- Full text of every proposal: summary, rationale, the paths of its actions
-- and the reason of its decision. Filled after the fact by the catch-up
-- indexer (Store.IndexText), never by the insert. It serves the text search
-- and the path filter (whose exact match is then checked on actions). A document's rowid sorts as
-- its proposal's creation time (microseconds * 1024 + a tie-breaker), so a
-- search reads its matches newest first from the index itself.
CREATE VIRTUAL TABLE IF NOT EXISTS timeline_fts USING fts5(
    id UNINDEXED, summary, rationale, paths, reason,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Which document holds which proposal, for re-indexing.
CREATE TABLE IF NOT EXISTS timeline_docs (
    proposal_id TEXT PRIMARY KEY,
    doc         INTEGER NOT NULL
) WITHOUT ROWID;

-- The indexer's watermark: the id of the last event it has read.
CREATE TABLE IF NOT EXISTS timeline_index (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
