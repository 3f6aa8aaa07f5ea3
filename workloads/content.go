package workloads

import "encoding/binary"

// The data set's content: every aligned 8-byte word holds a 64-bit mix of its file index and
// offset, so that any block read back can be checked against the place it was read from. A
// block from the wrong offset, the wrong file, a hole (zeros) or a torn read fails the check.

const salt = 0x6169_6f62_656e_6368 // "aiobench"

// Word returns the little-endian word stored at the 8-aligned offset off of file f.
func Word(f int, off int64) uint64 {
	// splitmix64's finaliser: cheap, and every input bit changes about half the output bits.
	z := uint64(off)>>3 ^ uint64(f)<<48 ^ salt
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// Fill writes into buf the content of file f starting at off. off and len(buf) must be
// multiples of 8.
func Fill(buf []byte, f int, off int64) {
	for i := 0; i+8 <= len(buf); i += 8 {
		binary.LittleEndian.PutUint64(buf[i:], Word(f, off+int64(i)))
	}
}

// VerifyMode says how much of each read is checked.
type VerifyMode int

const (
	// VerifyCheap checks the first word of every 4 KiB block of the read and its last word: a
	// handful of words per request, enough to catch a wrong, stale or torn block.
	VerifyCheap VerifyMode = iota
	// VerifyFull checks every byte.
	VerifyFull
)

func (m VerifyMode) String() string {
	if m == VerifyFull {
		return "full"
	}
	return "cheap"
}

// Verify checks buf, read from file f at off (8-aligned, len a multiple of 8), and returns the
// file offset of the first word that does not match, or -1 when all checked words do.
func Verify(buf []byte, f int, off int64, mode VerifyMode) int64 {
	if len(buf) < 8 {
		return -1
	}
	step := 4096
	if mode == VerifyFull {
		step = 8
	}
	for i := 0; i+8 <= len(buf); i += step {
		if binary.LittleEndian.Uint64(buf[i:]) != Word(f, off+int64(i)) {
			return off + int64(i)
		}
	}
	last := len(buf) - 8
	if binary.LittleEndian.Uint64(buf[last:]) != Word(f, off+int64(last)) {
		return off + int64(last)
	}
	return -1
}
