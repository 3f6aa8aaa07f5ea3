// Package retry registers the "retry" engine, a user-space model of the retry-based AIO read
// proposed on linux-kernel in 2003 ("Retry based aio read for filesystems"): make as much
// progress as possible without blocking; when that stops, start the I/O the rest needs without
// waiting for it, arrange to be notified when enough is ready, and restart from where the request
// left off; repeat until done. io_uring's async buffered reads and "try RWF_NOWAIT, then fall
// back" readers descend from the same idea.
//
// The model, piece by piece:
//
//   - Fast path: Submit tries preadv2(RWF_NOWAIT) on the caller's goroutine. A read the page
//     cache can serve completes inline: no goroutine hand-off, no channel, no allocation.
//   - Partial progress is kept: a short read (the cached prefix) advances the request's saved
//     state, and every later attempt reads only the remainder, as the RFC retried "at the
//     highest level with the remaining part of the buffer".
//   - Initiate without waiting: the I/O for the missing range is started with readahead(2), in
//     chunks no larger than the device's read_ahead_kb (at most 8 MiB a call). Where the
//     kernel's NOWAIT read has already started the first missing page's I/O itself (Linux does
//     since 5.x; the engine checks it on a file's first cold reads, see startIO), that page is
//     not asked for again.
//   - Async wait and kick: a small bounded set of waiter threads each does a blocking 1-byte
//     read of the first missing page into its own scratch buffer, the user-space analogue of
//     the kernel's async lock_page/wait_on_page_bit; when it returns the request is kicked.
//   - Retry context: retries run in Reap, on the driving goroutine, as the kernel ran the aio
//     retry in the submitter's context after kick_iocb; the data copy happens there, again with
//     RWF_NOWAIT.
//
// A request's life is one atomic word (see state), so that the races the RFC names cannot
// happen: never two retries of one request at once; a kick that arrives while a retry runs
// forces another attempt instead of being lost; a stale kick is dropped and counted; every
// request completes exactly once, and only after every notification armed for it returned.
package retry

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/fileio"
	"github.com/aiobench/aiobench/internal/handoff"
	"golang.org/x/sys/unix"
)

func init() { engines.Register("retry", engine{}) }

// DefaultWaiters is the number of waiter threads per Reader when Config.Waiters is 0. One is
// enough and measured best here: a waiter only waits for pages whose I/O readahead(2) has
// already started, so it does not limit the device's queue depth, and a single waiter walks from
// page to page without sleeping on its queue in between. At 4 KiB random cold reads, QD16, on
// this project's 2-vCPU VM, 1 waiter gave 46–57k IOPS at 22–25 µs of CPU per request, against
// 40–50k at 26–30 µs with 2 and 39–44k at 34–38 µs with 8, with a lower p99 too.
const DefaultWaiters = 1

// DefaultWaiterSpin is how long an idle waiter polls for new work before it sleeps when
// Config.WaiterSpin is 0 and the queue depth is at least SpinQueueDepth (see handoff.Queue for
// why). Below that depth the default is not to poll: the next wait seldom comes within the
// spin, so polling costs more CPU than it saves. Cold 4 KiB reads, 3 alternating 2 s runs each,
// polling against not: QD1 −5% IOPS at +50% CPU per request; QD2 +7% at +33%; QD4 +5% at +25%;
// QD8 +9% at about the same CPU; QD16 +15% at the same CPU (and +22% over 10 rounds).
const DefaultWaiterSpin = 50 * time.Microsecond

// SpinQueueDepth is the least queue depth at which waiters poll by default.
const SpinQueueDepth = 8

// maxReadahead is the most readahead(2) is asked for in one call.
const maxReadahead = 8 << 20

// pageSize is the unit of the page cache.
var pageSize = int64(os.Getpagesize())

// startProbes is how many of a file's first cold attempts are checked (see fileInfo.probe)
// before the engine relies on the kernel starting the first missing page's I/O.
const startProbes = 8

