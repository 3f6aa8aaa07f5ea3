package fileio

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aiobench/aiobench/pagecache"
	"golang.org/x/sys/unix"
)

func TestReads(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	data := make([]byte, 64<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	buf := make([]byte, 8192)

	// Cached (just written): NOWAIT serves it.
	if n, e := ReadNowait(fd, buf, 4096); e != 0 || n != 8192 || buf[0] != data[4096] || buf[8191] != data[4096+8191] {
		t.Fatalf("cached ReadNowait = %d, %v", n, e)
	}
	// Past EOF: 0 bytes, no error. Across EOF: the bytes that exist.
	if n, e := ReadNowait(fd, buf, 1<<20); e != 0 || n != 0 {
		t.Errorf("ReadNowait past EOF = %d, %v", n, e)
	}
	if n, err := Pread(fd, buf, 60<<10); err != nil || n != 4096 {
		t.Errorf("Pread across EOF = %d, %v", n, err)
	}
	// Evicted: NOWAIT refuses with EAGAIN (or, on 5.9/5.10, returns 0); Pread reads it.
	if err := pagecache.Evict(fd, int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if n, e := ReadNowait(fd, buf, 4096); !(e == unix.EAGAIN || e == 0 && n == 0) {
		t.Errorf("evicted ReadNowait = %d, %v; want EAGAIN", n, e)
	}
	if n, err := Pread(fd, buf, 4096); err != nil || n != 8192 || buf[100] != data[4196] {
		t.Errorf("Pread = %d, %v", n, err)
	}
	if a := testing.AllocsPerRun(100, func() { ReadNowait(fd, buf, 0) }); a != 0 {
		t.Errorf("ReadNowait allocates %v times", a)
	}
	if _, e := ReadNowait(-1, buf, 0); e != unix.EBADF {
		t.Errorf("bad fd: %v", e)
	}
}
