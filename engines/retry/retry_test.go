package retry

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"github.com/aiobench/aiobench/internal/uring"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// file lays out size bytes and opens them with FADV_RANDOM, as the harness does for randread.
func file(t *testing.T, size int64) (*os.File, int) { return enginetest.File(t, size) }

func evict(t *testing.T, fd int, size int64) {
	t.Helper()
	if err := pagecache.Evict(fd, size); err != nil {
		t.Fatal(err)
	}
}

// warm reads [off, off+n) through the page cache.
func warm(t *testing.T, f *os.File, off, n int64) {
	t.Helper()
	if _, err := f.ReadAt(make([]byte, n), off); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, r *engines.Request, wantN int) {
	t.Helper()
	if r.Err != nil || r.N != wantN {
		t.Fatalf("request %d: n=%d err=%v; want n=%d", r.ID, r.N, r.Err, wantN)
	}
	if bad := workloads.Verify(r.Buf[:r.N], 0, r.Offset, workloads.VerifyFull); bad >= 0 {
		t.Fatalf("request %d: data differs at byte %d", r.ID, bad)
	}
}

func open(t *testing.T, cfg engines.Config) *reader {
	t.Helper()
	rd, err := engine{}.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rd.(*reader)
}

// A cached read completes inside Submit on the caller's goroutine, with one attempt and no
// allocation, channel or hand-off.
func TestFastPath(t *testing.T) {
	_, fd := file(t, 1<<20)
	rd := open(t, engines.Config{QueueDepth: 1})
	defer rd.Close()
	req := &engines.Request{Fd: fd, Offset: 8192, Buf: make([]byte, 4096)}
	reqs, dst := []*engines.Request{req}, make([]*engines.Request, 0, 1)
	cycle := func() {
		req.Reset()
		if err := rd.Submit(reqs); err != nil {
			t.Fatal(err)
		}
		if !req.Inline {
			t.Fatal("a cached read did not complete inline")
		}
		var err error
		if dst, err = rd.Reap(dst[:0], 1); err != nil || len(dst) != 1 {
			t.Fatalf("Reap = %d, %v", len(dst), err)
		}
	}
	cycle()
	verify(t, req, 4096)
	if a := testing.AllocsPerRun(1000, cycle); a != 0 {
		t.Errorf("the fast path allocates %v times per request", a)
	}
	s := counts(rd)
	if s.completed < 1001 || s.attempts != s.completed || s.kicks != 0 || s.eagain != 0 {
		t.Errorf("stats %+v; want one attempt per request, no kicks", s)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// A read that crosses end of file completes with the bytes that exist, cached or not.
func TestEOF(t *testing.T) {
	f, fd := file(t, 64<<10)
	for _, cold := range []bool{false, true} {
		if cold {
			evict(t, fd, 64<<10)
		} else {
			warm(t, f, 0, 64<<10)
		}
		rd := open(t, engines.Config{QueueDepth: 2})
		a := &engines.Request{Fd: fd, Offset: 60 << 10, Buf: make([]byte, 8192)}
		b := &engines.Request{Fd: fd, Offset: 64 << 10, Buf: make([]byte, 4096)}
		if err := rd.Submit([]*engines.Request{a, b}); err != nil {
			t.Fatal(err)
		}
		if _, err := rd.Reap(nil, 2); err != nil {
			t.Fatal(err)
		}
		verify(t, a, 4096)
		verify(t, b, 0)
		rd.Close()
	}
}

// Where RWF_NOWAIT is unsupported (procfs), reads fall back to blocking reads on the waiter
// threads, counted, never silently.
func TestFallback(t *testing.T) {
	want, err := os.ReadFile("/proc/self/cmdline")
	if err != nil {
		t.Skip(err)
	}
	f, err := os.Open("/proc/self/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := open(t, engines.Config{QueueDepth: 1})
	defer rd.Close()
	req := &engines.Request{Fd: int(f.Fd()), Buf: make([]byte, len(want)+100)}
	for i := range 3 {
		req.Reset()
		rd.Submit([]*engines.Request{req})
		if _, err := rd.Reap(nil, 1); err != nil {
			t.Fatal(err)
		}
		if req.Err != nil || !bytes.Equal(req.Buf[:req.N], want) {
			t.Fatalf("read %d: n=%d err=%v", i, req.N, req.Err)
		}
	}
	if s := counts(rd); s.fallbacks != 3 {
		t.Errorf("fallbacks = %d, want 3", s.fallbacks)
	}
}

func TestRefusals(t *testing.T) {
	if _, err := (engine{}).Open(engines.Config{QueueDepth: 1, Direct: true}); err == nil || !strings.Contains(err.Error(), "--cache direct") {
		t.Errorf("Open(Direct) = %v; want a refusal naming --cache direct", err)
	}
	if err := (engine{}).Check(engines.Config{Options: map[string]string{"notifier": "poll"}}); err == nil || !strings.Contains(err.Error(), "waiters, reaper, uring") {
		t.Errorf("Check(notifier poll) = %v", err)
	}
}

// With the reaper notifier, a cold request at QD1 is waited for by Reap itself: no waiter
// thread is involved and the request completes with verified data.
func TestReaperNotifier(t *testing.T) {
	_, fd := file(t, 4<<20)
	rd := open(t, engines.Config{QueueDepth: 1, Options: map[string]string{"notifier": NotifyReaper}})
	defer rd.Close()
	req := &engines.Request{Fd: fd, Buf: make([]byte, 64<<10)}
	for i := range 20 {
		evict(t, fd, 4<<20)
		req.Reset()
		req.Offset = int64(i) * 128 << 10
		rd.Submit([]*engines.Request{req})
		if _, err := rd.Reap(nil, 1); err != nil {
			t.Fatal(err)
		}
		verify(t, req, 64<<10)
	}
	if s := counts(rd); s.waitersPeak != 0 || s.kicks == 0 {
		t.Errorf("stats %+v: want kicks and no waiter thread busy", s)
	}
}

// With the uring notifier, cold requests are woken by their 1-byte io_uring reads: no waiter
// thread is involved, every request completes with verified data, pages partly cached included.
func TestUringNotifier(t *testing.T) {
	if err := uring.Probe(); err != nil {
		t.Skipf("io_uring unavailable: %v", err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, fd := file(t, 4<<20)
	rd := open(t, engines.Config{QueueDepth: 4, Options: map[string]string{"notifier": NotifyUring}})
	defer rd.Close()
	reqs := make([]*engines.Request, 4)
	for i := range reqs {
		reqs[i] = &engines.Request{Fd: fd, Buf: make([]byte, 64<<10)}
	}
	for round := range 10 {
		evict(t, fd, 4<<20)
		for i, req := range reqs {
			req.Reset()
			req.Offset = int64(round*4+i) * 96 << 10
		}
		if err := rd.Submit(reqs); err != nil {
			t.Fatal(err)
		}
		for left := 4; left > 0; {
			done, err := rd.Reap(nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			left -= len(done)
		}
		for _, req := range reqs {
			verify(t, req, 64<<10)
		}
	}
	if s := counts(rd); s.waitersPeak != 0 || s.kicks == 0 {
		t.Errorf("stats %+v: want kicks and no waiter thread busy", s)
	}
}

// The stress every async engine passes: 200,000 verified random reads of mixed sizes at
// several queue depths while the file is evicted under them.
func TestStress(t *testing.T) {
	ops := 200_000
	if testing.Short() {
		ops = 20_000
	}
	// Several waiters deliver notifications concurrently: the harder case for the state machine.
	enginetest.Stress(t, "retry", engines.Config{Options: map[string]string{"waiters": "4", "notifier": NotifyWaiters}}, ops, []int{1, 4, 16, 32})
	// And the default, one waiter; and the reaper waiting itself.
	enginetest.Stress(t, "retry", engines.Config{}, ops/5, []int{1, 4, 16}) // the default notifier, reaper
	enginetest.Stress(t, "retry", engines.Config{Options: map[string]string{"notifier": NotifyWaiters}}, ops/5, []int{1, 16})
	if uring.Probe() == nil {
		enginetest.Stress(t, "retry", engines.Config{Options: map[string]string{"notifier": NotifyUring}}, ops/4, []int{1, 4, 16, 32})
	}
}

// The QD1 Submit-then-Reap waiter is always woken by the waiter notifier.
func TestQD1ReapIsWoken(t *testing.T) {
	_, fd := file(t, 1<<20)
	rd := open(t, engines.Config{QueueDepth: 1, Options: map[string]string{"waiters": "1", "notifier": NotifyWaiters}})
	defer rd.Close()
	req := &engines.Request{Fd: fd, Buf: make([]byte, 4096)}
	for i := range 200 {
		evict(t, fd, 1<<20)
		req.Reset()
		req.Offset = int64(i%256) * 4096
		rd.Submit([]*engines.Request{req})
		done := make(chan error, 1)
		go func() { _, err := rd.Reap(nil, 1); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("request %d: Reap was never woken", i)
		}
		verify(t, req, 4096)
	}
}

// The first missing page is not asked for again with readahead(2) where the kernel's NOWAIT
// read starts its I/O itself; which the kernel does is found on a file's first cold reads, and
// the rest of a longer missing range is still started. Every read completes with its data.
func TestReadaheadLeavesWhatTheKernelStarted(t *testing.T) {
	const mib = 1 << 20
	_, fd := file(t, 16*mib)
	rd := open(t, engines.Config{QueueDepth: 1})
	defer rd.Close()
	next := 0
	// cold reads n bytes at a fresh evicted offset and returns the readahead calls made, for
	// a read whose first attempt found nothing cached. (A NOWAIT attempt that starts the I/O
	// can find it done at once, the host having the data cached: such reads are read again
	// elsewhere.)
	cold := func(n int) int64 {
		t.Helper()
		for range 32 {
			off := int64(next%14)*mib + int64(next/14)*64<<10
			next++
			evict(t, fd, 16*mib)
			before := counts(rd)
			req := &engines.Request{Fd: fd, Offset: off, Buf: make([]byte, n)}
			if err := rd.Submit([]*engines.Request{req}); err != nil {
				t.Fatal(err)
			}
			if _, err := rd.Reap(nil, 1); err != nil {
				t.Fatal(err)
			}
			verify(t, req, n)
			if after := counts(rd); after.eagain > before.eagain {
				return after.readaheads - before.readaheads
			}
		}
		t.Fatal("every read was served by its first attempt")
		return 0
	}
	fi := rd.file(fd)
	for i := 0; fi.kernelStarts == unknown; i++ {
		if got := cold(4096); got != 1 {
			t.Fatalf("cold read %d while probing made %d readahead calls, want 1", i, got)
		}
		if i == startProbes {
			t.Fatalf("still undecided after %d probes", i)
		}
	}
	t.Logf("the kernel starts the first missing page's I/O: %v", fi.kernelStarts == yes)
	want4k := int64(1)
	if fi.kernelStarts == yes {
		want4k = 0
	}
	if got := cold(4096); got != want4k {
		t.Errorf("a cold 4 KiB read made %d readahead calls, want %d", got, want4k)
	}
	if got := cold(mib); got < 1 {
		t.Errorf("a cold 1 MiB read made %d readahead calls: the rest of its range must be started", got)
	}
}

// counts returns the reader's counters as the engine keeps them.
func counts(r *reader) *stats { return r.Stats().(*stats) }

// The notifier asked for by nobody is the one measured best (DefaultNotifier: reaper): Reap
// waits for the oldest page itself.
func TestDefaultNotifier(t *testing.T) {
	for o, reaper := range map[string]bool{"": true, NotifyReaper: true, NotifyWaiters: false} {
		rd := open(t, engines.Config{QueueDepth: 2, Options: map[string]string{"notifier": o}})
		if rd.reaperWaits != reaper {
			t.Errorf("notifier %q: Reap waits itself %v, want %v", o, rd.reaperWaits, reaper)
		}
		rd.Close()
	}
}

// retry's waits are bounded with the waiter and the uring notifiers (reaper's own page read is
// not: its ReapUntil doc says so).
func TestReapUntilBounded(t *testing.T) {
	sets := []map[string]string{{"notifier": NotifyWaiters}}
	if uring.Probe() == nil {
		sets = append(sets, map[string]string{"notifier": NotifyUring})
	}
	enginetest.ReapUntilBounded(t, "retry", sets)
}
