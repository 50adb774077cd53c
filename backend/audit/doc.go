// Package audit keeps Countersign's audit log tamper-evident and lets anyone
// check it: the records (one per event, written by backend/store in the
// event's transaction, see backend/audit/record) are the leaves of an RFC
// 6962 Merkle tree (github.com/transparency-dev/merkle), whose size and root
// hash are signed as checkpoints in the signed-note format
// (golang.org/x/mod/sumdb/note) with the keystore's Ed25519 key.
//
// It guarantees that:
//   - a checkpoint verifies with note.Open given only the verifier key that
//     VerifierKey, KeyFile and `countersign audit key` publish, and names this
//     log in its origin line, so one log's checkpoint never passes for
//     another's;
//   - the running Log keeps the tree incrementally (compact ranges), so a
//     checkpoint never rereads the log; it signs one every CheckpointEvery
//     when the log grew and one at Close, so a log closed cleanly is covered
//     to its last record;
//   - Verify recomputes the tree and the hash chain from the database and
//     reports, for an edited, deleted, inserted or reordered record, which
//     record; for a truncated log, which records are gone; for a forged or
//     altered checkpoint, which checkpoint; and for an event without a
//     record, which event. An attacker who rewrites records and every hash
//     after them is still caught by the first checkpoint after the change,
//     and located between the last checkpoint that matches and that one;
//   - Export writes records exactly as stored, so that VerifyFile proves a
//     JSONL export (its records' inclusion in a signed checkpoint through a
//     compact-range proof, its checkpoint lines through RFC 6962 consistency
//     proofs) without the database, and catches a cut, added or edited line;
//   - nothing it writes holds content: records hold hashes and redacted
//     text only (backend/redact), and a CSV export cannot be read as
//     spreadsheet formulas.
//
// Honest limit: checkpoints are signed by the same machine that keeps the
// log. Someone who can both rewrite the database and use the signing key can
// rewrite history; checkpoints shipped off the machine (the SIEM file, an
// export) are what catches that.
package audit
