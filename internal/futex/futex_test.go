package futex

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A producer and a consumer hand 20,000 items one at a time through an Event: a lost signal
// would leave the consumer asleep and the test would time out.
func TestEventLosesNoSignal(t *testing.T) {
	var ev Event
	var items, taken atomic.Int64
	const n = 20000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range n {
			for items.Load() > taken.Load() {
				// wait for the consumer to take the previous item, so that it sleeps often
			}
			items.Add(1)
			ev.Signal()
		}
	}()
	for taken.Load() < n {
		for items.Load() == taken.Load() {
			ev.Prepare()
			if items.Load() != taken.Load() {
				ev.Cancel()
				break
			}
			ev.Sleep()
		}
		taken.Add(1)
	}
	wg.Wait()
}

// Wait returns at once when the word no longer holds the value, and Wake wakes a sleeper.
func TestWaitWake(t *testing.T) {
	var w atomic.Uint32
	Wait(&w, 1) // w is 0: returns at once
	done := make(chan struct{})
	w.Store(1)
	go func() {
		for w.Load() == 1 {
			Wait(&w, 1)
		}
		close(done)
	}()
	time.Sleep(10 * time.Millisecond)
	w.Store(0)
	Wake(&w, 1)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sleeper was not woken")
	}
}
