package workloads

import (
	"slices"
	"testing"
)

// Together, the jobs of a run read every block exactly once per pass, for block counts that
// are not powers of two and any number of jobs up to the blocks; every job starts a new pass
// exactly when it has read its share; and a new pass is a new order.
func TestPermEachBlockOncePerPass(t *testing.T) {
	for _, blocks := range []int64{1, 2, 3, 7, 100, 1000, 4097} {
		for _, jobs := range []int{1, 2, 3, 5, 16, 64} {
			if int64(jobs) > blocks {
				continue
			}
			var orders [2][]int64
			for pass := range 2 {
				seen := make([]int, blocks)
				for j := range jobs {
					p := newRandom(PatternConfig{Size: blocks * 512, BlockSize: 512, Job: j, Jobs: jobs, Seed: 3})
					share := blocks*int64(j+1)/int64(jobs) - blocks*int64(j)/int64(jobs)
					// Skip to this pass: share requests per pass, the first of each later pass wrapped.
					for i := int64(0); i < share*int64(pass); i++ {
						p.Next()
					}
					for i := int64(0); i < share; i++ {
						off, wrapped := p.Next()
						if wrapped != (pass > 0 && i == 0) {
							t.Fatalf("blocks=%d jobs=%d job %d pass %d request %d: wrapped=%v", blocks, jobs, j, pass, i, wrapped)
						}
						if off%512 != 0 || off < 0 || off >= blocks*512 {
							t.Fatalf("blocks=%d: offset %d out of the file or unaligned", blocks, off)
						}
						seen[off/512]++
						orders[pass] = append(orders[pass], off)
					}
				}
				for b, n := range seen {
					if n != 1 {
						t.Fatalf("blocks=%d jobs=%d pass %d: block %d read %d times", blocks, jobs, pass, b, n)
					}
				}
			}
			if blocks >= 100 && slices.Equal(orders[0], orders[1]) {
				t.Errorf("blocks=%d jobs=%d: the second pass repeats the first's order", blocks, jobs)
			}
		}
	}
}

// The same seed gives the same offsets; another seed another order; and the order is
// scattered: consecutive requests are not neighbours.
func TestPermSeeded(t *testing.T) {
	offs := func(seed uint64) []int64 {
		p := newRandom(PatternConfig{Size: 1000 * 4096, BlockSize: 4096, Jobs: 1, Seed: seed})
		var o []int64
		for range 1000 {
			off, _ := p.Next()
			o = append(o, off)
		}
		return o
	}
	a, b, c := offs(1), offs(1), offs(2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Fatal("same seed must repeat and another seed differ")
	}
	near := 0
	for i := 1; i < len(a); i++ {
		if d := a[i] - a[i-1]; d >= -4*4096 && d <= 4*4096 {
			near++
		}
	}
	if near > 30 { // a uniform order puts about 8 of 1000 steps within 4 blocks
		t.Errorf("%d of 999 consecutive offsets are within 4 blocks of each other", near)
	}
}

func TestPermNextDoesNotAllocate(t *testing.T) {
	p := newRandom(PatternConfig{Size: 12345 * 4096, BlockSize: 4096, Job: 1, Jobs: 3, Seed: 9})
	if n := testing.AllocsPerRun(20000, func() { p.Next() }); n != 0 { // passes included
		t.Errorf("Next allocates %v times a call", n)
	}
}

func BenchmarkPermNext(b *testing.B) {
	p := newRandom(PatternConfig{Size: 1 << 30, BlockSize: 4096, Jobs: 1, Seed: 1})
	b.ReportAllocs()
	for b.Loop() {
		p.Next()
	}
}

func BenchmarkUniformNext(b *testing.B) {
	p := newRandom(PatternConfig{Size: 1 << 30, BlockSize: 4096, Jobs: 1, Seed: 1, Random: RandomUniform})
	b.ReportAllocs()
	for b.Loop() {
		p.Next()
	}
}
