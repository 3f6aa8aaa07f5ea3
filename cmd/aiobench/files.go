package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/engines"
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
	return dir, nil
}

// checkOutput refuses an output file in a missing directory, and any existing file that
// aiobench did not write (a results file, or a trace).
func checkOutput(flagName, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return usagef("%s %s: directory %s does not exist", flagName, path, filepath.Dir(path))
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return usagef("%s %s: %v", flagName, path, err)
	case fi.IsDir():
		return usagef("%s %s: is a directory (want a file name)", flagName, path)
	case !results.LooksLikeResults(path) && !looksLikeTrace(path) && !looksLikePairs(path):
		return usagef("%s %s: exists and was not written by aiobench; refusing to overwrite it", flagName, path)
	}
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

// layout makes sure data file index is there with at least size bytes.
func layout(dir string, index int, size int64, stderr io.Writer) (*workloads.Dataset, error) {
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
		if free, err := sysinfo.FreeBytes(dir); err == nil && free < size-have {
			return nil, usagef("--size %s: needs %s free in %s, %s available", units.FormatSize(size), units.FormatSize(size-have), dir, units.FormatSize(free))
		}
		fmt.Fprintf(stderr, "aiobench: laying out %s of data in %s (later runs reuse it)\n", units.FormatSize(size), dir)
	}
	return workloads.LayoutFile(dir, index, size)
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
