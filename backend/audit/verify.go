package audit

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/compact"

	"countersign/backend/audit/record"
	"countersign/backend/store"
)

// maxProblems bounds the problems one verification lists.
const maxProblems = 50

// Problem is one thing a verification found wrong, and where.
type Problem struct {
	Record     int64  `json:"record,omitempty"`     // the record it concerns (its position), 0 if none
	Checkpoint int64  `json:"checkpoint,omitempty"` // the checkpoint it concerns (its id in the database, or its line in a file), 0 if none
	Message    string `json:"message"`
}

func (p Problem) String() string { return p.Message }

// Report is what a verification found.
type Report struct {
	Records     int64 // records read
	Checkpoints int   // checkpoints read
	Verified    int   // checkpoints whose signature verifies and whose root hash the records give
	// Covered is the size of the largest verified checkpoint: records
	// 1..Covered are proved by a signature. Records after it are checked by
	// their hash chain only.
	Covered   int64
	Problems  []Problem
	Truncated bool // more problems than maxProblems were found
	Elapsed   time.Duration
}

// OK reports whether nothing was found wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(p Problem) {
	if len(r.Problems) == maxProblems {
		r.Truncated = true
		return
	}
	r.Problems = append(r.Problems, p)
}

// Summary is one paragraph for people.
func (r *Report) Summary() string {
	var b strings.Builder
	if r.OK() {
		fmt.Fprintf(&b, "ok: %d records, %d checkpoints verified", r.Records, r.Verified)
	} else {
		fmt.Fprintf(&b, "FAILED: %d problems in %d records and %d checkpoints", len(r.Problems), r.Records, r.Checkpoints)
		if r.Truncated {
			b.WriteString(" (only the first are listed)")
		}
	}
	if r.Records > r.Covered {
		fmt.Fprintf(&b, "; records %d..%d are not yet covered by a signed checkpoint (hash chain checked)", r.Covered+1, r.Records)
	}
	return b.String()
}

// signedCP is a checkpoint whose signature verified.
type signedCP struct {
	id   int64 // database id, or line number in a file
	cp   Checkpoint
	desc string
}

func describeCP(id int64, c Checkpoint, inFile bool) string {
	if inFile {
		return fmt.Sprintf("the checkpoint on line %d (size %d, signed %s)", id, c.Size, c.Time.Format(time.RFC3339))
	}
	return fmt.Sprintf("checkpoint %d (size %d, signed %s)", id, c.Size, c.Time.Format(time.RFC3339))
}

// chain walks records in order, checking each one's position and the hash
// it holds of the one before, and builds the tree over them. A run of
// records shifted by the same amount (after an insertion or a removal with
// renumbering) is reported once, where it starts.
type chain struct {
	r        *Report
	rng      *compact.Range
	lh       leafHasher
	next     int64 // the position the next record should have
	prev     [hashSize]byte
	prevPrev [hashSize]byte
	known    int   // how many of prev, prevPrev are known (a file may start mid-log)
	shift    int64 // position minus claimed seq of the last record
	skip     bool  // the last record was reported, so its successor's link is not
	events   []int64
}

func newChain(r *Report, rng *compact.Range) *chain {
	return &chain{r: r, rng: rng, next: int64(rng.End()) + 1}
}

