-- Countersign schema, version 9: policy rules, their use, and budgets.
-- Every statement is idempotent (IF NOT EXISTS), as in version 5.

-- Every rule set the person accepted, newest last. body is the rules file
-- exactly as accepted; signature is the Ed25519 signature, by the key named
-- key_id, of "countersign rules v1\n" followed by the hex SHA-256 of body.
-- Only the newest row whose signature verifies is applied: a rules file
-- changed outside the app, or a row written without the key, applies nothing.
CREATE TABLE IF NOT EXISTS policy_versions (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  accepted_by TEXT    NOT NULL,
  sha256      TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  key_id      TEXT    NOT NULL,
  signature   TEXT    NOT NULL
);

-- How often each rule decided a proposal, and when last.
CREATE TABLE IF NOT EXISTS rule_uses (
  rule_id   TEXT    PRIMARY KEY,
  uses      INTEGER NOT NULL,
  last_used INTEGER NOT NULL
) WITHOUT ROWID;

-- What rules approved for each agent, to hold it to its hourly budget.
CREATE TABLE IF NOT EXISTS policy_usage (
  proposal_id TEXT    PRIMARY KEY,
  agent_id    TEXT    NOT NULL,
  at          INTEGER NOT NULL,
  writes      INTEGER NOT NULL,
  deletes     INTEGER NOT NULL,
  bytes       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS policy_usage_by_agent ON policy_usage(agent_id, at);
