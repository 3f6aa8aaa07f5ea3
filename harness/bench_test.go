package harness

import (
	"context"
	"runtime"
	"testing"
	"time"

	_ "github.com/aiobench/aiobench/engines/all"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// BenchmarkHarnessNull measures the run loop's own cost per request: the null engine at QD1,
// one job. ns/req is the measured phase's elapsed time per request; allocs/op over b.N requests
// shows whether the steady state allocates (the fixed setup amortises towards 0).
func BenchmarkHarnessNull(b *testing.B) {
	benchEngine(b, "null", CacheWarm)
}

// BenchmarkHarnessNullWatched is BenchmarkHarnessNull with a progress display's view: a Live
// the jobs publish to, polled as aiobench's progress bar polls it. Its ns/req should be
// BenchmarkHarnessNull's: the display costs the run loop nothing it can measure.
func BenchmarkHarnessNullWatched(b *testing.B) {
	live := &Live{}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = live.View()
			}
		}
	}()
	benchEngineLive(b, "null", CacheWarm, live)
}

// BenchmarkHarnessNullLogged is BenchmarkHarnessNull keeping a time series of 100 ms
// intervals: its ns/req should be BenchmarkHarnessNull's (the interval's end is noticed at the
// clock reading the loop takes anyway).
func BenchmarkHarnessNullLogged(b *testing.B) {
	benchEngineWith(b, "null", CacheWarm, func(c *Config) { c.Log, c.LogInterval = &TimeLog{}, 100*time.Millisecond })
}

// BenchmarkHarnessNullZipf is the null engine on a warm file in zipf:0.99 order, its requests
// classified by sampled mincore; BenchmarkHarnessNullZipfUnclassified the same without: the
// ratio of their ns/req is what the sampled classification costs (the target: at most 1%).
func BenchmarkHarnessNullZipf(b *testing.B) {
	benchEngineWith(b, "null", CacheWarm, func(c *Config) { c.Random = "zipf:0.99" })
}

func BenchmarkHarnessNullZipfUnclassified(b *testing.B) {
	noClasses = true
	defer func() { noClasses = false }()
	benchEngineWith(b, "null", CacheWarm, func(c *Config) { c.Random = "zipf:0.99" })
}

// BenchmarkHarnessSyncWarm is 4 KiB random reads through the sync engine on a warm file.
func BenchmarkHarnessSyncWarm(b *testing.B) {
	benchEngine(b, "sync", CacheWarm)
}

func benchEngine(b *testing.B, engine, cache string) { benchEngineLive(b, engine, cache, nil) }

func benchEngineLive(b *testing.B, engine, cache string, live *Live) {
	benchEngineWith(b, engine, cache, func(c *Config) { c.Live = live })
}

func benchEngineWith(b *testing.B, engine, cache string, set func(*Config)) {
	defer unchecked()()
	ds, err := workloads.Layout(b.TempDir(), 8<<20)
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Engine: engine, Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1,
		Size: ds.Size, Ops: int64(max(b.N, 1000)), Cache: cache, Seed: 1}
	set(&cfg)
	b.ReportAllocs()
	b.ResetTimer()
	res, err := Run(context.Background(), cfg, ds)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if res.Row.Errors+res.Row.VerifyErrors > 0 {
		b.Fatalf("errors: %+v", res.Row)
	}
	b.ReportMetric(res.Row.Elapsed*1e9/float64(res.Row.Ops), "ns/req")
	b.ReportMetric(res.Row.IOPS, "IOPS")
}

// unchecked turns the tests' contract checker off for a benchmark, which times the run loop
// itself, and returns what turns it on again.
func unchecked() func() {
	w := wrapReader
	wrapReader = nil
	return func() { wrapReader = w }
}

