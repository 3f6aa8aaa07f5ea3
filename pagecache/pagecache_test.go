package pagecache

import (
	"os"
	"path/filepath"
	"testing"
)

// Warm, Evict, Drop and Residency on a real file: what is asked for is what mincore then reports.
func TestStates(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	const size = 8 << 20
	if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	check := func(what string, lo, hi float64, got float64, err error) {
		t.Helper()
		if err != nil || got < lo || got > hi {
			t.Errorf("%s: residency %.1f%% (%v), want %v..%v", what, got, err, lo, hi)
		}
	}
	if err := Warm(fd, size); err != nil {
		t.Fatal(err)
	}
	r, err := Residency(fd, size)
	check("warm", 99, 100, r, err)
	if err := Evict(fd, size); err != nil {
		t.Fatal(err)
	}
	r, err = Residency(fd, size)
	check("evicted", 0, 1, r, err)
	if err := Advise(fd, AdviceRandom); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(make([]byte, 1<<20), 2<<20); err != nil {
		t.Fatal(err)
	}
	r, err = RangeResidency(fd, 2<<20, 1<<20)
	check("the range read", 99, 100, r, err)
	r, err = RangeResidency(fd, 4<<20, 1<<20)
	check("a range not read", 0, 1, r, err)
	r, err = Residency(fd, size)
	check("the whole file", 11, 14, r, err) // 1 MiB of 8
	if err := Advise(fd, AdviceNone); err != nil {
		t.Errorf("AdviceNone: %v", err)
	}
	if AdviceRandom.String() != "random" || AdviceNone.String() != "none" {
		t.Error("Advice names")
	}
}

// BenchmarkMappingPages is one mincore(2) of a 4 KiB range: what the sampled classifier pays
// per sampled request.
func BenchmarkMappingPages(b *testing.B) {
	path := filepath.Join(b.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 8<<20), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	m, err := Map(int(f.Fd()), 8<<20, 4096)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.ReportAllocs()
	var off int64
	for b.Loop() {
		if _, _, err := m.Pages(off, 4096); err != nil {
			b.Fatal(err)
		}
		off = (off + 1<<20 + 4096) % (8 << 20)
	}
}
