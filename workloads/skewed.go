package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Skewed orders of randread (--random zipf:θ, pareto:h, zoned:...): each draw picks a *rank*
// (0 the hottest block) from the distribution and maps it to a block with the run's seeded
// permutation (perm.go), the same for every job, so that the hot blocks are spread over the
// file, every rank its own block (a modulo hash folds ranks onto one block: fio's zipf, hashed
// modulo n, touched 15.5M distinct offsets of 536M ranges, fio #1991). Like uniform, a skewed
// order draws with replacement; a job's pass is its share of the blocks, so that a cold run
// still evicts once the jobs together have issued one file's worth of requests.

// A dist is a distribution over the ranks [0, n) of a file's blocks.
type dist interface {
	// draw returns a rank. It is called by one goroutine and never allocates.
	draw(rng *rand.Rand) uint64
	// pmf returns the probability of rank i; it does not increase with i.
	pmf(i uint64) float64
}

// skewed is randread in a skewed order.
type skewed struct {
	rng     *rand.Rand
	d       dist
	perm    permutation
	bs      int64
	perPass uint64
	issued  uint64
}

// hotKey is the permutation's key for the skewed orders: the same for every job and pass, so
// that the hot blocks stay where they are.
const hotKey = 0x5ce3ed

func newSkewed(c PatternConfig, d dist) Pattern {
	blocks := uint64(Blocks(c.Size, c.BlockSize))
	return &skewed{
		rng:     rand.New(rand.NewPCG(JobSeed(c.Seed, c.Job))),
		d:       d,
		perm:    newPermutation(blocks, passKey(c.Seed, hotKey)),
		bs:      int64(c.BlockSize),
		perPass: max(blocks/uint64(max(c.Jobs, 1)), 1),
	}
}

func (p *skewed) Next() (int64, bool) {
	wrapped := p.issued > 0 && p.issued%p.perPass == 0
	p.issued++
	return int64(p.perm.at(p.d.draw(p.rng))) * p.bs, wrapped
}

// HotBlock returns the block of rank r (0 the hottest) of a skewed order for the run's seed, as
// the patterns map it: for tests and for warming the hottest blocks.
func HotBlock(seed uint64, blocks int64, r int64) int64 {
	p := newPermutation(uint64(blocks), passKey(seed, hotKey))
	return int64(p.at(uint64(r)))
}

// skewedOrder makes the parse of a skewed order: arg is parsed by newDist for a file of n
// blocks, known only when the pattern is made; the parse checks the argument once with a
// small n.
func skewedOrder(name string, newDist func(arg string, n uint64) (dist, error)) func(string) (func(PatternConfig) Pattern, error) {
	return func(arg string) (func(PatternConfig) Pattern, error) {
		if arg == "" {
			return nil, fmt.Errorf("%s needs an argument", name)
		}
		if _, err := newDist(arg, 2); err != nil {
			return nil, err
		}
		return func(c PatternConfig) Pattern {
			d, err := newDist(arg, uint64(Blocks(c.Size, c.BlockSize)))
			if err != nil {
				panic("workloads: " + err.Error()) // validated above
			}
			return newSkewed(c, d)
		}, nil
	}
}

// --- zipf ---

// zipf is the Zipf distribution with exponent θ over n ranks: P(rank k) ∝ (k+1)^-θ, drawn by
// rejection-inversion (Hörmann and Derflinger, "Rejection-inversion to generate variates from
// monotone discrete distributions", ACM TOMACS 1996) where the file has more blocks than an
// alias table holds (alias.go; the table below that), exact for every θ > 0 and O(1) per draw:
// about 1.1 tries, each an exp and a log. math/rand/v2's Zipf is the same method
// but takes only θ > 1, and Gray et al.'s (YCSB's) approximation was tried first and is not
// exact near θ = 1: at θ = 0.99 over 10^6 blocks its rank frequencies failed a chi-square test
// of 10^6 draws (1539 over 34 bins, where 74 is the limit) and it touched 1.1% too few distinct
// blocks. ζ(n, θ), exact and cached, normalises the pmf (the cache model, the tests).
type zipf struct {
	n                  uint64
	theta              float64
	zetan              float64
	hx1, hn, s, oneMin float64
	table              *aliasTable // nil beyond aliasMax ranks
}

