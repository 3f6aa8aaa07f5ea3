// Package faultdisk builds a disk that fails and is slow on demand, from real layers, so that
// tests can show what every engine does when the device misbehaves: a small FUSE file system
// (github.com/hanwen/go-fuse/v2) serves one disk image from a backing file and, as configured
// at any moment, fails reads of chosen byte ranges with EIO, delays every read, or returns
// short reads; a loop device sits on the image it serves, and ext4 on the loop device. The page
// cache, readahead, RWF_NOWAIT and O_DIRECT then behave as on a real disk whose blocks fail or
// are slow. The image is served with FUSE's direct I/O, so the loop device's reads are not
// cached a second time in the FUSE file's own page cache.
//
// Building the stack needs root, /dev/fuse, losetup and mkfs.ext4; Available says why not.
package faultdisk

import (
	"context"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Faults are what the served image does wrong. The zero value does nothing wrong.
type Faults struct {
	// EIO lists byte ranges of the image, [Off, Off+Len), whose reads fail with EIO.
	EIO []Range
	// Delay is added to every read of the image.
	Delay time.Duration
	// Short, when above 0, caps every read at this many bytes (a short read).
	Short int
}

// A Range is a byte range of the image.
type Range struct{ Off, Len int64 }

func (r Range) overlaps(off, n int64) bool { return off < r.Off+r.Len && r.Off < off+n }

// image is the FUSE file that serves the backing file.
type image struct {
	fs.Inode
	backing *os.File

	mu     sync.Mutex
	faults Faults
	reads  int64 // reads served (for tests that count device reads)
}

var (
	_ = (fs.NodeOpener)((*image)(nil))
	_ = (fs.NodeReader)((*image)(nil))
	_ = (fs.NodeWriter)((*image)(nil))
	_ = (fs.NodeGetattrer)((*image)(nil))
	_ = (fs.NodeSetattrer)((*image)(nil))
	_ = (fs.NodeFsyncer)((*image)(nil))
)

func (m *image) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	return nil, fuse.FOPEN_DIRECT_IO, 0 // no page cache of its own: the layers above cache
}

func (m *image) Read(ctx context.Context, fh fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	m.mu.Lock()
	f := m.faults
	m.reads++
	m.mu.Unlock()
	if f.Delay > 0 {
		time.Sleep(f.Delay)
	}
	for _, r := range f.EIO {
		if r.overlaps(off, int64(len(dest))) {
			return nil, syscall.EIO
		}
	}
	if f.Short > 0 && len(dest) > f.Short {
		dest = dest[:f.Short]
	}
	n, err := m.backing.ReadAt(dest, off)
	if err != nil && n == 0 && off < m.size() {
		return nil, syscall.EIO
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (m *image) Write(ctx context.Context, fh fs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	n, err := m.backing.WriteAt(data, off)
	if err != nil {
		return uint32(n), fs.ToErrno(err)
	}
	return uint32(n), 0
}

func (m *image) size() int64 {
	fi, err := m.backing.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

func (m *image) Getattr(ctx context.Context, fh fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFREG | 0o600
	out.Size = uint64(m.size())
	out.Blksize = 4096
	return 0
}

func (m *image) Setattr(ctx context.Context, fh fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	return m.Getattr(ctx, fh, out) // the image's size is fixed; other attributes are ignored
}

func (m *image) Fsync(ctx context.Context, fh fs.FileHandle, flags uint32) syscall.Errno {
	return fs.ToErrno(m.backing.Sync())
}

// set replaces the faults.
func (m *image) set(f Faults) {
	m.mu.Lock()
	m.faults = f
	m.mu.Unlock()
}
