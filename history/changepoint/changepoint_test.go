package changepoint

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The Fenwick search finds the split, and the divergence, that the pairwise definition gives.
func TestSplitMatchesTheDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 6 + rng.IntN(60)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Round(rng.NormFloat64()*4) / 2 // ties too
			if i > n/2 {
				xs[i] += float64(trial % 3)
			}
		}
		got := split(xs, 0, n, 3)
		wantTau, wantQ := 0, math.Inf(-1)
		for tau := 3; tau <= n-3; tau++ {
			if q := qhat(xs[:tau], xs[tau:]); q > wantQ+1e-9 {
				wantTau, wantQ = tau, q
			}
		}
		if got.tau != wantTau || math.Abs(got.q-wantQ) > 1e-6*math.Max(1, math.Abs(wantQ)) {
			t.Fatalf("trial %d (n %d): split at %d q %.6f; the definition gives %d q %.6f", trial, n, got.tau, got.q, wantTau, wantQ)
		}
	}
}

// alternating is 100 ± 0.3%, turn about: flat, with spread and no change.
func alternating(n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = 100 + 0.3*float64(1-2*(i%2))
	}
	return xs
}

func qhat(x, y []float64) float64 {
	var cross, wx, wy float64
	for _, a := range x {
		for _, b := range y {
			cross += math.Abs(a - b)
		}
	}
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			wx += math.Abs(x[i] - x[j])
		}
	}
	for i := range y {
		for j := i + 1; j < len(y); j++ {
			wy += math.Abs(y[i] - y[j])
		}
	}
	n, m := float64(len(x)), float64(len(y))
	return n * m / (n + m) * (2*cross/(n*m) - wx/(n*(n-1)/2) - wy/(m*(m-1)/2))
}

// Known answers: steps where they were put, with their size; none in a flat series or a
// constant one; Welch's p-value against a reference figure.
func TestFind(t *testing.T) {
	flat := func(n int, seed uint64) []float64 {
		rng := rand.New(rand.NewPCG(seed, 7))
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = 100 * (1 + 0.003*rng.NormFloat64())
		}
		return xs
	}
	steps := func(xs []float64, at []int, rel []float64) []float64 {
		for k, i := range at {
			for j := i; j < len(xs); j++ {
				xs[j] *= 1 + rel[k]
			}
		}
		return xs
	}
	for _, tc := range []struct {
		name string
		xs   []float64
		want []int
	}{
		{"constant", make([]float64, 40), nil},
		{"alternating", alternating(60), nil},
		{"one 5% step", steps(flat(60, 2), []int{30}, []float64{0.05}), []int{30}},
		{"a step down and back up", steps(flat(90, 3), []int{30, 60}, []float64{-0.05, 0.0526}), []int{30, 60}},
		{"a 2% step 5 from the end", steps(flat(45, 4), []int{40}, []float64{0.02}), []int{40}},
		{"too short to split", []float64{1, 1, 9, 9, 9}, nil},
	} {
		got := Find(tc.xs, Options{})
		var idx []int
		for _, c := range got {
			idx = append(idx, c.Index)
		}
		if len(idx) != len(tc.want) {
			t.Errorf("%s: change points at %v, want %v", tc.name, idx, tc.want)
			continue
		}
		for i := range idx {
			if idx[i] != tc.want[i] {
				t.Errorf("%s: change points at %v, want %v", tc.name, idx, tc.want)
			}
		}
		if tc.name == "one 5% step" {
			c := got[0]
			if math.Abs(c.Rel()-0.05) > 0.005 || c.Lo > 0.05 || c.Hi < 0.05 || c.P > 1e-6 {
				t.Errorf("%s: change %+v (rel %.4f)", tc.name, c, c.Rel())
			}
		}
	}
	// Against R's t.test(c(1,2,3,4,5), c(2,4,6,8,10), var.equal=TRUE): t = −1.8974, df 8,
	// p = 0.0944, 95% interval of the difference −6.6463 to 0.6463.
	if w := ttest([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10}); math.Abs(w.p-0.0944) > 5e-4 || math.Abs(w.half-3.6463) > 1e-3 {
		t.Errorf("t-test p %.4f half-width %.4f, want 0.0944 and 3.6463", w.p, w.half)
	}
}
