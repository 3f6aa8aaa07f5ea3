package workloads

import "math/bits"

// A permutation is a seeded pseudo-random bijection on [0, n), computed on demand in O(1)
// memory: randread's offsets of one pass. It is the "random map" fio keeps as a bitmap, without
// the bitmap: a keyed bijection on the smallest power-of-two domain [0, 2^k) that holds n,
// walked along its cycle until the value falls below n (cycle-walking, as format-preserving
// encryption does). Since 2^k < 2n, a walk takes fewer than two steps on average.
//
// The bijection on [0, 2^k) is a chain of steps each invertible modulo 2^k: xor with a key,
// multiplication by an odd key, and xorshift to the right (which carries high bits into low
// ones, where the multiplications cannot). Two rounds of multiply-and-xorshift, as in the
// finalisers of common integer hashes, scatter consecutive indices across the file; the order
// need not be cryptographic, only free of the device-visible regularity of a stride.
type permutation struct {
	n      uint64
	mask   uint64 // 2^k - 1
	shift  uint   // about k/2, at least 1
	k0, k3 uint64 // xor and add keys
	k1, k2 uint64 // odd multipliers
}

// newPermutation returns the permutation of [0, n) for key. n must be at least 1.
func newPermutation(n, key uint64) permutation {
	k := bits.Len64(n - 1) // 2^k >= n; k == 0 when n == 1
	p := permutation{n: n, mask: 1<<k - 1, shift: uint(max((k+1)/2, 1))}
	s := key
	p.k0 = splitmix(&s)
	p.k1 = splitmix(&s) | 1
	p.k2 = splitmix(&s) | 1
	p.k3 = splitmix(&s)
	return p
}

// at returns the image of i, which must be below n.
func (p *permutation) at(i uint64) uint64 {
	x := i
	for {
		x = p.step(x)
		if x < p.n {
			return x
		}
	}
}

// step is the bijection on [0, 2^k).
func (p *permutation) step(x uint64) uint64 {
	m := p.mask
	x = (x ^ p.k0) & m
	x = x * p.k1 & m
	x ^= x >> p.shift
	x = x * p.k2 & m
	x ^= x >> p.shift
	return (x + p.k3) & m
}

// splitmix advances s and returns the next output of SplitMix64, a good way to spread one
// seed into several independent keys.
func splitmix(s *uint64) uint64 {
	*s += 0x9e3779b97f4a7c15
	z := *s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