// BenchmarkOpenLoopNull10k and BenchmarkOpenLoopNull100k measure the open-loop issuer's own
// precision and cost: the null engine at 10k and 100k reads/s, one job, one second. behind_p99_us
// is how late the issuer submits (its error: the null engine keeps up with any rate), CPU_us/req
// what keeping the schedule costs the process per request (compare fio --ioengine=null
// --rate_iops at the same rate; scripts/openloop-figures.sh does).
func BenchmarkOpenLoopNull10k(b *testing.B)  { benchOpenLoop(b, "null", 10000) }
func BenchmarkOpenLoopNull100k(b *testing.B) { benchOpenLoop(b, "null", 100000) }

// BenchmarkOpenLoopSyncWarm is the sync engine on a warm file at half the IOPS its closed loop
// reaches (measured first, in the same benchmark).
func BenchmarkOpenLoopSyncWarm(b *testing.B) { benchOpenLoop(b, "sync", -0.5) }

func benchOpenLoop(b *testing.B, engine string, rate float64) {
	defer unchecked()()
	ds, err := workloads.Layout(b.TempDir(), 8<<20)
	if err != nil {
		b.Fatal(err)
	}
	if rate < 0 { // a share of the closed loop's IOPS
		cfg := Config{Engine: engine, Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1,
			Size: ds.Size, Cache: CacheWarm, Seed: 1, Runtime: 500 * time.Millisecond, Warmup: 100 * time.Millisecond}
		res, err := Run(context.Background(), cfg, ds)
		if err != nil {
			b.Fatal(err)
		}
		rate *= -res.Row.IOPS
		b.ReportMetric(rate, "rate")
	}
	var behind, cpu, lat float64
	for range b.N {
		cfg := Config{Engine: engine, Workload: "randread", BlockSize: 4096, Jobs: 1, Size: ds.Size,
			Cache: CacheWarm, Seed: 1, Rate: rate, Runtime: time.Second, Warmup: 100 * time.Millisecond}
		cfg.IODepth = OpenLoopDepth(rate, 1, 4096, ds.Size)
		res, err := Run(context.Background(), cfg, ds)
		if err != nil {
			b.Fatal(err)
		}
		row := &res.Row
		behind += colValue(b, row, "behind_p99_us")
		lat += colValue(b, row, "lat_intended_p99_us")
		cpu += colValue(b, row, "cpu_us_per_op")
	}
	n := float64(b.N)
	b.ReportMetric(behind/n, "behind_p99_us")
	b.ReportMetric(lat/n, "lat_intended_p99_us")
	b.ReportMetric(cpu/n, "CPU_us/req")
}

func colValue(b *testing.B, r *results.Row, name string) float64 {
	c, ok := results.ColumnByName(name)
	if !ok {
		b.Fatalf("no column %s", name)
	}
	v, ok := c.Value(r)
	if !ok {
		b.Fatalf("%s not measured", name)
	}
	return v
}

// BenchmarkMachineFloor measures what the machine leaves an issuer: a thread spinning on the
// clock for a second, locked to its thread as a job is, records every gap over 1 µs between two
// readings (the CPU was taken away). stall_pct is the share of time lost; floor_p99_us is the
// 99th percentile of how late a perfect issuer, spinning all the time, would submit a request
// arriving at a random instant: no issuer's behind_p99_us can be below it on this machine.
func BenchmarkMachineFloor(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var stall, floor float64
	for range b.N {
		var gaps []int64
		t0 := clock.Now()
		last := t0
		for last-t0 < 1e9 {
			t := clock.Now()
			if t-last > 1000 {
				gaps = append(gaps, t-last)
			}
			last = t
		}
		total := float64(last - t0)
		var lost int64
		for _, g := range gaps {
			lost += g
		}
		stall += 100 * float64(lost) / total
		// P(late > x) = Σ max(g-x, 0) / total: find x where it is 1%.
		lo, hi := 0.0, 1e7
		for hi-lo > 10 {
			x := (lo + hi) / 2
			var p float64
			for _, g := range gaps {
				p += max(float64(g)-x, 0)
			}
			if p/total > 0.01 {
				lo = x
			} else {
				hi = x
			}
		}
		floor += hi / 1e3
	}
	b.ReportMetric(stall/float64(b.N), "stall_pct")
	b.ReportMetric(floor/float64(b.N), "floor_p99_us")
}
