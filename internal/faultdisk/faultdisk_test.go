package faultdisk

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The stack works as a disk: a file written on it reads back; a failed range of it fails with
// EIO once its pages are out of the cache, and reads again once the fault is gone; a delay
// slows a cold read; a short read cap still reads whole files (the loop device completes it).
func TestStack(t *testing.T) {
	d := New(t, 64<<20)
	path := filepath.Join(d.Dir, "f")
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	evict := func() {
		f, _ := os.Open(path)
		defer f.Close()
		unix.Fdatasync(int(f.Fd()))
		unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	}
	read := func(off int64) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		buf := make([]byte, 4096)
		_, err = f.ReadAt(buf, off)
		return err
	}
	evict()
	if err := d.FailFile(path, 8192, 4096); err != nil {
		t.Fatal(err)
	}
	if err := read(8192); !errors.Is(err, syscall.EIO) {
		t.Errorf("read of the failed block: %v, want EIO", err)
	}
	if err := read(64 << 10); err != nil {
		t.Errorf("read of a good block: %v", err)
	}
	d.SetFaults(Faults{Delay: 20 * time.Millisecond})
	evict()
	start := time.Now()
	if err := read(8192); err != nil || time.Since(start) < 20*time.Millisecond {
		t.Errorf("delayed read: %v after %v", err, time.Since(start))
	}
	d.SetFaults(Faults{Short: 512})
	evict()
	got, err := os.ReadFile(path)
	if err != nil || len(got) != len(data) || string(got) != string(data) {
		t.Errorf("with short reads below: %v, %d bytes, same=%v", err, len(got), string(got) == string(data))
	}
	if d.Reads() == 0 {
		t.Error("no read reached the image")
	}
}
