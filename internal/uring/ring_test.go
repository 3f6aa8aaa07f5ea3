package uring

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// newRing locks the test's goroutine to its thread (SINGLE_ISSUER) and sets a ring up, or skips
// where io_uring is unavailable, saying why.
func newRing(t *testing.T, o Options) *Ring {
	t.Helper()
	runtime.LockOSThread()
	t.Cleanup(runtime.UnlockOSThread)
	if err := Probe(); err != nil {
		t.Skipf("io_uring unavailable: %v", err)
	}
	r, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

func testFile(t *testing.T, size int) (*os.File, []byte) {
	t.Helper()
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>12)
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, data
}

func prepRead(e *SQE, fd int, buf []byte, off int64, user uint64) {
	e.Opcode, e.Fd, e.Off, e.UserData = OpRead, int32(fd), uint64(off), user
	e.Addr, e.Len = uint64(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))), uint32(len(buf))
}

// reap waits for n completions and returns them by user data.
func reap(t *testing.T, r *Ring, n int) map[uint64]int32 {
	t.Helper()
	got := map[uint64]int32{}
	for len(got) < n {
		if r.Ready() == 0 {
			if err := r.Submit(1); err != nil {
				t.Fatal(err)
			}
		}
		r.Completions(func(c *CQE) { got[c.UserData] = c.Res })
	}
	return got
}

func TestReadsBatchedAndVerified(t *testing.T) {
	for _, o := range []Options{{Entries: 8}, {Entries: 8, SQPoll: true, SQPollIdleMS: 10}} {
		t.Run("sqpoll="+map[bool]string{false: "off", true: "on"}[o.SQPoll], func(t *testing.T) {
			r := newRing(t, o)
			f, data := testFile(t, 1<<20)
			bufs := make([][]byte, 8)
			for round := range 4 {
				for i := range bufs {
					bufs[i] = make([]byte, 4096+i*100)
					e := r.SQE()
					if e == nil {
						t.Fatal("SQE: queue full with 8 entries")
					}
					prepRead(e, int(f.Fd()), bufs[i], int64((i*13+round)*4096), uint64(i))
				}
				if !o.SQPoll && r.SQE() != nil { // with SQPOLL, SQE waits for the thread to make room
					t.Fatal("SQE handed out a ninth entry of an 8-entry queue")
				}
				if err := r.Submit(0); err != nil {
					t.Fatal(err)
				}
				for u, res := range reap(t, r, len(bufs)) {
					off := (int(u)*13 + round) * 4096
					if int(res) != len(bufs[u]) || !bytes.Equal(bufs[u], data[off:off+len(bufs[u])]) {
						t.Fatalf("read %d: res %d, data differs", u, res)
					}
				}
			}
		})
	}
}

func TestErrorsAndEOF(t *testing.T) {
	r := newRing(t, Options{Entries: 4})
	f, _ := testFile(t, 6000)
	buf := make([]byte, 4096)
	prepRead(r.SQE(), int(f.Fd()), buf, 4096, 1) // short: 1904 bytes to the end
	prepRead(r.SQE(), int(f.Fd()), buf, 8192, 2) // at EOF: 0
	prepRead(r.SQE(), 1<<20, buf, 0, 3)          // a closed fd: -EBADF
	if err := r.Submit(0); err != nil {
		t.Fatal(err)
	}
	got := reap(t, r, 3)
	if got[1] != 6000-4096 || got[2] != 0 || got[3] != -int32(unix.EBADF) {
		t.Fatalf("got %v, want 1:1904 2:0 3:%d", got, -int32(unix.EBADF))
	}
}

func TestFixedFilesAndBuffers(t *testing.T) {
	r := newRing(t, Options{Entries: 4})
	f, data := testFile(t, 1<<20)
	if err := r.RegisterFileTable(4); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterBufferTable(4); err != nil {
		t.Skipf("sparse buffer tables need Linux 5.13: %v", err)
	}
	buf := make([]byte, 8192, 16384)
	if err := r.SetFile(2, int(f.Fd())); err != nil {
		t.Fatal(err)
	}
	if err := r.SetBuffer(3, buf); err != nil {
		t.Fatal(err)
	}
	e := r.SQE()
	prepRead(e, 2, buf, 65536, 9)
	e.Opcode, e.Flags, e.BufIndex = OpReadFixed, SQEFixedFile, 3
	if err := r.Submit(1); err != nil {
		t.Fatal(err)
	}
	if got := reap(t, r, 1); got[9] != 8192 || !bytes.Equal(buf, data[65536:65536+8192]) {
		t.Fatalf("fixed read: %v", got)
	}
}

func TestCloseUnmapsAndClosesFd(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := Probe(); err != nil {
		t.Skipf("io_uring unavailable: %v", err)
	}
	r, err := New(Options{Entries: 4})
	if err != nil {
		t.Fatal(err)
	}
	fd := r.Fd()
	maps := countMaps(t)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("ring fd %d still open after Close (fcntl: %v)", fd, err)
	}
	if after := countMaps(t); after >= maps {
		t.Errorf("mappings: %d before Close, %d after", maps, after)
	}
}

// countMaps counts the process's io_uring mappings.
func countMaps(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("io_uring"))
}

func TestUnavailableReasons(t *testing.T) {
	for _, c := range []struct {
		errno             unix.Errno
		disabled, seccomp string
		want              string
	}{
		{unix.ENOSYS, "", "0", "kernel without io_uring"},
		{unix.EPERM, "2", "0", "kernel.io_uring_disabled=2"},
		{unix.EPERM, "1", "0", "kernel.io_uring_disabled=1"},
		{unix.EPERM, "0", "2", "seccomp filter"},
		{unix.EPERM, "", "", "EPERM"},
		{unix.EINVAL, "0", "0", "invalid argument"},
	} {
		if got := Unavailable(c.errno, c.disabled, c.seccomp).Error(); !bytes.Contains([]byte(got), []byte(c.want)) {
			t.Errorf("Unavailable(%v, %q, %q) = %q, want it to say %q", c.errno, c.disabled, c.seccomp, got, c.want)
		}
	}
}

// A bounded wait with nothing to complete returns after about its bound, not before and not
// much after.
func TestWaitFor(t *testing.T) {
	r, err := New(Options{Entries: 4})
	if err != nil {
		t.Skipf("no io_uring: %v", err)
	}
	defer r.Close()
	if !r.CanWaitFor() {
		t.Skip("the kernel cannot bound a wait (IORING_FEAT_EXT_ARG)")
	}
	began := time.Now()
	if err := r.WaitFor(int64(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < 15*time.Millisecond || took > 500*time.Millisecond {
		t.Errorf("a 20 ms wait took %v", took)
	}
}
