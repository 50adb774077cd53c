package store

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"countersign/backend/audit/record"
	"countersign/backend/proposal"
)

// Group commit. A proposal insert queues its request, then either takes the
// write lock (wsem) or waits for its request to be done. Whoever takes the
// lock writes every queued request in one transaction and commits once, then
// wakes their callers. A request queued while a commit is in flight thus
// rides the next commit instead of waiting for one of its own, and a caller
// alone is committed at once, in a transaction of its own.
//
// Each request succeeds or is refused on its own. A refusal (a duplicate id,
// a revoked agent) is found before the proposal writes anything but the
// registration of an unknown agent, which a savepoint around that proposal
// takes back. Any other error (a full disk, say) fails every request of the
// batch, none of which is then stored.
//
// Every stored proposal's "proposed" event gets its audit record in the same
// transaction, right after the event, so the records of a batch follow the
// chain in the order the batch writes them. A refused proposal writes no
// event and no record; a batch that fails drops the chain's tip (see tip).

// maxBatch bounds the proposals written in one transaction, and so how long
// one commit holds the write lock.
const maxBatch = 128

// together: a mean batch above this means proposals arrive together.
const together = 1.1

// batchHook, if set (by tests), is called with the size of every batch
// written.
var batchHook func(size int)

// insertReq is one proposal waiting to be written, prepared outside the lock.
type insertReq struct {
	ctx   context.Context
	p     *proposal.Proposal
	rows  []rowAction
	blobs []blob
	data  string         // the "proposed" event's JSON
	rec   *record.Record // the "proposed" event's audit record
	extra []extraEvent   // events written right after "proposed" (the policy evaluation)
	kinds string
	known bool   // the agent was in the known cache when prepared
	then  func() // called after the commit, under the write lock

	err  error         // the outcome, set before done is closed
	done chan struct{} // closed once the request is committed or refused
}

// insertQueue holds the requests not yet taken by a writer.
// extraEvent is an event stored with a proposal, with its audit record.
type extraEvent struct {
	e   Event
	rec *record.Record
}

type insertQueue struct {
	mu      sync.Mutex
	pending []*insertReq
}

func (q *insertQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

func (q *insertQueue) push(r *insertReq) {
	q.mu.Lock()
	q.pending = append(q.pending, r)
	q.mu.Unlock()
}

// take removes and returns up to maxBatch requests, oldest first.
func (q *insertQueue) take() []*insertReq {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.pending), maxBatch)
	batch := make([]*insertReq, n)
	copy(batch, q.pending)
	rest := copy(q.pending, q.pending[n:])
	clear(q.pending[rest:])
	q.pending = q.pending[:rest]
	return batch
}

// withdraw removes r if no writer has taken it yet and reports whether it did.
func (q *insertQueue) withdraw(r *insertReq) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, x := range q.pending {
		if x == r {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			return true
		}
	}
	return false
}

// insert queues r and returns once it is committed or refused. If ctx ends
// before a writer takes r, r is dropped and ctx.Err() returned; once taken,
// r's outcome is awaited, so an error always means r was not stored.
func (s *Store) insert(ctx context.Context, r *insertReq) error {
	s.ins.push(r)
	select {
	case s.wsem <- struct{}{}:
		s.lead(r)
	case <-r.done:
	case <-ctx.Done():
		if s.ins.withdraw(r) {
			return ctx.Err()
		}
		<-r.done
	}
	return r.err
}

// lead writes batches until r is done, then releases the write lock, which
// the caller has taken. Whoever held the lock before has finished, so r is
// either done or still queued, and then a batch taken now or next holds it.
func (s *Store) lead(r *insertReq) {
	defer func() { <-s.wsem }()
	for !r.finished() {
		// When proposals arrive together (recent batches held several, or
		// another insert is being prepared now), let those on their way
		// queue first rather than wait for a commit of their own. A caller
		// alone never waits here.
		for i := 0; i < 4 && (s.batchMean > together || int(s.inserting.Load()) > s.ins.len()); i++ {
			runtime.Gosched()
		}
		s.writeBatch(s.ins.take())
	}
}

func (r *insertReq) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// writeBatch writes batch in one transaction and settles every request in
// it. The caller holds wsem.
func (s *Store) writeBatch(batch []*insertReq) {
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	live := make([]*insertReq, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// A moving mean: a batch weighs 1/8, so the mean falls back to one
	// proposal within some thirty batches once inserts stop arriving together.
	s.batchMean += (float64(len(live)) - s.batchMean) / 8
	if batchHook != nil {
		batchHook(len(live))
	}
	stored := 0
	err := s.w.raw(func(t rawTx) error {
		if _, err := t.exec(sqlBegin); err != nil {
			return err
		}
		undo := func(err error) error {
			t.exec(sqlRollback) // fails only if SQLite has rolled back already
			s.tip.drop()
			return err
		}
		alone := len(live) == 1
		revoked := map[string]bool{} // agents checked in this transaction
		for _, r := range live {
			// A refusal is found before the proposal writes anything, except
			// for the registration of an unknown agent, which a savepoint
			// takes back. Any other error fails the whole batch.
			guard := !r.known && !alone
			if guard {
				if _, err := t.exec(sqlSavepoint); err != nil {
					return undo(err)
				}
			}
			r.err = s.insertOne(t, r, revoked)
			refused := errors.Is(r.err, ErrExists) || errors.Is(r.err, ErrRevoked)
			if r.err != nil && !refused {
				return undo(r.err)
			}
			if guard {
				if refused {
					if _, err := t.exec(sqlUndoOne); err != nil {
						return undo(err)
					}
				}
				if _, err := t.exec(sqlRelease); err != nil {
					return undo(err)
				}
			}
		}
		for _, r := range live {
			if r.err == nil {
				stored++
			}
		}
		if stored == 0 {
			return undo(nil)
		}
		if _, err := t.exec(sqlCommit); err != nil {
			return undo(err)
		}
		s.tip.commit()
		s.committed(t.driverConn)
		return nil
	})
	for _, r := range live {
		switch {
		case err != nil && r.err == nil:
			r.err = s.wrap("insert proposal", err)
		case r.err != nil && sqliteCode(r.err) != 0:
			r.err = s.wrap("insert proposal", r.err)
		}
	}
	if err == nil && stored > 0 {
		for _, r := range live {
			if r.err != nil {
				continue
			}
			if !r.known {
				s.markKnown(r.p.AgentID)
			}
			if r.then != nil {
				r.then()
			}
		}
	}
}
