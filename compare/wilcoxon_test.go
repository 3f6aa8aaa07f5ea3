package compare

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteSignedRank enumerates all 2^n sign assignments: the reference for small n.
func bruteSignedRank(d []float64) float64 {
	n := len(d)
	ranks := make([]float64, n) // d given as distinct |values| 1..n in order, so rank = |d|
	w := 0.0
	for i, x := range d {
		ranks[i] = math.Abs(x)
		if x > 0 {
			w += ranks[i]
		}
	}
	var lo, hi int
	for mask := 0; mask < 1<<n; mask++ {
		s := 0.0
		for i := range n {
			if mask&(1<<i) != 0 {
				s += ranks[i]
			}
		}
		if s <= w {
			lo++
		}
		if s >= w {
			hi++
		}
	}
	return math.Min(1, 2*float64(min(lo, hi))/float64(int(1)<<n))
}

func TestSignedRankKnownValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    []float64
		want float64
	}{
		{"6 positive", []float64{1, 2, 3, 4, 5, 6}, 2.0 / 64},
		{"5 positive", []float64{1, 2, 3, 4, 5}, 2.0 / 32},
		// n = 10, W+ = 8: the tables' critical value at two-sided 0.05; P(W ≤ 8) = 25/1024.
		{"n=10 W=8", []float64{1, 2, -3, 5, -4, -6, -7, -8, -9, -10}, 50.0 / 1024},
		{"zeros dropped", []float64{0, 0, 1, 2, 3, 4, 5, 6}, 2.0 / 64},
		{"none", []float64{0, 0}, 1},
		{"n=4 W=4", []float64{1, -2, 3, -4}, 14.0 / 16},
	} {
		if got := SignedRank(tc.d); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: p = %.6f, want %.6f", tc.name, got, tc.want)
		}
	}
	// n = 20: the two-sided 0.05 critical value is 52: W+ = 52 gives p < 0.05, 53 does not.
	d := make([]float64, 20)
	for i := range d {
		d[i] = -float64(i + 1)
	}
	for _, c := range []struct {
		pos  []int // ranks made positive
		less bool
	}{{[]int{20, 19, 13}, true}, {[]int{20, 19, 14}, false}} {
		e := append([]float64(nil), d...)
		for _, r := range c.pos {
			e[r-1] = float64(r)
		}
		if p := SignedRank(e); (p < 0.05) != c.less {
			t.Errorf("n=20 W+=%d: p = %.4f", c.pos[0]+c.pos[1]+c.pos[2], p)
		}
	}
	// Random sign patterns against enumeration.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := 1 + rng.IntN(12)
		d := make([]float64, n)
		for i := range d {
			d[i] = float64(i + 1)
			if rng.IntN(2) == 0 {
				d[i] = -d[i]
			}
		}
		if got, want := SignedRank(d), bruteSignedRank(d); math.Abs(got-want) > 1e-12 {
			t.Fatalf("%v: p = %v, enumeration %v", d, got, want)
		}
	}
}

// The normal approximation above the exact range agrees with the exact p-value near it.
func TestSignedRankLargeN(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	d := make([]float64, exactMaxN+1)
	for i := range d {
		d[i] = rng.NormFloat64() + 0.3
	}
	approx := SignedRank(d)
	exact := SignedRank(d[:exactMaxN])
	if approx <= 0 || approx > 0.05 || exact > 0.05 {
		t.Errorf("shifted normal differences: p = %v (approx), %v (exact on %d)", approx, exact, exactMaxN)
	}
}

// A candidate exactly 10% worse in every round, with the machine's drift shared by both arms,
// is a REGRESSION: the paired test sees ten rounds all worse. An unpaired test would not.
func TestPairedConsistentRegressionWithDrift(t *testing.T) {
	base := make([]float64, 10)
	cand := make([]float64, 10)
	for i := range base {
		base[i] = 1000 * (1 + 0.3*math.Sin(float64(i))) // ±30% drift between rounds
		cand[i] = base[i] * 0.9
	}
	r := Paired(base, cand, HigherIsBetter, Options{Threshold: 0.05, Alpha: 0.05})
	if r.Verdict != Regression || r.P >= 0.05 || math.Abs(r.Change+0.1) > 1e-9 {
		t.Errorf("verdict %s, p %.3f, change %+.3f; want REGRESSION at -10%%", r.Verdict, r.P, r.Change)
	}
	if u := uTest(base, cand); u < 0.05 {
		t.Errorf("the U test alone found it too (p %.3f): the case does not show the point", u)
	}
}

// NaN and infinite values never reach the tests: a comparison with them ends (the U test's tie
// loop used to spin forever on a NaN) and decides on the finite values alone.
func TestNonFiniteValuesDoNotHang(t *testing.T) {
	base := []float64{1, 2, 3, 4, 5, 6, 7}
	cand := []float64{1, math.NaN(), 3, math.Inf(1), 5, 6, 7}
	done := make(chan Result, 2)
	go func() {
		done <- Independent(base, cand, HigherIsBetter, Options{Threshold: 0.05, Alpha: 0.05})
		done <- Paired(base, cand, HigherIsBetter, Options{Threshold: 0.05, Alpha: 0.05})
	}()
	for range 2 {
		r := <-done
		if math.IsNaN(r.Change) || math.IsNaN(r.P) {
			t.Errorf("NaN in the result: %+v", r)
		}
	}
}
