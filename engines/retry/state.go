package retry

import (
	"sync/atomic"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"golang.org/x/sys/unix"
)

// The request state machine: one atomic word per request, the attempt loop that runs on the
// driving goroutine, completion, and the notifications that kick a waiting request.

// The state word of a request: gen (the number of its latest armed wait) in the high 32 bits,
// the notifications armed and not yet returned in bits 8–23, flags in the low byte. Every change
// is one compare-and-swap of the whole word, so a decision about a request always sees all of it.
const (
	flagRunning   = 1 << iota // an attempt loop is running (on the driving goroutine)
	flagKicked                // a notification arrived that no attempt has acted on yet
	flagQueued                // on the ready queue, to be retried or handed back by Reap
	flagDone                  // completed (N and Err are final)
	flagDelivered             // handed back, or on its way back, to the caller: exactly once

	armedShift = 8
	armedOne   = 1 << armedShift
	armedMask  = 0xffff << armedShift
	genShift   = 32
)

func armedOf(w uint64) int              { return int(w&armedMask) >> armedShift }
func genOf(w uint64) uint32             { return uint32(w >> genShift) }
func withGen(w uint64, g uint32) uint64 { return w&(1<<genShift-1) | uint64(g)<<genShift }

// state is the engine's per-request state, kept in Request.Engine and reused when the caller
// submits the Request again. Fields other than word and notified belong to whoever runs the
// request: the driving goroutine while flagRunning is set, or the waiter of a fallback read.
type state struct {
	req       *engines.Request
	next      *state // link on the ready list
	word      atomic.Uint64
	notified  atomic.Int64 // clock.Now of the latest notification
	done      int          // bytes read so far
	attempts  int
	submitted int64 // clock.Now at Submit, when tracing
	raEnd     int64 // file offset up to which readahead was started for this request
	progress  int   // bytes done when the latest wait was armed
	fbDone    bool  // a fallback read's result, set by the waiter before it kicks
	fbN       int
	fbErr     error
	// pageErr is the errno of a failed wait: the blocking read of one of the request's pages
	// failed (EIO from the device). A NOWAIT retry of a page whose read failed only answers
	// EAGAIN again and starts it again, so without this a persistent error was retried for
	// ever; with it the next attempt completes the request with the error. Set by a notifier
	// (any thread), read by the attempt loop.
	pageErr atomic.Uint32
}

// A wait is one armed notification: wait for the page at off, then kick st with gen.
type wait struct {
	st       *state
	gen      uint32
	fd       int
	off      int64
	fallback bool // read the whole remainder blocking instead (RWF_NOWAIT unsupported)
}

// run is the attempt loop; flagRunning is set. It returns true when the request completed and
// is to be handed back now, false when it waits (or completed with a notification still armed,
// whose return will hand it back).
func (r *reader) run(st *state) bool {
	for {
		if r.attempt(st) {
			return r.finish(st)
		}
		r.arm(st)
		if r.afterArm != nil {
			r.afterArm(st)
		}
		// Stop running, unless a notification came meanwhile: then attempt again at once.
		for {
			w := st.word.Load()
			if w&flagKicked != 0 {
				if st.word.CompareAndSwap(w, w&^flagKicked) {
					r.stats.kicks++
					break
				}
				continue
			}
			if st.word.CompareAndSwap(w, w&^flagRunning) {
				return false
			}
		}
	}
}

// finish marks a request done. It is handed back now if no notification is armed for it;
// otherwise the last one to return hands it back (a request stays alive until then).
func (r *reader) finish(st *state) bool {
	req := st.req
	req.N = st.done
	r.stats.completed++
	r.stats.attemptsMax = max(r.stats.attemptsMax, int64(st.attempts))
	for {
		w := st.word.Load()
		nw := w&^(flagRunning|flagKicked) | flagDone
		if armedOf(w) == 0 {
			nw |= flagDelivered
		}
		if st.word.CompareAndSwap(w, nw) {
			return nw&flagDelivered != 0
		}
	}
}

// notePageErr records a failed page read for the request's next attempt. EINTR is not a failure
// of the page: the retry simply reads again.
func notePageErr(st *state, err error) {
	if e, ok := err.(unix.Errno); ok && e != 0 && e != unix.EINTR {
		st.pageErr.Store(uint32(e))
	}
}

// kick delivers a notification. It may run on any goroutine, at any time, any number of times.
func (r *reader) kick(n wait) {
	n.st.notified.Store(clock.Now())
	st := n.st
	for {
		w := st.word.Load()
		if armedOf(w) == 0 {
			panic("retry: a notification returned that was never armed")
		}
		nw := w - armedOne
		push := false
		switch {
		case genOf(w) != n.gen || w&flagDone != 0:
			// For an earlier wait, or after completion: nothing to do but return. The last
			// notification of a completed request hands it back.
			if w&flagDone != 0 && armedOf(nw) == 0 && w&flagDelivered == 0 {
				nw |= flagDelivered | flagQueued
				push = true
			}
		case w&flagRunning != 0:
			nw |= flagKicked // the running retry will attempt again instead of sleeping
		case w&flagQueued != 0:
			nw |= flagKicked // already queued to retry
		default:
			nw |= flagKicked | flagQueued
			push = true
		}
		if !st.word.CompareAndSwap(w, nw) {
			continue
		}
		switch {
		case genOf(w) != n.gen || w&flagDone != 0:
			r.stale.Add(1)
		case w&flagRunning != 0:
			r.whileRunning.Add(1)
		}
		if push {
			r.ready.push(st)
		}
		return
	}
}
