package workloads

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestLayoutReuseExtendForeign(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	check := func(size int64, want LayoutState) {
		t.Helper()
		got, err := Inspect(dir, size)
		if err != nil || got != want {
			t.Fatalf("Inspect(%d) = %v, %v; want %v", size, got, err, want)
		}
		if _, err := Layout(dir, size); err != nil {
			t.Fatal(err)
		}
	}
	check(64<<10, LayoutCreate)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(path, old, old)
	check(32<<10, LayoutReuse) // a longer file of ours is reused, not rewritten
	check(64<<10, LayoutReuse)
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) || fi.Size() != 64<<10 {
		t.Errorf("reuse touched the file: mtime %v size %d", fi.ModTime(), fi.Size())
	}
	check(128<<10, LayoutExtend)
	data, _ := os.ReadFile(path)
	if len(data) != 128<<10 || Verify(data, 0, 0, VerifyFull) >= 0 {
		t.Errorf("extended file: %d bytes, verify at %d", len(data), Verify(data, 0, 0, VerifyFull))
	}

	// A file of that name that is not ours is refused and left exactly as it was.
	for name, content := range map[string][]byte{
		"text":  []byte("my thesis, final version\n"),
		"empty": nil,
		"ours but for one word": func() []byte {
			b := slices.Clone(data[:64<<10])
			b[4096*3] ^= 1
			return b
		}(),
	} {
		d := t.TempDir()
		p := filepath.Join(d, FileName)
		os.WriteFile(p, content, 0o600)
		if _, err := Layout(d, 64<<10); !errors.Is(err, ErrForeign) {
			t.Errorf("%s: Layout = %v, want ErrForeign", name, err)
		}
		if got, _ := os.ReadFile(p); !slices.Equal(got, content) {
			t.Errorf("%s: the foreign file was changed", name)
		}
	}
}

func TestPatterns(t *testing.T) {
	offsets := func(name string, job, jobs int, seed uint64, n int) ([]int64, []int) {
		w, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		p := w.New(PatternConfig{Size: 64 << 10, BlockSize: 4096, Job: job, Jobs: jobs, Seed: seed})
		var offs []int64
		var wraps []int
		for i := range n {
			off, wrapped := p.Next()
			if off < 0 || off > 60<<10 || off%4096 != 0 {
				t.Fatalf("%s: offset %d out of the file or unaligned", name, off)
			}
			if wrapped {
				wraps = append(wraps, i)
			}
			offs = append(offs, off)
		}
		return offs, wraps
	}
	a, wa := offsets("randread", 0, 2, 7, 40)
	b, _ := offsets("randread", 0, 2, 7, 40)
	c, _ := offsets("randread", 1, 2, 7, 40)
	d, _ := offsets("randread", 0, 2, 8, 40)
	if !slices.Equal(a, b) || slices.Equal(a, c) || slices.Equal(a, d) {
		t.Error("randread: same seed and job must repeat; another job or seed must differ")
	}
	if !slices.Equal(wa, []int{8, 16, 24, 32}) { // 16 blocks over 2 jobs: a pass is 8 requests
		t.Errorf("randread passes start at %v", wa)
	}
	s, ws := offsets("seqread", 1, 2, 0, 10)
	want := []int64{32 << 10, 36 << 10, 40 << 10, 44 << 10, 48 << 10, 52 << 10, 56 << 10, 60 << 10, 32 << 10, 36 << 10}
	if !slices.Equal(s, want) || !slices.Equal(ws, []int{8}) {
		t.Errorf("seqread job 1 of 2: %v wraps %v; want %v wraps [8]", s, ws, want)
	}
	if _, err := Lookup("write"); err == nil {
		t.Error("unknown workload accepted")
	}
}

func TestVerifyDetects(t *testing.T) {
	buf := make([]byte, 8192)
	Fill(buf, 0, 4096)
	if got := Verify(buf, 0, 4096, VerifyFull); got != -1 {
		t.Fatalf("clean buffer fails at %d", got)
	}
	if got := Verify(buf, 0, 0, VerifyCheap); got != 0 {
		t.Errorf("wrong offset: Verify = %d, want 0", got)
	}
	if got := Verify(buf, 1, 4096, VerifyCheap); got != 4096 {
		t.Errorf("wrong file: Verify = %d, want 4096", got)
	}
	if got := Verify(make([]byte, 4096), 0, 0, VerifyCheap); got != 0 {
		t.Errorf("zeros (a hole): Verify = %d, want 0", got)
	}
	buf[8191] ^= 1 // torn tail: caught by the cheap check's last word
	if got := Verify(buf, 0, 4096, VerifyCheap); got != 4096+8184 {
		t.Errorf("torn tail: Verify = %d", got)
	}
}

// A layout that runs out of space removes the file it was creating, and says so; a free-space
// figure of 0 (ramfs) is not trusted, the writes decide. Needs root to mount a small tmpfs.
func TestLayoutOutOfSpace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	_, err := Layout(dir, 8<<20)
	if !errors.Is(err, unix.ENOSPC) || !strings.Contains(err.Error(), "partial file was removed") {
		t.Errorf("Layout on a full file system: %v", err)
	}
	if _, serr := os.Stat(filepath.Join(dir, FileName)); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("the partial data file is still there: %v", serr)
	}
}
