package retry

import (
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/pagecache"
	"golang.org/x/sys/unix"
)

// These tests drive the retry state machine through chosen interleavings. The reader has no
// waiter threads: the test takes armed waits off the wait queue and delivers them itself,
// when it chooses.

// manual returns a reader of the waiter notifier without waiter threads, a 4 KiB request and
// its file.
func manual(t *testing.T) (*reader, *engines.Request, *os.File) {
	t.Helper()
	f, fd := file(t, 16<<20)
	r := newReader(engines.Config{QueueDepth: 4, Options: map[string]string{"notifier": NotifyWaiters}}, 0)
	req := &engines.Request{Fd: fd, Buf: make([]byte, 4096), ID: 7}
	t.Cleanup(r.waitq.Close)
	return r, req, f
}

// submitCold submits req at an evicted offset, so that its first attempt finds nothing cached
// and arms a wait. A NOWAIT read that starts the page's I/O may, rarely, find it done at once
// and complete inline: then the request is reaped and the next offset (2 MiB on, another large
// folio) tried. It returns how many offsets it took.
func submitCold(t *testing.T, r *reader, req *engines.Request) int {
	return submitUntil(t, r, req, func() bool { return !req.Inline })
}

// submitUntil is submitCold with the test saying when a try did what it needed.
func submitUntil(t *testing.T, r *reader, req *engines.Request, ok func() bool) int {
	t.Helper()
	// Under load the submitting thread may sleep between its NOWAIT read's EAGAIN and the retry
	// after the readahead, and find the page there: each 2 MiB folio is tried up to 8 times.
	for try := 0; try < 64; try++ {
		off := int64(try%8)<<21 + 64<<10
		for i := 0; ; i++ {
			evict(t, req.Fd, 16<<20)
			if res, _ := pagecache.RangeResidency(req.Fd, off&^4095, 4096); res == 0 {
				break
			}
			if i == 50 {
				t.Fatal("the page under test stays in the page cache")
			}
			time.Sleep(10 * time.Millisecond)
		}
		req.Reset()
		req.Offset = off
		if err := r.Submit([]*engines.Request{req}); err != nil {
			t.Fatal(err)
		}
		if ok() {
			return try + 1
		}
		if !req.Inline {
			t.Fatal("the request waits, but the test expected otherwise")
		}
		r.Reap(nil, 1)
	}
	t.Fatal("every read completed inline: nothing stays out of the page cache")
	return 0
}

// cache brings the request's pages into the page cache with a plain read.
func cache(t *testing.T, req *engines.Request) {
	t.Helper()
	buf := make([]byte, len(req.Buf))
	if _, err := unix.Pread(req.Fd, buf, req.Offset); err != nil {
		t.Fatal(err)
	}
}

func nextWait(t *testing.T, r *reader) wait {
	t.Helper()
	w, ok := r.waitq.TryPop()
	if !ok {
		t.Fatal("no wait was armed")
	}
	return w
}

func noWait(t *testing.T, r *reader) {
	t.Helper()
	if w, ok := r.waitq.TryPop(); ok {
		t.Fatalf("unexpected wait armed (gen %d)", w.gen)
	}
}

