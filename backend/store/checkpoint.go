package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"

	"modernc.org/sqlite"
)

// Checkpoints. A checkpoint copies the pages of the WAL back into the
// database file so that the WAL can start over. Under synchronous=NORMAL it is
// the only place SQLite calls fsync: on the WAL, before copying, and on the
// database, after; the first costs in proportion to what was written since
// the last checkpoint. SQLite's automatic checkpoint runs it inside the
// commit that crosses its threshold, which then takes milliseconds, every
// 1,000 pages; here a goroutine does most of it alongside the writers:
//
//   - once the writer has written ckptFrames pages since the last round, it
//     kicks the goroutine;
//   - the goroutine runs a passive checkpoint on a pooled connection while
//     writers carry on;
//   - the WAL starts over at the first write after a checkpoint has copied
//     all of it, which a pause in writing allows; under sustained writing,
//     once the WAL holds ckptRestart pages, the goroutine runs one more pass
//     over what was written meanwhile, then takes the write lock for a last
//     one over the remainder.
//
// A commit is durable once its frames are in the WAL, as before; this only
// changes which goroutine pays for copying them back, and how often writers
// wait for an fsync. SQLite's automatic checkpoint stays on as a backstop, at
// a higher threshold (ckptBackstop).

const (
	// ckptFrames: pages written between rounds (4 KiB each).
	ckptFrames = 4000
	// ckptRestart: pages in the WAL at which the checkpointer holds writers
	// off to let it start over, if no pause in writing has let it already.
	ckptRestart = 8000
	// ckptBackstop: pages in the WAL at which the writer checkpoints itself
	// (SQLite's wal_autocheckpoint).
	ckptBackstop = 16000
)

const sqlCheckpoint = `PRAGMA wal_checkpoint(PASSIVE)`

type checkpointer struct {
	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	once sync.Once

	written int // pages the writer has written since the last kick; guarded by wsem
}

func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

// startCheckpointer sets the writer's backstop and starts the goroutine.
func (s *Store) startCheckpointer() error {
	err := s.w.conn.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("store: driver connection %T cannot execute", dc)
		}
		_, err := ex.ExecContext(context.Background(), fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", ckptBackstop), nil)
		return err
	})
	if err != nil {
		return err
	}
	s.ckpt = &checkpointer{kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.checkpointLoop(s.ckpt)
	return nil
}

// committed is called after every commit on the writer's driver connection
// dc, with wsem held, and kicks the checkpointer when enough has been
// written.
func (s *Store) committed(dc any) {
	c := s.ckpt
	if c == nil {
		return
	}
	st, ok := dc.(sqlite.DBStatus)
	if !ok {
		return
	}
	// Pages this connection has written to the WAL since the last call.
	n, _, err := st.Status(sqlite.DBStatusCacheWrite, true)
	if err != nil {
		return
	}
	if c.written += n; c.written < ckptFrames {
		return
	}
	c.written = 0
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (s *Store) checkpointLoop(c *checkpointer) {
	defer close(c.done)
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			return
		}
		s.checkpointRound(c.stop, ckptRestart)
	}
}

// checkpointRound copies the WAL into the database while writers carry on.
// If the WAL then holds restart pages or more, writing has not paused long
// enough for it to start over: the round copies what was written meanwhile,
// then holds writers off to copy the rest, so that the next write starts the
// WAL over. It gives up waiting for the write lock once stop is closed.
// Errors are left to the next round and to the backstop: a checkpoint that
// fails copies less, it loses nothing.
func (s *Store) checkpointRound(stop <-chan struct{}, restart int) {
	ctx := context.Background()
	var busy, frames, copied int
	if err := s.db.QueryRowContext(ctx, sqlCheckpoint).Scan(&busy, &frames, &copied); err != nil || frames < restart {
		return
	}
	s.db.ExecContext(ctx, sqlCheckpoint)
	select {
	case s.wsem <- struct{}{}:
	case <-stop:
		return
	}
	s.w.conn.ExecContext(ctx, sqlCheckpoint)
	<-s.wsem
}
