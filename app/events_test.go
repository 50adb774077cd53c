package app

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"countersign/backend/queue"
)

func TestBatcherKeepsOrderAndGroups(t *testing.T) {
	var mu sync.Mutex
	var batches [][]queue.Event
	done := make(chan struct{})
	b := newBatcher(5*time.Millisecond, 100)
	const n = 1050
	b.SetSink(func(batch []queue.Event) {
		mu.Lock()
		defer mu.Unlock()
		batches = append(batches, batch)
		total := 0
		for _, x := range batches {
			total += len(x)
		}
		if total == n {
			close(done)
		}
	})
	for i := 0; i < n; i++ {
		b.Add(queue.Event{ProposalID: fmt.Sprint(i)})
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("not every event was delivered")
	}
	mu.Lock()
	defer mu.Unlock()
	i := 0
	for _, batch := range batches {
		if len(batch) > 100 {
			t.Errorf("batch of %d exceeds the maximum of 100", len(batch))
		}
		for _, e := range batch {
			if e.ProposalID != fmt.Sprint(i) {
				t.Fatalf("event %d arrived as %s: order lost", i, e.ProposalID)
			}
			i++
		}
	}
	if len(batches) > n/100+5 {
		t.Errorf("%d batches for %d events: a burst was not grouped", len(batches), n)
	}
}

func TestBatcherHoldsEventsUntilSink(t *testing.T) {
	b := newBatcher(time.Millisecond, 10)
	b.Add(queue.Event{ProposalID: "early"})
	got := make(chan []queue.Event, 1)
	b.SetSink(func(batch []queue.Event) { got <- batch })
	select {
	case batch := <-got:
		if len(batch) != 1 || batch[0].ProposalID != "early" {
			t.Errorf("got %v", batch)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("event before the sink was lost")
	}
}