func parseZipf(arg string, n uint64) (dist, error) {
	theta, err := strconv.ParseFloat(arg, 64)
	if err != nil || !(theta > 0) || theta == 1 || math.IsInf(theta, 0) {
		return nil, fmt.Errorf("zipf:θ takes θ > 0, θ ≠ 1 (YCSB's is 0.99; got %q)", arg)
	}
	z := &zipf{n: n, theta: theta, zetan: zeta(n, theta), oneMin: 1 - theta}
	z.hx1 = z.hIntegral(1.5) - 1
	z.hn = z.hIntegral(float64(n) + 0.5)
	z.s = 2 - z.hIntegralInverse(z.hIntegral(2.5)-z.h(2))
	if n <= aliasMax {
		z.table = cachedAlias("zipf:"+arg, n, z.pmf)
	}
	return z, nil
}

// h is the unnormalised density x^-θ; hIntegral a primitive of it, (x^(1-θ) - 1)/(1-θ), and
// hIntegralInverse its inverse, written with expm1 and log1p to stay exact near θ = 1.
func (z *zipf) h(x float64) float64 { return math.Exp(-z.theta * math.Log(x)) }

func (z *zipf) hIntegral(x float64) float64 {
	l := math.Log(x)
	return expm1Div(z.oneMin*l) * l
}

func (z *zipf) hIntegralInverse(x float64) float64 {
	t := max(x*z.oneMin, -1)
	return math.Exp(log1pDiv(t) * x)
}

// expm1Div is expm1(x)/x and log1pDiv log1p(x)/x, both 1 at 0.
func expm1Div(x float64) float64 {
	if math.Abs(x) < 1e-8 {
		return 1 + x/2
	}
	return math.Expm1(x) / x
}

func log1pDiv(x float64) float64 {
	if math.Abs(x) < 1e-8 {
		return 1 - x/2
	}
	return math.Log1p(x) / x
}

func (z *zipf) draw(rng *rand.Rand) uint64 {
	if z.table != nil {
		return z.table.draw(rng)
	}
	for {
		u := z.hn + rng.Float64()*(z.hx1-z.hn)
		x := z.hIntegralInverse(u)
		k := math.Floor(x + 0.5)
		k = min(max(k, 1), float64(z.n))
		if k-x <= z.s || u >= z.hIntegral(k+0.5)-z.h(k) {
			return uint64(k) - 1
		}
	}
}

func (z *zipf) pmf(i uint64) float64 { return math.Pow(float64(i+1), -z.theta) / z.zetan }

// zetas caches ζ(n, θ) = Σ_{i=1..n} i^-θ: a 1 GiB file of 4 KiB blocks is 262,144 terms, and
// every job of every run of a suite makes its pattern.
var zetas sync.Map // [2]float64{n, θ} → float64

func zeta(n uint64, theta float64) float64 {
	key := [2]float64{float64(n), theta}
	if v, ok := zetas.Load(key); ok {
		return v.(float64)
	}
	var s float64
	for i := n; i >= 1; i-- { // smallest terms first: the sum loses less
		s += math.Pow(float64(i), -theta)
	}
	zetas.Store(key, s)
	return s
}

// --- pareto ---

// pareto is fio's pareto:h: a share h of the accesses goes to the hottest share 1-h of the
// blocks (pareto:0.8 is the 80/20 rule), recursively so within them. A rank is n(1 - u^p) with
// p = log(h)/log(1-h), as fio draws it.
type pareto struct {
	n     uint64
	pow   float64
	h     float64
	invP  float64
	table *aliasTable // nil beyond aliasMax ranks
}

