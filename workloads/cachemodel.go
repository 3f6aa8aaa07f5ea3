package workloads

import "math"

// What a cache of a given size makes of an order: the hit ratio of an ideal cache that holds
// the hottest blocks (the top of the distribution, what no replacement policy can beat) and
// Che's approximation for an LRU cache (Che, Tung and Wang, IEEE JSAC 2002: a block stays in
// the cache for a characteristic time T, the T at which the expected number of distinct blocks
// referenced equals the cache's size). The page cache is neither (its two LRU lists protect
// blocks read twice), so the measured hit ratio a row records should fall near or between the
// two; `aiobench workloads --cache-size` prints them.

// HitRatios returns the ideal and LRU hit ratios of a cache of cached blocks under the order
// over a file of blocks blocks. Orders with every block equally likely (perm, uniform) give
// cached/blocks for both.
func (o *Order) HitRatios(blocks, cached int64) (ideal, lru float64, err error) {
	if blocks <= 0 {
		return 0, 0, nil
	}
	if cached >= blocks {
		return 1, 1, nil
	}
	if o.dist == nil || cached <= 0 {
		f := float64(max(cached, 0)) / float64(blocks)
		return f, f, nil
	}
	d, err := o.dist(o.arg, uint64(blocks))
	if err != nil {
		return 0, 0, err
	}
	p := make([]float64, blocks)
	for i := range p {
		p[i] = d.pmf(uint64(i))
	}
	for _, v := range p[:cached] {
		ideal += v
	}
	return min(ideal, 1), che(p, float64(cached)), nil
}

// che is Che's approximation: T solves Σ (1 - e^{-p_i T}) = c, and the hit ratio is
// Σ p_i (1 - e^{-p_i T}). The sum grows with T, so T is found by bisection on its logarithm.
func che(p []float64, c float64) float64 {
	occupied := func(t float64) float64 {
		var s float64
		for _, v := range p {
			s -= math.Expm1(-v * t)
		}
		return s
	}
	lo, hi := 0.0, 1.0
	for occupied(hi) < c {
		lo, hi = hi, hi*2
		if hi > 1e300 {
			break
		}
	}
	for range 60 {
		mid := (lo + hi) / 2
		if occupied(mid) < c {
			lo = mid
		} else {
			hi = mid
		}
	}
	var h float64
	for _, v := range p {
		h -= v * math.Expm1(-v*hi)
	}
	return h
}
