package uring

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/enginetest"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// available locks the test to its thread (the Reader contract) and skips, saying why, where
// io_uring does not work.
func available(t *testing.T) {
	t.Helper()
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	if err := (engine{}).Probe(); err != nil {
		t.Skipf("uring unavailable here: %v", err)
	}
}

// variants are the option sets every test runs with.
var variants = []map[string]string{
	{},
	{"async": "on"},
	{"fixed-files": "on", "fixed-buffers": "on"},
	{"sqpoll": "10ms"},
	{"entries": "64"},
}

func name(o map[string]string) string {
	var b []string
	for k, v := range o {
		b = append(b, k+"="+v)
	}
	if len(b) == 0 {
		return "default"
	}
	return strings.Join(b, ",")
}

func TestReadsShortReadsAndEOF(t *testing.T) {
	available(t)
	const size = 1 << 20
	ds, err := workloads.Layout(t.TempDir(), size)
	if err != nil {
		t.Fatal(err)
	}
	for _, direct := range []bool{false, true} {
		flags := os.O_RDONLY
		if direct {
			flags |= unix.O_DIRECT
		}
		f, err := os.OpenFile(ds.Path, flags, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, o := range variants {
			t.Run(name(o)+map[bool]string{true: ",direct"}[direct], func(t *testing.T) {
				if err := pagecache.Evict(int(f.Fd()), size); err != nil {
					t.Fatal(err)
				}
				rd, err := engine{}.Open(engines.Config{QueueDepth: 4, Direct: direct, Options: o})
				if err != nil {
					t.Fatal(err)
				}
				defer rd.Close()
				reqs := make([]*engines.Request, 4) // reused each round, as the harness does
				for i := range reqs {
					reqs[i] = &engines.Request{Fd: int(f.Fd()), Buf: alignedBuf(8192)}
				}
				for round := range 3 {
					for i, r := range reqs {
						r.Offset = int64(i*3+round) * 65536
						r.Reset()
					}
					reqs[3].Offset = size - 4096 // crosses EOF: 4096 of 8192
					if err := rd.Submit(reqs); err != nil {
						t.Fatal(err)
					}
					done, err := rd.Reap(nil, 4)
					if err != nil || len(done) != 4 {
						t.Fatalf("Reap = %d, %v", len(done), err)
					}
					for _, r := range reqs {
						want := len(r.Buf)
						if r == reqs[3] {
							want = 4096
						}
						if r.Err != nil || r.N != want || workloads.Verify(r.Buf[:r.N], 0, r.Offset, workloads.VerifyFull) >= 0 {
							t.Fatalf("request at %d: n=%d (want %d) err=%v", r.Offset, r.N, want, r.Err)
						}
					}
				}
				s := rd.(engines.StatsReader).Stats().(*stats)
				if s.completed != 12 || s.enters == 0 || s.enters > 2*12 {
					t.Errorf("stats: %+v", s)
				}
				if o["fixed-buffers"] == "on" && (s.bufRegs != 4 || s.unfixed != 0) {
					t.Errorf("fixed buffers: %d registered (want 4: each request's once), %d reads without", s.bufRegs, s.unfixed)
				}
			})
		}
	}
}

// alignedBuf returns a buffer aligned for O_DIRECT.
func alignedBuf(n int) []byte {
	b := make([]byte, n+4096)
	off := int(4096 - uintptr(unsafeAddr(b))%4096)
	return b[off%4096 : off%4096+n : off%4096+n]
}

// A read error is completed with Err set, never as a full read.
func TestReadErrorIsCompletedAsFailed(t *testing.T) {
	available(t)
	dir, err := os.Open(t.TempDir()) // read(2) of a directory: EISDIR
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	rd, err := engine{}.Open(engines.Config{QueueDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	req := &engines.Request{Fd: int(dir.Fd()), Buf: make([]byte, 4096)}
	if err := rd.Submit([]*engines.Request{req}); err != nil {
		t.Fatal(err)
	}
	if done, err := rd.Reap(nil, 1); err != nil || len(done) != 1 || req.Err != unix.EISDIR || req.N != 0 {
		t.Fatalf("Reap = %d, %v; request n=%d err=%v (want EISDIR)", len(done), err, req.N, req.Err)
	}
}

// Close with cold reads in flight waits for them, unmaps the ring and closes its fd.
func TestCloseWithRequestsInFlight(t *testing.T) {
	available(t)
	ds, err := workloads.Layout(t.TempDir(), 16<<20)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(ds.Path)
	defer f.Close()
	fd := int(f.Fd())
	before := ringMaps(t)
	for _, o := range variants {
		if err := pagecache.Evict(fd, 16<<20); err != nil {
			t.Fatal(err)
		}
		rd, err := engine{}.Open(engines.Config{QueueDepth: 8, Options: o})
		if err != nil {
			t.Fatal(err)
		}
		reqs := make([]*engines.Request, 8)
		for i := range reqs {
			reqs[i] = &engines.Request{Fd: fd, Offset: int64(i) << 20, Buf: make([]byte, 1<<20)}
		}
		if err := rd.Submit(reqs); err != nil {
			t.Fatal(err)
		}
		if err := rd.Close(); err != nil {
			t.Fatal(err)
		}
		if err := rd.Submit(reqs[:1]); err == nil {
			t.Fatal("Submit after Close accepted")
		}
	}
	if after := ringMaps(t); after != before {
		t.Errorf("io_uring mappings: %d before, %d after the Readers were closed", before, after)
	}
}

// ringMaps counts the process's io_uring mappings and ring fds.
func ringMaps(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(b, []byte("io_uring"))
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.Contains(l, "io_uring") {
			n++
		}
	}
	return n
}

func TestRefusesTooFewEntries(t *testing.T) {
	err := engine{}.Check(engines.Config{QueueDepth: 16, Options: map[string]string{"entries": "8"}})
	if err == nil || !strings.Contains(err.Error(), "accepted") {
		t.Fatalf("Check(entries 8 < iodepth 16) = %v", err)
	}
}

func TestStress(t *testing.T) {
	available(t)
	ops := 200_000
	if testing.Short() {
		ops = 20_000
	}
	for _, o := range []map[string]string{{}, {"async": "on"}, {"fixed-buffers": "on", "fixed-files": "on"}} {
		t.Run(name(o), func(t *testing.T) {
			enginetest.Stress(t, "uring", engines.Config{Options: o}, ops/3, []int{1, 4, 16, 32})
		})
	}
}

func unsafeAddr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
