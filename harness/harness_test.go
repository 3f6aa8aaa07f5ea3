package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aiobench/aiobench/workloads"
)

func layout(t *testing.T, size int64) *workloads.Dataset {
	t.Helper()
	ds, err := workloads.Layout(t.TempDir(), size)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func run(t *testing.T, cfg Config, ds *workloads.Dataset) *Result {
	t.Helper()
	if cfg.Workload == "" {
		cfg.Workload = "randread"
	}
	if cfg.BlockSize == 0 {
		cfg.BlockSize = 4096
	}
	if cfg.IODepth == 0 {
		cfg.IODepth = 1
	}
	if cfg.Jobs == 0 {
		cfg.Jobs = 1
	}
	if cfg.Size == 0 {
		cfg.Size = ds.Size
	}
	if cfg.Cache == "" {
		cfg.Cache = CacheWarm
	}
	res, err := Run(context.Background(), cfg, ds)
	if err != nil {
		t.Fatalf("Run(%+v): %v", cfg, err)
	}
	return res
}

// A run's counts must agree with each other: every counted op is in each histogram once, and
// bytes are ops times the block size; ops is exactly what --ops asked for, over several jobs.
func TestCountsAgree(t *testing.T) {
	ds := layout(t, 4<<20)
	for _, engine := range []string{"sync", "null"} {
		for _, c := range []struct{ jobs, qd int }{{1, 1}, {3, 4}} {
			res := run(t, Config{Engine: engine, Jobs: c.jobs, IODepth: c.qd, Ops: 1001}, ds)
			r := res.Row
			if r.Ops != 1001 || r.Bytes != r.Ops*4096 || r.Errors != 0 || r.VerifyErrors != 0 || !r.Complete {
				t.Errorf("%s jobs=%d qd=%d: ops=%d bytes=%d errors=%d verify=%d complete=%v", engine, c.jobs, c.qd, r.Ops, r.Bytes, r.Errors, r.VerifyErrors, r.Complete)
			}
			for name, h := range map[string]int64{"lat": res.Lat.TotalCount(), "slat": res.Slat.TotalCount(), "clat": res.Clat.TotalCount()} {
				if h != r.Ops {
					t.Errorf("%s: %s histogram has %d values, ops=%d", engine, name, h, r.Ops)
				}
			}
			if r.IOPS <= 0 || r.Elapsed <= 0 || r.LatP50 <= 0 || r.LatP50 > r.LatP99 || r.LatP99 > r.LatMax {
				t.Errorf("%s: implausible figures: %+v", engine, r)
			}
		}
	}
}

// A time-bounded run stops near its runtime and excludes its warm-up.
func TestRuntimeBound(t *testing.T) {
	ds := layout(t, 1<<20)
	start := time.Now()
	r := run(t, Config{Engine: "sync", Runtime: 200 * time.Millisecond, Warmup: 100 * time.Millisecond}, ds).Row
	took := time.Since(start)
	if r.Elapsed != 0.2 || !r.Complete || r.Ops == 0 {
		t.Errorf("elapsed=%v complete=%v ops=%d; want 0.2s, true, >0", r.Elapsed, r.Complete, r.Ops)
	}
	if took < 300*time.Millisecond {
		t.Errorf("run took %v, less than warm-up + runtime", took)
	}
}

// The cache state is measured: warm runs start fully resident, cold and direct ones near empty.
func TestCacheStateMeasured(t *testing.T) {
	ds := layout(t, 8<<20)
	for _, tc := range []struct {
		cache    string
		min, max float64
	}{{CacheWarm, 99, 100}, {CacheCold, 0, 1}, {CacheDirect, 0, 1}, {CacheWarm, 99, 100}} {
		res := run(t, Config{Engine: "sync", Cache: tc.cache, Ops: 200}, ds)
		r := res.Row
		if r.ResidentStart < tc.min || r.ResidentStart > tc.max {
			t.Errorf("%s: resident at start %.1f%%, want %v..%v", tc.cache, r.ResidentStart, tc.min, tc.max)
		}
		if len(res.Warnings) != 0 {
			t.Errorf("%s: unexpected warnings %q", tc.cache, res.Warnings)
		}
		if r.Errors+r.VerifyErrors != 0 {
			t.Errorf("%s: errors %d, verify errors %d: %s", tc.cache, r.Errors, r.VerifyErrors, r.FirstError)
		}
	}
	// 200 random cold reads of 4 KiB leave most of an 8 MiB file out of the cache
	// (fadvise RANDOM: no readahead); direct reads leave it all out.
	r := run(t, Config{Engine: "sync", Cache: CacheDirect, Ops: 200}, ds).Row
	if r.ResidentEnd > 1 {
		t.Errorf("direct: resident at end %.1f%%, want ~0", r.ResidentEnd)
	}
	r = run(t, Config{Engine: "sync", Cache: CacheCold, Ops: 200}, ds).Row
	if r.ResidentEnd <= 0 || r.ResidentEnd > 20 {
		t.Errorf("cold: resident at end %.1f%%, want a little above 0", r.ResidentEnd)
	}
}

// A cold time-bounded job evicts the file again each time it starts a new pass.
func TestColdPassEvicts(t *testing.T) {
	ds := layout(t, 64<<10) // 16 blocks
	r := run(t, Config{Engine: "sync", Workload: "seqread", Cache: CacheCold, Ops: 16*3 + 1}, ds).Row
	if r.CacheDrops != 3 {
		t.Errorf("cache_drops = %d, want 3 (passes after the first)", r.CacheDrops)
	}
	r = run(t, Config{Engine: "sync", Workload: "seqread", Cache: CacheWarm, Ops: 16 * 3}, ds).Row
	if r.CacheDrops != 0 {
		t.Errorf("warm: cache_drops = %d, want 0", r.CacheDrops)
	}
}

// A corrupted byte in the layout is caught: a block's first word by the cheap check, a byte
// in the middle of a block only by the full one. The bad read is not counted as done.
func TestVerificationCatchesCorruption(t *testing.T) {
	for _, tc := range []struct {
		name      string
		at        int64
		mode      workloads.VerifyMode
		wantFails int64
	}{
		{"cheap, block start", 5*4096 + 3, workloads.VerifyCheap, 1},
		{"cheap, block middle", 5*4096 + 1000, workloads.VerifyCheap, 0},
		{"full, block middle", 5*4096 + 1000, workloads.VerifyFull, 1},
		{"full, last byte", 16*4096 - 1, workloads.VerifyFull, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := layout(t, 64<<10)
			f, err := os.OpenFile(ds.Path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			b := []byte{0}
			f.ReadAt(b, tc.at)
			b[0] ^= 0x40
			if _, err := f.WriteAt(b, tc.at); err != nil {
				t.Fatal(err)
			}
			f.Close()
			// One sequential pass reads every block once.
			r := run(t, Config{Engine: "sync", Workload: "seqread", Ops: 16, Verify: tc.mode}, ds).Row
			if r.VerifyErrors != tc.wantFails {
				t.Fatalf("verify_errors = %d, want %d (%s)", r.VerifyErrors, tc.wantFails, r.FirstError)
			}
			if r.Ops != 16-tc.wantFails {
				t.Errorf("ops = %d, want %d: a request with bad data must not count as done", r.Ops, 16-tc.wantFails)
			}
			if want := fmt.Sprintf("bytes at %d: data differs from the layout at byte %d", tc.at&^4095, tc.at&^7); tc.wantFails > 0 && !strings.Contains(r.FirstError, want) {
				t.Errorf("first_error = %q, want it to contain %q", r.FirstError, want)
			}
		})
	}
}

// Reads of a file shorter than the layout promised come back short; they are errors.
func TestShortReadIsError(t *testing.T) {
	ds := layout(t, 64<<10)
	if err := os.Truncate(ds.Path, 32<<10); err != nil {
		t.Fatal(err)
	}
	r := run(t, Config{Engine: "sync", Workload: "seqread", Ops: 16, Cache: CacheCold}, ds).Row
	if r.Errors != 8 || r.Ops != 8 {
		t.Errorf("errors=%d ops=%d; want 8 and 8", r.Errors, r.Ops)
	}
}

// Cancelling the context stops the run and marks it incomplete.
func TestCancelledRunIsIncomplete(t *testing.T) {
	ds := layout(t, 1<<20)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err := Run(ctx, Config{Engine: "null", Workload: "randread", BlockSize: 4096, IODepth: 2, Jobs: 2,
		Size: ds.Size, Runtime: time.Hour, Cache: CacheWarm}, ds)
	if err != nil {
		t.Fatal(err)
	}
	if res.Row.Complete || res.Row.Ops == 0 {
		t.Errorf("complete=%v ops=%d; want false and >0", res.Row.Complete, res.Row.Ops)
	}
}

func TestValidate(t *testing.T) {
	good := Config{Engine: "sync", Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1, Size: 1 << 20, Runtime: time.Second, Cache: CacheWarm}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"bs 0", func(c *Config) { c.BlockSize = 0 }, "bs 0"},
		{"bs not 512n", func(c *Config) { c.BlockSize = 1000 }, "multiple of 512"},
		{"direct bs", func(c *Config) { c.BlockSize = 3 * 512; c.Cache = CacheDirect }, "power of two"},
		{"bs > size", func(c *Config) { c.BlockSize = 2 << 20 }, "larger than size"},
		{"size 0", func(c *Config) { c.Size = 0 }, "size 0"},
		{"iodepth", func(c *Config) { c.IODepth = 0 }, "iodepth"},
		{"jobs", func(c *Config) { c.Jobs = -1 }, "jobs"},
		{"no bound", func(c *Config) { c.Runtime = 0 }, "runtime or an ops"},
		{"cache", func(c *Config) { c.Cache = "hot" }, "warm, cold, direct"},
		{"workload", func(c *Config) { c.Workload = "write" }, "known: randread, seqread"},
		{"ops < jobs", func(c *Config) { c.Ops, c.Jobs = 3, 4 }, "ops 3 is fewer than jobs 4"},
		{"iodepth > blocks", func(c *Config) { c.IODepth = 257 }, "iodepth 257: more than the 256 blocks"},
		{"jobs > blocks", func(c *Config) { c.Jobs = 300 }, "jobs 300: more than the 256 blocks"},
		{"random", func(c *Config) { c.Random = "shuffle" }, "accepted: perm, uniform"},
		{"random seqread", func(c *Config) { c.Random, c.Workload = "uniform", "seqread" }, "only randread"},
		{"rate with ops", func(c *Config) { c.Rate, c.Ops = 1000, 100 }, "not by --ops"},
		{"rate negative", func(c *Config) { c.Rate = -1 }, "reads per second above 0"},
		{"arrival without rate", func(c *Config) { c.Arrival = ArrivalUniform }, "only with --rate"},
		{"arrival unknown", func(c *Config) { c.Rate, c.Arrival = 1000, "bursty" }, "accepted: poisson, uniform"},
		{"lat target", func(c *Config) { c.Rate, c.LatTarget = 1000, -time.Millisecond }, "must be above 0"},
		{"cache limit negative", func(c *Config) { c.CacheLimit = -1 }, "must be above 0"},
		{"cache limit direct", func(c *Config) { c.CacheLimit, c.Cache = 1<<20, CacheDirect }, "no page cache"},
		{"zipf 1", func(c *Config) { c.Random = "zipf:1" }, "θ ≠ 1"},
	} {
		c := good
		tc.mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// The error is typed: the field it blames comes without reading the message.
	c := good
	c.IODepth = 0
	var ce *ConfigError
	if err := c.Validate(); !errors.As(err, &ce) || ce.Field != "iodepth" || !errors.Is(err, ErrConfig) {
		t.Errorf("iodepth 0: %#v", err)
	}
}

