// Package sysinfo reads the machine fingerprint that every results row carries (kernel, file
// system and device of the data directory, CPU, Go and aiobench versions), so that results from
// different machines are never compared silently.
package sysinfo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Fingerprint is where a run happened; two results files from different machines are not
// compared without a warning. The results package keeps it in every row.
type Fingerprint struct {
	Kernel    string
	FSType    string
	Device    string
	CPUModel  string
	NCPU      int
	GoVersion string
	Version   string // aiobench's version
}

// Machine returns the fingerprint of this machine with dir as the data directory. Parts that
// cannot be read are "unknown"; a fingerprint is descriptive, never a reason to fail. It is
// read once per directory and process (every run's row carries it).
func Machine(dir string) Fingerprint {
	if m, ok := machines.Load(dir); ok {
		return m.(Fingerprint)
	}
	m := machine(dir)
	machines.Store(dir, m)
	return m
}

var machines sync.Map // dir → Fingerprint

func machine(dir string) Fingerprint {
	m := Fingerprint{
		Kernel:    "unknown",
		FSType:    "unknown",
		Device:    "unknown",
		CPUModel:  cpuModel(),
		NCPU:      runtime.NumCPU(),
		GoVersion: runtime.Version(),
		Version:   Version(),
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	if t, err := FSType(dir); err == nil {
		m.FSType = t
	}
	if d, err := Device(dir); err == nil {
		m.Device = d
	}
	return m
}

// String formats a fingerprint for a comment line.
func String(m Fingerprint) string {
	return fmt.Sprintf("kernel=%s fs=%s device=%s cpu=%q ncpu=%d go=%s aiobench=%s",
		m.Kernel, m.FSType, m.Device, m.CPUModel, m.NCPU, m.GoVersion, m.Version)
}

// Parse reads a fingerprint back from String's form; ok is false when a part is missing or
// malformed (the parts it read are kept).
func Parse(s string) (m Fingerprint, ok bool) {
	fields := map[string]string{}
	for rest := strings.TrimSpace(s); rest != ""; rest = strings.TrimSpace(rest) {
		k, v, found := strings.Cut(rest, "=")
		if !found {
			return m, false
		}
		if strings.HasPrefix(v, `"`) {
			q, err := strconv.QuotedPrefix(v)
			if err != nil {
				return m, false
			}
			v, rest = q, v[len(q):]
			v, _ = strconv.Unquote(v)
		} else {
			v, rest, _ = strings.Cut(v, " ")
		}
		fields[k] = v
	}
	n, err := strconv.Atoi(fields["ncpu"])
	m = Fingerprint{Kernel: fields["kernel"], FSType: fields["fs"], Device: fields["device"], CPUModel: fields["cpu"], NCPU: n,
		GoVersion: fields["go"], Version: fields["aiobench"]}
	return m, err == nil && len(fields) == 7
}

var fsNames = map[int64]string{
	0xef53:     "ext4",
	0x58465342: "xfs",
	0x9123683e: "btrfs",
	0x01021994: "tmpfs",
	0x794c7630: "overlay",
	0x65735546: "fuse",
	0x6969:     "nfs",
	0xf2f52010: "f2fs",
	0x2fc12fc1: "zfs",
	0x858458f6: "ramfs",
	0x4d44:     "vfat",
	0x5346544e: "ntfs",
	0x9fa0:     "proc",
	0x62656572: "sysfs",
}

// FSType names the file system holding path (its statfs magic, in hex, when unnamed).
func FSType(path string) (string, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return "", fmt.Errorf("statfs %s: %w", path, err)
	}
	if n, ok := fsNames[int64(st.Type)]; ok {
		return n, nil
	}
	return fmt.Sprintf("0x%x", st.Type), nil
}

// InMemory reports whether fs is a file system without a disk under it, whose reads measure
// memory, not storage.
func InMemory(fs string) bool {
	return fs == "tmpfs" || fs == "ramfs" || fs == "overlay"
}

// FreeBytes returns the bytes available to an unprivileged writer on path's file system.
func FreeBytes(path string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", path, err)
	}
	return int64(st.Bavail) * st.Bsize, nil
}

// Device returns the mount source of the file system holding path, from /proc/self/mountinfo.
func Device(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", fmt.Errorf("stat %s: %w", path, err)
	}
	want := fmt.Sprintf("%d:%d", unix.Major(st.Dev), unix.Minor(st.Dev))
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[2] != want {
			continue
		}
		for i, fl := range fields {
			if fl == "-" && i+2 < len(fields) {
				return fields[i+2], nil
			}
		}
	}
	return "", fmt.Errorf("device %s of %s not in mountinfo", want, path)
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// Version is aiobench's version: the module version when built from a tagged module, else the
// VCS revision (with "+dirty" for uncommitted changes), else "devel".
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	return rev[:min(12, len(rev))] + dirty
}

// ReadOptions returns the mount options of the file system holding path that change how it is
// read (ro, noatime, relatime, nodiratime, dax and dax=…), comma-separated: the mount's own
// options and the file system's, from /proc/self/mountinfo (the longest mount point that holds
// path).
func ReadOptions(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	best, opts := "", ""
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		sep := slices.Index(f, "-")
		if len(f) < 6 || sep < 0 || len(f) < sep+4 {
			continue
		}
		mp := f[4]
		if (abs == mp || strings.HasPrefix(abs, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= len(best) {
			best, opts = mp, f[5]+","+f[sep+3]
		}
	}
	var keep []string
	for _, o := range strings.Split(opts, ",") {
		switch {
		case o == "ro" || o == "noatime" || o == "relatime" || o == "nodiratime" || o == "dax" || strings.HasPrefix(o, "dax="):
			if !slices.Contains(keep, o) {
				keep = append(keep, o)
			}
		}
	}
	return strings.Join(keep, ",")
}
