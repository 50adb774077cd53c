package audit

import (
	"context"
	"crypto/sha256"
	"errors"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"

	"countersign/backend/audit/record"
	"countersign/backend/store"
)

const hashSize = sha256.Size

// hashChildren is RFC 6962's interior node hash, SHA-256(0x01 || l || r),
// without the allocations of rfc6962.Hasher (a test checks they agree).
func hashChildren(l, r []byte) []byte {
	var b [1 + 2*hashSize]byte
	b[0] = rfc6962.RFC6962NodeHashPrefix
	copy(b[1:], l)
	copy(b[1+hashSize:], r)
	sum := sha256.Sum256(b[:])
	return sum[:]
}

// factory builds the compact ranges of the log's tree.
var factory = &compact.RangeFactory{Hash: hashChildren}

// leafHasher computes RFC 6962 leaf hashes into one reused buffer.
type leafHasher struct{ buf []byte }

func (h *leafHasher) hash(data []byte) [hashSize]byte {
	h.buf = append(append(h.buf[:0], rfc6962.RFC6962LeafHashPrefix), data...)
	return sha256.Sum256(h.buf)
}

// rangeBytes concatenates a range's hashes, as the checkpoints table keeps
// them.
func rangeBytes(r *compact.Range) []byte {
	out := make([]byte, 0, len(r.Hashes())*hashSize)
	for _, h := range r.Hashes() {
		out = append(out, h...)
	}
	return out
}

// splitHashes cuts concatenated 32-byte hashes apart.
func splitHashes(b []byte) ([][]byte, error) {
	if len(b)%hashSize != 0 {
		return nil, errors.New("not a whole number of hashes")
	}
	out := make([][]byte, len(b)/hashSize)
	for i := range out {
		out[i] = b[i*hashSize : (i+1)*hashSize]
	}
	return out, nil
}

// root returns the root hash of a range that starts at 0; the empty tree's
// root is SHA-256 of nothing, as RFC 6962 defines it.
func root(r *compact.Range) []byte {
	h, err := r.GetRootHash(nil)
	if err != nil || h == nil {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	return h
}

// treeState is the tree over records [0, size) and what it was resumed
// from.
type treeState struct {
	rng  *compact.Range
	from int64 // the size of the checkpoint it resumed from; 0 when rebuilt from the first record
	seq  int64 // the position of the last record read (differs from the size only if records were deleted)
}

// read appends the records after the last one read to the tree, calling
// each (if not nil) with every record.
func (ts *treeState) read(ctx context.Context, st *store.Store, each func(rec []byte)) error {
	var lh leafHasher
	return st.ScanAudit(ctx, ts.seq, func(seq int64, rec []byte) error {
		h := lh.hash(rec)
		if err := ts.rng.Append(h[:], nil); err != nil {
			return err
		}
		ts.seq = seq
		if each != nil {
			each(rec)
		}
		return nil
	})
}

// loadTree returns the tree over every record in the store. It resumes from
// the largest checkpoint whose signature verifies with keys, whose origin is
// this log's, whose stored range gives its signed root and whose size the
// log still reaches, and reads only the records after it; without one, it
// reads every record.
func loadTree(ctx context.Context, st *store.Store, keys *Keys, origin string) (treeState, error) {
	size, err := st.AuditSize(ctx)
	if err != nil {
		return treeState{}, err
	}
	ts := treeState{rng: factory.NewEmptyRange(0)}
	if keys != nil {
		cps, err := st.LatestCheckpoints(ctx, 8)
		if err != nil {
			return treeState{}, err
		}
		for _, cp := range cps {
			if r, ok := resumable(cp, *keys, origin, size); ok {
				ts = treeState{rng: r, from: cp.Size, seq: cp.Size}
				break
			}
		}
	}
	// The tree is over the records as they are, in order: a missing record
	// is Verify's to report, not a reason to stop signing.
	return ts, ts.read(ctx, st, nil)
}

// resumable checks a stored checkpoint as loadTree needs it.
func resumable(cp store.Checkpoint, keys Keys, origin string, size int64) (*compact.Range, bool) {
	c, err := OpenCheckpoint(cp.Note, keys)
	if err != nil || c.Origin != origin || int64(c.Size) != cp.Size || cp.Size > size {
		return nil, false
	}
	hashes, err := splitHashes(cp.Range)
	if err != nil {
		return nil, false
	}
	r, err := factory.NewRange(0, c.Size, hashes)
	if err != nil || string(root(r)) != string(c.Root) {
		return nil, false
	}
	return r, true
}

// leafOf is the RFC 6962 leaf hash of an encoded record.
func leafOf(rec []byte) []byte {
	h := record.LeafHash(rec)
	return h[:]
}
