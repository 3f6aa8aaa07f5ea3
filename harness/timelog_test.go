package harness

import (
	"math"
	"testing"
	"time"
)

// A run's time series covers its measured phase in intervals of measured time: their requests
// add up to the run's, every interval has latencies, residency and a length, and a cold run's
// eviction pauses do not count in its time.
func TestTimeLog(t *testing.T) {
	ds := layout(t, 4<<20)
	for _, cache := range []string{CacheWarm, CacheCold} {
		log := &TimeLog{}
		res := run(t, Config{Engine: "sync", Cache: cache, Runtime: 550 * time.Millisecond, Warmup: 20 * time.Millisecond,
			Log: log, LogInterval: 100 * time.Millisecond}, ds)
		ivs := log.Intervals()
		if len(ivs) != 6 {
			t.Fatalf("%s: %d intervals, want 6 (5 whole, 1 of 50 ms): %+v", cache, len(ivs), ivs)
		}
		var ops int64
		for i, iv := range ivs {
			ops += iv.Ops
			if iv.Ops == 0 || iv.P99 < iv.P50 || iv.Max < iv.P99 || !iv.HasResident || iv.Row.Engine != "sync" || iv.Row.Round != res.Row.Round {
				t.Errorf("%s: interval %d: %+v", cache, i, iv)
			}
			if want := 0.1 * float64(i+1); math.Abs(iv.End-want) > 1e-9 && i < 5 {
				t.Errorf("%s: interval %d ends at %v s, want %v", cache, i, iv.End, want)
			}
		}
		if last := ivs[5]; last.Length <= 0 || last.Length > 0.1 || math.Abs(last.End-res.Row.Elapsed) > 0.01 {
			t.Errorf("%s: last interval %+v, run elapsed %v", cache, last, res.Row.Elapsed)
		}
		if ops != res.Row.Ops {
			t.Errorf("%s: intervals hold %d requests, the run %d", cache, ops, res.Row.Ops)
		}
		if cache == CacheCold && res.Row.CacheDrops == 0 {
			t.Errorf("cold: no pass was evicted, so pauses were not tested")
		}
	}
}
