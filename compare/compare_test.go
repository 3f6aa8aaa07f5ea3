package compare

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// noisy returns n samples around center with ±spread relative uniform noise, seeded.
func noisy(n int, center, spread float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, n)
	for i := range v {
		v[i] = center * (1 + spread*(2*rng.Float64()-1))
	}
	return v
}

func scale(v []float64, f float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * f
	}
	return out
}

func TestVerdicts(t *testing.T) {
	o := Options{Threshold: 0.05, Alpha: 0.05}
	base := noisy(10, 1000, 0.01, 1)
	for _, tc := range []struct {
		name string
		fn   func([]float64, []float64, Direction, Options) Result
		base []float64
		cand []float64
		dir  Direction
		want Verdict
		note string
	}{
		{"paired identical", Paired, base, base, LowerIsBetter, Pass, ""},
		{"independent identical", Independent, base, base, LowerIsBetter, Pass, ""},
		{"paired +20% latency over 10 rounds", Paired, base, scale(base, 1.2), LowerIsBetter, Regression, ""},
		{"independent +20% latency", Independent, base, noisy(10, 1200, 0.01, 2), LowerIsBetter, Regression, ""},
		{"paired -20% IOPS", Paired, base, scale(base, 0.8), HigherIsBetter, Regression, ""},
		{"paired +20% IOPS", Paired, base, scale(base, 1.2), HigherIsBetter, Improvement, ""},
		{"paired +2% latency at a 5% threshold", Paired, base, scale(base, 1.02), LowerIsBetter, Pass, ""},
		{"independent +2%", Independent, base, noisy(10, 1020, 0.01, 3), LowerIsBetter, Pass, ""},
		{"3 rounds", Paired, base[:3], scale(base[:3], 1.2), LowerIsBetter, Inconclusive, "needs at least 6"},
		{"noise wider than the threshold", Independent, noisy(10, 1000, 0.3, 4), noisy(10, 1000, 0.3, 5), LowerIsBetter, Inconclusive, "not clear of"},
	} {
		r := tc.fn(tc.base, tc.cand, tc.dir, o)
		if r.Verdict != tc.want || !strings.Contains(r.Note, tc.note) {
			t.Errorf("%s: %s (change %+.3f [%+.3f, %+.3f] p=%.3g; %s), want %s", tc.name, r.Verdict, r.Change, r.Lo, r.Hi, r.P, r.Note, tc.want)
		}
	}
}

func TestEstimates(t *testing.T) {
	base := noisy(10, 1000, 0.01, 1)
	r := Paired(base, scale(base, 1.2), LowerIsBetter, Options{0.05, 0.05})
	if math.Abs(r.Change-0.2) > 1e-9 || r.Lo > 0.2+1e-9 || r.Hi < 0.2-1e-9 || r.P >= 0.05 || r.N1 != 10 {
		t.Errorf("paired exact +20%%: %+v", r)
	}
	a := Independent(base, noisy(10, 1200, 0.01, 2), LowerIsBetter, Options{0.05, 0.05})
	b := Independent(base, noisy(10, 1200, 0.01, 2), LowerIsBetter, Options{0.05, 0.05})
	if a != b {
		t.Errorf("the bootstrap interval is not repeatable: %+v vs %+v", a, b)
	}
	if a.Lo > a.Change || a.Hi < a.Change || a.Lo < 0.15 || a.Hi > 0.25 {
		t.Errorf("independent +20%%: %+v", a)
	}
	if n := MinSamples(0.05, false); n != 6 {
		t.Errorf("MinSamples = %d, want 6", n)
	}
}

// resampleMedian's counting gives the median a sort would.
func TestResampleMedian(t *testing.T) {
	pcg := rand.NewPCG(1, 2)
	for n := 1; n < 30; n++ {
		sorted := noisy(n, 100, 0.5, uint64(n))
		slices.Sort(sorted)
		counts := make([]int, n)
		for range 50 {
			replay := *pcg // the same draws again, for the reference
			got := resampleMedian(sorted, counts, pcg)
			ref := &replay
			draw := make([]float64, n)
			for i := range draw {
				draw[i] = sorted[(ref.Uint64()>>32)*uint64(n)>>32]
			}
			slices.Sort(draw)
			want := (draw[(n-1)/2] + draw[n/2]) / 2
			if got != want {
				t.Fatalf("n=%d: %v, want %v", n, got, want)
			}
		}
	}
}

// A paired comparison's row agrees with itself: its candidate is where the change puts it, its
// own median is in the note, and n counts pairs. Here the candidate's median is higher than
// the baseline's although it is lower in most pairs (the "iops 523024 532850 -0.5%").
func TestPairedRowAgrees(t *testing.T) {
	base := []float64{30, 30, 30, 30, 10, 10, 10, 10}
	cand := []float64{29.7, 29.7, 29.7, 29.7, 9.9, 9.9, 40, 40}
	r := Paired(base, cand, HigherIsBetter, Options{Threshold: 0.05, Alpha: 0.05})
	if r.Candidate <= r.Baseline || r.Change >= 0 {
		t.Fatalf("the case: medians %v → %v, change %v", r.Baseline, r.Candidate, r.Change)
	}
	var buf bytes.Buffer
	m, _ := MetricByName("iops")
	if err := WriteTable(&buf, []Line{{Label: "x", Metric: m, Result: r}}, "table"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"| 20.0     | 19.8      | -1.0%", "8 pairs", "its own median 29.7"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	var csv bytes.Buffer
	WriteCSV(&csv, []Line{{Label: "x", Metric: m, Result: r}})
	if !strings.Contains(csv.String(), "x,iops,20.0,29.7,-1.0%") || !strings.Contains(csv.String(), "8 pairs") {
		t.Errorf("CSV: %s", csv.String())
	}
}