// reapNow reaps without waiting.
func reapNow(t *testing.T, r *reader) []*engines.Request {
	t.Helper()
	got, err := r.Reap(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func wordOf(req *engines.Request) uint64 { return req.Engine.(*state).word.Load() }

// A notification that arrives while a retry runs is not lost: it forces another attempt at
// once instead of the request going to sleep, and nothing completes or queues meanwhile.
func TestKickWhileRunning(t *testing.T) {
	r, req, _ := manual(t)
	hooked := 0
	r.afterArm = func(st *state) {
		hooked++
		w := nextWait(t, r)
		cache(t, req)
		r.kick(w) // the waiter returns while the retry still runs
		if got := st.word.Load(); got&flagRunning == 0 || got&flagKicked == 0 || got&flagDone != 0 || !r.ready.empty() {
			t.Fatalf("after a kick during the retry: word %#x, ready empty %v; want running+kicked, nothing queued", got, r.ready.empty())
		}
	}
	submitUntil(t, r, req, func() bool { return hooked > 0 })
	// The retry loop saw the kick and attempted again within Submit: the page was there.
	if !req.Inline || hooked != 1 {
		t.Fatalf("inline %v, armed %d times; want the re-attempt to complete inside Submit", req.Inline, hooked)
	}
	noWait(t, r)
	verify(t, req, 4096)
	if s := counts(r); s.whileRunning != 1 || s.kicks != 1 || s.stale != 0 {
		t.Errorf("stats %+v", s)
	}
	if st := req.Engine.(*state); st.attempts != 2 {
		t.Errorf("%d attempts, want 2", st.attempts)
	}
	if got := reapNow(t, r); len(got) != 1 || got[0] != req {
		t.Errorf("reaped %v, want the request once", got)
	}
}

// A stale notification, for an earlier wait of the same request, is dropped and counted; only
// the current one leads to a retry.
func TestStaleKickForEarlierWait(t *testing.T) {
	r, req, _ := manual(t)
	r.afterArm = func(st *state) {
		if armedOf(st.word.Load()) == 1 {
			r.arm(st) // a second wait while the first is still out
		}
	}
	submitCold(t, r, req)
	w1, w2 := nextWait(t, r), nextWait(t, r)
	if w2.gen != w1.gen+1 || armedOf(wordOf(req)) != 2 {
		t.Fatalf("gens %d, %d, armed %d", w1.gen, w2.gen, armedOf(wordOf(req)))
	}
	cache(t, req)
	before := counts(r)
	r.kick(w1)
	if !r.ready.empty() || wordOf(req)&flagKicked != 0 || counts(r).stale != before.stale+1 {
		t.Fatalf("a stale kick had an effect: word %#x, ready empty %v", wordOf(req), r.ready.empty())
	}
	r.kick(w2)
	got, err := r.Reap(nil, 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("Reap = %v, %v", got, err)
	}
	verify(t, req, 4096)
	if s := counts(r); s.stale != before.stale+1 || s.kicks != before.kicks+1 {
		t.Errorf("stats %+v", s)
	}
}

// A request stays alive until every notification armed for it has returned: one that completes
// with a wait still out is handed back only when that wait returns, exactly once, and the late
// notification counts as stale. The request can then be submitted again.
func TestCompletionWaitsForArmedNotifications(t *testing.T) {
	r, req, _ := manual(t)
	submitCold(t, r, req)
	w := nextWait(t, r)
	st := req.Engine.(*state)
	// A retry that runs without its notification (as after a spurious wake-up) completes it.
	cache(t, req)
	if !st.word.CompareAndSwap(st.word.Load(), st.word.Load()|flagRunning) {
		t.Fatal("could not start a retry")
	}
	if r.run(st) {
		t.Fatal("completed request handed back while a notification for it is still armed")
	}
	if got := reapNow(t, r); len(got) != 0 {
		t.Fatalf("reaped %d requests before the notification returned", len(got))
	}
	if wordOf(req)&flagDone == 0 || wordOf(req)&flagDelivered != 0 {
		t.Fatalf("word %#x: want done, not delivered", wordOf(req))
	}
	before := counts(r)
	r.kick(w) // the notification returns, after completion
	got := reapNow(t, r)
	if len(got) != 1 || got[0] != req {
		t.Fatalf("reaped %v after the last notification; want the request", got)
	}
	verify(t, req, 4096)
	if s := counts(r); s.stale != before.stale+1 {
		t.Errorf("stale kicks %d, want %d", s.stale, before.stale+1)
	}
	if got := reapNow(t, r); len(got) != 0 || r.inflight != 0 {
		t.Errorf("reaped again: %v (in flight %d)", got, r.inflight)
	}
	// Submitted again, its waits keep counting generations.
	gen := genOf(wordOf(req))
	submitCold(t, r, req)
	w2 := nextWait(t, r)
	if w2.gen <= gen {
		t.Errorf("resubmitted request's wait has gen %d, want above %d", w2.gen, gen)
	}
	cache(t, req)
	r.kick(w2)
	if got, _ := r.Reap(nil, 1); len(got) != 1 {
		t.Errorf("resubmitted request not reaped")
	}
	verify(t, req, 4096)
}

// Never two retries of one request at once: a request found running on the ready queue is a
// broken invariant, and the engine stops rather than run it twice.
func TestNoTwoRetries(t *testing.T) {
	r, req, _ := manual(t)
	submitCold(t, r, req)
	nextWait(t, r)
	st := req.Engine.(*state)
	st.word.Store(st.word.Load() | flagRunning | flagQueued)
	defer func() {
		if recover() == nil {
			t.Error("a second concurrent retry was not refused")
		}
	}()
	r.take(st)
}

// Flag bits are set and cleared atomically: two notifications, one stale and one current,
// delivered from two goroutines at once while a retry runs, always end in exactly one stale
// count, one kicked-while-running count, no lost kick and no armed wait left.
func TestConcurrentKicks(t *testing.T) {
	r, req, _ := manual(t)
	st := &state{req: req}
	req.Engine = st
	for i := range 500 {
		st.word.Store(withGen(flagRunning, genOf(st.word.Load())))
		r.arm(st)
		r.arm(st)
		w1, w2 := nextWait(t, r), nextWait(t, r)
		before := counts(r)
		var wg sync.WaitGroup
		for _, w := range []wait{w2, w1} {
			wg.Add(1)
			go func() { defer wg.Done(); r.kick(w) }()
		}
		wg.Wait()
		got := st.word.Load()
		s := counts(r)
		if armedOf(got) != 0 || got&flagKicked == 0 || got&flagQueued != 0 || !r.ready.empty() ||
			s.stale-before.stale != 1 || s.whileRunning-before.whileRunning != 1 {
			t.Fatalf("round %d: word %#x ready empty %v, stale +%d, while running +%d", i, got, r.ready.empty(),
				s.stale-before.stale, s.whileRunning-before.whileRunning)
		}
	}
}
