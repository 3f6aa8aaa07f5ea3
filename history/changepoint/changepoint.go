// Package changepoint finds where a series of measurements changes: E-divisive means
// (Matteson and James, 2014) proposes where, and Student's t-test decides whether the change is
// real, as Apache Otava (formerly Hunter; Fleming et al., ICPE 2023) does in place of the
// original permutation test, so that the same history always gives the same answer. The
// history package runs it over each series of a results history (aiobench history check).
//
// E-divisive over one dimension with exponent 1 needs only sums of absolute differences,
// which a Fenwick tree over the values' ranks keeps as a split point moves: a segment of n
// points is searched in O(n log n), not the O(n²) of the pairwise distance matrix, so that
// series of many thousands of commits are checked in milliseconds.
package changepoint

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Options shape a search. The zero value takes the defaults.
type Options struct {
	// PValue is the largest p-value of the two-sample t-test, between the points either side of a
	// candidate (up to the neighbouring change points), that accepts it; default 0.001.
	PValue float64
	// MinSize is the fewest points a segment may have either side of a change; default 3.
	MinSize int
}

// Defaults.
const (
	DefaultPValue  = 0.001
	DefaultMinSize = 3
)

// A Change is a change point: the series differs from Index on.
type Change struct {
	Index        int     // the first point after the change
	Before       float64 // mean of the segment before it (from the previous change point)
	After        float64 // mean of the segment after it (to the next change point)
	Lo, Hi       float64 // 95% interval of After−Before, relative to Before
	P            float64 // the t-test's p-value between the two segments
	NBefore, NAf int     // points in each segment
}

// Rel is the change relative to the mean before it: After/Before − 1.
func (c *Change) Rel() float64 { return c.After/c.Before - 1 }

// Find returns the change points of xs in index order.
func Find(xs []float64, o Options) []Change {
	if o.PValue <= 0 {
		o.PValue = DefaultPValue
	}
	if o.MinSize <= 0 {
		o.MinSize = DefaultMinSize
	}
	cuts := []int{0, len(xs)}   // segment boundaries, ascending
	best := map[int]candidate{} // by segment start: its best split, searched once
	for {
		// E-divisive: the split of largest divergence over every segment.
		var c candidate
		found := false
		for i := 0; i+1 < len(cuts); i++ {
			a, b := cuts[i], cuts[i+1]
			s, ok := best[a]
			if !ok || s.end != b {
				s = split(xs, a, b, o.MinSize)
				best[a] = s
			}
			if s.tau > 0 && (!found || s.q > c.q) {
				c, found = s, true
			}
		}
		if !found {
			break
		}
		if p := ttest(xs[c.start:c.tau], xs[c.tau:c.end]).p; p > o.PValue {
			break // the strongest candidate is not significant: neither is any other
		}
		cuts = insert(cuts, c.tau)
	}
	// Otava's merge: a change point judged against its neighbours' segments may no longer be
	// significant once the others are found; drop the weakest until all are.
	for len(cuts) > 2 {
		worst, wp := -1, o.PValue
		for i := 1; i+1 < len(cuts); i++ {
			if p := ttest(xs[cuts[i-1]:cuts[i]], xs[cuts[i]:cuts[i+1]]).p; p > wp {
				worst, wp = i, p
			}
		}
		if worst < 0 {
			break
		}
		cuts = append(cuts[:worst], cuts[worst+1:]...)
	}
	var out []Change
	for i := 1; i+1 < len(cuts); i++ {
		l, r := xs[cuts[i-1]:cuts[i]], xs[cuts[i]:cuts[i+1]]
		t := ttest(l, r)
		c := Change{Index: cuts[i], Before: t.m1, After: t.m2, P: t.p, NBefore: len(l), NAf: len(r)}
		c.Lo, c.Hi = (t.m2-t.m1-t.half)/t.m1, (t.m2-t.m1+t.half)/t.m1
		out = append(out, c)
	}
	return out
}

func insert(cuts []int, x int) []int {
	i := sort.SearchInts(cuts, x)
	cuts = append(cuts, 0)
	copy(cuts[i+1:], cuts[i:])
	cuts[i] = x
	return cuts
}

// A candidate is a segment's best split.
type candidate struct {
	start, end, tau int // tau 0: the segment is too short to split
	q               float64
}

