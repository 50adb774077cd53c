package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"

	"countersign/backend/audit/record"
	"countersign/backend/store"
)

// Export formats.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// ExportOptions choose what Export writes.
type ExportOptions struct {
	Format       string    // FormatJSONL or FormatCSV
	Since, Until time.Time // records at or after Since and before Until; zero: no bound
	Keys         Keys      // to check stored checkpoints
	// Signer, when set, signs (and stores) a checkpoint covering the export
	// when no stored one does. Without it, a JSONL export ends at the last
	// stored checkpoint.
	Signer Signer
	Now    func() time.Time
}

// ExportResult says what Export wrote.
type ExportResult struct {
	First, Last int64  // positions of the first and last record written; 0, 0 when none
	Records     int64  // records written
	Checkpoint  int64  // size of the checkpoint the JSONL export is proved against
	Signed      bool   // Export signed that checkpoint itself
	Note        string // why the export holds fewer records than asked, if it does
}

// ExportHeader is the first line of a JSONL export, under "export": what the
// file holds and how to prove it. The records are proved against Checkpoint
// with a compact-range proof (RFC 6962 subtree hashes): Left covers records
// 1..First-1, Right records Last+1..the checkpoint's size. Each checkpoint
// line in the file (a checkpoint signed while those records were written)
// also has an RFC 6962 consistency proof to Checkpoint.
type ExportHeader struct {
	V           int                `json:"v"`
	Origin      string             `json:"origin"`
	First       int64              `json:"first"`
	Last        int64              `json:"last"`
	Records     int64              `json:"records"`
	Since       string             `json:"since,omitempty"`
	Until       string             `json:"until,omitempty"`
	Checkpoint  string             `json:"checkpoint"`
	Left        []string           `json:"left"`
	Right       []string           `json:"right"`
	Consistency []ConsistencyProof `json:"consistency"`
	Keys        []string           `json:"verifier_keys,omitempty"` // for information: verify with keys you trust
}

// ConsistencyProof proves that the log at Size is a prefix of the log at the
// export's checkpoint.
type ConsistencyProof struct {
	Size  uint64   `json:"size"`
	Proof []string `json:"proof"`
}

// scanned is the log read once: every leaf hash and what an export needs.
type scanned struct {
	leaves      [][hashSize]byte
	first, last int64 // 1-based positions of the records in the time range
}

// Export writes the records written between opts.Since and opts.Until. A
// JSONL export is one header line (ExportHeader), then every record, exactly
// as stored, from the first in the range to the last (so records whose
// clock is out of order may come along), with the checkpoints signed
// meanwhile on lines of their own: a file anyone can verify with the
// verifier key alone (audit verify --file). A CSV export holds the same
// records flattened for a spreadsheet, with no proof.
func Export(ctx context.Context, st *store.Store, w io.Writer, opts ExportOptions) (ExportResult, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Format != FormatJSONL && opts.Format != FormatCSV {
		return ExportResult{}, fmt.Errorf("audit: unknown export format %q (jsonl or csv)", opts.Format)
	}
	size, err := st.AuditSize(ctx)
	if err != nil {
		return ExportResult{}, err
	}
	sc, err := scan(ctx, st, size, opts.Since, opts.Until)
	if err != nil {
		return ExportResult{}, err
	}
	if opts.Format == FormatCSV {
		return exportCSV(ctx, st, w, sc)
	}
	return exportJSONL(ctx, st, w, sc, opts)
}

// scan reads records 1..size once: their leaf hashes, and the positions of
// the first and last in [since, until).
func scan(ctx context.Context, st *store.Store, size int64, since, until time.Time) (*scanned, error) {
	sc := &scanned{leaves: make([][hashSize]byte, 0, size)}
	var lh leafHasher
	err := st.ScanAuditUpTo(ctx, 0, size, func(seq int64, rec []byte) error {
		if seq != int64(len(sc.leaves))+1 {
			return fmt.Errorf("audit: record %d is missing; run countersign audit verify", len(sc.leaves)+1)
		}
		sc.leaves = append(sc.leaves, lh.hash(rec))
		ts, err := recordTime(rec)
		if err != nil {
			return fmt.Errorf("audit: record %d: %w", seq, err)
		}
		if (since.IsZero() || !ts.Before(since)) && (until.IsZero() || ts.Before(until)) {
			if sc.first == 0 {
				sc.first = seq
			}
			sc.last = seq
		}
		return nil
	})
	return sc, err
}

var timestampKey = []byte(`,"timestamp":"`)

// recordTime reads a record's timestamp without decoding the rest.
func recordTime(rec []byte) (time.Time, error) {
	i := bytes.Index(rec, timestampKey)
	if i < 0 {
		return time.Time{}, errors.New("no timestamp")
	}
	rest := rec[i+len(timestampKey):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, errors.New("timestamp is not closed")
	}
	return time.Parse(time.RFC3339Nano, string(rest[:j]))
}