// Engine counters reach the row: the retry engine on a warm file takes the fast path for every
// read (one attempt each), on a cold one it retries; engines without counters report zeros.
func TestEngineCountersInRow(t *testing.T) {
	ds := layout(t, 4<<20)
	warm := run(t, Config{Engine: "retry", Ops: 500, IODepth: 4}, ds).Row
	if warm.Values["attempts_per_op"] != 1 || warm.Values["eagain"] != 0 || warm.Values["kicks"] != 0 {
		t.Errorf("warm retry: attempts_per_op %v eagain %v kicks %v", warm.Values["attempts_per_op"], warm.Values["eagain"], warm.Values["kicks"])
	}
	cold := run(t, Config{Engine: "retry", Ops: 200, IODepth: 4, Cache: CacheCold}, ds).Row
	if cold.Values["attempts_per_op"] <= 1 || cold.Values["eagain"] == 0 || cold.Values["kicks"] == 0 || cold.Values["wait_to_retry_p50_us"] <= 0 || cold.VerifyErrors+cold.Errors != 0 {
		t.Errorf("cold retry: %+v", cold)
	}
	tp := run(t, Config{Engine: "threadpool", Ops: 200, IODepth: 4, Options: map[string]string{"threadpool.threads": "2"}}, ds).Row
	if tp.Values["queue_wait_p50_us"] <= 0 || tp.Values["handoff_p50_us"] <= 0 || tp.Values["queue_peak"] < 1 || tp.Values["attempts_per_op"] != 0 {
		t.Errorf("threadpool: queue wait %v handoff %v peak %v attempts %v", tp.Values["queue_wait_p50_us"], tp.Values["handoff_p50_us"], tp.Values["queue_peak"], tp.Values["attempts_per_op"])
	}
	if s := run(t, Config{Engine: "sync", Ops: 100}, ds).Row; s.Values["attempts_per_op"] != 0 || s.Values["kicks"] != 0 {
		t.Errorf("sync has retry counters: %+v", s)
	}
	if _, err := Run(context.Background(), Config{Engine: "retry", Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1,
		Size: ds.Size, Ops: 10, Cache: CacheDirect}, ds); err == nil || !strings.Contains(err.Error(), "--cache direct") {
		t.Errorf("retry with --cache direct: %v; want a refusal", err)
	}
}

