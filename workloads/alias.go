package workloads

import (
	"math/bits"
	"math/rand/v2"
	"sync"
)

// An alias table (Walker's method, built as Vose does) draws a rank of any pmf over n ranks in
// O(1) with one 64-bit random number: its high part (r·n >> 64) picks a column, its low part
// decides between the column's own rank and its alias. Exact to 2^-32 per column, 8 bytes a
// rank, built once per distribution and file size and shared by every job of the process (a
// 1 GiB file of 4 KiB blocks: 2 MiB). It is what makes a skewed draw cost about what a uniform
// one does: rejection-inversion, exact too, takes an exp and a log per try (about 80 ns here).
type aliasTable struct {
	n    uint64
	cols []aliasCol
}

type aliasCol struct {
	keep  uint32 // the column keeps its own rank when the low 32 bits are below keep
	alias uint32
}

// aliasMax is the most ranks a table is built for (32 MiB); beyond, the distribution draws
// by its own method.
const aliasMax = 1 << 22

func newAliasTable(n uint64, pmf func(uint64) float64) *aliasTable {
	t := &aliasTable{n: n, cols: make([]aliasCol, n)}
	scaled := make([]float64, n)
	var small, large []uint32
	for i := range n {
		scaled[i] = pmf(i) * float64(n)
		if scaled[i] < 1 {
			small = append(small, uint32(i))
		} else {
			large = append(large, uint32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.cols[s] = aliasCol{keep: keepOf(scaled[s]), alias: l}
		scaled[l] -= 1 - scaled[s]
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range append(small, large...) { // what rounding left: columns of their own
		t.cols[i] = aliasCol{keep: 1<<32 - 1, alias: i}
	}
	return t
}

func keepOf(p float64) uint32 {
	return uint32(min(max(p, 0), 1) * (1<<32 - 1))
}

func (t *aliasTable) draw(rng *rand.Rand) uint64 {
	hi, lo := bits.Mul64(rng.Uint64(), t.n)
	c := t.cols[hi]
	if uint32(lo>>32) < c.keep {
		return hi
	}
	return uint64(c.alias)
}

// aliasTables caches the tables by distribution and size.
var aliasTables sync.Map // aliasKey → *aliasTable

type aliasKey struct {
	spec string
	n    uint64
}

func cachedAlias(spec string, n uint64, pmf func(uint64) float64) *aliasTable {
	k := aliasKey{spec, n}
	if t, ok := aliasTables.Load(k); ok {
		return t.(*aliasTable)
	}
	t, _ := aliasTables.LoadOrStore(k, newAliasTable(n, pmf))
	return t.(*aliasTable)
}
