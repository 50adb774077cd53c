package store

import (
	"context"
	"database/sql"
)

// The statements of the hot paths and of every query the UI runs. QueryPlans
// explains the read queries from this same list.
const (
	sqlUpsertAgent = `INSERT INTO agents(id, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO NOTHING`
	sqlGetAgent    = `SELECT id, name, created_at, token_hash, revoked_at FROM agents WHERE id = ?1`
	sqlRevokeAgent = `UPDATE agents SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL`

	// The proposal insert checks first that its agent is not revoked, in the
	// same transaction. (A single INSERT ... SELECT ... WHERE NOT EXISTS would
	// do both, but makes SQLite keep a statement journal for the insert.)
	sqlAgentRevoked   = `SELECT revoked_at IS NOT NULL FROM agents WHERE id = ?`
	sqlInsertProposal = `INSERT INTO proposals(id, agent_id, summary, rationale, workspace, status, risk,
		created_at, expires_at, action_count, kinds, agent_runs)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertAction = `INSERT INTO actions(proposal_id, idx, kind, path, to_path, content_sha, params, params_sha, content)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	sqlInsertBlob   = `INSERT INTO blobs(sha256, size, compressed) VALUES (?1, ?2, ?3) ON CONFLICT(sha256) DO NOTHING`
	sqlHasBlob      = `SELECT 1 FROM blobs WHERE sha256 = ?1`
	sqlGetBlob      = `SELECT size, compressed FROM blobs WHERE sha256 = ?1`
	sqlInsertEvent  = `INSERT INTO events(ts, proposal_id, agent_id, type, data) VALUES (?, ?, ?, ?, ?)`
	sqlInsertDecide = `INSERT INTO decisions(proposal_id, verdict, reason, decided_by, decided_at, token) VALUES (?1, ?2, ?3, ?4, ?5, ?6)`
	sqlUpdateStatus = `UPDATE proposals SET status = ?1, decided_at = coalesce(decided_at, ?2)
		WHERE id = ?3 AND status = ?4 RETURNING agent_id`
	sqlStatusOf = `SELECT status FROM proposals WHERE id = ?1`

	sqlLastRecord   = `SELECT seq, record FROM audit_log ORDER BY seq DESC LIMIT 1`
	sqlInsertRecord = `INSERT INTO audit_log(seq, record) VALUES (?1, ?2)`

	sqlGetProposal = `SELECT p.agent_id, p.summary, p.rationale, p.workspace, p.status, p.risk, p.created_at,
		p.expires_at, d.verdict, d.reason, d.decided_by, d.decided_at, d.token, p.agent_runs
		FROM proposals p LEFT JOIN decisions d ON d.proposal_id = p.id WHERE p.id = ?1`
	sqlListActions = `SELECT kind, path, to_path, content_sha, params, params_sha, content FROM actions
		WHERE proposal_id = ?1 ORDER BY idx`

	summaryColumns  = `id, agent_id, summary, risk, status, created_at, expires_at, action_count, kinds, decided_at`
	sqlListByStatus = `SELECT ` + summaryColumns + ` FROM proposals WHERE status = ?1
		ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3`
	sqlCountStatus = `SELECT count(*) FROM proposals WHERE status = ?1`
	sqlCountAll    = `SELECT status, count(*) FROM proposals GROUP BY status`
	sqlListByAgent = `SELECT ` + summaryColumns + ` FROM proposals WHERE agent_id = ?1
		ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3`
	sqlDueForExpiry = `SELECT id, expires_at FROM proposals
		WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?1
		ORDER BY expires_at LIMIT ?2`
	sqlListDecided = `SELECT ` + summaryColumns + ` FROM proposals WHERE decided_at IS NOT NULL
		ORDER BY decided_at DESC, id DESC LIMIT ?1 OFFSET ?2`
	// The history after a row (its decided_at, id): a keyset page, with at
	// most a few rows skipped (see ListDecidedAfter).
	sqlListDecidedAfter = `SELECT ` + summaryColumns + ` FROM proposals WHERE decided_at IS NOT NULL
		AND (decided_at, id) < (?1, ?2) ORDER BY decided_at DESC, id DESC LIMIT ?3 OFFSET ?4`
	sqlNextExpiry = `SELECT min(expires_at) FROM proposals WHERE status = 'pending' AND expires_at IS NOT NULL`

	eventColumns       = `id, ts, proposal_id, agent_id, type, data`
	sqlListEvents      = `SELECT ` + eventColumns + ` FROM events WHERE proposal_id = ?1 ORDER BY id`
	sqlListAgentEvents = `SELECT ` + eventColumns + ` FROM events WHERE agent_id = ?1 AND ts >= ?2
		ORDER BY ts, id LIMIT ?3`
)

// statements are prepared once per Store; database/sql re-prepares them on
// each pooled connection the first time they run there.
type statements struct {
	upsertAgent, insertBlob, hasBlob, getBlob, insertEvent,
	insertDecision, updateStatus, statusOf, getProposal, listActions, listByStatus,
	countStatus, dueForExpiry, nextExpiry, listEvents, lastRecord, insertRecord *sql.Stmt
	all []*sql.Stmt
}

func (s *Store) prepare(ctx context.Context) error {
	st := &s.stmts
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&st.upsertAgent, sqlUpsertAgent},
		{&st.insertBlob, sqlInsertBlob},
		{&st.hasBlob, sqlHasBlob},
		{&st.getBlob, sqlGetBlob},
		{&st.insertEvent, sqlInsertEvent},
		{&st.insertDecision, sqlInsertDecide},
		{&st.updateStatus, sqlUpdateStatus},
		{&st.statusOf, sqlStatusOf},
		{&st.getProposal, sqlGetProposal},
		{&st.listActions, sqlListActions},
		{&st.listByStatus, sqlListByStatus},
		{&st.countStatus, sqlCountStatus},
		{&st.dueForExpiry, sqlDueForExpiry},
		{&st.nextExpiry, sqlNextExpiry},
		{&st.listEvents, sqlListEvents},
		{&st.lastRecord, sqlLastRecord},
		{&st.insertRecord, sqlInsertRecord},
	} {
		stmt, err := s.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return err
		}
		*p.dst = stmt
		st.all = append(st.all, stmt)
	}
	return nil
}

func (st *statements) close() {
	for _, s := range st.all {
		s.Close()
	}
	st.all = nil
}
