// Package compare decides whether a candidate is worse than a baseline, with statistics instead
// of one percent delta: it is what `aiobench gate`, `aiobench compare` and the suites'
// regression checks share.
//
// Three designs are supported. Paired: both arms ran in the same rounds (a suite's ABBA rounds,
// `aiobench ab`'s interleaved trials), so each round gives one log ratio candidate/baseline; the
// estimate is exp(median) − 1 with a 95% interval from order statistics of the log ratios, and
// the p-value is the Wilcoxon signed-rank test's on them (the pairing is what removes the
// machine's drift, so the test must use it). Interleaved: thousands of short blocks alternating
// between the arms (a duel, see Duel), whose neighbouring pairs are correlated; the interval
// comes from a moving-block bootstrap. Independent: the samples come from two files (the gate),
// the estimate is the ratio of their medians − 1 with a bootstrap interval seeded from the data
// (a rerun gives the same interval), and the p-value is the Mann–Whitney U test's
// (golang.org/x/perf/benchmath).
package compare

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"
)

// Direction says which way a metric is better.
type Direction int

const (
	HigherIsBetter Direction = iota // IOPS, MiB/s
	LowerIsBetter                   // latency, CPU per request
)

func (d Direction) String() string {
	if d == HigherIsBetter {
		return "higher"
	}
	return "lower"
}

// Verdict is the outcome of a comparison.
type Verdict string

const (
	Pass         Verdict = "PASS"
	Regression   Verdict = "REGRESSION"
	Improvement  Verdict = "IMPROVEMENT"
	Inconclusive Verdict = "INCONCLUSIVE"
	// Missing: a configuration of the baseline with no rows in the candidate (fails a gate).
	Missing Verdict = "MISSING"
	// Failed: the candidate's runs of a configuration failed where the baseline's did not.
	Failed Verdict = "FAILED"
	// New: a configuration only the candidate ran (reported, not judged).
	New Verdict = "NEW"
)

// Fails reports whether a verdict fails a gate.
func (v Verdict) Fails() bool { return v == Regression || v == Missing || v == Failed }

// Confidence is the level of every interval.
const Confidence = 0.95

// Options are the decision's thresholds.
type Options struct {
	Threshold float64 // relative change that matters, e.g. 0.05
	Alpha     float64 // significance level of the U test, e.g. 0.05
}

// A Result is one metric's comparison. Changes are relative, candidate against baseline:
// +0.10 means the candidate's value is 10% higher (better for IOPS, worse for latency).
type Result struct {
	Baseline, Candidate float64 // medians
	Change              float64 // the estimate
	Lo, Hi              float64 // its 95% confidence interval
	P                   float64 // the test's p-value
	Test                string  // which test: "signed-rank", "U" or "block bootstrap"
	N1, N2              int     // samples (for a paired test both are the pairs)
	// Paired says the samples were pairs (rounds, sessions, blocks): the change is the median
	// of the pairs' ratios, which need not equal the ratio of the two medians.
	Paired  bool
	Verdict Verdict
	Note    string // why INCONCLUSIVE, or a warning
}

// Test names, as the tables show them.
const (
	TestSignedRank = "signed-rank"
	TestU          = "U"
	TestBlocks     = "block bootstrap"
)

// minOrderStats is the fewest values of which order statistics give a 95% interval of the median.
const minOrderStats = 6

// MinSamples is the fewest samples per arm (rounds, for paired data) with which a comparison
// can come out decisive at alpha: a 95% interval of the median needs 6; the signed-rank test
// needs n pairs with 2/2^n < alpha, the U test about 4 per arm at 0.05.
func MinSamples(alpha float64, paired bool) int {
	if paired {
		return max(minOrderStats, minPairs(alpha))
	}
	for n := 2; n <= 50; n++ {
		if uTest(ramp(n, 0), ramp(n, 1000)) < alpha {
			return max(minOrderStats, n)
		}
	}
	return 51
}

func ramp(n int, base float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = base + float64(i)
	}
	return v
}

