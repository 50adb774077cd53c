-- When the person approves after editing (kept only some hunks), the actions
-- as they will run: a JSON array of actions stored as a content blob.
CREATE TABLE decision_edits (
    proposal_id TEXT PRIMARY KEY REFERENCES proposals(id),
    actions_sha TEXT NOT NULL REFERENCES blobs(sha256)
) WITHOUT ROWID;