// add checks one record stored at position seq and appends it to the tree.
func (c *chain) add(seq int64, rec []byte) error {
	c.r.Records++
	if seq > c.next {
		if seq == c.next+1 {
			c.r.add(Problem{Record: c.next, Message: fmt.Sprintf("record %d is missing: it was deleted (record %d follows record %d)", c.next, seq, c.next-1)})
		} else {
			c.r.add(Problem{Record: c.next, Message: fmt.Sprintf("records %d..%d are missing: they were deleted (record %d follows record %d)", c.next, seq-1, seq, c.next-1)})
		}
		c.next, c.skip = seq, true
	}
	h, err := record.ReadHead(rec)
	shift := seq - h.Seq
	linked := c.known >= 1 && h.HasPrev && h.Prev == c.prev
	reported := true
	switch {
	case err != nil:
		c.r.add(Problem{Record: seq, Message: fmt.Sprintf("record %d is not a record (%v): it was overwritten", seq, err)})
		shift = 0
	case shift != 0 && shift == c.shift && linked:
		reported = false // the run reported where it started goes on
	case shift == 1 && c.shift == 0 && c.known >= 2 && h.HasPrev && h.Prev == c.prevPrev:
		c.r.add(Problem{Record: seq - 1, Message: fmt.Sprintf("record %d was inserted: the record after it (which says it is record %d) holds the hash of record %d", seq-1, h.Seq, seq-2)})
	case shift != 0:
		c.r.add(Problem{Record: seq, Message: fmt.Sprintf("record %d says it is record %d: records were reordered, or one was inserted or removed before it", seq, h.Seq)})
	case seq == 1 && h.HasPrev, seq > 1 && !h.HasPrev:
		c.r.add(Problem{Record: seq, Message: fmt.Sprintf("record %d has the wrong link to the record before it: it was changed", seq)})
		reported = false // its own hash still links the next one
	case c.skip, c.known == 0:
		reported = false
	case !linked:
		c.r.add(Problem{Record: seq - 1, Message: fmt.Sprintf("record %d was changed: record %d holds a different hash of it", seq-1, seq)})
		reported = false // the blame is on the record before
	default:
		reported = false
	}
	if err == nil {
		c.events = append(c.events, h.EventID)
	}
	leaf := c.lh.hash(rec)
	c.prevPrev, c.prev = c.prev, leaf
	c.known = min(c.known+1, 2)
	c.shift, c.skip = shift, reported
	c.next++
	return c.rng.Append(leaf[:], nil) // the range keeps the slice: leaf is this call's own
}

// checkpoints compares the tree at its current size with the checkpoints of
// that size; last is the largest verified size before.
func (c *chain) checkpoints(cps []signedCP, lastGood *int64, lastGoodDesc *string) {
	size := c.rng.End()
	var rootHash []byte
	for _, s := range cps {
		if s.cp.Size != size {
			continue
		}
		if rootHash == nil {
			rootHash = root(c.rng)
		}
		c.r.Checkpoints++
		if bytes.Equal(rootHash, s.cp.Root) {
			c.r.Verified++
			c.r.Covered = int64(size)
			*lastGood, *lastGoodDesc = int64(size), s.desc
			continue
		}
		since := "from the first record"
		if *lastGood > 0 {
			since = fmt.Sprintf("after record %d, which %s covers and matches", *lastGood, *lastGoodDesc)
		}
		c.r.add(Problem{Checkpoint: s.id, Record: int64(size), Message: fmt.Sprintf(
			"%s does not match the records: a record up to %d was changed, inserted, removed or reordered %s", s.desc, size, since)})
	}
}

