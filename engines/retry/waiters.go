package retry

import (
	"runtime"

	"github.com/aiobench/aiobench/internal/fileio"
	"golang.org/x/sys/unix"
)

// The notifiers: arming a wait for a request's first missing page, the waiter threads that
// block on it, and the reaper notifier that waits for the oldest page on the reaping thread.

// arm hands the request to a waiter: wait for its first missing page (or, without RWF_NOWAIT,
// read the rest blocking), then kick it. It never blocks.
func (r *reader) arm(st *state) {
	var g uint32
	for {
		w := st.word.Load()
		g = genOf(w) + 1
		if st.word.CompareAndSwap(w, withGen(w+armedOne, g)) {
			break
		}
	}
	st.progress = st.done
	off := st.req.Offset + int64(st.done)
	if r.waitRange { // when enough is ready: the last page of the missing range
		off = st.req.Offset + int64(len(st.req.Buf)) - 1
	}
	fallback := !r.nowait
	if fallback {
		r.stats.fallbacks++
	}
	w := wait{st: st, gen: g, fd: st.req.Fd, off: off &^ 4095, fallback: fallback}
	if r.reaperWaits && !fallback {
		r.local = append(r.local, w)
		return
	}
	if r.ring != nil && !fallback && r.ring.arm(w) {
		return
	}
	r.waitq.Push(w)
}

// waitOldest waits, on the reaping thread, for the page of the oldest wait Reap keeps itself,
// then delivers its notification like a waiter would.
func (r *reader) waitOldest() {
	w := r.local[0]
	r.local = append(r.local[:0], r.local[1:]...)
	var b [1]byte
	_, err := unix.Pread(w.fd, b[:], w.off) // the data does not matter; the retry reads it
	notePageErr(w.st, err)
	r.kick(w)
}

// pollWaits looks, without blocking, whether the pages of the waits Reap keeps itself are
// ready, oldest first, and delivers the notification of each that is; it stops at the first
// that is not (its I/O was started first, so the younger ones seldom are). A page is ready when
// a 1-byte RWF_NOWAIT read of it succeeds; that read finds the page's I/O in flight and refuses
// (EAGAIN) without starting more. It returns how many it notified. An error other than EAGAIN is the page's, as a blocking read
// would have returned it. Reap calls it at most once per poll interval (--retry-poll), so that a
// stream of inline hits, which never lets Reap sleep, does not leave the misses waiting.
func (r *reader) pollWaits(now int64) int {
	r.lastPoll = now
	var b [1]byte
	ready := 0
	for _, w := range r.local {
		r.stats.polls++
		n, errno := fileio.ReadNowait(w.fd, b[:], w.off)
		if errno == unix.EAGAIN || errno == 0 && n == 0 {
			break
		}
		if errno != 0 {
			notePageErr(w.st, errno)
		}
		r.stats.pollsReady++
		ready++
		r.kick(w)
	}
	if ready > 0 {
		r.local = append(r.local[:0], r.local[ready:]...)
	}
	return ready
}

// waiter is one notifier thread.
func (r *reader) waiter() {
	runtime.LockOSThread()
	defer r.waiters.Done()
	var scratch [1]byte
	for {
		w, ok := r.waitq.Pop()
		if !ok {
			return
		}
		busy := r.busy.Add(1)
		for peak := r.waitersPeak.Load(); busy > peak && !r.waitersPeak.CompareAndSwap(peak, busy); peak = r.waitersPeak.Load() {
		}
		if w.fallback {
			req := w.st.req
			w.st.fbN, w.st.fbErr = fileio.Pread(w.fd, req.Buf[w.st.done:], req.Offset+int64(w.st.done))
			w.st.fbDone = true
		} else {
			// The blocking read waits for the page readahead started (or reads it). Its
			// data does not matter: the retry reads it. Its error does: a failed page
			// fails the request (state.pageErr).
			_, err := unix.Pread(w.fd, scratch[:], w.off)
			notePageErr(w.st, err)
		}
		r.busy.Add(-1)
		r.kick(w)
	}
}
