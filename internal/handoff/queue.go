// Package handoff carries work between an engine's threads without Go channels: a FIFO queue
// under a short mutex whose consumers first poll briefly, then sleep on a futex. Engines whose
// goroutines are locked to OS threads (the harness's job threads, the retry engine's waiters,
// the threadpool's workers) use it: waking a locked goroutine through a channel goes through the
// Go scheduler, which hands its P between threads (several context switches and futex calls
// per hand-off); a futex wakes the sleeping thread directly, and a consumer that is polling
// needs no wake-up at all.
package handoff

import (
	"math"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/futex"
)

// A Queue is a first-in, first-out queue for any number of producers and consumers: a growable
// ring under a mutex (held for a few instructions), and a futex word the idle consumers sleep
// on, touched by Push only when one sleeps. Push never blocks.
//
// An idle consumer first polls for up to Spin, yielding its CPU on every turn to any other
// thread that can run there, and sleeps only then. Polling spares the producer the futex wake
// it would otherwise pay on nearly every push, and keeps the consumer's CPU from halting
// between items (which on a VM can delay the device's interrupts); its cost is the consumer's
// CPU while it polls. At most MaxSpinners consumers poll at once; the others sleep at once, so
// that many idle consumers do not crowd the CPUs the producers need.
type Queue[T any] struct {
	mu       sync.Mutex
	buf      []T
	head     int
	closed   atomic.Bool
	n        atomic.Int32  // items queued; changed under mu, read without it when polling
	seq      atomic.Uint32 // bumped to wake sleeping consumers
	sleepers atomic.Int32
	spinners atomic.Int32
	spin     time.Duration
	maxSpin  int32
}

// NewQueue returns a queue with room for capacity items before it grows, whose idle consumers
// poll for spin (0: not at all), at most maxSpinners of them at once (0: no limit).
func NewQueue[T any](capacity int, spin time.Duration, maxSpinners int) *Queue[T] {
	if maxSpinners <= 0 {
		maxSpinners = math.MaxInt32
	}
	return &Queue[T]{buf: make([]T, max(capacity, 1)), spin: spin, maxSpin: int32(maxSpinners)}
}

// Len returns the number of items queued.
func (q *Queue[T]) Len() int { return int(q.n.Load()) }

// Push appends v and wakes one sleeping consumer.
func (q *Queue[T]) Push(v T) {
	q.mu.Lock()
	n := int(q.n.Load())
	if n == len(q.buf) {
		grown := make([]T, 2*len(q.buf))
		for i := range n {
			grown[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = grown, 0
	}
	q.buf[(q.head+n)%len(q.buf)] = v
	q.n.Store(int32(n + 1))
	q.mu.Unlock()
	if q.sleepers.Load() > 0 {
		q.seq.Add(1)
		futex.Wake(&q.seq, 1)
	}
}

// TryPop removes and returns the oldest item, if there is one.
func (q *Queue[T]) TryPop() (T, bool) {
	if q.n.Load() == 0 {
		var zero T
		return zero, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.popLocked()
}

// Drain appends every queued item to dst, oldest first, under one lock.
func (q *Queue[T]) Drain(dst []T) []T {
	if q.n.Load() == 0 {
		return dst
	}
	q.mu.Lock()
	for {
		v, ok := q.popLocked()
		if !ok {
			break
		}
		dst = append(dst, v)
	}
	q.mu.Unlock()
	return dst
}

func (q *Queue[T]) popLocked() (T, bool) {
	var zero T
	if q.n.Load() == 0 {
		return zero, false
	}
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) % len(q.buf)
	q.n.Add(-1)
	return v, true
}

// Pop removes and returns the oldest item, polling and then sleeping while there is none. It
// returns false once the queue is closed and empty.
func (q *Queue[T]) Pop() (T, bool) {
	q.poll()
	for {
		q.mu.Lock()
		if v, ok := q.popLocked(); ok {
			q.mu.Unlock()
			return v, true
		}
		if q.closed.Load() {
			q.mu.Unlock()
			var zero T
			return zero, false
		}
		// Registered as a sleeper under the lock: a push after the unlock sees it and bumps
		// seq, so the Wait below returns at once instead of missing the push.
		seq := q.seq.Load()
		q.sleepers.Add(1)
		q.mu.Unlock()
		futex.Wait(&q.seq, seq)
		q.sleepers.Add(-1)
	}
}

// PopUntil is Pop that gives up when the clock reaches deadline (a clock.Now reading): false
// then, or once the queue is closed and empty.
func (q *Queue[T]) PopUntil(deadline int64) (T, bool) {
	q.poll()
	var zero T
	for {
		q.mu.Lock()
		if v, ok := q.popLocked(); ok {
			q.mu.Unlock()
			return v, true
		}
		left := deadline - clock.Now()
		if q.closed.Load() || left <= 0 {
			q.mu.Unlock()
			return zero, false
		}
		seq := q.seq.Load()
		q.sleepers.Add(1)
		q.mu.Unlock()
		futex.WaitFor(&q.seq, seq, left)
		q.sleepers.Add(-1)
	}
}

// poll waits up to the queue's spin for an item, if fewer than MaxSpinners already poll.
func (q *Queue[T]) poll() {
	if q.spin <= 0 || q.n.Load() != 0 {
		return
	}
	if q.spinners.Add(1) > q.maxSpin {
		q.spinners.Add(-1)
		return
	}
	deadline := clock.Now() + int64(q.spin)
	for q.n.Load() == 0 && !q.closed.Load() && clock.Now() < deadline {
		_, _, _ = syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
	}
	q.spinners.Add(-1)
}

// Close lets the consumers return once the queue is empty.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	q.closed.Store(true)
	q.mu.Unlock()
	q.seq.Add(1)
	futex.Wake(&q.seq, math.MaxInt32)
}