// split returns the split tau of xs[a:b] that maximises E-divisive's divergence
//
//	Q(τ) = nm/(n+m) · ( 2/(nm) Σ|xᵢ−yⱼ| − 1/C(n,2) Σ|xᵢ−xₖ| − 1/C(m,2) Σ|yⱼ−yₖ| )
//
// between X = xs[a:τ] (n points) and Y = xs[τ:b] (m points), each at least min points.
func split(xs []float64, a, b, min int) candidate {
	c := candidate{start: a, end: b}
	n := b - a
	if n < 2*min {
		return c
	}
	seg := xs[a:b]
	// Ranks of the values, for the Fenwick trees of counts and sums below a value.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return seg[order[i]] < seg[order[j]] })
	rank := make([]int, n)
	for r, i := range order {
		rank[i] = r
	}
	left, right := newFenwick(n), newFenwick(n)
	var wx, wy float64 // Σ|·−·| within X and within Y
	for i, v := range seg {
		wy += right.dist(rank[i], v)
		right.add(rank[i], v)
	}
	total := wy // within the whole segment: Σ within X + within Y + across
	for tau := 1; tau < n; tau++ {
		v, r := seg[tau-1], rank[tau-1]
		right.remove(r, v)
		wy -= right.dist(r, v)
		wx += left.dist(r, v)
		left.add(r, v)
		nx, ny := float64(tau), float64(n-tau)
		if tau < min || n-tau < min {
			continue
		}
		cross := total - wx - wy
		e := 2*cross/(nx*ny) - wx/(nx*(nx-1)/2) - wy/(ny*(ny-1)/2)
		if q := nx * ny / (nx + ny) * e; c.tau == 0 || q > c.q {
			c.tau, c.q = a+tau, q
		}
	}
	return c
}

// fenwick keeps, over ranks, how many values are present and their sum.
type fenwick struct {
	cnt        []int
	sum        []float64
	n          int
	allC, allS float64
}

func newFenwick(n int) *fenwick {
	return &fenwick{cnt: make([]int, n+1), sum: make([]float64, n+1), n: n}
}

func (f *fenwick) update(r int, dc int, ds float64) {
	for i := r + 1; i <= f.n; i += i & -i {
		f.cnt[i] += dc
		f.sum[i] += ds
	}
	f.allC += float64(dc)
	f.allS += ds
}

func (f *fenwick) add(r int, v float64)    { f.update(r, 1, v) }
func (f *fenwick) remove(r int, v float64) { f.update(r, -1, -v) }

// below returns the count and sum of the values of rank below r.
func (f *fenwick) below(r int) (float64, float64) {
	c, s := 0, 0.0
	for i := r; i > 0; i -= i & -i {
		c += f.cnt[i]
		s += f.sum[i]
	}
	return float64(c), s
}

// dist is Σ|v − x| over the values present (v of rank r, not itself present).
func (f *fenwick) dist(r int, v float64) float64 {
	c, s := f.below(r)
	return (c*v - s) + (f.allS - s) - (f.allC-c)*v
}

// A test is Student's two-sample t-test, the variances pooled: under "no change" the two
// sides share one spread, which the pooled estimate takes mostly from the longer side. (Welch's
// form estimates each side's own, and three or five points after a step make that estimate so
// poor that a real 1% step went unseen half the time at this machine's noise.)
type test struct {
	m1, m2 float64
	p      float64 // two-sided
	half   float64 // half-width of the 95% interval of m2 − m1
}

func ttest(x, y []float64) test {
	m1, v1 := meanVar(x)
	m2, v2 := meanVar(y)
	t := test{m1: m1, m2: m2, p: 1}
	n1, n2 := float64(len(x)), float64(len(y))
	if len(x) < 1 || len(y) < 1 || len(x)+len(y) < 3 {
		return t
	}
	df := n1 + n2 - 2
	pooled := ((n1-1)*v1 + (n2-1)*v2) / df
	se := math.Sqrt(pooled * (1/n1 + 1/n2))
	if se == 0 {
		if m1 != m2 {
			t.p = 0 // no spread at all, and the means differ
		}
		return t
	}
	st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	t.p = 2 * st.Survival(math.Abs(m2-m1)/se)
	t.half = st.Quantile(0.975) * se
	return t
}

func meanVar(x []float64) (float64, float64) {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	if len(x) < 2 {
		return m, 0
	}
	return m, s / float64(len(x)-1)
}
