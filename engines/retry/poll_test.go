package retry

import (
	"strings"
	"testing"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/fileio"
)

// With the reaper notifier, a miss among a stream of inline hits comes back as soon as its page
// is ready when Reap polls (the default), and never while the hits keep coming when it does not
// (--retry-poll off): every Reap then has a hit to hand back and never waits for the page.
func TestPollDeliversMissesBetweenHits(t *testing.T) {
	for _, tc := range []struct {
		poll      string
		delivered bool
	}{
		{"", true}, // the default, DefaultPoll
		{"off", false},
		{"1us", true},
	} {
		t.Run("poll="+tc.poll, func(t *testing.T) {
			const size = 4 << 20
			f, fd := file(t, size)
			evict(t, fd, size)
			warm(t, f, 0, 4096)
			rd := open(t, engines.Config{QueueDepth: 2, Options: map[string]string{"poll": tc.poll}})
			defer rd.Close()
			miss := &engines.Request{Fd: fd, Offset: 1 << 20, Buf: make([]byte, 4096)}
			if err := rd.Submit([]*engines.Request{miss}); err != nil {
				t.Fatal(err)
			}
			if miss.Inline {
				t.Skip("the evicted page was served inline")
			}
			waitResident(t, fd, size, miss.Offset)

			hit := &engines.Request{Fd: fd, Buf: make([]byte, 4096)}
			dst := make([]*engines.Request, 0, 2)
			back := false
			for range 1000 { // each a real cached pread: well over the poll interval in all
				hit.Reset()
				if err := rd.Submit([]*engines.Request{hit}); err != nil || !hit.Inline {
					t.Fatalf("a cached read: inline %v, %v", hit.Inline, err)
				}
				var err error
				if dst, err = rd.Reap(dst[:0], 1); err != nil {
					t.Fatal(err)
				}
				for _, r := range dst {
					back = back || r == miss
				}
				if back {
					break
				}
			}
			if back != tc.delivered {
				t.Fatalf("the miss came back among the hits: %v, want %v (stats %+v)", back, tc.delivered, counts(rd))
			}
			if !back { // Reap waits for it once it has nothing else to hand back
				if dst, _ = rd.Reap(dst[:0], 1); len(dst) != 1 || dst[0] != miss {
					t.Fatalf("Reap handed back %v, not the miss", dst)
				}
			}
			verify(t, miss, 4096)
			if s := counts(rd); tc.delivered && (s.pollsReady != 1 || s.polls < 1) || !tc.delivered && s.polls != 0 {
				t.Errorf("polls %d, ready %d", s.polls, s.pollsReady)
			}
		})
	}
}

// waitResident waits until the page at off is cached and up to date (its read finished).
func waitResident(t *testing.T, fd int, size, off int64) {
	t.Helper()
	res, err := fileio.NewResidency(fd, size)
	if err != nil {
		t.Skipf("cannot see residency: %v", err)
	}
	defer res.Close()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if ok, err := res.Resident(off); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the missing page was not read in 10 s")
		}
	}
}

// --retry-poll is the reaper notifier's: with another notifier it is refused, naming it.
func TestPollNeedsReaper(t *testing.T) {
	err := engine{}.Check(engines.Config{Options: map[string]string{"notifier": NotifyWaiters, "poll": "5us"}})
	if err == nil || !strings.Contains(err.Error(), "reaper notifier only, not waiters") {
		t.Errorf("Check(waiters, poll 5us) = %v", err)
	}
	for _, tc := range []struct {
		opt  string
		want time.Duration
	}{{"", DefaultPoll}, {"off", 0}, {"25µs", 25 * time.Microsecond}} {
		if got := pollInterval(engines.Config{Options: map[string]string{"poll": tc.opt}}); got != tc.want {
			t.Errorf("poll %q: interval %v, want %v", tc.opt, got, tc.want)
		}
	}
}
