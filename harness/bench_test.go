package harness

import (
	"context"
	"testing"
	"time"

	_ "github.com/aiobench/aiobench/engines/all"
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
