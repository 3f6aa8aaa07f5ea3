package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/dirlock"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// dataDir checks --dir (it must exist and be a writable directory) or makes the default one.
func (o *options) dataDir(stderr io.Writer) (string, error) {
	dir := o.dir
	if dir == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", usagef("--dir: no default data directory (%v); name one with --dir", err)
			}
			base = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(base, "aiobench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create default data directory: %w", err)
		}
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return "", usagef("--dir %s: %v (want an existing, writable directory on the disk under test)", dir, errors.Unwrap(err))
	case !fi.IsDir():
		return "", usagef("--dir %s: not a directory (want an existing, writable directory on the disk under test)", dir)
	case unix.Access(dir, unix.W_OK) != nil:
		return "", usagef("--dir %s: not writable (want an existing, writable directory on the disk under test)", dir)
	}
	if fs, err := sysinfo.FSType(dir); err == nil && sysinfo.InMemory(fs) {
		fmt.Fprintf(stderr, "aiobench: warning: %s is on %s: reads will measure memory, not a disk (use --dir on a real disk)\n", dir, fs)
	}
	// One run per data directory: two would lay out the same file and measure each other.
	lock, err := dirlock.Take(dir)
	switch {
	case errors.Is(err, dirlock.ErrBusy):
		return "", usagef("--dir %s: another aiobench run is using it (two runs on one data directory lay out the same file and measure each other); wait for it to end, or give each run its own --dir", dir)
	case err != nil:
		return "", err
	}
	o.lock = lock
	return dir, nil
}

// checkOutputs checks every named output (flag → path, "" for none) before anything is run or
// written: each is refused if it is a symbolic link (outputs are replaced atomically, by a
// rename, which would replace the link itself: name the file itself), a directory, an existing
// file aiobench did not write, or in a directory that does not exist or cannot take a new file
// (a temporary file is created there and removed). Two outputs naming the same file, by any
// path, are refused too.
func checkOutputs(outputs map[string]string) error {
	flags := make([]string, 0, len(outputs))
	for f := range outputs {
		flags = append(flags, f)
	}
	slices.Sort(flags)
	for i, f := range flags {
		if err := checkOutput(f, outputs[f]); err != nil {
			return err
		}
		for _, g := range flags[:i] {
			if sameFile(outputs[f], outputs[g]) {
				return usagef("%s and %s name the same file %s", g, f, outputs[f])
			}
		}
	}
	return nil
}

// sameFile reports whether two output paths name one file: the same absolute path, or two
// paths to one existing file.
func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	ba, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ba {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// checkOutput checks one output path (see checkOutputs).
func checkOutput(flagName, path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("%s %s: directory %s does not exist", flagName, path, dir)
	}
	probe, err := os.CreateTemp(dir, ".aiobench-probe-*")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %v", flagName, path, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return usagef("%s %s: %v", flagName, path, err)
	case fi.Mode()&os.ModeSymlink != 0:
		return usagef("%s %s: is a symbolic link; name the file itself (aiobench replaces outputs by renaming, and never follows a link)", flagName, path)
	case fi.IsDir():
		return usagef("%s %s: is a directory (want a file name)", flagName, path)
	case !fi.Mode().IsRegular():
		return usagef("%s %s: is not a regular file", flagName, path)
	case !results.LooksLikeResults(path) && !results.LooksLikeHist(path) && !results.LooksLikeLog(path) && !looksLikeTrace(path) && !looksLikePairs(path):
		return usageError{fmt.Errorf("%s %s: %w; refusing to overwrite it", flagName, path, errNotOurs)}
	}
	return nil
}

// errNotOurs is wrapped when an output names an existing file aiobench did not write.
var errNotOurs = errors.New("exists and was not written by aiobench")

// checkDirect refuses --cache direct where dir's file system does not take O_DIRECT: a
// temporary file is opened with it there and removed.
func checkDirect(dir string) error {
	f, err := os.CreateTemp(dir, ".aiobench-direct-*")
	if err != nil {
		return usagef("--dir %s: cannot write in it: %v", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	defer os.Remove(name)
	d, err := os.OpenFile(name, os.O_RDONLY|unix.O_DIRECT, 0)
	if err != nil {
		fs, _ := sysinfo.FSType(dir)
		return usagef("--cache direct: the file system of %s (%s) refuses O_DIRECT: %v", dir, fs, errors.Unwrap(err))
	}
	d.Close()
	return nil
}

// looksLikeTrace reports whether path starts with the trace header.
func looksLikeTrace(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(engines.TraceHeader))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == engines.TraceHeader
}

// layout makes sure data file index is there with at least size bytes; it stops when ctx is
// done (a signal).
func layout(ctx context.Context, dir string, index int, size int64, stderr io.Writer) (*workloads.Dataset, error) {
	state, err := workloads.InspectFile(dir, index, size)
	if errors.Is(err, workloads.ErrForeign) {
		return nil, usagef("--dir %s: %v; aiobench never overwrites a file it did not create: move it or pick another --dir", dir, err)
	}
	if err != nil {
		return nil, err
	}
	if state != workloads.LayoutReuse {
		var have int64
		if fi, err := os.Stat(filepath.Join(dir, workloads.FileNameOf(index))); err == nil {
			have = fi.Size()
		}
		// A file system that reports no free space at all (ramfs) cannot be trusted to
		// know: the writes decide there.
		if free, err := sysinfo.FreeBytes(dir); err == nil && free > 0 && free < size-have {
			return nil, usagef("--size %s: needs %s free in %s, %s available", units.FormatSize(size), units.HumanSize(size-have), dir, units.HumanSize(free))
		}
		fmt.Fprintf(stderr, "aiobench: laying out %s of data in %s (later runs reuse it)\n", units.FormatSize(size), dir)
	}
	ds, err := workloads.LayoutFileContext(ctx, dir, index, size)
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("%w (in %s, which needs %s free for it)", err, dir, units.HumanSize(size))
	}
	return ds, err
}

// commandLine quotes args for the CSV's comment line.
func commandLine(args []string) string {
	q := make([]string, 0, len(args)+1)
	q = append(q, "aiobench")
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'\\$") {
			a = strconv.Quote(a)
		}
		q = append(q, a)
	}
	return strings.Join(q, " ")
}