type engine struct{}

func (engine) Describe() string {
	return "retry-based async read (2003 RFC): RWF_NOWAIT inline, readahead + waiter threads + retry in Reap"
}

// Notifiers: who waits for a request's first missing page.
const (
	// NotifyWaiters, the default: the waiter threads, as the RFC's async wait on a page.
	NotifyWaiters = "waiters"
	// NotifyReaper: Reap, when it has nothing to hand back and would sleep, waits for the
	// oldest armed page itself (a blocking 1-byte read on the reaping thread) instead of for
	// a waiter's kick, saving two thread hand-offs per request; the waiter threads then only
	// serve fallback reads. Requests are notified in the order they armed their waits.
	NotifyReaper = "reaper"
)

// Check refuses O_DIRECT (the engine's every step goes through the page cache) and unknown
// notifiers.
func (engine) Check(cfg engines.Config) error {
	if cfg.Direct {
		return errors.New("retry reads through the page cache (RWF_NOWAIT, readahead, page waits); --cache direct bypasses it: use sync, psync or threadpool")
	}
	switch cfg.Notifier {
	case "", NotifyWaiters, NotifyReaper:
		return nil
	}
	return fmt.Errorf("unknown notifier %q (accepted: %s, %s)", cfg.Notifier, NotifyWaiters, NotifyReaper)
}

// Probe checks that preadv2(RWF_NOWAIT) exists here; without it every read would fall back.
func (engine) Probe() error {
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil // cannot tell; reads will fall back and count it if need be
	}
	defer f.Close()
	var b [1]byte
	if _, e := fileio.ReadNowait(int(f.Fd()), b[:], 0); e == unix.ENOSYS || fileio.NowaitUnsupported(e) {
		return fmt.Errorf("preadv2 with RWF_NOWAIT is not supported by this kernel: %v", e)
	}
	return nil
}

// waiters is the number of waiter threads a Reader opened with cfg keeps.
func waiters(cfg engines.Config) int {
	if cfg.Waiters > 0 {
		return cfg.Waiters
	}
	return DefaultWaiters
}

func (engine) BlockingThreads(cfg engines.Config) int { return waiters(cfg) }

// waiterSpin is how long an idle waiter of a Reader opened with cfg polls before it sleeps.
func waiterSpin(cfg engines.Config) time.Duration {
	switch {
	case cfg.WaiterSpin < 0:
		return 0
	case cfg.WaiterSpin == 0 && cfg.QueueDepth < SpinQueueDepth:
		return 0
	case cfg.WaiterSpin == 0:
		return DefaultWaiterSpin
	}
	return cfg.WaiterSpin
}

func (e engine) Open(cfg engines.Config) (engines.Reader, error) {
	if err := e.Check(cfg); err != nil {
		return nil, err
	}
	return newReader(cfg, waiters(cfg)), nil
}

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

type reader struct {
	inline   []*engines.Request   // completed inside Submit, not yet reaped
	ready    readyList            // kicked requests and deferred completions, for Reap
	waitq    *handoff.Queue[wait] // armed waits, for the waiter threads, oldest first
	waiters  sync.WaitGroup
	inflight int // submitted and not yet reaped
	nowait   bool
	trace    *engines.Trace
	files    map[int]*fileInfo
	closed   bool
	// With NotifyReaper, the armed waits Reap waits for itself, oldest first (driving
	// goroutine only).
	reaperWaits bool
	local       []wait

	// Counters. Those of the driving goroutine are plain; kick-side ones are atomic.
	stats               engines.Stats
	stale, whileRunning atomic.Int64
	busy, waitersPeak   atomic.Int64

	// afterArm, when set (tests only), runs after a retry armed a wait and before it decides
	// whether to stop running: the window in which a notification can race with the retry.
	afterArm func(*state)
}

