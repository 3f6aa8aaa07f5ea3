// Package diskstats reads the kernel's own I/O counters of the block device under a directory,
// as iostat and fio's "Disk stats" do, so that every results row can prove what reached the
// device: a cold 4 KiB random run must show about one device read per request, a warm one none.
// The harness resolves the device once per run and reads its counters around the measured
// phase.
package diskstats

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// A Device is the block device whose counters describe a file system's reads.
type Device struct {
	Name string // the kernel's name of the device whose counters are read (vda, loop0, dm-1)
	// What says what it is where that matters for reading its counters: a partition's disk,
	// a loop device's backing file, a device-mapper device's name and the devices under it.
	What string
	stat string // its /sys/.../stat file
}

// Stat is a snapshot of a device's counters (Documentation/admin-guide/iostats.rst).
type Stat struct {
	Reads       int64         // read I/Os completed
	ReadSectors int64         // 512-byte sectors read
	IOTicks     time.Duration // time the device had I/O in flight
	QueueTime   time.Duration // time in queue summed over I/Os (weighted ticks)
	At          time.Time     // when the snapshot was taken
}

// ErrNoDevice is wrapped when a directory's file system has no block device under it.
var ErrNoDevice = errors.New("no block device")

// sysfs is where the block devices are found; tests may point it elsewhere.
var sysfs = "/sys"

// Resolve finds the block device holding dir (or a file), or the block device dir is. A partition resolves to its disk (the device the
// I/O scheduler and the disk's own counters see); loop and device-mapper devices resolve to
// themselves, with What saying what is under them. A file system with no block device (tmpfs,
// overlay, NFS, FUSE) gives an error wrapping ErrNoDevice.
func Resolve(dir string) (*Device, error) {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return nil, fmt.Errorf("stat %s: %w", dir, err)
	}
	dev := st.Dev
	if st.Mode&unix.S_IFMT == unix.S_IFBLK { // a block device itself (--file /dev/...)
		dev = st.Rdev
	}
	maj, min := unix.Major(dev), unix.Minor(dev)
	if maj == 0 {
		return nil, fmt.Errorf("%s is on an anonymous device %d:%d (tmpfs, overlay, a network or FUSE file system, a btrfs subvolume): %w", dir, maj, min, ErrNoDevice)
	}
	link := filepath.Join(sysfs, "dev", "block", fmt.Sprintf("%d:%d", maj, min))
	path, err := filepath.EvalSymlinks(link)
	if err != nil {
		return nil, fmt.Errorf("device %d:%d of %s: %w (%v)", maj, min, dir, ErrNoDevice, err)
	}
	d := &Device{Name: filepath.Base(path)}
	if _, err := os.Stat(filepath.Join(path, "partition")); err == nil {
		part := d.Name
		path = filepath.Dir(path)
		d.Name = filepath.Base(path)
		d.What = fmt.Sprintf("partition %s of disk %s: the disk's counters", part, d.Name)
	}
	switch {
	case strings.HasPrefix(d.Name, "loop"):
		backing := readLine(filepath.Join(path, "loop", "backing_file"))
		d.What = fmt.Sprintf("loop device %s backed by %s: the loop device's counters (a read may reach the backing file's page cache, not a disk)", d.Name, backing)
	case strings.HasPrefix(d.Name, "dm-"):
		slaves, _ := os.ReadDir(filepath.Join(path, "slaves"))
		var under []string
		for _, s := range slaves {
			under = append(under, s.Name())
		}
		d.What = fmt.Sprintf("device-mapper device %s (%s) over %s: the mapped device's counters", d.Name, readLine(filepath.Join(path, "dm", "name")), strings.Join(under, ", "))
	}
	d.stat = filepath.Join(path, "stat")
	if _, err := d.Read(); err != nil {
		return nil, err
	}
	return d, nil
}

func readLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// Read takes a snapshot of the device's counters.
func (d *Device) Read() (Stat, error) {
	b, err := os.ReadFile(d.stat)
	if err != nil {
		return Stat{}, fmt.Errorf("read counters of %s: %w", d.Name, err)
	}
	return parse(string(b), time.Now())
}

// parse reads the fields of a /sys/block/<dev>/stat line: read I/Os, read merges, read
// sectors, read ticks, write I/Os, write merges, write sectors, write ticks, in flight,
// io_ticks, time_in_queue (ticks in milliseconds), then discard and flush fields.
func parse(line string, at time.Time) (Stat, error) {
	f := strings.Fields(line)
	if len(f) < 11 {
		return Stat{}, fmt.Errorf("device counters: %d fields, want at least 11", len(f))
	}
	var v [11]int64
	for i := range v {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return Stat{}, fmt.Errorf("device counters: field %d: %w", i+1, err)
		}
		v[i] = n
	}
	return Stat{Reads: v[0], ReadSectors: v[2], IOTicks: time.Duration(v[9]) * time.Millisecond,
		QueueTime: time.Duration(v[10]) * time.Millisecond, At: at}, nil
}

// Sub returns the counters from o to s.
func (s Stat) Sub(o Stat) Stat {
	return Stat{Reads: s.Reads - o.Reads, ReadSectors: s.ReadSectors - o.ReadSectors,
		IOTicks: s.IOTicks - o.IOTicks, QueueTime: s.QueueTime - o.QueueTime, At: s.At}
}

// Queue returns the device's I/O scheduler (the active one of queue/scheduler, "none" for
// none) and its read_ahead_kb; empty and -1 where they cannot be read.
func (d *Device) Queue() (scheduler string, readAheadKB int64) {
	q := filepath.Join(filepath.Dir(d.stat), "queue")
	readAheadKB = -1
	if s := readLine(filepath.Join(q, "scheduler")); s != "" {
		scheduler = s
		if i, j := strings.Index(s, "["), strings.Index(s, "]"); i >= 0 && j > i {
			scheduler = s[i+1 : j]
		}
	}
	if v, err := strconv.ParseInt(readLine(filepath.Join(q, "read_ahead_kb")), 10, 64); err == nil {
		readAheadKB = v
	}
	return scheduler, readAheadKB
}
