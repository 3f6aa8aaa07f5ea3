package workloads

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Targets that are not aiobench's (--file): an existing file or a block device, opened only
// O_RDONLY and never written. Its content is not aiobench's layout, so its reads cannot be
// verified (Dataset.Foreign); its size is the file's, or the device's (BLKGETSIZE64).

// Target kinds (Dataset.Kind).
const (
	KindData   = "data"   // aiobench's own data file (Layout)
	KindFile   = "file"   // an existing regular file
	KindDevice = "device" // a block device
	KindLoop   = "loop"   // a loop device
)

// OpenForeign describes the file or block device at path for reading. Its error says what is
// wrong and what is accepted: a path that is neither a regular file nor a block device, one
// that cannot be read.
func OpenForeign(path string) (*Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	mode := fi.Mode()
	isDev := mode&os.ModeDevice != 0 && mode&os.ModeCharDevice == 0
	if !mode.IsRegular() && !isDev {
		return nil, fmt.Errorf("%s is a %s, not a regular file or a block device", path, kind(mode))
	}
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s for reading: %w", path, err)
	}
	defer f.Close()
	ds := &Dataset{Path: path, Size: fi.Size(), Foreign: true, Kind: KindFile}
	if isDev {
		n, err := unix.IoctlGetUint64(int(f.Fd()), unix.BLKGETSIZE64)
		if err != nil {
			return nil, fmt.Errorf("size of block device %s (BLKGETSIZE64): %w", path, err)
		}
		ds.Size, ds.Kind = int64(n), KindDevice
		if strings.HasPrefix(filepath.Base(path), "loop") {
			ds.Kind = KindLoop
		}
	}
	if ds.Size <= 0 {
		return nil, fmt.Errorf("%s is empty", path)
	}
	return ds, nil
}

// SameDevice says whether the targets at a and b are on one device: the same block device
// (a device's own number, a file's file system's), so that one device's counters are theirs.
func SameDevice(a, b string) bool {
	dev := func(p string) (uint64, bool) {
		var st unix.Stat_t
		if unix.Stat(p, &st) != nil {
			return 0, false
		}
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			return st.Rdev, true
		}
		return st.Dev, true
	}
	da, oka := dev(a)
	db, okb := dev(b)
	return oka && okb && da == db
}

// MountedDevice says whether the block device at path, or a partition of it, is mounted, and
// where: reading such a device through the page cache would share a cache with the file system
// on it.
func MountedDevice(path string) (string, bool) {
	var st unix.Stat_t
	if unix.Stat(path, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", false
	}
	devs := map[string]bool{fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev)): true}
	// Its partitions: /sys/dev/block/M:m/<name><n>/dev.
	sys := fmt.Sprintf("/sys/dev/block/%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
	if ents, err := os.ReadDir(sys); err == nil {
		for _, e := range ents {
			if b, err := os.ReadFile(filepath.Join(sys, e.Name(), "dev")); err == nil {
				if _, err := os.Stat(filepath.Join(sys, e.Name(), "partition")); err == nil {
					devs[strings.TrimSpace(string(b))] = true
				}
			}
		}
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && devs[fields[2]] {
			return fields[4], true
		}
	}
	return "", false
}
