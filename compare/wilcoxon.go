package compare

import (
	"math"
	"sort"
)

// exactMaxN is the largest number of non-zero differences for which SignedRank computes the
// exact distribution; above it, the normal approximation is within a fraction of a percent.
const exactMaxN = 60

// SignedRank is the two-sided p-value of the Wilcoxon signed-rank test that the differences d
// (one per pair, e.g. per-round log ratios) are symmetric about 0. Zero differences are dropped
// (Wilcoxon's method); tied absolute values get their average rank. For up to exactMaxN
// differences the p-value is exact: the distribution of the positive rank sum under the null
// hypothesis, counted over the 2^n sign assignments of the (possibly tied) ranks; above that it
// is the normal approximation with the tie correction and a continuity correction. It returns
// 1 when no difference is non-zero.
func SignedRank(d []float64) float64 {
	abs := make([]float64, 0, len(d))
	pos := make([]bool, 0, len(d))
	for _, x := range d {
		if x != 0 && !math.IsNaN(x) {
			abs = append(abs, math.Abs(x))
			pos = append(pos, x > 0)
		}
	}
	n := len(abs)
	if n == 0 {
		return 1
	}
	// Ranks doubled, so that average ranks of ties are integers.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return abs[idx[a]] < abs[idx[b]] })
	rank2 := make([]int, n)
	var tieTerm float64 // Σ (t³ − t) over groups of ties
	for i := 0; i < n; {
		j := i
		for j < n && abs[idx[j]] == abs[idx[i]] {
			j++
		}
		for k := i; k < j; k++ {
			rank2[idx[k]] = i + j + 1 // 2 × the average of ranks i+1 .. j
		}
		t := float64(j - i)
		tieTerm += t*t*t - t
		i = j
	}
	w2 := 0 // 2 × the positive rank sum
	for i, p := range pos {
		if p {
			w2 += rank2[i]
		}
	}
	total2 := n * (n + 1) // 2 × the largest possible sum
	if n <= exactMaxN {
		// counts[s] = number of sign assignments whose doubled positive rank sum is s, as
		// probabilities (divided by 2 at each step, so no count overflows).
		p := make([]float64, total2+1)
		p[0] = 1
		top := 0
		for _, r := range rank2 {
			for s := top; s >= 0; s-- {
				if p[s] != 0 {
					p[s+r] += p[s] / 2
					p[s] /= 2
				}
			}
			top += r
		}
		var lower, upper float64 // P(W ≤ w), P(W ≥ w)
		for s, q := range p {
			if s <= w2 {
				lower += q
			}
			if s >= w2 {
				upper += q
			}
		}
		return math.Min(1, 2*math.Min(lower, upper))
	}
	fn := float64(n)
	mean := fn * (fn + 1) / 4
	variance := fn*(fn+1)*(2*fn+1)/24 - tieTerm/48
	if variance <= 0 {
		return 1
	}
	z := (math.Abs(float64(w2)/2-mean) - 0.5) / math.Sqrt(variance)
	if z < 0 {
		return 1
	}
	return math.Min(1, math.Erfc(z/math.Sqrt2))
}

// minPairs is the fewest pairs with which the signed-rank test can reach p < alpha: n pairs all
// with the same sign give its smallest p-value, 2/2^n.
func minPairs(alpha float64) int {
	for n := 1; n <= 60; n++ {
		if 2/math.Pow(2, float64(n)) < alpha {
			return n
		}
	}
	return 61
}
