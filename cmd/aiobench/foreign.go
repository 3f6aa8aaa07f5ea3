package main

import (
	"errors"
	"os"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// --file: an existing file or block device read in place of aiobench's data file. Everything
// about it is checked before any work starts, each refusal one line and exit 2.

// openFile opens --file's target and checks the flags that cannot go with it.
func (o *options) openFile(changed func(string) bool) (*workloads.Dataset, error) {
	switch {
	case changed("verify"):
		return nil, usagef("--verify: --file %s is not aiobench's data, whose every word encodes its offset: its reads cannot be verified (every row says verify=none (foreign data))", o.file)
	case changed("dir"):
		return nil, usagef("--dir: --file names the data to read; the two do not go together")
	}
	ds, err := workloads.OpenForeign(o.file)
	if err != nil {
		var errno unix.Errno
		if errors.As(err, &errno) && (errno == unix.EACCES || errno == unix.EPERM) {
			return nil, usagef("--file %s: no permission to read it (a device needs root or the disk group)", o.file)
		}
		return nil, usagef("--file %s: %v (want an existing regular file or block device)", o.file, unwrapPath(err))
	}
	if changed("size") && o.size > ds.Size {
		return nil, usagef("--size %s: more than --file %s holds (%s)", units.FormatSize(o.size), o.file, units.FormatSize(ds.Size))
	}
	if !changed("size") {
		o.size = ds.Size
	}
	ds.Size = o.size
	return ds, nil
}

// checkForeign refuses what the built spec would do wrong with a foreign target: a mounted
// device read through the page cache it shares with its file system, a suite that needs a
// second data file of aiobench's, O_DIRECT where the target refuses it.
func checkForeign(ds *workloads.Dataset, spec *suites.Spec) error {
	if spec.NeedsBackground || len(spec.Duels) > 0 {
		return usagef("--file: the %s suite reads data files of its own beside the target (a background load, duels in fresh processes); run it without --file", spec.Name)
	}
	if ds.Kind == workloads.KindDevice || ds.Kind == workloads.KindLoop {
		if at, mounted := workloads.MountedDevice(ds.Path); mounted && (spec.UsesCache(harness.CacheWarm) || spec.UsesCache(harness.CacheCold)) {
			return usagef("--file %s: mounted on %s; a mounted device is read only with --cache direct (through the page cache its reads would share the file system's cache, and a cold run would evict the file system's pages)", ds.Path, at)
		}
	}
	if spec.UsesCache(harness.CacheDirect) {
		f, err := os.OpenFile(ds.Path, os.O_RDONLY|unix.O_DIRECT, 0)
		if err != nil {
			return usagef("--cache direct: --file %s refuses O_DIRECT: %v", ds.Path, unwrapPath(err))
		}
		f.Close()
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
