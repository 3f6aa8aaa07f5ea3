package harness

import "sync"

// A barrier stops a run's jobs at the points where the file's state must change with no request
// in flight: the start of the measured phase (the gate) and, on a cold run, the end of a pass
// over the file. Each job arrives with its queue drained and waits; the last to arrive (or the
// last to leave, when the others are waiting) runs the action with every other job stopped,
// then releases them all. A job whose bound has ended leaves for good.
//
// Waits end on release or on abort, so a cancelled run never leaves a job waiting.
type barrier struct {
	mu struct {
		sync.Mutex
		parties int           // jobs still taking part
		arrived int           // jobs waiting in the current generation
		release chan struct{} // closed to release the current generation
		aborted bool
	}
	action func() // runs with every remaining job stopped at the barrier
	last   func() // runs once, when the last job leaves
}

func newBarrier(parties int, action, last func()) *barrier {
	b := &barrier{action: action, last: last}
	b.mu.parties = parties
	b.mu.release = make(chan struct{})
	return b
}

// await arrives and waits until the action has run (or the barrier was aborted).
func (b *barrier) await() {
	b.mu.Lock()
	b.mu.arrived++
	if b.tripLocked() {
		b.mu.Unlock()
		return
	}
	ch := b.mu.release
	b.mu.Unlock()
	<-ch
}

// leave takes the caller out of the barrier for good.
func (b *barrier) leave() {
	b.mu.Lock()
	b.mu.parties--
	if b.mu.parties == 0 {
		b.mu.Unlock()
		b.last()
		return
	}
	b.tripLocked()
	b.mu.Unlock()
}

// abort releases every waiting job now and every later arrival at once; no action runs again.
func (b *barrier) abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.mu.aborted {
		b.mu.aborted = true
		close(b.mu.release)
	}
}

// tripLocked runs the action and releases the waiters when every remaining job has arrived.
// It reports whether it did (or whether the barrier is aborted, so that nobody waits).
func (b *barrier) tripLocked() bool {
	if b.mu.aborted {
		return true
	}
	if b.mu.arrived == 0 || b.mu.arrived < b.mu.parties {
		return false
	}
	b.action() // every other job is waiting: nothing is in flight
	b.mu.arrived = 0
	close(b.mu.release)
	b.mu.release = make(chan struct{})
	return true
}
