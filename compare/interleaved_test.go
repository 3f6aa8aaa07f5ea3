package compare

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 1; n < 60; n++ {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(10)) // many ties
		}
		want := median(slices.Clone(xs))
		if got := selectMedian(slices.Clone(xs)); got != want {
			t.Fatalf("n=%d: %v, want %v", n, got, want)
		}
	}
}

// A series with a slow drift shared by both arms and a constant 2% difference: the interval
// holds the 2% and excludes 0; the same series with no difference is a PASS at 1%.
func TestInterleavedDriftingSeries(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 3000
	logs := make([]float64, n)
	ar := 0.0
	for i := range logs {
		ar = 0.9*ar + 0.02*rng.NormFloat64() // autocorrelated noise
		logs[i] = ar + 0.05*rng.NormFloat64()
	}
	shift := make([]float64, n)
	for i, x := range logs {
		shift[i] = x + math.Log(0.98)
	}
	o := Options{Threshold: 0.01, Alpha: 0.05}
	r := Interleaved(shift, 1, 0.98, HigherIsBetter, o)
	if r.Verdict != Regression || r.Lo > -0.01 || r.Hi < -0.03 || r.Hi > -0.01 {
		t.Errorf("2%% slower: %s [%+.2f%%, %+.2f%%] p %.3f", r.Verdict, 100*r.Lo, 100*r.Hi, r.P)
	}
	if r := Interleaved(logs, 1, 1, HigherIsBetter, o); r.Verdict != Pass {
		t.Errorf("no difference: %s [%+.2f%%, %+.2f%%]", r.Verdict, 100*r.Lo, 100*r.Hi)
	}
	if r := Interleaved(logs[:10], 1, 1, HigherIsBetter, o); r.Verdict != Inconclusive {
		t.Errorf("10 pairs: %s, want INCONCLUSIVE", r.Verdict)
	}
}

// The moving-block interval covers the true difference about 95% of the time on autocorrelated
// series, where an iid bootstrap (runs of one) covers it far less often.
func TestBlockBootstrapCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("100 bootstraps")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	cover := map[int]int{}
	const trials = 100
	for range trials {
		n := 1000
		xs := make([]float64, n)
		ar := 0.0
		for i := range xs {
			ar = 0.6*ar + 0.05*rng.NormFloat64()
			xs[i] = ar + 0.05*rng.NormFloat64()
		}
		for _, l := range []int{1, blockLen(n)} {
			lo, hi, _ := blockBootstrap(slices.Clone(xs), l)
			if lo <= 0 && 0 <= hi {
				cover[l]++
			}
		}
	}
	if c := float64(cover[blockLen(1000)]) / trials; c < 0.88 {
		t.Errorf("moving-block coverage %.2f, want about 0.95", c)
	}
	if c := float64(cover[1]) / trials; c > 0.85 {
		t.Errorf("iid coverage %.2f: the series is not correlated enough to show the point", c)
	}
}