// Paired compares two arms measured in the same rounds: base[i] and cand[i] are round i.
func Paired(base, cand []float64, dir Direction, o Options) Result {
	if len(base) != len(cand) {
		panic("compare: paired samples of different lengths")
	}
	r := Result{N1: len(base), N2: len(cand), Test: TestSignedRank, Paired: true}
	logs := make([]float64, 0, len(base))
	for i := range base {
		if base[i] > 0 && cand[i] > 0 && finite(base[i]) && finite(cand[i]) {
			logs = append(logs, math.Log(cand[i]/base[i]))
		}
	}
	r.P = SignedRank(logs)
	r.Baseline, r.Candidate = median(base), median(cand)
	if len(logs) < len(base) {
		r.Note = fmt.Sprintf("%d rounds with a zero value left out", len(base)-len(logs))
	}
	if len(logs) == 0 {
		return decide(r, dir, o, true, nil)
	}
	s := benchmath.AssumeNothing.Summary(benchmath.NewSample(logs, &benchmath.DefaultThresholds), Confidence)
	r.Change, r.Lo, r.Hi = math.Exp(s.Center)-1, math.Exp(s.Lo)-1, math.Exp(s.Hi)-1
	r.N1, r.N2 = len(logs), len(logs)
	return decide(r, dir, o, true, s.Warnings)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Independent compares two independent samples (from two files): the ratio of their medians,
// with a bootstrap interval seeded from the data.
func Independent(base, cand []float64, dir Direction, o Options) Result {
	base, cand = finiteOnly(base), finiteOnly(cand)
	r := Result{N1: len(base), N2: len(cand), Baseline: median(base), Candidate: median(cand), P: uTest(base, cand), Test: TestU}
	if len(base) == 0 || len(cand) == 0 {
		return decide(r, dir, o, false, nil)
	}
	if r.Baseline == 0 {
		return zeroBaseline(r, dir, o)
	}
	r.Change = r.Candidate/r.Baseline - 1
	r.Lo, r.Hi = bootstrap(base, cand)
	return decide(r, dir, o, false, nil)
}

// bootstrapIters is the number of resamples of the bootstrap interval.
const bootstrapIters = 1000

// bootstrap returns the 2.5th and 97.5th percentiles of the ratio of medians − 1 over
// bootstrapIters resamples, its random source seeded from the data itself. The inner loop
// reuses its buffers: the gate runs it once per configuration and metric.
func bootstrap(base, cand []float64) (lo, hi float64) {
	h := fnv.New64a()
	var b [8]byte
	for _, xs := range [][]float64{base, cand} {
		for _, x := range xs {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			h.Write(b[:])
		}
		h.Write([]byte{0xff})
	}
	rng := rand.NewPCG(h.Sum64(), 0x5eed) // the concrete source: no interface call per draw
	ratios := make([]float64, 0, bootstrapIters)
	sb, sc := sortedCopy(base), sortedCopy(cand)
	cb, cc := make([]int, len(base)), make([]int, len(cand))
	for range bootstrapIters {
		if mb := resampleMedian(sb, cb, rng); mb > 0 {
			ratios = append(ratios, resampleMedian(sc, cc, rng)/mb-1)
		}
	}
	if len(ratios) == 0 {
		return math.Inf(-1), math.Inf(1)
	}
	slices.Sort(ratios)
	at := func(p float64) float64 { return ratios[min(len(ratios)-1, int(p*float64(len(ratios))))] }
	return at(0.025), at(0.975)
}

// resampleMedian draws len(sorted) values from sorted with replacement and returns their
// median. It counts how often each is drawn instead of sorting the draw: O(n), no allocation.
func resampleMedian(sorted []float64, counts []int, rng *rand.PCG) float64 {
	n := len(sorted)
	clear(counts)
	for range n {
		// Lemire's multiply-shift: a uniform index without a division; its bias, below
		// n/2^32, is far under the bootstrap's own error.
		counts[(rng.Uint64()>>32)*uint64(n)>>32]++
	}
	r1, r2 := (n-1)/2, n/2 // the ranks whose mean is the median
	var a, b float64
	gotA := false
	cum := 0
	for i, c := range counts {
		if c == 0 {
			continue
		}
		next := cum + c // ranks cum..next-1 hold sorted[i]
		if !gotA && r1 < next {
			a, gotA = sorted[i], true
		}
		if r2 < next {
			b = sorted[i]
			break
		}
		cum = next
	}
	return (a + b) / 2
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m, _ := stats.Median(xs)
	return m
}

// decide fills in P and the verdict. In "badness" terms (log ratio oriented so that positive is
// worse) with t = log(1+threshold): REGRESSION when the whole interval is above t and p < alpha;
// IMPROVEMENT when it is below −t and p < alpha; PASS when it lies within [−t, t]; otherwise,
// or with fewer samples than the test needs, INCONCLUSIVE.
func decide(r Result, dir Direction, o Options, paired bool, warnings []error) Result {
	need := MinSamples(o.Alpha, paired)
	if r.N1 < need || r.N2 < need {
		r.Verdict = Inconclusive
		r.Note = fmt.Sprintf("%d and %d samples; the test needs at least %d on each side", r.N1, r.N2, need)
		if paired {
			r.Note = fmt.Sprintf("%d pairs; the test needs at least %d", r.N1, need)
		}
		if r.Lo == 0 && r.Hi == 0 {
			r.Lo, r.Hi = math.Inf(-1), math.Inf(1)
		}
		return r
	}
	for _, w := range warnings {
		if r.Note == "" {
			r.Note = w.Error()
		}
	}
	return decideWithSamples(r, dir, o)
}

func decideWithSamples(r Result, dir Direction, o Options) Result {
	badness := func(change float64) float64 {
		if dir == HigherIsBetter {
			return -math.Log1p(change)
		}
		return math.Log1p(change)
	}
	b1, b2 := badness(r.Lo), badness(r.Hi)
	lo, hi := math.Min(b1, b2), math.Max(b1, b2)
	t := math.Log1p(o.Threshold)
	switch {
	case lo > t && r.P < o.Alpha:
		r.Verdict = Regression
	case hi < -t && r.P < o.Alpha:
		r.Verdict = Improvement
	case lo >= -t && hi <= t:
		r.Verdict = Pass
	default:
		r.Verdict = Inconclusive
		if r.Note == "" {
			r.Note = fmt.Sprintf("the interval [%+.1f%%, %+.1f%%] is not clear of ±%.3g%%; more samples narrow it", 100*r.Lo, 100*r.Hi, 100*o.Threshold)
		}
	}
	return r
}

// uTest is the Mann–Whitney U test's p-value that the two samples differ in location (1 when
// it cannot be computed, e.g. for empty samples).
func uTest(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 1
	}
	c := benchmath.AssumeNothing.Compare(
		benchmath.NewSample(sortedCopy(a), &benchmath.DefaultThresholds),
		benchmath.NewSample(sortedCopy(b), &benchmath.DefaultThresholds))
	return c.P
}

