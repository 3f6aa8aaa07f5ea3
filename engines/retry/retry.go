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
//   - Reaper notifier (the default): Reap itself does that blocking read for the oldest armed
//     page when it has nothing to hand back, and, when it has, looks without blocking (a 1-byte
//     RWF_NOWAIT read, at most once per --retry-poll interval) whether the armed pages are
//     ready, so that a miss among a stream of inline hits is not left waiting for an idle Reap.
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
	"fmt"
	"math"
	"os"
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

// DefaultWaiters is the number of waiter threads per Reader when the waiters option is unset.
// One is enough, and measured best (README, Engines): a waiter only waits for pages whose I/O
// readahead(2) has already started, so it does not limit the device's queue depth, and a single
// waiter walks from page to page without sleeping on its queue in between.
const DefaultWaiters = 1

// DefaultWaiterSpin is how long an idle waiter polls for new work before it sleeps when the
// waiter-spin option is unset and the queue depth is at least SpinQueueDepth (see handoff.Queue
// for why). Below that depth the default is not to poll: the next wait seldom comes within the
// spin, so polling costs more CPU than it saves (figures per depth in the README's Flags table).
const DefaultWaiterSpin = 50 * time.Microsecond

// SpinQueueDepth is the least queue depth at which waiters poll by default.
const SpinQueueDepth = 8

type engine struct{}

// ServesCachedReadInline declares the RFC's fast path (engines.InlineCachedRead): a cached
// read completes inside Submit with the RWF_NOWAIT read, on the caller's thread.
func (engine) ServesCachedReadInline() {}

func (engine) Describe() string {
	return "retry-based async read (2003 RFC): RWF_NOWAIT inline, readahead, a page wait (--retry-notifier) and the retry in Reap"
}

// Notifiers: who waits for a request's first missing page.
const (
	// NotifyWaiters: the waiter threads, as the RFC's async wait on a page.
	NotifyWaiters = "waiters"
	// NotifyReaper, the default: Reap, when it has nothing to hand back and would sleep, waits
	// for the oldest armed page itself (a blocking 1-byte read on the reaping thread) instead
	// of for a waiter's kick, saving two thread hand-offs per request; the waiter threads then
	// only serve fallback reads. Requests are notified in the order they armed their waits.
	NotifyReaper = "reaper"
)

// DefaultNotifier is the notifier when none is asked for: the one measured best at every queue
// depth here, cold 4 KiB reads at QD1, 4, 16 and 32 (README, Engines: reaper 1.15×, 2.62×,
// 3.74× and 4.24× sync's IOPS where waiters made 0.72×, 1.47×, 2.31× and 3.34×, and uring 1.08×
// to 4.13×), at the least CPU per request.
const DefaultNotifier = NotifyReaper

// notifier is the notifier of a Reader opened with cfg.
func notifier(cfg engines.Config) string {
	if n := cfg.Options["notifier"]; n != "" {
		return n
	}
	return DefaultNotifier
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
	if n := engines.Int(cfg.Options["waiters"]); n > 0 {
		return n
	}
	return DefaultWaiters
}

func (engine) BlockingThreads(cfg engines.Config) int { return waiters(cfg) }

// waiterSpin is how long an idle waiter of a Reader opened with cfg polls before it sleeps.
func waiterSpin(cfg engines.Config) time.Duration {
	spin := engines.Duration(cfg.Options["waiter-spin"])
	switch {
	case spin < 0:
		return 0
	case spin == 0 && cfg.QueueDepth < SpinQueueDepth:
		return 0
	case spin == 0:
		return DefaultWaiterSpin
	}
	return spin
}

