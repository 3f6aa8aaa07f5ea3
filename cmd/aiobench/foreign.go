package main

import (
	"errors"
	"os"
	"slices"
	"strings"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// --file: an existing file or block device read in place of aiobench's data file. Everything
// about it is checked before any work starts, each refusal one line and exit 2.

// openFile opens --file's targets (one, or a comma-separated list whose requests are shared
// out as --nrfiles shares them) and checks the flags that cannot go with them.
func (o *options) openFile(changed func(string) bool) (*workloads.Dataset, error) {
	switch {
	case changed("verify"):
		return nil, usagef("--verify: --file %s is not aiobench's data, whose every word encodes its offset: its reads cannot be verified (every row says verify=none (foreign data))", o.file)
	case changed("dir"):
		return nil, usagef("--dir: --file names the data to read; the two do not go together")
	}
	paths := strings.Split(o.file, ",")
	if changed("nrfiles") && o.nrfiles != len(paths) {
		return nil, usagef("--nrfiles %d: --file names %d (with --file the list is the files; leave --nrfiles out)", o.nrfiles, len(paths))
	}
	var ds *workloads.Dataset
	for i, path := range paths {
		if path == "" || slices.Contains(paths[:i], path) {
			return nil, usagef("--file %s: an empty or repeated name in the list (want distinct files or block devices, comma-separated)", o.file)
		}
		d, err := workloads.OpenForeign(path)
		if err != nil {
			var errno unix.Errno
			if errors.As(err, &errno) && (errno == unix.EACCES || errno == unix.EPERM) {
				return nil, usagef("--file %s: no permission to read it (a device needs root or the disk group)", path)
			}
			return nil, usagef("--file %s: %v (want an existing regular file or block device)", path, unwrapPath(err))
		}
		if ds == nil {
			ds = d
			continue
		}
		if !workloads.SameDevice(ds.Path, d.Path) {
			return nil, usagef("--file: %s and %s are on different devices; a run's device counters are one device's, so a list must be on one", ds.Path, d.Path)
		}
		ds.More = append(ds.More, d)
	}
	smallest := ds.Size // every file is read over the smallest one's size
	for _, m := range ds.More {
		smallest = min(smallest, m.Size)
	}
	if changed("size") && o.size > smallest {
		return nil, usagef("--size %s: more than --file %s holds (%s)", units.FormatSize(o.size), o.file, units.FormatSize(smallest))
	}
	if !changed("size") {
		o.size = smallest / 512 * 512 // whole sectors: what --size takes (a request reads whole blocks)
		if o.size == 0 {
			return nil, usagef("--file %s: smaller than 512 bytes (want at least one block of --bs)", o.file)
		}
	}
	o.nrfiles = len(paths)
	for _, d := range ds.Files() {
		d.Size = o.size
	}
	return ds, nil
}

// checkForeign refuses what the built spec would do wrong with a foreign target: a mounted
// device read through the page cache it shares with its file system, a suite that needs a
// second data file of aiobench's, O_DIRECT where the target refuses it.
func checkForeign(ds *workloads.Dataset, spec *suites.Spec) error {
	if spec.NeedsBackground || len(spec.Duels) > 0 {
		return usagef("--file: the %s suite reads data files of its own beside the target (a background load, duels in fresh processes); run it without --file", spec.Name)
	}
	for _, d := range ds.Files() {
		if d.Kind == workloads.KindDevice || d.Kind == workloads.KindLoop {
			if at, mounted := workloads.MountedDevice(d.Path); mounted && (spec.UsesCache(harness.CacheWarm) || spec.UsesCache(harness.CacheCold)) {
				return usagef("--file %s: mounted on %s; a mounted device is read only with --cache direct (through the page cache its reads would share the file system's cache, and a cold run would evict the file system's pages)", d.Path, at)
			}
		}
		if spec.UsesCache(harness.CacheDirect) {
			f, err := os.OpenFile(d.Path, os.O_RDONLY|unix.O_DIRECT, 0)
			if err != nil {
				return usagef("--cache direct: --file %s refuses O_DIRECT: %v", d.Path, unwrapPath(err))
			}
			f.Close()
		}
	}
	for _, a := range spec.Arms {
		if int64(a.Config.BlockSize) > ds.Size {
			return usagef("--bs %s: larger than --file %s (%s)", units.FormatSize(int64(a.Config.BlockSize)), ds.Path, units.FormatSize(ds.Size))
		}
	}
	return nil
}

// unwrapPath drops a *PathError's repetition of the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
