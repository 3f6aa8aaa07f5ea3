package compare

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
)

// MinPairs is the fewest interleaved pairs (or batches) from which Interleaved draws a verdict.
const MinPairs = 30

// Interleaved compares two arms from the log ratios candidate/baseline of consecutive pairs of a
// duel (see harness.Duel), in time order. The estimate is exp(median) − 1. Neighbouring pairs
// are not independent (they share the machine's state, which drifts), so the interval is a
// moving-block bootstrap: the series is resampled in runs of L consecutive pairs (L = √n),
// which keeps the correlation within a run, and the 2.5th and 97.5th percentiles of the
// resampled medians are taken. An iid bootstrap or a t interval would treat n correlated pairs
// as n independent ones and come out too narrow; the README shows the A/A coverage of both.
// The p-value is the bootstrap's (twice the share of resampled medians on the far side of 0).
// base and cand are the arms' own figures, for the table.
func Interleaved(logs []float64, base, cand float64, dir Direction, o Options) Result {
	logs = finiteOnly(logs)
	r := Result{Baseline: base, Candidate: cand, N1: len(logs), N2: len(logs), Test: TestBlocks, P: 1, Paired: true}
	if len(logs) < MinPairs {
		r.Verdict, r.Lo, r.Hi = Inconclusive, math.Inf(-1), math.Inf(1)
		r.Note = fmt.Sprintf("%d interleaved pairs; at least %d are needed", len(logs), MinPairs)
		return r
	}
	m := median(logs)
	lo, hi, p := blockBootstrap(logs, blockLen(len(logs)))
	r.Change, r.Lo, r.Hi, r.P = math.Exp(m)-1, math.Exp(lo)-1, math.Exp(hi)-1, p
	return decideWithSamples(r, dir, o)
}

// blockLen is the moving-block bootstrap's run length for n pairs.
func blockLen(n int) int { return max(1, int(math.Ceil(math.Sqrt(float64(n))))) }

// blockBootstrap returns the 95% percentile interval of the median of xs and the two-sided
// p-value that it is 0, over bootstrapIters resamples in runs of l consecutive values; the
// source is seeded from the data, so a rerun gives the same answer.
func blockBootstrap(xs []float64, l int) (lo, hi, p float64) {
	h := fnv.New64a()
	var b [8]byte
	for _, x := range xs {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
	}
	rng := rand.NewPCG(h.Sum64(), 0xb10c)
	n := len(xs)
	runs := (n + l - 1) / l
	buf := make([]float64, 0, runs*l)
	meds := make([]float64, bootstrapIters)
	below, above := 0, 0
	for i := range meds {
		buf = buf[:0]
		for range runs {
			start := int((rng.Uint64() >> 32) * uint64(n-l+1) >> 32)
			buf = append(buf, xs[start:start+l]...)
		}
		meds[i] = selectMedian(buf[:n])
		if meds[i] <= 0 {
			below++
		}
		if meds[i] >= 0 {
			above++
		}
	}
	slices.Sort(meds)
	// Resolution 1/bootstrapIters: a p-value below it reads as that.
	p = math.Min(1, math.Max(2*float64(min(below, above)), 1)/float64(len(meds)))
	return meds[int(0.025*float64(len(meds)))], meds[int(0.975*float64(len(meds)))-1], p
}

// selectMedian returns the median of xs, reordering xs.
func selectMedian(xs []float64) float64 {
	n := len(xs)
	k := n / 2
	hiv := quickselect(xs, k)
	if n%2 == 1 {
		return hiv
	}
	lov := xs[0]
	for _, x := range xs[:k] {
		lov = math.Max(lov, x)
	}
	return (lov + hiv) / 2
}

// quickselect puts the k-th smallest value of xs at xs[k] (smaller ones before it) and
// returns it.
func quickselect(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		pivot := xs[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
