package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrPruned: the content was removed by the retention setting. Its hash, and
// every audit record naming it, remain.
var ErrPruned = errors.New("store: content removed by the retention setting")

// neverRan are the final statuses of proposals that never ran: their content
// is needed by no undo and no execution.
const neverRan = `'denied', 'expired', 'withdrawn'`

// sqlOld selects the proposals which never ran and were created before ?1.
const sqlOld = `SELECT id FROM proposals WHERE status IN (` + neverRan + `) AND created_at < ?1`

// sqlPrunable lists the blobs that only proposals which never ran and were
// created before ?1 refer to. A blob that any other proposal refers to (its
// content, its parameters or its edited actions) is kept, and so is every
// blob that no proposal refers to: those belong to other parts (undo data,
// for one), which this query knows nothing of.
const sqlPrunable = `
WITH old AS (` + sqlOld + `),
refs AS (
	SELECT proposal_id, content_sha AS sha FROM actions WHERE content_sha IS NOT NULL
	UNION ALL SELECT proposal_id, params_sha FROM actions WHERE params_sha IS NOT NULL
	UNION ALL SELECT proposal_id, actions_sha FROM decision_edits
	UNION ALL SELECT proposal_id, pre_sha FROM undo_steps WHERE pre_sha IS NOT NULL
	UNION ALL SELECT proposal_id, post_sha FROM undo_steps WHERE post_sha IS NOT NULL
)
SELECT DISTINCT sha FROM refs WHERE proposal_id IN old
EXCEPT SELECT sha FROM refs WHERE proposal_id NOT IN old
EXCEPT SELECT sha256 FROM blobs_pruned`

// sqlPruneInline removes the content kept in the action rows (not in blobs)
// of proposals which never ran and were created before ?1.
const sqlPruneInline = `UPDATE actions SET content = NULL
	WHERE content IS NOT NULL AND proposal_id IN (` + sqlOld + `)`

// PruneContent removes the content of every blob that only proposals which
// never ran (denied, expired, withdrawn) and were created before before refer
// to, and the small content those proposals keep in their actions' rows, and
// records a content.pruned event at now, in one transaction. It returns how
// many blobs and inline contents it pruned. Proposals, events and audit
// records are never removed; GetBlob on pruned content returns ErrPruned, and
// GetProposal reads pruned content as empty. (The audit record of the
// proposed event keeps the hash of every content, inline or not.)
func (s *Store) PruneContent(ctx context.Context, before, now time.Time) (int, error) {
	n := 0
	err := s.write(ctx, "prune content", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, sqlPrunable, before.UnixNano())
		if err != nil {
			return err
		}
		var shas []string
		for rows.Next() {
			var sha string
			if err := rows.Scan(&sha); err != nil {
				rows.Close()
				return err
			}
			shas = append(shas, sha)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, sqlPruneInline, before.UnixNano())
		if err != nil {
			return err
		}
		inline, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if len(shas) == 0 && inline == 0 {
			return nil
		}
		for _, sha := range shas {
			if _, err := tx.ExecContext(ctx, `UPDATE blobs SET compressed = X'' WHERE sha256 = ?1`, sha); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO blobs_pruned(sha256, pruned_at) VALUES (?1, ?2)`, sha, now.UnixNano()); err != nil {
				return err
			}
		}
		n = len(shas) + int(inline)
		data, err := json.Marshal(map[string]any{"blobs": len(shas), "inline": inline,
			"created_before": before.UTC().Format(time.RFC3339)})
		if err != nil {
			return err
		}
		e := Event{At: now, Type: EventContentPruned, Data: data}
		res, err = tx.StmtContext(ctx, s.stmts.insertEvent).ExecContext(ctx, now.UnixNano(), nil, "", string(e.Type), string(data))
		if err != nil {
			return err
		}
		return s.appendRecord(ctx, tx, res, s.eventRecord(&e))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// pruned reports whether the blob sha was pruned, as an ErrPruned error.
func (s *Store) pruned(sha string) error {
	var at sql.NullInt64
	err := s.db.QueryRow(`SELECT pruned_at FROM blobs_pruned WHERE sha256 = ?1`, sha).Scan(&at)
	if err != nil {
		return nil
	}
	return fmt.Errorf("%w on %s: blob %s", ErrPruned, fromNanos(at).Format(time.RFC3339), sha)
}
