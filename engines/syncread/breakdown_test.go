package syncread

import (
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"unsafe"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/fileio"
	"github.com/aiobench/aiobench/pagecache"
	"golang.org/x/sys/unix"
)

// BenchmarkCachedRead splits a cached 4 KiB read (the sync-first figure) into its parts, each
// on the same warm file at random aligned offsets, so that a gap against fio's psync can be
// accounted for part by part:
//
//   - clock: one clock.Now (a span's two readings cost one reading's worth inside it);
//   - pread64: the read fio's psync makes, as a raw system call;
//   - pread64-go: the same through Go's system-call entry (the psync engine's read);
//   - preadv2: raw preadv2 without flags: what the iovec costs over pread64;
//   - preadv2-nowait: the sync engine's read, raw preadv2 with RWF_NOWAIT;
//   - engine: the sync engine's Submit and Reap around its read (pread64 through the runtime),
//     through the Reader interface; engine-nowait with its nowait option (preadv2 first);
//   - span: what a run's lat measures of it: clock, Submit, clock.
//
// Run with: go test ./engines/syncread -run X -bench CachedRead -count 5
func BenchmarkCachedRead(b *testing.B) {
	const size = 64 << 20
	f, fd := enginetest.File(b, size)
	if err := pagecache.Warm(fd, size); err != nil {
		b.Fatal(err)
	}
	_ = f
	buf := enginetest.AlignedBuf(4096)
	rng := rand.New(rand.NewPCG(1, 2))
	offs := make([]int64, 1<<16)
	for i := range offs {
		offs[i] = int64(rng.IntN(size/4096)) * 4096
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	rd, err := engine{}.Open(engines.Config{QueueDepth: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer rd.Close()
	nw, err := engine{}.Open(engines.Config{QueueDepth: 1, Options: map[string]string{"nowait": "on"}})
	if err != nil {
		b.Fatal(err)
	}
	defer nw.Close()
	req := &engines.Request{Fd: fd, Buf: buf}
	one := []*engines.Request{req}
	dst := make([]*engines.Request, 0, 1)
	var sink int64
	for _, c := range []struct {
		name string
		op   func(off int64)
	}{
		{"clock", func(int64) { sink += clock.Now() }},
		{"pread64", func(off int64) {
			n, _, _ := syscall.RawSyscall6(unix.SYS_PREAD64, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), 4096, uintptr(off), 0, 0)
			sink += int64(n)
		}},
		{"pread64-go", func(off int64) {
			n, _ := unix.Pread(fd, buf, off)
			sink += int64(n)
		}},
		{"preadv2", func(off int64) {
			iov := unix.Iovec{Base: &buf[0]}
			iov.SetLen(len(buf))
			n, _, _ := syscall.RawSyscall6(unix.SYS_PREADV2, uintptr(fd), uintptr(unsafe.Pointer(&iov)), 1, uintptr(off), 0, 0)
			sink += int64(n)
		}},
		{"preadv2-nowait", func(off int64) {
			n, _ := fileio.ReadNowait(fd, buf, off)
			sink += int64(n)
		}},
		{"engine", func(off int64) {
			req.Offset = off
			req.Reset()
			_ = rd.Submit(one)
			dst, _ = rd.Reap(dst[:0], 1)
		}},
		{"engine-nowait", func(off int64) {
			req.Offset = off
			req.Reset()
			_ = nw.Submit(one)
			dst, _ = nw.Reap(dst[:0], 1)
		}},
		{"span", func(off int64) {
			req.Offset = off
			req.Reset()
			t0 := clock.Now()
			_ = rd.Submit(one)
			sink += clock.Now() - t0
			dst, _ = rd.Reap(dst[:0], 1)
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				c.op(offs[i&(len(offs)-1)])
				i++
			}
		})
	}
	if sink == 42 {
		b.Log(sink)
	}
}