// A partly cached cold run starts with about the asked-for share resident, scattered so that
// 1 MiB reads find different parts cached; at each new pass over the file the same share is
// made resident again (16 blocks of 1 MiB, 40 requests: two new passes).
func TestResident(t *testing.T) {
	ds := layout(t, 16<<20)
	r := run(t, Config{Engine: "retry", BlockSize: 1 << 20, IODepth: 2, Cache: CacheCold, Resident: 0.5, Ops: 40}, ds).Row
	if r.ResidentStart < 45 || r.ResidentStart > 55 || r.ResidentTarget != 50 || r.CacheDrops != 2 || r.Errors+r.VerifyErrors != 0 {
		t.Errorf("resident start %.1f%% (target %v), drops %d, errors %d/%d", r.ResidentStart, r.ResidentTarget, r.CacheDrops, r.Errors, r.VerifyErrors)
	}
	if r.Values["short_reads"] == 0 && r.Values["eagain"] == 0 {
		t.Errorf("no partial reads on a half-cached file: %+v", r)
	}
	c := Config{Engine: "sync", Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1, Size: 1 << 20, Ops: 1, Cache: CacheWarm, Resident: 0.5}
	if err := c.Validate(); err == nil {
		t.Error("resident with a warm cache accepted")
	}
}

// A background load runs on its own file during the whole run and is stopped after it.
func TestBackground(t *testing.T) {
	dir := t.TempDir()
	ds, err := workloads.Layout(dir, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	bgds, err := workloads.LayoutFile(dir, 1, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	bg := Config{Engine: "retry", Workload: "randread", BlockSize: 4096, IODepth: 8, Jobs: 1, Size: 8 << 20, Cache: CacheCold}
	r := run(t, Config{Engine: "sync", Runtime: 200 * time.Millisecond, Warmup: 50 * time.Millisecond,
		Background: &Background{Config: bg, Dataset: bgds}}, ds).Row
	if r.Background != "retry" || r.BackgroundIOPS <= 0 || r.Errors+r.VerifyErrors != 0 || !r.Complete || r.Ops == 0 {
		t.Errorf("background %q at %.0f IOPS; row %+v", r.Background, r.BackgroundIOPS, r)
	}
	if r.ResidentStart < 99 {
		t.Errorf("the background's eviction reached the measured file: %.1f%% resident", r.ResidentStart)
	}
}