type fileInfo struct {
	size    int64
	raChunk int64
	// What a NOWAIT attempt that stops at a missing page does with that page here: it either
	// starts the page's I/O itself (as filemap_read does on Linux since 5.x, with
	// page_cache_sync_ra before it returns EAGAIN) or leaves it alone. Unknown until
	// startProbes cold attempts showed the page in the page cache right after they stopped
	// (cachestat(2)); one that did not, or no cachestat, settles it as "leaves it alone".
	kernelStarts tristate
	probes       int
}

type tristate int8

const (
	unknown tristate = iota
	yes
	no
)

var _ engines.Reader = (*reader)(nil)
var _ engines.StatsReader = (*reader)(nil)

func newReader(cfg engines.Config, waiters int) *reader {
	qd := max(cfg.QueueDepth, 1)
	r := &reader{
		inline:      make([]*engines.Request, 0, qd),
		waitq:       handoff.NewQueue[wait](qd, waiterSpin(cfg), 0),
		nowait:      true,
		trace:       cfg.Trace,
		files:       make(map[int]*fileInfo),
		reaperWaits: cfg.Notifier == NotifyReaper,
		local:       make([]wait, 0, qd),
	}
	r.stats.WaitToRetry = engines.NewLatencyHist()
	for range waiters {
		r.waiters.Add(1)
		go r.waiter()
	}
	return r
}

// Submit makes the first attempt of every request on the caller's goroutine. Requests the page
// cache serves complete inline; the others have their I/O started and a wait armed. It never
// waits for the device.
func (r *reader) Submit(reqs []*engines.Request) error {
	if r.closed {
		return errors.New("retry: Submit after Close")
	}
	for _, req := range reqs {
		st, _ := req.Engine.(*state)
		if st == nil {
			st = &state{req: req}
			req.Engine = st
		}
		w := st.word.Load()
		if armedOf(w) != 0 || w&flagRunning != 0 {
			return fmt.Errorf("retry: request %d submitted again while still in flight", req.ID)
		}
		// No notification is armed (armedOf == 0), so nothing else can touch the word now.
		st.word.Store(withGen(flagRunning, genOf(w)))
		st.done, st.attempts, st.raEnd, st.progress = 0, 0, 0, 0
		if st.pageErr.Load() != 0 { // a load, not a locked store, on the fast path
			st.pageErr.Store(0)
		}
		if r.trace != nil {
			st.submitted = clock.Now()
		}
		r.inflight++
		if r.run(st) {
			req.Inline = true
			r.inline = append(r.inline, req)
		}
	}
	return nil
}

// Reap hands back completed requests, running the retries of kicked ones on the way; it waits
// only when fewer than min have completed. With nothing kicked it makes no system call.
func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	if min > r.inflight {
		return dst, fmt.Errorf("retry: reap: asked to wait for %d requests, %d in flight", min, r.inflight)
	}
	got := len(r.inline)
	dst = append(dst, r.inline...)
	r.inline = r.inline[:0]
	r.inflight -= got
	for {
		for st := r.ready.takeAll(); st != nil; {
			next := st.next
			if r.take(st) {
				dst = append(dst, st.req)
				got++
				r.inflight--
			}
			st = next
		}
		if !r.ready.empty() {
			continue
		}
		if got >= min {
			return dst, nil
		}
		if len(r.local) > 0 {
			r.waitOldest() // NotifyReaper: wait here instead of for a waiter's kick
		} else {
			r.ready.sleep()
		}
	}
}

