-- Countersign schema, version 8: the Insights dashboard.
-- Every statement is idempotent (IF NOT EXISTS), as in version 5.

-- The per-day and per-agent counts of status changes over a range of time:
-- events of one type in [from, to), read from the index alone (covering).
-- Without it a range of days would scan the whole append-only events table.
CREATE INDEX IF NOT EXISTS events_by_type ON events(type, ts, agent_id);
