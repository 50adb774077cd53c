package sheet

import (
	"context"
)

// A rowSource yields a sheet's rows in ascending order; a row stays valid
// until the next call.
type rowSource interface {
	next() (*row, error) // nil at the end
}

// Batches bound what a prefetching reader holds ahead of the comparison.
const (
	batchRows    = 256
	batchCells   = 8192
	batchBytes   = 1 << 20
	batchesAhead = 2
)

type rowBatch struct {
	rows []row
	n    int
	last bool
	err  error
}

// prefetcher reads a sheet on its own goroutine, a few batches ahead, so two
// sheets are decompressed and parsed in parallel while they are compared.
type prefetcher struct {
	out  chan *rowBatch
	free chan *rowBatch
	cur  *rowBatch
	i    int
	done bool
	ctx  context.Context
}

// prefetch starts reading sr. The goroutine ends at the sheet's end, on an
// error, or when ctx is done; it calls sr.finish at the end of the sheet.
func prefetch(ctx context.Context, sr *sheetReader) *prefetcher {
	p := &prefetcher{out: make(chan *rowBatch, batchesAhead), free: make(chan *rowBatch, batchesAhead+1), ctx: ctx}
	for range batchesAhead + 1 {
		p.free <- &rowBatch{}
	}
	go func() {
		defer close(p.out)
		defer sr.close()
		for {
			var b *rowBatch
			select {
			case b = <-p.free:
			case <-ctx.Done():
				return
			}
			b.n, b.last, b.err = 0, false, nil
			cells, size := 0, 0
			for b.n < batchRows && cells < batchCells && size < batchBytes {
				if ctx.Err() != nil {
					return
				}
				if b.n == len(b.rows) {
					b.rows = append(b.rows, row{})
				}
				ok, err := sr.next(&b.rows[b.n])
				if err != nil {
					b.err = err
					break
				}
				if !ok {
					b.last = true
					b.err = sr.finish()
					break
				}
				cells += len(b.rows[b.n].cells)
				size += len(b.rows[b.n].arena)
				b.n++
			}
			select {
			case p.out <- b:
			case <-ctx.Done():
				return
			}
			if b.last || b.err != nil {
				return
			}
		}
	}()
	return p
}

func (p *prefetcher) next() (*row, error) {
	for {
		if p.cur != nil && p.i < p.cur.n {
			p.i++
			return &p.cur.rows[p.i-1], nil
		}
		if p.done {
			return nil, nil
		}
		if p.cur != nil {
			if p.cur.err != nil {
				p.done = true
				return nil, p.cur.err
			}
			if p.cur.last {
				p.done = true
				return nil, nil
			}
			p.free <- p.cur
			p.cur = nil
		}
		b, ok := <-p.out
		if !ok {
			p.done = true
			if err := p.ctx.Err(); err != nil {
				return nil, err
			}
			return nil, nil
		}
		p.cur, p.i = b, 0
	}
}

// wait drains the prefetcher so its goroutine has ended (after the caller
// cancelled its context, or read to the end).
func (p *prefetcher) wait() {
	for range p.out {
	}
}

// emptySource has no rows.
type emptySource struct{}

func (emptySource) next() (*row, error) { return nil, nil }

// pairIter yields the rows of two sides with equal numbers together; one
// side is nil where that side has no such row. In a sheet.update preview both
// sides may be the same *row, meaning the row is untouched.
type pairIter interface {
	next() (o, n *row, err error) // both nil at the end
}

// mergePairs merge-joins two sources on row number.
type mergePairs struct {
	old, new       rowSource
	o, n           *row
	oDone, nDone   bool
	oFetch, nFetch bool
}

func newMergePairs(old, new rowSource) *mergePairs {
	return &mergePairs{old: old, new: new, oFetch: true, nFetch: true}
}

func (p *mergePairs) next() (*row, *row, error) {
	var err error
	if p.oFetch && !p.oDone {
		if p.o, err = p.old.next(); err != nil {
			return nil, nil, err
		}
		p.oDone, p.oFetch = p.o == nil, false
	}
	if p.nFetch && !p.nDone {
		if p.n, err = p.new.next(); err != nil {
			return nil, nil, err
		}
		p.nDone, p.nFetch = p.n == nil, false
	}
	o, n := p.o, p.n
	switch {
	case o == nil && n == nil:
		return nil, nil, nil
	case n == nil || o != nil && o.num < n.num:
		p.oFetch, p.o = true, nil
		return o, nil, nil
	case o == nil || n.num < o.num:
		p.nFetch, p.n = true, nil
		return nil, n, nil
	}
	p.oFetch, p.nFetch, p.o, p.n = true, true, nil, nil
	return o, n, nil
}

// overlayPairs yields each row of a source with a sheet.update's edits
// applied: (row, row) for untouched rows, (row, edited) for edited ones and
// (nil, edited) for rows only the edits create.
type overlayPairs struct {
	src     rowSource
	edits   []edit
	ei      int
	pending *row
	fetch   bool
	done    bool
	out     row
}

func newOverlayPairs(src rowSource, edits []edit) *overlayPairs {
	return &overlayPairs{src: src, edits: edits, fetch: true}
}

func (p *overlayPairs) next() (*row, *row, error) {
	if p.fetch && !p.done {
		r, err := p.src.next()
		if err != nil {
			return nil, nil, err
		}
		p.pending, p.done, p.fetch = r, r == nil, false
	}
	hasEdit := p.ei < len(p.edits)
	switch {
	case p.pending == nil && !hasEdit:
		return nil, nil, nil
	case hasEdit && (p.pending == nil || p.edits[p.ei].row < p.pending.num):
		es := p.rowEdits()
		overlay(&p.out, nil, es[0].row, es)
		return nil, &p.out, nil
	case hasEdit && p.edits[p.ei].row == p.pending.num:
		es := p.rowEdits()
		overlay(&p.out, p.pending, p.pending.num, es)
		o := p.pending
		p.pending, p.fetch = nil, true
		return o, &p.out, nil
	}
	o := p.pending
	p.pending, p.fetch = nil, true
	return o, o, nil
}

func (p *overlayPairs) rowEdits() []edit {
	start := p.ei
	for p.ei < len(p.edits) && p.edits[p.ei].row == p.edits[start].row {
		p.ei++
	}
	return p.edits[start:p.ei]
}

// overlaySource yields the edited rows of an overlay as a plain source.
type overlaySource struct{ p *overlayPairs }

func (s overlaySource) next() (*row, error) {
	_, n, err := s.p.next()
	return n, err
}

// readerSource reads a sheet on the caller's goroutine.
type readerSource struct {
	sr *sheetReader
	r  row
}

func (s *readerSource) next() (*row, error) {
	if s.sr == nil {
		return nil, nil
	}
	ok, err := s.sr.next(&s.r)
	if err != nil || !ok {
		return nil, err
	}
	return &s.r, nil
}