func parsePareto(arg string, n uint64) (dist, error) {
	h, err := strconv.ParseFloat(arg, 64)
	if err != nil || !(h > 0.5) || !(h < 1) {
		return nil, fmt.Errorf("pareto:h takes 0.5 < h < 1, the share of accesses to the hottest 1-h of the file (pareto:0.8 is 80/20; got %q)", arg)
	}
	p := math.Log(h) / math.Log(1-h)
	d := &pareto{n: n, pow: p, h: h, invP: 1 / p}
	if n <= aliasMax {
		d.table = cachedAlias("pareto:"+arg, n, d.pmf)
	}
	return d, nil
}

func (d *pareto) draw(rng *rand.Rand) uint64 {
	if d.table != nil {
		return d.table.draw(rng)
	}
	x := math.Pow(1-rng.Float64(), d.pow) // in (0, 1], crowded near 1
	return min(uint64(float64(d.n)*(1-x)), d.n-1)
}

func (d *pareto) pmf(i uint64) float64 {
	cdf := func(c uint64) float64 { return 1 - math.Pow(1-float64(min(c, d.n))/float64(d.n), d.invP) }
	return cdf(i+1) - cdf(i)
}

// --- zoned ---

// zoned is fio's zoned distribution: zones given as access share / file share in percent
// ("60/10,30/20,10/70": 60% of accesses to 10% of the file). The zones take the ranks in order
// of their density (accesses per block), the densest first, so that rank 0 is the hottest as in
// the other orders; where they lie in the file is the permutation's business.
type zoned struct {
	n     uint64
	acc   []float64 // cumulative access share at each zone's end
	start []uint64  // each zone's first rank, and n at the end
}

func parseZoned(arg string, n uint64) (dist, error) {
	bad := func(why string) error {
		return fmt.Errorf("zoned takes access%%/file%% pairs adding up to 100 each, e.g. zoned:60/10,30/20,10/70 (%s)", why)
	}
	var accs, sizes []float64
	for _, z := range strings.Split(arg, ",") {
		a, s, ok := strings.Cut(z, "/")
		av, e1 := strconv.ParseFloat(a, 64)
		sv, e2 := strconv.ParseFloat(s, 64)
		if !ok || e1 != nil || e2 != nil || av < 0 || !(sv > 0) {
			return nil, bad(fmt.Sprintf("%q is not two numbers, the second above 0", z))
		}
		accs, sizes = append(accs, av), append(sizes, sv)
	}
	idx := make([]int, len(accs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return accs[idx[a]]/sizes[idx[a]] > accs[idx[b]]/sizes[idx[b]] })
	sa, ss := make([]float64, len(idx)), make([]float64, len(idx))
	for k, i := range idx {
		sa[k], ss[k] = accs[i], sizes[i]
	}
	accs, sizes = sa, ss
	var at, st float64
	for i := range accs {
		at, st = at+accs[i], st+sizes[i]
	}
	if math.Abs(at-100) > 1e-9 || math.Abs(st-100) > 1e-9 {
		return nil, bad(fmt.Sprintf("access shares add up to %g, file shares to %g", at, st))
	}
	d := &zoned{n: n}
	var ca, cs float64
	for i := range accs {
		d.start = append(d.start, min(uint64(cs/100*float64(n)), n))
		ca, cs = ca+accs[i], cs+sizes[i]
		d.acc = append(d.acc, ca/100)
	}
	d.start = append(d.start, n)
	return d, nil
}

func (d *zoned) draw(rng *rand.Rand) uint64 {
	u := rng.Float64()
	i := 0
	for i < len(d.acc)-1 && u >= d.acc[i] {
		i++
	}
	lo, hi := d.start[i], d.start[i+1]
	if hi <= lo {
		return min(lo, d.n-1)
	}
	return lo + rng.Uint64N(hi-lo)
}

func (d *zoned) pmf(i uint64) float64 {
	prev := 0.0
	for z := range d.acc {
		if i < d.start[z+1] {
			return (d.acc[z] - prev) / float64(d.start[z+1]-d.start[z])
		}
		prev = d.acc[z]
	}
	return 0
}