// rootsAt returns the root hash of the tree at each size, in one pass.
func rootsAt(leaves [][hashSize]byte, sizes []uint64) (map[uint64][]byte, error) {
	want := map[uint64]bool{}
	var top uint64
	for _, n := range sizes {
		want[n], top = true, max(top, n)
	}
	out := map[uint64][]byte{}
	r := factory.NewEmptyRange(0)
	if want[0] {
		out[0] = root(r)
	}
	for i := uint64(0); i < top; i++ {
		if err := r.Append(leaves[i][:], nil); err != nil {
			return nil, err
		}
		if want[i+1] {
			out[i+1] = root(r)
		}
	}
	return out, nil
}

// rangeOf builds the compact range of leaves [begin, end), reporting the
// nodes it creates to visit.
func rangeOf(leaves [][hashSize]byte, begin, end uint64, visit compact.VisitFn) (*compact.Range, error) {
	r := factory.NewEmptyRange(begin)
	for i := begin; i < end; i++ {
		if err := r.Append(leaves[i][:], visit); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// finalCheckpoint picks the checkpoint to prove the export against: the
// largest stored one that verifies, covers the last record and matches the
// records; or a new one from opts.Signer; or, without a signer, the largest
// stored one that matches, cutting the export there.
func finalCheckpoint(ctx context.Context, st *store.Store, sc *scanned, origin string, opts ExportOptions, res *ExportResult) (Checkpoint, string, error) {
	stored, err := st.Checkpoints(ctx)
	if err != nil {
		return Checkpoint{}, "", err
	}
	type valid struct {
		id   int64
		c    Checkpoint
		note string
	}
	var vs []valid
	var sizes []uint64
	for _, s := range stored {
		c, err := OpenCheckpoint(s.Note, opts.Keys)
		if err != nil || c.Origin != origin || c.Size > uint64(len(sc.leaves)) || c.Size < uint64(sc.first) {
			continue
		}
		vs = append(vs, valid{s.ID, c, s.Note})
		sizes = append(sizes, c.Size)
	}
	roots, err := rootsAt(sc.leaves, sizes)
	if err != nil {
		return Checkpoint{}, "", err
	}
	var best *Checkpoint
	var bestNote string
	for i := range vs {
		if !bytes.Equal(roots[vs[i].c.Size], vs[i].c.Root) {
			return Checkpoint{}, "", fmt.Errorf("audit: the records do not match checkpoint %d; run countersign audit verify", vs[i].id)
		}
		if best == nil || vs[i].c.Size > best.Size {
			best, bestNote = &vs[i].c, vs[i].note
		}
	}
	if best != nil && best.Size >= uint64(sc.last) {
		return *best, bestNote, nil
	}
	if opts.Signer != nil {
		r, err := rangeOf(sc.leaves, 0, uint64(len(sc.leaves)), nil)
		if err != nil {
			return Checkpoint{}, "", err
		}
		cp, err := storeCheckpoint(ctx, st, opts.Signer, origin, r, opts.Now())
		if err != nil {
			return Checkpoint{}, "", err
		}
		c, err := ParseCheckpointNote(cp.Note)
		res.Signed = true
		return c, cp.Note, err
	}
	if best == nil {
		return Checkpoint{}, "", errors.New("audit: no signed checkpoint covers these records yet, and no key was given to sign one")
	}
	res.Note = fmt.Sprintf("records %d..%d are not yet covered by a signed checkpoint and were left out", best.Size+1, sc.last)
	sc.last = int64(best.Size)
	return *best, bestNote, nil
}

func exportJSONL(ctx context.Context, st *store.Store, w io.Writer, sc *scanned, opts ExportOptions) (ExportResult, error) {
	var res ExportResult
	id, err := st.AuditLogID(ctx)
	if err != nil {
		return res, err
	}
	origin := Origin(id)
	if sc.first == 0 {
		sc.first, sc.last = int64(len(sc.leaves))+1, int64(len(sc.leaves))
	}
	final, finalNote, err := finalCheckpoint(ctx, st, sc, origin, opts, &res)
	if err != nil {
		return res, err
	}
	left, err := rangeOf(sc.leaves, 0, uint64(sc.first-1), nil)
	if err != nil {
		return res, err
	}
	right, err := rangeOf(sc.leaves, uint64(sc.last), final.Size, nil)
	if err != nil {
		return res, err
	}
	// The checkpoints signed while the exported records were written.
	stored, err := st.Checkpoints(ctx)
	if err != nil {
		return res, err
	}
	inside := map[uint64]string{}
	var sizes []uint64
	for _, s := range stored {
		c, err := OpenCheckpoint(s.Note, opts.Keys)
		if err != nil || c.Origin != origin || c.Size < uint64(sc.first) || c.Size > uint64(sc.last) || c.Size == final.Size {
			continue
		}
		if _, dup := inside[c.Size]; !dup {
			sizes = append(sizes, c.Size)
		}
		inside[c.Size] = s.Note
	}
	proofs, err := consistencyProofs(sc.leaves, sizes, final.Size)
	if err != nil {
		return res, err
	}
	h := ExportHeader{V: 1, Origin: origin, First: sc.first, Last: sc.last, Records: max(sc.last-sc.first+1, 0),
		Checkpoint: finalNote, Left: b64s(left.Hashes()), Right: b64s(right.Hashes()), Consistency: proofs, Keys: opts.Keys.List}
	if !opts.Since.IsZero() {
		h.Since = opts.Since.UTC().Format(time.RFC3339Nano)
	}
	if !opts.Until.IsZero() {
		h.Until = opts.Until.UTC().Format(time.RFC3339Nano)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	line, err := json.Marshal(map[string]ExportHeader{"export": h})
	if err != nil {
		return res, err
	}
	bw.Write(append(line, '\n'))
	if sc.last >= sc.first {
		err = st.ScanAuditUpTo(ctx, sc.first-1, sc.last, func(seq int64, rec []byte) error {
			bw.Write(rec)
			bw.WriteByte('\n')
			if note, ok := inside[uint64(seq)]; ok {
				bw.Write(checkpointLine(note))
				bw.WriteByte('\n')
			}
			res.Records++
			return nil
		})
		if err != nil {
			return res, err
		}
	}
	if err := bw.Flush(); err != nil {
		return res, err
	}
	if res.Records > 0 {
		res.First, res.Last = sc.first, sc.last
	}
	res.Checkpoint = int64(final.Size)
	return res, nil
}

// consistencyProofs proves each size a prefix of size n, with the node
// hashes gathered in one pass over the leaves.
func consistencyProofs(leaves [][hashSize]byte, sizes []uint64, n uint64) ([]ConsistencyProof, error) {
	out := []ConsistencyProof{}
	if len(sizes) == 0 {
		return out, nil
	}
	nodes := make([]proof.Nodes, len(sizes))
	want := map[compact.NodeID][]byte{}
	for i, m := range sizes {
		var err error
		if nodes[i], err = proof.Consistency(m, n); err != nil {
			return nil, err
		}
		for _, id := range nodes[i].IDs {
			want[id] = nil
		}
	}
	if _, err := rangeOf(leaves, 0, n, func(id compact.NodeID, h []byte) {
		if _, ok := want[id]; ok {
			want[id] = append([]byte(nil), h...)
		}
	}); err != nil {
		return nil, err
	}
	for i, m := range sizes {
		hashes := make([][]byte, len(nodes[i].IDs))
		for j, id := range nodes[i].IDs {
			if want[id] == nil {
				return nil, fmt.Errorf("audit: no hash for node %+v of the proof from %d to %d", id, m, n)
			}
			hashes[j] = want[id]
		}
		p, err := nodes[i].Rehash(hashes, hashChildren)
		if err != nil {
			return nil, err
		}
		out = append(out, ConsistencyProof{Size: m, Proof: b64s(p)})
	}
	return out, nil
}

// CSVColumns are the columns of a CSV export.
var CSVColumns = []string{"seq", "timestamp", "action", "agent_id", "user_id", "intent_id", "outcome", "resources",
	"hash", "signature", "key_id", "policy_id", "capability_id", "summary", "reason", "detail", "redacted", "event_id", "leaf_hash"}

func exportCSV(ctx context.Context, st *store.Store, w io.Writer, sc *scanned) (ExportResult, error) {
	var res ExportResult
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return res, err
	}
	if sc.first > 0 {
		err := st.ScanAuditUpTo(ctx, sc.first-1, sc.last, func(seq int64, rec []byte) error {
			r, err := record.Parse(rec)
			if err != nil {
				return fmt.Errorf("audit: record %d: %w; run countersign audit verify", seq, err)
			}
			res.Records++
			return cw.Write(csvRow(r, sc.leaves[seq-1]))
		})
		if err != nil {
			return res, err
		}
		res.First, res.Last = sc.first, sc.last
	}
	cw.Flush()
	return res, cw.Error()
}

func csvRow(r *record.Record, leaf [hashSize]byte) []string {
	var res []string
	for _, x := range r.Resources {
		s := x.Kind
		if x.Target != "" {
			s += " " + x.Target
		}
		if x.SHA256 != "" {
			s += " sha256:" + x.SHA256
		}
		res = append(res, s)
	}
	detail := ""
	if len(r.Detail) > 0 {
		b, _ := json.Marshal(r.Detail)
		detail = string(b)
	}
	row := []string{strconv.FormatInt(r.Seq, 10), r.Timestamp, r.Action, r.AgentID, r.UserID, r.IntentID, r.Outcome,
		strings.Join(res, "; "), r.Hash, r.Signature, r.KeyID, r.PolicyID, r.CapabilityID, r.Summary, r.Reason, detail,
		strconv.Itoa(r.Redacted), strconv.FormatInt(r.EventID, 10), record.HexHash(leaf)}
	for i, v := range row {
		row[i] = cellSafe(v)
	}
	return row
}

// cellSafe keeps a spreadsheet from reading a value as a formula.
func cellSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
