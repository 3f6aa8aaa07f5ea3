// Package pagecache measures and sets the page-cache state of aiobench's data files. The harness
// uses it to put a file in the state a run asks for (warm: all resident; cold: evicted) and to
// measure, with mincore(2), how much of it really was resident at the start and end of a run, so
// that a "cold" figure is never reported from a warm cache or the other way round.
package pagecache

import (
	"context"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Residency returns the percentage (0–100) of the first size bytes of fd that are in the page
// cache. It maps the file read-only and asks mincore(2); mapping faults nothing in.
func Residency(fd int, size int64) (float64, error) { return RangeResidency(fd, 0, size) }

// RangeResidency is Residency for the n bytes at off (off a multiple of the page size).
func RangeResidency(fd int, from, size int64) (float64, error) {
	if size <= 0 {
		return 0, nil
	}
	page := int64(os.Getpagesize())
	const chunk = 1 << 30 // map at most 1 GiB at a time
	vec := make([]byte, min(chunk, size+page)/page)
	var resident, pages int64
	for off := from; off < from+size; off += chunk {
		n := min(chunk, from+size-off)
		m, err := unix.Mmap(fd, off, int(n), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			return 0, fmt.Errorf("mmap for mincore: %w", err)
		}
		np := (n + page - 1) / page
		err = mincore(m, vec[:np])
		if uerr := unix.Munmap(m); err == nil && uerr != nil {
			err = uerr
		}
		if err != nil {
			return 0, fmt.Errorf("mincore: %w", err)
		}
		for _, v := range vec[:np] {
			resident += int64(v & 1)
		}
		pages += np
	}
	return 100 * float64(resident) / float64(pages), nil
}

// Evict drops the clean pages of fd's first size bytes from the page cache: fdatasync first so
// that no dirty page is left behind, then POSIX_FADV_DONTNEED, repeated a few times while pages
// remain (pages still in a CPU's LRU batch, or under writeback a moment ago, survive one pass).
// Pages that are locked or mapped by someone else can survive it all; measure with Residency.
func Evict(fd int, size int64) error {
	if err := unix.Fdatasync(fd); err != nil && err != unix.EINVAL && err != unix.EROFS {
		return fmt.Errorf("fdatasync: %w", err)
	}
	return EvictClean(fd, size)
}

// EvictClean is Evict without the fdatasync: for data that is not aiobench's (--file), whose
// dirty pages, if any, are someone else's to write; they survive, and the residency check
// measures what is left.
func EvictClean(fd int, size int64) error {
	for try := 0; ; try++ {
		if err := Drop(fd, 0, size); err != nil {
			return err
		}
		left, err := Residency(fd, size)
		if err != nil || left == 0 || try == 4 {
			return err
		}
		time.Sleep(time.Millisecond << try)
	}
}

// Drop is POSIX_FADV_DONTNEED on a range, without a sync: for read-only data that is already
// clean, as during a run.
func Drop(fd int, off, n int64) error {
	if err := unix.Fadvise(fd, off, n, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("fadvise DONTNEED: %w", err)
	}
	return nil
}

// Warm reads fd's first size bytes through the page cache (buffered, 1 MiB at a time) so that
// they are resident. fd must not be O_DIRECT.
func Warm(fd int, size int64) error { return WarmContext(context.Background(), fd, size) }

// WarmContext is Warm that stops, with ctx's error, when ctx is done (a signal).
func WarmContext(ctx context.Context, fd int, size int64) error {
	if err := unix.Fadvise(fd, 0, size, unix.FADV_WILLNEED); err != nil {
		return fmt.Errorf("fadvise WILLNEED: %w", err)
	}
	buf := make([]byte, 1<<20)
	for off := int64(0); off < size; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := unix.Pread(fd, buf[:min(int64(len(buf)), size-off)], off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("read at %d: %w", off, err)
		}
		if n == 0 {
			return fmt.Errorf("read at %d: unexpected end of file", off)
		}
		off += int64(n)
	}
	return nil
}

// Advice is an access-pattern hint given with posix_fadvise.
type Advice int

// The hints a workload may give; AdviceNone gives none.
const (
	AdviceNone       Advice = -1
	AdviceNormal     Advice = unix.FADV_NORMAL
	AdviceRandom     Advice = unix.FADV_RANDOM
	AdviceSequential Advice = unix.FADV_SEQUENTIAL
)

func (a Advice) String() string {
	switch a {
	case AdviceNone:
		return "none"
	case AdviceNormal:
		return "normal"
	case AdviceRandom:
		return "random"
	case AdviceSequential:
		return "sequential"
	}
	return fmt.Sprintf("Advice(%d)", int(a))
}

// Advise gives fd's open file the hint a (nothing for AdviceNone). It sets the readahead
// behaviour of that open file description only.
func Advise(fd int, a Advice) error {
	if a == AdviceNone {
		return nil
	}
	if err := unix.Fadvise(fd, 0, 0, int(a)); err != nil {
		return fmt.Errorf("fadvise %v: %w", a, err)
	}
	return nil
}

// mincore is mincore(2); golang.org/x/sys/unix has no wrapper for it on Linux.
func mincore(b, vec []byte) error {
	_, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0])))
	if e != 0 {
		return e
	}
	return nil
}
