package harness

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiobench/aiobench/internal/faultdisk"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// A block that the device fails: every engine, cold and direct where it takes it, completes the
// read of that block with EIO once per pass, counts it in errors (never in ops), names its offset
// in first_error, and ends the run within its runtime plus a bound (2 s here: a run is never
// held up by a failed read, no engine retries it for ever). The block is failed in the warm-up
// and the measured phase alike: the file is small enough for several passes in each.
func TestEIOEveryEngine(t *testing.T) {
	d := faultdisk.New(t, 64<<20)
	ds, err := workloads.Layout(d.Dir, 1<<20) // 256 blocks of 4 KiB
	if err != nil {
		t.Fatal(err)
	}
	const bad = 37 * 4096
	if err := d.FailFile(ds.Path, bad, 4096); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		engine, cache string
		qd            int
	}{
		{"sync", CacheCold, 1}, {"sync", CacheDirect, 4}, {"psync", CacheCold, 1}, {"psync", CacheDirect, 1},
		{"retry", CacheCold, 1}, {"retry", CacheCold, 8}, {"threadpool", CacheCold, 4}, {"threadpool", CacheDirect, 4},
		{"uring", CacheCold, 1}, {"uring", CacheCold, 8}, {"uring", CacheDirect, 4},
		{"libaio", CacheCold, 1}, {"libaio", CacheDirect, 4},
	} {
		t.Run(fmt.Sprintf("%s-%s-qd%d", tc.engine, tc.cache, tc.qd), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			res, err := Run(ctx, Config{Engine: tc.engine, Workload: "randread", BlockSize: 4096, IODepth: tc.qd, Jobs: 1,
				Size: ds.Size, Runtime: 400 * time.Millisecond, Warmup: 100 * time.Millisecond, Cache: tc.cache}, ds)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			r := res.Row
			if took > 500*time.Millisecond+2*time.Second || ctx.Err() != nil {
				t.Errorf("the run took %v", took)
			}
			if r.Errors == 0 || r.VerifyErrors != 0 || r.Ops == 0 {
				t.Errorf("errors %d, verify errors %d, ops %d", r.Errors, r.VerifyErrors, r.Ops)
			}
			if want := fmt.Sprintf("at %d: input/output error", bad); !strings.Contains(r.FirstError, want) {
				t.Errorf("first_error %q, want it to name %q", r.FirstError, want)
			}
			// Once per pass: the block is read once in each pass over the file.
			if passes := (r.Ops + r.WarmupOps + r.Errors) / 256; r.Errors > passes+1 {
				t.Errorf("%d errors in about %d passes: the failed read was repeated", r.Errors, passes)
			}
		})
	}
}

// A slow device: with 2 ms added to every device read, the cold lat p50 aiobench reports for
// 4 KiB reads at QD1 lies within 10% of what the stack delivers to a plain O_DIRECT pread
// measured here, outside aiobench: the harness measures the device, not itself.
func TestSlowDiskLatencyIsTheDevice(t *testing.T) {
	d := faultdisk.New(t, 64<<20)
	ds, err := workloads.Layout(d.Dir, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	d.SetFaults(faultdisk.Faults{Delay: 2 * time.Millisecond})
	direct := directReadP50(t, ds.Path, 60)
	r := run(t, Config{Engine: "sync", Cache: CacheCold, Runtime: 300 * time.Millisecond, Warmup: 50 * time.Millisecond}, ds).Row
	if ratio := r.LatP50 * 1e3 / float64(direct); ratio < 0.9 || ratio > 1.1 || r.Errors != 0 {
		t.Errorf("lat p50 %.0f µs, a direct pread %v: ratio %.3f, errors %d", r.LatP50, direct, ratio, r.Errors)
	}
}

// directReadP50 times n O_DIRECT 4 KiB preads at spread offsets and returns the median.
func directReadP50(t *testing.T, path string, n int) time.Duration {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_DIRECT, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(buf)
	ts := make([]time.Duration, n)
	for i := range ts {
		start := time.Now()
		if _, err := unix.Pread(int(f.Fd()), buf, int64(i*7%1024)*4096); err != nil {
			t.Fatal(err)
		}
		ts[i] = time.Since(start)
	}
	slices.Sort(ts)
	return ts[n/2]
}

// Short reads from the device (every read of the image capped at 512 bytes) are completed by
// the layers above it; every engine still reads whole, verified blocks, and counts none as an
// error or as done when it is not.
func TestShortDeviceReads(t *testing.T) {
	d := faultdisk.New(t, 64<<20)
	ds, err := workloads.Layout(d.Dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	d.SetFaults(faultdisk.Faults{Short: 512})
	for _, engine := range []string{"sync", "psync", "retry", "threadpool", "uring", "libaio"} {
		r := run(t, Config{Engine: engine, Cache: CacheCold, IODepth: 4, Ops: 300}, ds).Row
		if r.Ops != 300 || r.Errors != 0 || r.VerifyErrors != 0 {
			t.Errorf("%s: ops %d errors %d verify errors %d: %s", engine, r.Ops, r.Errors, r.VerifyErrors, r.FirstError)
		}
	}
}

// A duel on a disk whose every read fails ends with an error, it does not loop waiting for a
// request to complete.
func TestDuelOnFailingDiskEnds(t *testing.T) {
	d := faultdisk.New(t, 64<<20)
	ds, err := workloads.Layout(d.Dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.FailFile(ds.Path, 0, 1<<20); err != nil {
		t.Fatal(err)
	}
	c := Config{Engine: "sync", Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1, Size: ds.Size, Runtime: time.Second, Cache: CacheDirect}
	done := make(chan error, 1)
	go func() {
		_, err := Duel(context.Background(), DuelConfig{A: c, B: c, Runtime: 200 * time.Millisecond, Warmup: 50 * time.Millisecond}, ds)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "every read failed") {
			t.Errorf("Duel = %v, want an error saying every read failed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the duel is still running 10 s later")
	}
}
