package results

import (
	"math"
	"testing"
)

// mixRow is a closed-loop (rate 0) or open-loop row of a partly resident run whose hits took
// p50 and p99 µs.
func mixRow(engine string, qd int, resident, rate, p50, p99 float64, round int) Row {
	r := Row{Engine: engine, Workload: "randread", BS: 4096, IODepth: qd, Jobs: 1, Cache: "cold", Size: 1 << 30,
		ResidentTarget: resident, Rate: rate, Round: round, Ops: 1000, Complete: true,
		Values: map[string]float64{"lat_hit_p50_us": p50, "lat_hit_p99_us": p99}}
	if rate > 0 {
		r.Arrival = "poisson"
		r.Values["lat_intended_hit_p50_us"], r.Values["lat_intended_hit_p99_us"] = p50, p99
	}
	return r
}

func TestHitCosts(t *testing.T) {
	rows := []Row{
		mixRow("sync", 1, 90, 0, 2, 10, 1), mixRow("sync", 1, 90, 0, 2, 20, 2),
		mixRow("uring", 1, 90, 0, 3, 30, 1), mixRow("uring", 1, 90, 0, 5, 30, 2),
		mixRow("uring", 16, 90, 0, 40, 300, 1),
		mixRow("sync", 16, 90, 0, 200, 2000, 1),
		mixRow("sync", 1, 50, 0, 4, 40, 1), mixRow("retry", 1, 50, 0, 4, 44, 1),
		mixRow("sync", 64, 90, 5000, 3, 50, 1), mixRow("uring", 64, 90, 5000, 6, 100, 1),
		mixRow("uring", 1, 99, 0, 3, 30, 1), // no reference in this mix: left out
	}
	got := HitCosts(rows)
	want := []struct {
		engine   string
		qd       int
		resident float64
		rate     float64
		r50, r99 float64
		lo, hi   float64
	}{
		{"uring", 1, 90, 0, 4.0 / 2, 30.0 / 15, 1.5, 2.5},
		{"uring", 16, 90, 0, 40.0 / 2, 300.0 / 15, 0, 0},
		{"sync", 16, 90, 0, 200.0 / 2, 2000.0 / 15, 0, 0},
		{"retry", 1, 50, 0, 1, 1.1, 0, 0},
		{"uring", 64, 90, 5000, 2, 2, 0, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d comparisons, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		h := got[i]
		if h.Engine != w.engine || h.QD != w.qd || h.Resident != w.resident || h.Rate != w.rate {
			t.Errorf("%d: %s QD%d %v%% rate %v, want %s QD%d %v%% rate %v", i, h.Engine, h.QD, h.Resident, h.Rate, w.engine, w.qd, w.resident, w.rate)
			continue
		}
		if math.Abs(h.Ratio50()-w.r50) > 1e-9 || math.Abs(h.Ratio99()-w.r99) > 1e-9 {
			t.Errorf("%d: ratios %v %v, want %v %v", i, h.Ratio50(), h.Ratio99(), w.r50, w.r99)
		}
		if h.Lo != w.lo || h.Hi != w.hi {
			t.Errorf("%d: per-round range %v–%v, want %v–%v", i, h.Lo, h.Hi, w.lo, w.hi)
		}
	}
}
