package retry

import (
	"sync/atomic"

	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/futex"
)

// The engine's two hand-offs between threads are built on futexes rather than channels: armed
// waits go to the waiters on a handoff.Queue; kicked requests come back to Reap on the ready
// list below. The job's goroutine and the waiters are locked to OS threads, and waking a
// locked goroutine through a channel goes through the Go scheduler (README, Performance).

// readyList carries kicked requests and deferred completions from the notifiers (any thread)
// to Reap (the driving goroutine): a lock-free stack of states, which Reap takes whole, and an
// Event that wakes Reap only when it sleeps. A state is on it at most once at a time
// (flagQueued), so its link field is free to use.
type readyList struct {
	head atomic.Pointer[state]
	ev   futex.Event
}

// push adds st and wakes Reap if it sleeps. Any thread may call it.
func (l *readyList) push(st *state) {
	for {
		old := l.head.Load()
		st.next = old
		if l.head.CompareAndSwap(old, st) {
			break
		}
	}
	l.ev.Signal()
}

// empty reports whether nothing is waiting to be taken.
func (l *readyList) empty() bool { return l.head.Load() == nil }

// takeAll removes every state pushed so far and returns them oldest first, linked by next.
// Only the driving goroutine calls it. A caller must read st.next before acting on st: once
// st's flagQueued is cleared a notifier may push it again.
func (l *readyList) takeAll() *state {
	if l.empty() {
		return nil // the fast path's Reap: a load, not a locked exchange
	}
	var prev *state
	for st := l.head.Swap(nil); st != nil; {
		next := st.next
		st.next = prev
		prev, st = st, next
	}
	return prev
}

// sleepUntil is sleep that also returns at deadline (a clock.Now reading).
func (l *readyList) sleepUntil(deadline int64) {
	if !l.empty() {
		return
	}
	l.ev.Prepare()
	if !l.empty() {
		l.ev.Cancel()
		return
	}
	if !l.ev.SleepUntil(deadline, clock.Now) {
		l.ev.Cancel()
	}
}

// sleep waits until something is pushed (at once if something is there).
func (l *readyList) sleep() {
	if !l.empty() {
		return
	}
	l.ev.Prepare()
	if !l.empty() {
		l.ev.Cancel()
		return
	}
	l.ev.Sleep()
}