// Verify recomputes the tree from the records in st and checks every
// checkpoint against it with keys. It reports which record or checkpoint
// fails; the error is for failures to read, not for what is found.
func Verify(ctx context.Context, st *store.Store, keys Keys) (*Report, error) {
	start := time.Now()
	r := &Report{}
	id, err := st.AuditLogID(ctx)
	if err != nil {
		return nil, err
	}
	origin := Origin(id)
	stored, err := st.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	var cps []signedCP
	for _, s := range stored {
		c, err := OpenCheckpoint(s.Note, keys)
		desc := fmt.Sprintf("checkpoint %d", s.ID)
		switch {
		case err != nil:
			r.Checkpoints++
			r.add(Problem{Checkpoint: s.ID, Message: fmt.Sprintf("%s (size %d) is not valid: %v", desc, s.Size, err)})
		case c.Origin != origin:
			r.Checkpoints++
			r.add(Problem{Checkpoint: s.ID, Message: fmt.Sprintf("%s is of another log (%s, not %s): copied in", desc, c.Origin, origin)})
		case int64(c.Size) != s.Size:
			r.Checkpoints++
			r.add(Problem{Checkpoint: s.ID, Message: fmt.Sprintf("%s: its size column says %d but its signed size is %d: altered", desc, s.Size, c.Size)})
		default:
			cps = append(cps, signedCP{id: s.ID, cp: c, desc: describeCP(s.ID, c, false)})
		}
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].cp.Size < cps[j].cp.Size })

	ch := newChain(r, factory.NewEmptyRange(0))
	var lastGood int64
	var lastGoodDesc string
	ch.checkpoints(cps, &lastGood, &lastGoodDesc) // size 0
	err = scanPipelined(ctx, st, func(seq int64, rec []byte) error {
		if err := ch.add(seq, rec); err != nil {
			return err
		}
		ch.checkpoints(cps, &lastGood, &lastGoodDesc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	size := int64(ch.rng.End())
	for _, s := range cps {
		if int64(s.cp.Size) > size {
			r.Checkpoints++
			r.add(Problem{Checkpoint: s.id, Record: size + 1, Message: fmt.Sprintf(
				"%s covers %d records but the log has %d: records %d..%d were removed (truncated)", s.desc, s.cp.Size, size, size+1, s.cp.Size)})
		}
	}
	if err := checkEvents(ctx, st, ch.events, r); err != nil {
		return nil, err
	}
	r.Elapsed = time.Since(start)
	return r, nil
}

// checkEvents checks that every event has its record and every record its
// event: recorded holds the event ids the records name, in order.
func checkEvents(ctx context.Context, st *store.Store, recorded []int64, r *Report) error {
	count, maxID, err := st.EventStats(ctx)
	if err != nil {
		return err
	}
	if count == int64(len(recorded)) && (len(recorded) == 0 || recorded[len(recorded)-1] == maxID) && sort.SliceIsSorted(recorded, func(i, j int) bool { return recorded[i] < recorded[j] }) {
		return nil
	}
	seen := make(map[int64]bool, len(recorded))
	for _, id := range recorded {
		seen[id] = true
	}
	var missing []int64
	err = st.EventIDs(ctx, func(id int64) error {
		if !seen[id] {
			missing = append(missing, id)
		}
		delete(seen, id)
		return nil
	})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		r.add(Problem{Message: fmt.Sprintf("%d events have no audit record (first: event %d): their records were removed, or the events were added behind the log's back", len(missing), missing[0])})
	}
	if len(seen) > 0 {
		var ids []int64
		for id := range seen {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		r.add(Problem{Message: fmt.Sprintf("%d audit records name events that do not exist (first: event %d): the events were deleted", len(ids), ids[0])})
	}
	return nil
}

// recordBatch is a run of records copied out of the driver's buffers.
type recordBatch struct {
	seqs []int64
	ends []int
	data []byte
}

func (b *recordBatch) reset() { b.seqs, b.ends, b.data = b.seqs[:0], b.ends[:0], b.data[:0] }

func (b *recordBatch) add(seq int64, rec []byte) {
	b.seqs = append(b.seqs, seq)
	b.data = append(b.data, rec...)
	b.ends = append(b.ends, len(b.data))
}

func (b *recordBatch) record(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.data[start:b.ends[i]]
}

// scanPipelined calls fn with every record of st in order, like
// store.ScanAudit, but reads the database on a goroutine of its own, in
// batches, so that reading and hashing use two cores.
func scanPipelined(ctx context.Context, st *store.Store, fn func(seq int64, rec []byte) error) error {
	const batchSize, batches = 2048, 4
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan *recordBatch, batches)
	for range batches {
		free <- &recordBatch{}
	}
	full := make(chan *recordBatch, batches)
	readErr := make(chan error, 1)
	go func() {
		defer close(full)
		b := <-free
		err := st.ScanAudit(ctx, 0, func(seq int64, rec []byte) error {
			b.add(seq, rec)
			if len(b.seqs) < batchSize {
				return nil
			}
			full <- b
			select {
			case b = <-free:
				b.reset()
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err == nil && len(b.seqs) > 0 {
			full <- b
		}
		readErr <- err
	}()
	var fnErr error
	for b := range full {
		for i := 0; fnErr == nil && i < len(b.seqs); i++ {
			if fnErr = fn(b.seqs[i], b.record(i)); fnErr != nil {
				cancel()
			}
		}
		free <- b
	}
	if err := <-readErr; fnErr == nil {
		return err
	}
	return fnErr
}
