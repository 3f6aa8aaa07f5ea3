package workloads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// FileName is the name of the data file in a data directory. A suite with a background load
// reads a second file, FileNameOf(1); aiobench writes no other files there.
const FileName = "aiobench-data-0.bin"

// FileNameOf names data file index (FileName is index 0).
func FileNameOf(index int) string { return fmt.Sprintf("aiobench-data-%d.bin", index) }

// ErrForeign is wrapped by errors about a file that has the data file's name but not aiobench's
// content: aiobench never overwrites such a file.
var ErrForeign = errors.New("not aiobench's data layout")

// A Dataset is a laid-out data file of Size bytes (the file may be longer; only its first Size
// bytes are used).
type Dataset struct {
	Path  string
	Index int // the file index its content encodes
	Size  int64
	// Foreign says the target is not aiobench's (--file): never written, its reads not
	// verified. Kind is what it is (KindData, KindFile, KindDevice, KindLoop; "" is KindData).
	Foreign bool
	Kind    string
	// More are the data set's other files (--nrfiles), each of Size bytes: requests are shared
	// out over this one and them.
	More []*Dataset
}

// Files are the data set's files, this one first.
func (d *Dataset) Files() []*Dataset { return append([]*Dataset{d}, d.More...) }

// LayoutState says what Layout would do in a directory.
type LayoutState int

const (
	// LayoutCreate: no data file yet; Layout writes one.
	LayoutCreate LayoutState = iota
	// LayoutReuse: the data file is aiobench's and long enough; Layout writes nothing.
	LayoutReuse
	// LayoutExtend: the data file is aiobench's but shorter; Layout appends the rest.
	LayoutExtend
)

// Inspect reports what Layout(dir, size) would do without writing anything. It fails with an
// error wrapping ErrForeign when a file with the data file's name exists and is not aiobench's.
func Inspect(dir string, size int64) (LayoutState, error) { return InspectFile(dir, 0, size) }

// InspectFile is Inspect for data file index.
func InspectFile(dir string, index int, size int64) (LayoutState, error) {
	path := filepath.Join(dir, FileNameOf(index))
	// Look before opening: opening a FIFO blocks until a writer comes, and a link may lead
	// anywhere. Then open without following links and without blocking, and look again.
	lfi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return LayoutCreate, nil
	}
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", path, err)
	}
	if !lfi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s: %w (a %s, not a regular file)", path, ErrForeign, kind(lfi.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_NOFOLLOW, 0)
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%s: %w (a %s, not a regular file)", path, ErrForeign, kind(fi.Mode()))
	}
	if err := checkOwn(f, index, fi.Size()); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if fi.Size() >= size {
		return LayoutReuse, nil
	}
	return LayoutExtend, nil
}

// kind names a file's type for a message.
func kind(m os.FileMode) string {
	switch {
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "FIFO"
	case m&os.ModeSocket != 0:
		return "socket"
	case m&os.ModeCharDevice != 0:
		return "character device"
	case m&os.ModeDevice != 0:
		return "device"
	case m.IsDir():
		return "directory"
	}
	return "special file"
}

// checkOwn reads the first 64 KiB of the file and up to 64 words spread over the rest and
// fails with ErrForeign unless all of them hold aiobench's content.
func checkOwn(f *os.File, index int, size int64) error {
	if size < 8 {
		return fmt.Errorf("%w (%d bytes long)", ErrForeign, size)
	}
	head := make([]byte, min(size, 64<<10)&^7)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, int64(len(head))), head); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if bad := Verify(head, index, 0, VerifyFull); bad >= 0 {
		return fmt.Errorf("%w (content differs at byte %d)", ErrForeign, bad)
	}
	word := make([]byte, 8)
	for i := int64(1); i <= 64; i++ {
		off := (size - 8) * i / 64 &^ 7
		if _, err := f.ReadAt(word, off); err != nil {
			return fmt.Errorf("read at %d: %w", off, err)
		}
		if bad := Verify(word, index, off, VerifyFull); bad >= 0 {
			return fmt.Errorf("%w (content differs at byte %d)", ErrForeign, bad)
		}
	}
	return nil
}

// Layout makes sure dir holds aiobench's data file of at least size bytes (a multiple of 8)
// and returns it. It creates the file, appends to a shorter one of its own, or reuses a long
// enough one without writing; a file of that name that is not aiobench's is never touched.
func Layout(dir string, size int64) (*Dataset, error) { return LayoutFile(dir, 0, size) }

// LayoutFile is Layout for data file index.
func LayoutFile(dir string, index int, size int64) (*Dataset, error) {
	return LayoutFileContext(context.Background(), dir, index, size)
}

// LayoutFileContext is LayoutFile that stops when ctx is done. A file it was creating is
// removed when the layout fails (ENOSPC, EFBIG, an I/O error); one it was extending, or one
// interrupted, is kept: its content is right up to its length, and the next layout extends it.
func LayoutFileContext(ctx context.Context, dir string, index int, size int64) (*Dataset, error) {
	if size <= 0 || size%8 != 0 {
		return nil, fmt.Errorf("layout: size %d is not a positive multiple of 8", size)
	}
	state, err := InspectFile(dir, index, size)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileNameOf(index))
	ds := &Dataset{Path: path, Index: index, Size: size}
	var f *os.File
	switch state {
	case LayoutReuse:
		return ds, nil
	case LayoutCreate:
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	case LayoutExtend:
		f, err = os.OpenFile(path, os.O_WRONLY, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("lay out %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err == nil {
		err = appendContent(ctx, f, index, fi.Size()&^7, size)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err == nil:
		return ds, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("lay out %s: interrupted; the part written is kept and the next run extends it: %w", path, err)
	case state == LayoutCreate:
		os.Remove(path) // ours, from this run, and incomplete
		return nil, fmt.Errorf("lay out %s: %w (the partial file was removed)", path, err)
	}
	return nil, fmt.Errorf("lay out %s: %w (the file is kept: its content is right up to its length)", path, err)
}

// appendContent writes the content of [from, to) and syncs it. Writing in order keeps the file
// valid (its content correct up to its length) if it is interrupted.
func appendContent(ctx context.Context, f *os.File, index int, from, to int64) error {
	buf := make([]byte, 1<<20)
	for off := from; off < to; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(int64(len(buf)), to-off)
		Fill(buf[:n], index, off)
		if _, err := f.WriteAt(buf[:n], off); err != nil {
			return err
		}
		off += n
	}
	if err := unix.Fdatasync(int(f.Fd())); err != nil {
		return fmt.Errorf("fdatasync: %w", err)
	}
	return nil
}