// sortedCopy returns xs sorted, leaving xs alone.
func sortedCopy(xs []float64) []float64 {
	c := append([]float64(nil), xs...)
	sort.Float64s(c)
	return c
}

// finiteOnly returns xs without NaN and infinite values (the results reader refuses them; this
// keeps the tests' arithmetic safe whatever the caller passes).
func finiteOnly(xs []float64) []float64 {
	for _, x := range xs {
		if !finite(x) {
			out := make([]float64, 0, len(xs))
			for _, y := range xs {
				if finite(y) {
					out = append(out, y)
				}
			}
			return out
		}
	}
	return xs
}

// zeroBaseline decides a comparison whose baseline median is 0, where no relative change
// exists: PASS when the candidate's median is 0 as well; otherwise the U test decides alone, in
// the metric's direction (a count such as errors going from 0 to 3 in every round is a
// REGRESSION), and INCONCLUSIVE when it cannot.
func zeroBaseline(r Result, dir Direction, o Options) Result {
	need := MinSamples(o.Alpha, false)
	r.Lo, r.Hi = math.Inf(-1), math.Inf(1)
	switch {
	case r.Candidate == 0:
		r.Lo, r.Hi, r.Verdict, r.Note = 0, 0, Pass, "both medians are 0"
	case r.N1 < need || r.N2 < need:
		r.Verdict = Inconclusive
		r.Note = fmt.Sprintf("baseline median 0; %d and %d samples, the test needs at least %d on each side", r.N1, r.N2, need)
	case r.P >= o.Alpha:
		r.Verdict = Inconclusive
		r.Note = "baseline median 0: no relative change; the U test is not significant"
	case (r.Candidate > 0) == (dir == LowerIsBetter):
		r.Change, r.Verdict, r.Note = math.Inf(1), Regression, "baseline median 0: decided by the U test alone"
	default:
		r.Change, r.Verdict, r.Note = math.Inf(1), Improvement, "baseline median 0: decided by the U test alone"
	}
	return r
}
