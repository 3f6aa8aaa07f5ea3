package enginetest

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// The basic checks of an asynchronous engine, on real files: verified reads buffered and
// O_DIRECT, a read crossing end of file completed short, a failed read completed with its
// error, and Close with cold reads in flight leaving nothing behind.

// Lock locks the test's goroutine to its thread for the rest of the test, as the Reader
// contract asks of whoever drives a Reader.
func Lock(t *testing.T) {
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
}

// Name names an option set for a subtest.
func Name(o map[string]string) string {
	var b []string
	for k, v := range o {
		b = append(b, k+"="+v)
	}
	if len(b) == 0 {
		return "default"
	}
	return strings.Join(b, ",")
}

// AlignedBuf returns an n-byte buffer aligned for O_DIRECT.
func AlignedBuf(n int) []byte {
	b := make([]byte, n+4096)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(b))) & 4095)
	return b[off : off+n : off+n]
}

// open returns engine name's Reader opened with cfg and checked against the contract
// (Checked), closed when the test ends.
func open(t *testing.T, name string, cfg engines.Config) engines.Reader {
	t.Helper()
	e, err := engines.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := e.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rd = Checked(rd, cfg.QueueDepth, t.Errorf)
	t.Cleanup(func() { rd.Close() })
	return rd
}

// ReadsAndEOF reads a cold 1 MiB file through engine name with each option set, buffered and
// O_DIRECT, at QD4 with the requests reused over three rounds (as the harness reuses them),
// one of them crossing end of file; every read is verified. It returns each run's Reader, for
// the engine's own checks of its counters, after the reads.
func ReadsAndEOF(t *testing.T, name string, sets []map[string]string, check func(t *testing.T, o map[string]string, rd engines.Reader)) {
	Lock(t)
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
		for _, o := range sets {
			t.Run(Name(o)+map[bool]string{true: ",direct"}[direct], func(t *testing.T) {
				Lock(t) // a subtest runs on a goroutine of its own: the Reader's driving one
				if err := pagecache.Evict(int(f.Fd()), size); err != nil {
					t.Fatal(err)
				}
				rd := open(t, name, engines.Config{QueueDepth: 4, Direct: direct, Options: o})
				reqs := make([]*engines.Request, 4)
				for i := range reqs {
					reqs[i] = &engines.Request{Fd: int(f.Fd()), Buf: AlignedBuf(8192)}
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
				if check != nil {
					check(t, o, rd)
				}
			})
		}
	}
}

// FailedRead reads a directory through engine name: the read is completed with its error,
// never as a full read.
func FailedRead(t *testing.T, name string) {
	Lock(t)
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	rd := open(t, name, engines.Config{QueueDepth: 1})
	req := &engines.Request{Fd: int(dir.Fd()), Buf: make([]byte, 4096)}
	if err := rd.Submit([]*engines.Request{req}); err != nil {
		t.Fatal(err)
	}
	// read(2) says EISDIR; native AIO refuses a file without read_iter with EINVAL.
	if done, err := rd.Reap(nil, 1); err != nil || len(done) != 1 || (req.Err != unix.EISDIR && req.Err != unix.EINVAL) || req.N != 0 {
		t.Fatalf("Reap = %d, %v; request n=%d err=%v (want EISDIR or EINVAL)", len(done), err, req.N, req.Err)
	}
}

// CloseInFlight closes Readers of engine name, one per option set, with eight cold 1 MiB reads
// in flight: Close waits for them, and no io_uring or AIO mapping or ring fd is left behind
// (goroutines are the caller's goleak's).
func CloseInFlight(t *testing.T, name string, sets []map[string]string) {
	Lock(t)
	ds, err := workloads.Layout(t.TempDir(), 16<<20)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(ds.Path)
	defer f.Close()
	fd := int(f.Fd())
	e, err := engines.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	before := kernelRings(t)
	for _, o := range sets {
		if err := pagecache.Evict(fd, 16<<20); err != nil {
			t.Fatal(err)
		}
		rd, err := e.Open(engines.Config{QueueDepth: 8, Options: o})
		if err != nil {
			t.Fatal(err)
		}
		rd = Checked(rd, 8, t.Errorf)
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
	}
	if after := kernelRings(t); after != before {
		t.Errorf("io_uring/aio mappings and ring fds: %d before, %d after the Readers were closed", before, after)
	}
}

// kernelRings counts the process's io_uring and AIO ring mappings and io_uring fds.
func kernelRings(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(b, []byte("io_uring")) + bytes.Count(b, []byte("[aio]"))
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.Contains(l, "io_uring") {
			n++
		}
	}
	return n
}

// ReapUntilBounded checks an engine's TimedReaper: with cold reads in flight, ReapUntil with a
// deadline 2 ms ahead returns by about then (with what completed), with one already past at
// once, and it still hands every request back once.
func ReapUntilBounded(t *testing.T, name string, sets []map[string]string) {
	Lock(t)
	ds, err := workloads.Layout(t.TempDir(), 32<<20)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(ds.Path)
	defer f.Close()
	fd := int(f.Fd())
	for _, o := range sets {
		rd := open(t, name, engines.Config{QueueDepth: 8, Options: o})
		tr, ok := rd.(engines.TimedReaper)
		if !ok {
			t.Fatal("the checker is a TimedReaper")
		}
		if _, ok := engines.Ability[engines.TimedReaper](rd.(interface{ Unwrap() engines.Reader }).Unwrap()); !ok {
			t.Fatalf("%s %s: not a TimedReaper", name, Name(o))
		}
		if err := pagecache.Evict(fd, 32<<20); err != nil {
			t.Fatal(err)
		}
		reqs := make([]*engines.Request, 8)
		for i := range reqs {
			reqs[i] = &engines.Request{Fd: fd, Offset: int64(i) << 22, Buf: make([]byte, 1<<20), ID: uint64(i)}
		}
		if err := rd.Submit(reqs); err != nil {
			t.Fatal(err)
		}
		got := 0
		for round := 0; got < len(reqs); round++ {
			deadline := clock.Now() + int64(2*time.Millisecond)
			if round == 0 {
				deadline = clock.Now() - 1 // already past
			}
			began := clock.Now()
			done, err := tr.ReapUntil(nil, len(reqs)-got, deadline)
			if err != nil {
				t.Fatal(err)
			}
			if late := clock.Now() - max(deadline, began); late > int64(50*time.Millisecond) && len(done) < len(reqs)-got {
				t.Errorf("%s %s: ReapUntil returned %v after its deadline", name, Name(o), time.Duration(late))
			}
			got += len(done)
			if round > 5000 {
				t.Fatalf("%s %s: %d of %d completed after %d rounds", name, Name(o), got, len(reqs), round)
			}
		}
		// A deadline already past is a poll, and a poll hands back what has completed (the
		// open loop polls so whenever its next arrival is near: libaio's once returned
		// nothing, and its requests waited for a full queue).
		for _, r := range reqs {
			r.Reset()
		}
		if err := rd.Submit(reqs); err != nil {
			t.Fatal(err)
		}
		got = 0
		for end := time.Now().Add(5 * time.Second); got < len(reqs) && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
			done, err := tr.ReapUntil(nil, 0, clock.Now()-1)
			if err != nil {
				t.Fatal(err)
			}
			got += len(done)
		}
		if got < len(reqs) {
			t.Fatalf("%s %s: polls with a past deadline collected %d of %d requests in 5 s", name, Name(o), got, len(reqs))
		}
	}
}