func (e engine) Open(cfg engines.Config) (engines.Reader, error) {
	if err := e.Check(cfg); err != nil {
		return nil, err
	}
	r := newReader(cfg, waiters(cfg))
	if notifier(cfg) == NotifyUring {
		var err error
		if r.ring, err = newRingNotifier(cfg.QueueDepth); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
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
	// With NotifyReaper, the armed waits Reap waits for itself, oldest first (driving
	// goroutine only).
	reaperWaits bool
	local       []wait
	// With NotifyReaper, how often Reap looks whether those pages are ready when it would
	// return without waiting (0: never), and when it last did.
	pollEvery, lastPoll int64
	// The RFC's other two decisions (options.go): restart discards a partial read's progress at
	// each retry; waitRange arms the wait on the missing range's last page, not its first.
	restart, waitRange bool
	// With NotifyUring, the ring whose 1-byte reads wait for pages (driving goroutine only).
	ring *ringNotifier

	// Counters. Those of the driving goroutine are plain; kick-side ones are atomic.
	stats               stats
	stale, whileRunning atomic.Int64
	busy, waitersPeak   atomic.Int64

	// afterArm, when set (tests only), runs after a retry armed a wait and before it decides
	// whether to stop running: the window in which a notification can race with the retry.
	afterArm func(*state)
}

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
		reaperWaits: notifier(cfg) == NotifyReaper,
		pollEvery:   int64(pollInterval(cfg)),
		local:       make([]wait, 0, qd),
		restart:     cfg.Options["progress"] == ProgressRestart,
		waitRange:   cfg.Options["wait"] == WaitRange,
	}
	r.stats.waitToRetry = engines.NewLatencyHist()
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
	for _, req := range reqs {
		st, _ := req.Engine.(*state)
		if st == nil {
			st = &state{req: req}
			req.Engine = st
		}
		// The request was reaped (the contract), so its last notification returned: nothing
		// else can touch the word now.
		w := st.word.Load()
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
	if r.ring != nil {
		return r.ring.flush(false) // the page waits armed above, in one io_uring_enter
	}
	return nil
}

// Reap hands back completed requests, running the retries of kicked ones on the way; it waits
// only when fewer than min have completed. With nothing kicked it makes no system call.
func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	return r.reap(dst, min, math.MaxInt64)
}

// ReapUntil is Reap that gives up at deadline (engines.TimedReaper). With the waiters and the
// uring notifier its waits are bounded; with reaper, the default, Reap's own blocking read of
// the oldest armed page is not (the page's I/O is in flight: it returns when that does), so an
// open-loop run's issuer falls behind by as much, which its behind_p99_us shows.
func (r *reader) ReapUntil(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	return r.reap(dst, min, deadline)
}

func (r *reader) reap(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
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
		if r.ring != nil && r.ring.deliver(r) > 0 {
			continue
		}
		if !r.ready.empty() {
			continue
		}
		timed := deadline != math.MaxInt64
		if got >= min || timed && clock.Now() >= deadline {
			// About to return without waiting: the waits Reap keeps itself get a look first,
			// at most once per poll interval (a miss must not wait for a Reap with nothing
			// else to do, which a stream of inline hits never leaves).
			if r.pollEvery > 0 && len(r.local) > 0 {
				if now := clock.Now(); now-r.lastPoll >= r.pollEvery {
					if r.pollWaits(now) > 0 {
						continue
					}
				}
			}
			if r.ring != nil {
				return dst, r.ring.flush(false) // waits armed by retries
			}
			return dst, nil
		}
		switch {
		case r.ring != nil && r.ring.pending() > 0 && timed:
			if err := r.ring.flushFor(deadline - clock.Now()); err != nil {
				return dst, err
			}
		case r.ring != nil && r.ring.pending() > 0:
			if err := r.ring.flush(true); err != nil {
				return dst, err
			}
		case len(r.local) > 0:
			r.waitOldest() // NotifyReaper: wait here instead of for a waiter's kick
		case timed:
			r.ready.sleepUntil(deadline)
		default:
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
	r.stats.kicks++
	engines.Record(r.stats.waitToRetry, clock.Now()-st.notified.Load())
	return r.run(st)
}

// Stats returns the counters since the last ResetStats.
func (r *reader) Stats() engines.Counters {
	s := r.stats
	s.stale = r.stale.Load()
	s.whileRunning = r.whileRunning.Load()
	s.waitersPeak = r.waitersPeak.Load()
	s.waitToRetry = engines.NewLatencyHist()
	s.waitToRetry.Merge(r.stats.waitToRetry)
	return &s
}

// ResetStats starts the counters again (the measured phase begins).
func (r *reader) ResetStats() {
	h := r.stats.waitToRetry
	h.Reset()
	r.stats = stats{waitToRetry: h}
	r.stale.Store(0)
	r.whileRunning.Store(0)
	r.waitersPeak.Store(r.busy.Load())
}

// Close waits for the requests in flight (their results are discarded), then stops the waiter
// threads.
func (r *reader) Close() error {
	var dst []*engines.Request
	for r.inflight > 0 {
		var err error
		if dst, err = r.Reap(dst[:0], 1); err != nil {
			return err
		}
	}
	r.waitq.Close()
	r.waiters.Wait()
	for _, fi := range r.files {
		_ = fi.residency.Close() // a read-only mapping: nothing to lose
	}
	if r.ring != nil {
		return r.ring.close()
	}
	return nil
}
