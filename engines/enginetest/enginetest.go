// Package enginetest is the engines' conformance kit, run on real files: the checking wrapper
// that enforces the Reader contract (Checked), the basic checks of an asynchronous engine
// (basics.go), and a stress of verified random reads of mixed sizes at several queue depths
// while another goroutine keeps evicting random ranges of the file, counting every completion.
// Engine tests and the harness's tests use it; nothing outside tests does.
package enginetest

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// File lays out an aiobench data file of size bytes in a test directory and opens it with
// POSIX_FADV_RANDOM, as the harness does for randread. The file is closed when the test ends.
func File(t testing.TB, size int64) (*os.File, int) {
	t.Helper()
	ds, err := workloads.Layout(t.TempDir(), size)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(ds.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := pagecache.Advise(int(f.Fd()), pagecache.AdviceRandom); err != nil {
		t.Fatal(err)
	}
	return f, int(f.Fd())
}

// evictEvery is how often the stress evicts a range.
const evictEvery = 2 * time.Millisecond

// Stress submits ops verified random reads of 4 KiB to 1 MiB (smaller sizes likelier) through
// engine e at each of depths, keeping each depth's queue full, while a goroutine evicts random
// 2 MiB ranges of the file (aligned to 2 MiB: the page cache keeps large folios, and eviction
// drops only whole ones). It fails the test on any read error, verification error, lost or
// duplicated completion.
func Stress(t *testing.T, name string, cfg engines.Config, ops int, depths []int) {
	t.Helper()
	e, err := engines.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread() // the Reader contract: driven from one locked thread
	defer runtime.UnlockOSThread()
	const size = 64 << 20
	f, fd := File(t, size)
	if cfg.Direct {
		d, err := os.OpenFile(f.Name(), os.O_RDONLY|unix.O_DIRECT, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		fd = int(d.Fd())
	}

	stop := make(chan struct{})
	var evictions sync.WaitGroup
	evictions.Add(1)
	go func() {
		defer evictions.Done()
		rng := rand.New(rand.NewPCG(1, 2))
		for {
			select {
			case <-stop:
				return
			case <-time.After(evictEvery):
			}
			_ = pagecache.Drop(fd, int64(rng.IntN(size>>21))<<21, 2<<20)
		}
	}()
	defer func() { close(stop); evictions.Wait() }()

	for _, qd := range depths {
		c := cfg
		c.QueueDepth = qd
		rd, err := e.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		rd = Checked(rd, qd, t.Errorf)
		began := time.Now()
		rng := rand.New(rand.NewPCG(uint64(qd), 7))
		reqs := make([]engines.Request, qd)
		free := make([]*engines.Request, 0, qd)
		for i := range reqs {
			reqs[i].Fd, reqs[i].Buf, reqs[i].User = fd, AlignedBuf(1<<20), i
			free = append(free, &reqs[i])
		}
		seen := make(map[uint64]int, ops/len(depths))
		var next uint64
		issued, completed, inflight := 0, 0, 0
		want := ops / len(depths)
		done := make([]*engines.Request, 0, qd)
		for completed < want {
			var batch []*engines.Request
			for len(free) > 0 && issued < want {
				r := free[len(free)-1]
				free = free[:len(free)-1]
				// 4 KiB << k with probability 2^-(k+1), capped at 1 MiB.
				n := 4096 << min(bits.TrailingZeros32(rng.Uint32()), 8)
				r.Buf = r.Buf[:cap(r.Buf)][:n]
				r.Offset = int64(rng.IntN((size-n)/4096)) * 4096
				r.ID = next
				r.Reset()
				next++
				batch = append(batch, r)
				issued++
			}
			if len(batch) > 0 {
				if err := rd.Submit(batch); err != nil {
					t.Fatalf("qd %d: Submit: %v", qd, err)
				}
				inflight += len(batch)
			}
			done, err = rd.Reap(done[:0], 1)
			if err != nil {
				t.Fatalf("qd %d: Reap: %v", qd, err)
			}
			for _, r := range done {
				seen[r.ID]++
				if seen[r.ID] > 1 {
					t.Fatalf("qd %d: request %d completed twice", qd, r.ID)
				}
				if r.Err != nil || r.N != len(r.Buf) {
					t.Fatalf("qd %d: request %d: n=%d of %d, err %v", qd, r.ID, r.N, len(r.Buf), r.Err)
				}
				if bad := workloads.Verify(r.Buf, 0, r.Offset, workloads.VerifyCheap); bad >= 0 {
					t.Fatalf("qd %d: request %d: data differs at %d", qd, r.ID, bad)
				}
				free = append(free, r)
			}
			completed += len(done)
			inflight -= len(done)
		}
		if sr, ok := engines.Ability[engines.StatsReader](rd); ok {
			if c, ok := e.(engines.Counted); ok {
				var b strings.Builder
				vals := sr.Stats().Values()
				for _, k := range c.Counters() {
					fmt.Fprintf(&b, " %s %g", k.Name, vals[k.Name])
				}
				t.Logf("qd %d: %d reads; counters:%s", qd, want, b.String())
			}
		}
		if err := rd.Close(); err != nil {
			t.Fatal(err)
		}
		if len(seen) != want || inflight != 0 {
			t.Fatalf("qd %d: %d distinct completions of %d issued, %d in flight", qd, len(seen), want, inflight)
		}
		t.Logf("qd %d: %.1fs", qd, time.Since(began).Seconds())
	}
}
