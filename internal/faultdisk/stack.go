package faultdisk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/aiobench/aiobench/internal/testfs"
	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
	"golang.org/x/sys/unix"
)

// A Disk is the stack: ext4 mounted at Dir, on a loop device, on an image served through FUSE.
type Disk struct {
	Dir    string // the ext4 file system: put the test's files here
	Loop   string // the loop device, e.g. /dev/loop3
	img    *image
	server *fuse.Server
}

// tools are the commands the stack runs; Available checks they exist.
var tools = []string{"losetup", "mkfs.ext4", "mount", "umount"}

// Available reports whether the stack can be built here: nil, or why not.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("needs root (mount, losetup)")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		return fmt.Errorf("no /dev/fuse: %v", err)
	}
	for _, t := range tools {
		if _, err := lookPath(t); err != nil {
			return fmt.Errorf("no %s: %v", t, err)
		}
	}
	return nil
}

// lookPath and run are testfs's: one way to find and run the file-system tools.
func lookPath(name string) (string, error) { return testfs.Tool(name) }

func run(name string, args ...string) error {
	_, err := testfs.Run(name, args...)
	return err
}

// New builds a stack with an image of size bytes, or skips the test with the reason it cannot
// be built here. Everything is torn down when the test ends, whether it passed or not.
func New(t testing.TB, size int64) *Disk {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("no fault disk here: %v", err)
	}
	base := t.TempDir()
	backingPath := filepath.Join(base, "image")
	if err := os.WriteFile(backingPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(backingPath, size); err != nil {
		t.Fatal(err)
	}
	if err := run("mkfs.ext4", "-q", "-F", "-b", "4096", "-E", "lazy_itable_init=0,lazy_journal_init=0", backingPath); err != nil {
		t.Fatal(err)
	}
	backing, err := os.OpenFile(backingPath, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backing.Close() })
	d := &Disk{img: &image{backing: backing}}

	fuseDir := filepath.Join(base, "fuse")
	d.Dir = filepath.Join(base, "ext4")
	for _, dir := range []string{fuseDir, d.Dir} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	root := &fs.Inode{}
	d.server, err = fs.Mount(fuseDir, root, &fs.Options{
		MountOptions: fuse.MountOptions{DirectMountStrict: true, Name: "aiobench-faultdisk", MaxWrite: 1 << 20},
		OnAdd: func(ctx context.Context) {
			root.AddChild("disk.img", root.NewPersistentInode(ctx, d.img, fs.StableAttr{Mode: unix.S_IFREG}), true)
		},
	})
	if err != nil {
		t.Skipf("no fault disk here: FUSE mount: %v", err)
	}
	t.Cleanup(func() {
		_ = d.server.Unmount()
		d.server.Wait()
	})
	out, err := exec.Command(mustLook(t, "losetup"), "--find", "--show", filepath.Join(fuseDir, "disk.img")).Output()
	if err != nil {
		t.Fatalf("losetup on the FUSE image: %v", err)
	}
	d.Loop = strings.TrimSpace(string(out))
	t.Cleanup(func() {
		if err := run("losetup", "-d", d.Loop); err != nil {
			t.Errorf("tear down: %v", err)
		}
	})
	if err := run("mount", "-t", "ext4", d.Loop, d.Dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := run("umount", d.Dir); err != nil {
			_ = run("umount", "-l", d.Dir) // detach it at least, so losetup -d can go on
			t.Errorf("tear down: %v", err)
		}
	})
	return d
}

func mustLook(t testing.TB, name string) string {
	p, err := lookPath(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SetFaults replaces what the image does wrong, at once.
func (d *Disk) SetFaults(f Faults) { d.img.set(f) }

// Reads returns how many reads the image has served.
func (d *Disk) Reads() int64 {
	d.img.mu.Lock()
	defer d.img.mu.Unlock()
	return d.img.reads
}

// FailFile makes reads of [off, off+n) of the file at path (on Dir) fail with EIO, by failing
// the image's ranges that hold those bytes (FIEMAP), in addition to the faults already set.
func (d *Disk) FailFile(path string, off, n int64) error {
	ext, err := physical(path, off, n)
	if err != nil {
		return err
	}
	d.img.mu.Lock()
	d.img.faults.EIO = append(d.img.faults.EIO, ext...)
	d.img.mu.Unlock()
	return nil
}

// FIEMAP (linux/fiemap.h): the file's extents, logical to physical.
const (
	fsIocFiemap   = 0xc020660b
	fiemapFlagSyn = 1 // sync the file before mapping, so that delayed allocations have blocks
	maxExtents    = 64
)

type fiemapExtent struct {
	Logical, Physical, Length uint64
	_                         [2]uint64
	Flags                     uint32
	_                         [3]uint32
}

type fiemap struct {
	Start, Length                        uint64
	Flags, Mapped, ExtentCount, reserved uint32
	Extents                              [maxExtents]fiemapExtent
}

// physical returns the image ranges that hold [off, off+n) of the file at path.
func physical(path string, off, n int64) ([]Range, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := fiemap{Start: uint64(off), Length: uint64(n), Flags: fiemapFlagSyn, ExtentCount: maxExtents}
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, f.Fd(), fsIocFiemap, uintptr(unsafe.Pointer(&m))); e != 0 {
		return nil, fmt.Errorf("FIEMAP %s: %w", path, e)
	}
	var out []Range
	for _, e := range m.Extents[:m.Mapped] {
		lo, hi := max(int64(e.Logical), off), min(int64(e.Logical+e.Length), off+n)
		if lo < hi {
			out = append(out, Range{Off: int64(e.Physical) + lo - int64(e.Logical), Len: hi - lo})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("FIEMAP %s: no extent holds [%d, %d)", path, off, off+n)
	}
	return out, nil
}
