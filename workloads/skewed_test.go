package workloads

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The skewed orders draw ranks as their pmf says: a chi-square test of 10^6 draws over 10^6
// blocks, in bins of ranks (single ranks at the top, then growing by half), and the pattern's
// scramble keeps every rank its own block: the distinct blocks touched are within 1% of the
// pmf's expectation Σ 1 - (1-p_i)^m.
func TestSkewedMatchesPMF(t *testing.T) {
	const n, m = 1_000_000, 1_000_000
	for _, spec := range []string{"zipf:0.99", "zipf:1.2", "zipf:0.5", "pareto:0.8", "zoned:60/10,30/20,10/70"} {
		t.Run(spec, func(t *testing.T) {
			o, err := ParseOrder(spec)
			if err != nil {
				t.Fatal(err)
			}
			d, err := o.dist(o.arg, n)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			counts := make([]int, n)
			for range m {
				counts[d.draw(rng)]++
			}
			var chi2 float64
			bins := 0
			for lo := 0; lo < n; {
				hi := max(lo+1, lo*3/2)
				var want float64
				var got int
				for ; hi <= n; hi++ { // grow the bin until it expects at least 20
					want, got = 0, 0
					for i := lo; i < hi; i++ {
						want += d.pmf(uint64(i)) * m
						got += counts[i]
					}
					if want >= 20 || hi == n {
						break
					}
					hi = max(hi, hi*3/2-1)
				}
				hi = min(hi, n)
				if want > 0 {
					chi2 += (float64(got) - want) * (float64(got) - want) / want
					bins++
				}
				lo = hi
			}
			df := float64(bins - 1)
			if limit := df + 5*math.Sqrt(2*df); chi2 > limit {
				t.Errorf("chi-square %.0f over %d bins (limit %.0f)", chi2, bins, limit)
			}
			t.Logf("chi-square %.1f, %d bins", chi2, bins)

			p := o.new(PatternConfig{Size: n * 4096, BlockSize: 4096, Jobs: 1, Seed: 7, Random: spec})
			seen := make([]bool, n)
			distinct := 0
			for range m {
				off, _ := p.Next()
				if b := off / 4096; !seen[b] {
					seen[b] = true
					distinct++
				}
			}
			var want float64
			for i := range uint64(n) {
				want -= math.Expm1(m * math.Log1p(-d.pmf(i)))
			}
			if math.Abs(float64(distinct)/want-1) > 0.01 {
				t.Errorf("%d distinct blocks touched, the pmf expects %.0f", distinct, want)
			}
			t.Logf("distinct blocks %d, expected %.0f", distinct, want)
		})
	}
}

// Bad arguments are refused with what is accepted.
func TestSkewedRefusals(t *testing.T) {
	for _, spec := range []string{"zipf", "zipf:1", "zipf:0", "zipf:-1", "zipf:x", "pareto:0.3", "pareto:1", "zoned:60/10,30/20", "zoned:60/10,40/x", "zoned:100/0"} {
		if _, err := ParseOrder(spec); err == nil {
			t.Errorf("%s accepted", spec)
		}
	}
}

// An ideal cache and Che's LRU: a uniform order gives the cache's share; a skewed one more,
// the ideal cache at least as much as LRU.
func TestHitRatios(t *testing.T) {
	for _, c := range []struct {
		spec         string
		blocks, size int64
	}{{"uniform", 1000, 250}, {"zipf:0.99", 100000, 25000}, {"pareto:0.8", 100000, 20000}, {"zoned:60/10,30/20,10/70", 100000, 10000}} {
		o, _ := ParseOrder(c.spec)
		ideal, lru, err := o.HitRatios(c.blocks, c.size)
		if err != nil {
			t.Fatal(err)
		}
		share := float64(c.size) / float64(c.blocks)
		switch {
		case c.spec == "uniform" && (ideal != share || lru != share):
			t.Errorf("%s: ideal %v lru %v, want %v", c.spec, ideal, lru, share)
		case c.spec != "uniform" && !(ideal >= lru && lru > share):
			t.Errorf("%s: ideal %v lru %v, share %v", c.spec, ideal, lru, share)
		case c.spec == "zoned:60/10,30/20,10/70" && math.Abs(ideal-0.6) > 1e-9:
			t.Errorf("%s: ideal %v with the first zone cached, want 0.6", c.spec, ideal)
		case c.spec == "pareto:0.8" && math.Abs(ideal-0.8) > 1e-3:
			t.Errorf("%s: ideal %v with 20%% cached, want 0.8", c.spec, ideal)
		}
		t.Logf("%s: %d of %d cached: ideal %.3f, LRU %.3f", c.spec, c.size, c.blocks, ideal, lru)
	}
}

// BenchmarkZipfDraw is one draw of zipf:0.99 over a 1 GiB file of 4 KiB blocks, scrambled: the
// target is ≤ 20 ns and no allocation.
func BenchmarkZipfDraw(b *testing.B) {
	for _, spec := range []string{"zipf:0.99", "zipf:1.2", "pareto:0.8", "zoned:60/10,30/20,10/70", "uniform"} {
		b.Run(spec, func(b *testing.B) {
			o, _ := ParseOrder(spec)
			p := o.new(PatternConfig{Size: 1 << 30, BlockSize: 4096, Jobs: 1, Seed: 7, Random: spec})
			b.ReportAllocs()
			var s int64
			for b.Loop() {
				off, _ := p.Next()
				s += off
			}
			_ = s
		})
	}
}