// take processes one state from the ready queue: a deferred completion is handed back; a kicked
// request is retried. It reports whether the request is now the caller's.
func (r *reader) take(st *state) bool {
	for {
		w := st.word.Load()
		if w&flagDone != 0 {
			// A completion deferred until its last notification returned.
			return st.word.CompareAndSwap(w, w&^flagQueued) || r.take(st)
		}
		if w&flagRunning != 0 {
			panic("retry: a request on the ready queue is already running")
		}
		if st.word.CompareAndSwap(w, w&^(flagQueued|flagKicked)|flagRunning) {
			break
		}
	}
	r.stats.Kicks++
	engines.Record(r.stats.WaitToRetry, clock.Now()-st.notified.Load())
	return r.run(st)
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
					r.stats.Kicks++
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
	r.stats.Completed++
	r.stats.AttemptsMax = max(r.stats.AttemptsMax, int64(st.attempts))
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

// attempt reads as much as it can without blocking. It returns true when the request is
// complete (all read, end of file, or an error in Request.Err), false when it must wait; then
// the I/O for the rest has been started.
func (r *reader) attempt(st *state) bool {
	req := st.req
	if st.fbDone { // a fallback read finished on a waiter
		st.done += st.fbN
		req.Err = st.fbErr
		st.fbDone, st.fbN, st.fbErr = false, 0, nil
		return true
	}
	if e := st.pageErr.Load(); e != 0 { // the device failed a page of this request
		req.Err = unix.Errno(e)
		r.traceAttempt(st, req.Offset+int64(st.done), 0, engines.OutcomeError)
		return true
	}
	for {
		buf := req.Buf[st.done:]
		off := req.Offset + int64(st.done)
		if len(buf) == 0 {
			return true
		}
		if !r.nowait {
			return false // arm a fallback read
		}
		st.attempts++
		r.stats.Attempts++
		n, errno := fileio.ReadNowait(req.Fd, buf, off)
		switch {
		case errno == 0 && n == len(buf):
			st.done += n
			r.traceAttempt(st, off, n, engines.OutcomeFull)
			return true
		case errno == 0 && n > 0:
			st.done += n
			r.stats.ShortReads++
			if r.file(req.Fd).size <= off+int64(n) {
				r.traceAttempt(st, off, n, engines.OutcomeEOF)
				return true
			}
			r.traceAttempt(st, off, n, engines.OutcomeShort)
			r.startIO(st)
			return false
		case errno == 0: // 0 bytes: end of file, or the Linux 5.9/5.10 bug (treated as EAGAIN)
			if r.file(req.Fd).size <= off {
				r.traceAttempt(st, off, 0, engines.OutcomeEOF)
				return true
			}
			fallthrough
		case errno == unix.EAGAIN:
			r.stats.EAGAIN++
			r.traceAttempt(st, off, 0, engines.OutcomeEAGAIN)
			r.startIO(st)
			return false
		case fileio.NowaitUnsupported(errno):
			// Counted once per reader in Fallbacks per request below; every later read of
			// this reader goes to the waiters as a blocking read.
			r.nowait = false
			st.attempts--
			r.stats.Attempts--
			continue
		default:
			req.Err = errno
			r.traceAttempt(st, off, 0, engines.OutcomeError)
			return true
		}
	}
}

// startIO starts the I/O for the request's missing range without waiting for it, after an
// attempt stopped at its first byte: readahead(2) in chunks no larger than the device's
// read_ahead_kb. A range already started is started again only if the last wait brought no
// progress (its pages may have been evicted meanwhile).
//
// The first missing page is left out where the kernel's NOWAIT read starts that page's I/O
// itself (fileInfo.kernelStarts): readahead(2) would find it in the page cache and do nothing
// but cost a system call, which at 4 KiB cold reads is a tenth of the submitting thread's
// time. The waiter's blocking read of that page would start its I/O in any case.
func (r *reader) startIO(st *state) {
	req := st.req
	fi := r.file(req.Fd)
	from := req.Offset + int64(st.done)
	end := req.Offset + int64(len(req.Buf))
	switch {
	case st.raEnd > from && st.done > st.progress:
		from = st.raEnd
	case fi.kernelStarts == yes:
		from = from&^(pageSize-1) + pageSize
	case fi.kernelStarts == unknown && st.attempts == 1:
		// Only a request's first attempt can tell: a later one may find the page that its
		// own readahead started.
		fi.probe(req.Fd, from)
	}
	for off := from; off < end; off += fi.raChunk {
		// readahead only queues the I/O; an error (EINVAL on a file it cannot serve) just
		// means the waiter's blocking read will do the work.
		r.stats.Readaheads++
		_, _, _ = unix.Syscall(unix.SYS_READAHEAD, uintptr(req.Fd), uintptr(off), uintptr(min(fi.raChunk, end-off)))
	}
	st.raEnd = max(st.raEnd, end)
}

// probe looks, right after a NOWAIT attempt stopped at off, whether the page at off is in the
// page cache: then the attempt itself started its I/O. cachestat(2) (Linux 6.5) counts a page
// whose read is in flight, where mincore(2) would not.
func (fi *fileInfo) probe(fd int, off int64) {
	var cs unix.Cachestat_t
	rng := unix.CachestatRange{Off: uint64(off &^ (pageSize - 1)), Len: uint64(pageSize)}
	if unix.Cachestat(uint(fd), &rng, &cs, 0) != nil || cs.Cache == 0 {
		fi.kernelStarts = no
		return
	}
	if fi.probes++; fi.probes == startProbes {
		fi.kernelStarts = yes
	}
}

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
	fallback := !r.nowait
	if fallback {
		r.stats.Fallbacks++
	}
	w := wait{st: st, gen: g, fd: st.req.Fd, off: off &^ 4095, fallback: fallback}
	if r.reaperWaits && !fallback {
		r.local = append(r.local, w)
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

func (r *reader) traceAttempt(st *state, off int64, n int, outcome string) {
	if r.trace != nil {
		r.trace.Attempt(st.req.ID, st.attempts, off, n, clock.Now()-st.submitted, outcome)
	}
}

// file returns what the engine needs to know of fd: its size (for end of file) and the
// readahead chunk of its device. It is looked up once per descriptor, off the fast path.
func (r *reader) file(fd int) *fileInfo {
	if fi, ok := r.files[fd]; ok {
		return fi
	}
	fi := &fileInfo{size: 1<<63 - 1, raChunk: 128 << 10}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil {
		fi.size = st.Size
		if kb := readAheadKB(st.Dev); kb > 0 {
			fi.raChunk = min(kb<<10, maxReadahead)
		}
	}
	r.files[fd] = fi
	return fi
}

// readAheadKB reads the read_ahead_kb of the block device dev (or of the disk a partition is
// on); 0 when it cannot be read.
func readAheadKB(dev uint64) int64 {
	base := fmt.Sprintf("/sys/dev/block/%d:%d/", unix.Major(dev), unix.Minor(dev))
	for _, p := range []string{base + "queue/read_ahead_kb", base + "../queue/read_ahead_kb", base + "bdi/read_ahead_kb"} {
		if b, err := os.ReadFile(p); err == nil {
			if kb, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && kb > 0 {
				return kb
			}
		}
	}
	return 0
}

// Stats returns the counters since the last ResetStats.
func (r *reader) Stats() engines.Stats {
	s := r.stats
	s.StaleKicks = r.stale.Load()
	s.KickedWhileRunning = r.whileRunning.Load()
	s.WaitersPeak = r.waitersPeak.Load()
	s.WaitToRetry = engines.NewLatencyHist()
	s.WaitToRetry.Merge(r.stats.WaitToRetry)
	return s
}

// ResetStats starts the counters again (the measured phase begins).
func (r *reader) ResetStats() {
	h := r.stats.WaitToRetry
	h.Reset()
	r.stats = engines.Stats{WaitToRetry: h}
	r.stale.Store(0)
	r.whileRunning.Store(0)
	r.waitersPeak.Store(r.busy.Load())
}

// Close waits for the requests in flight (their results are discarded), then stops the waiter
// threads.
func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	var dst []*engines.Request
	for r.inflight > 0 {
		var err error
		if dst, err = r.Reap(dst[:0], 1); err != nil {
			return err
		}
	}
	r.closed = true
	r.waitq.Close()
	r.waiters.Wait()
	return nil
}
