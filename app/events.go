package app

import (
	"sync"
	"time"

	"countersign/backend/queue"
)

// EventQueue is the name of the UI event that carries batches of queue events.
const EventQueue = "queue:events"

// batcher groups bursts of backend events so the UI renders once per batch:
// a batch leaves after window has passed since its first event, or as soon as
// it holds max events. Events that arrive before a sink is set are kept.
type batcher struct {
	window time.Duration
	max    int

	deliver sync.Mutex // held while a batch is handed over, so batches keep their order
	mu      sync.Mutex
	buf     []queue.Event
	timer   *time.Timer
	sink    func([]queue.Event)
}

func newBatcher(window time.Duration, max int) *batcher {
	return &batcher{window: window, max: max}
}

// SetSink starts delivery; pending events are flushed at once.
func (b *batcher) SetSink(sink func([]queue.Event)) {
	b.mu.Lock()
	b.sink = sink
	b.mu.Unlock()
	b.flush()
}

// Add queues one event for the next batch.
func (b *batcher) Add(e queue.Event) {
	b.mu.Lock()
	b.buf = append(b.buf, e)
	full := len(b.buf) >= b.max
	if !full && b.timer == nil {
		b.timer = time.AfterFunc(b.window, b.flush)
	}
	b.mu.Unlock()
	if full {
		b.flush()
	}
}

func (b *batcher) flush() {
	b.deliver.Lock()
	defer b.deliver.Unlock()
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if b.sink == nil || len(b.buf) == 0 {
		b.mu.Unlock()
		return
	}
	batch := b.buf
	b.buf = nil
	sink := b.sink
	b.mu.Unlock()
	sink(batch)
}
