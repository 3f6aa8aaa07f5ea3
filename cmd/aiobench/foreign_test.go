package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/results"
	"golang.org/x/sys/unix"
)

// --file reads a file that is not aiobench's and never writes it: its content and times are
// the same after runs of every cache mode, each row says its reads were not verified, and
// nothing is laid out anywhere.
func TestFileIsReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "theirs.bin")
	data := bytes.Repeat([]byte("someone else's data\n"), 1<<16) // 1.25 MiB
	if err := os.WriteFile(path, data, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	out := filepath.Join(t.TempDir(), "r.csv")
	for _, cache := range []string{"warm", "cold", "direct"} {
		_, stderr, code := call("--file", path, "--engine", "sync,uring", "--cache", cache, "--bs", "4k", "--runtime", "100ms", "--output", out, "-q")
		if code != 0 {
			t.Fatalf("--cache %s: exit %d: %s", cache, code, stderr)
		}
		rows, err := results.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows.Rows {
			if r.Verify != "none (foreign data)" || r.Size != 1<<20+1<<18 || r.Ops == 0 {
				t.Errorf("--cache %s: %s row verify %q size %d ops %d", cache, r.Engine, r.Verify, r.Size, r.Ops)
			}
		}
	}
	after, _ := os.Stat(path)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the file was changed")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("%d files beside the target: %v", len(ents), ents)
	}
}

// What cannot go with --file is refused before anything starts: one line, exit 2.
func TestFileRefusals(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.bin")
	big := filepath.Join(dir, "big.bin")
	for p, n := range map[string]int{small: 8192, big: 4 << 20} {
		if err := os.WriteFile(p, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	elsewhere := "/proc/self/status" // a file on another device than the temporary directory: tmpfs's or proc's
	if f, err := os.CreateTemp("/dev/shm", "aiobench-test-*"); err == nil {
		f.Write(make([]byte, 8192))
		f.Close()
		elsewhere = f.Name()
		t.Cleanup(func() { os.Remove(f.Name()) })
	}
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"a directory", "not a regular file or a block device", []string{"--file", dir}},
		{"missing", "no such file", []string{"--file", filepath.Join(dir, "nope")}},
		{"a character device", "character device", []string{"--file", "/dev/null"}},
		{"verify asked for", "cannot be verified", []string{"--file", small, "--verify", "full"}},
		{"with --dir", "do not go together", []string{"--file", small, "--dir", dir}},
		{"size beyond it", "more than --file", []string{"--file", small, "--size", "1M"}},
		{"bs beyond it", "larger than", []string{"--file", small, "--bs", "16k"}},
		{"a suite with files of its own", "reads data files of its own", []string{"--file", big, "--suite", "syncfirst"}},
		{"a list and another count", "names 2", []string{"--file", big + "," + small, "--nrfiles", "3"}},
		{"a name twice", "repeated", []string{"--file", big + "," + big}},
		{"an empty name", "empty", []string{"--file", big + ","}},
		{"a list on two devices", "different devices", []string{"--file", big + "," + elsewhere}},
		{"a service for one file", "only with several files", []string{"--file", big, "--file-service", "roundrobin"}},
		{"an unknown service", "random, roundrobin", []string{"--file", big + "," + small, "--file-service", "sequential"}},
	} {
		stdout, stderr, code := call(append(tc.args, "--runtime", "100ms")...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line saying %q", tc.name, code, stderr, tc.want)
		}
	}
}

// A list of files is read as --nrfiles reads its own, over the smallest one's size: the rows
// say how many and how the requests went to them, and no file is changed.
func TestFileList(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	var want [][]byte
	for i, n := range []int{3 << 20, 2 << 20} {
		p := filepath.Join(dir, fmt.Sprintf("theirs-%d.bin", i))
		data := bytes.Repeat([]byte{byte(i + 1)}, n)
		if err := os.WriteFile(p, data, 0o444); err != nil {
			t.Fatal(err)
		}
		paths, want = append(paths, p), append(want, data)
	}
	out := filepath.Join(t.TempDir(), "r.csv")
	for _, service := range []string{"random", "roundrobin"} {
		_, stderr, code := call("--file", strings.Join(paths, ","), "--file-service", service, "--cache", "cold", "--engine", "sync,uring", "--runtime", "100ms", "--output", out, "-q")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", service, code, stderr)
		}
		f, err := results.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range f.Rows {
			if r.NrFiles != 2 || r.FileService != service || r.Size != 2<<20 || r.Ops == 0 || r.Target != "file" {
				t.Errorf("%s: %s row nrfiles %d file_service %q size %d ops %d target %q", service, r.Engine, r.NrFiles, r.FileService, r.Size, r.Ops, r.Target)
			}
		}
	}
	for i, p := range paths {
		if got, _ := os.ReadFile(p); !bytes.Equal(got, want[i]) {
			t.Errorf("%s was changed", p)
		}
	}
}

// A block device: a loop device over a file of random data, read cold and direct (its size from
// BLKGETSIZE64, its counters its own, its content unchanged); once a file system on it is
// mounted, it is refused through the page cache and read with --cache direct. The mount and the
// loop device are removed whether the test passes or fails.
func TestFileBlockDevice(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("loop devices need root")
	}
	losetup, err1 := exec.LookPath("losetup")
	mkfs, err2 := exec.LookPath("mkfs.ext4")
	if err1 != nil || err2 != nil {
		t.Skipf("losetup or mkfs.ext4 missing: %v %v", err1, err2)
	}
	img := filepath.Join(t.TempDir(), "img")
	if err := os.WriteFile(img, bytes.Repeat([]byte{0xa5}, 32<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(losetup, "-f", "--show", img).Output()
	if err != nil {
		t.Skipf("losetup: %v", err)
	}
	dev := strings.TrimSpace(string(b))
	t.Cleanup(func() { _ = exec.Command(losetup, "-d", dev).Run() })
	out := filepath.Join(t.TempDir(), "r.csv")
	for _, cache := range []string{"cold", "direct"} {
		if _, stderr, code := call("--file", dev, "--cache", cache, "--runtime", "100ms", "--output", out, "-q"); code != 0 {
			t.Fatalf("--cache %s: exit %d: %s", cache, code, stderr)
		}
		f, err := results.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if r := f.Rows[0]; r.Size != 32<<20 || r.DevName != filepath.Base(dev) || r.Ops == 0 {
			t.Errorf("--cache %s: size %d dev %q ops %d", cache, r.Size, r.DevName, r.Ops)
		}
	}
	if got, _ := os.ReadFile(img); !bytes.Equal(got, bytes.Repeat([]byte{0xa5}, 32<<20)) {
		t.Fatal("the device's content changed")
	}
	if err := exec.Command(mkfs, "-q", "-F", dev).Run(); err != nil {
		t.Fatalf("mkfs: %v", err)
	}
	mnt := t.TempDir()
	if err := unix.Mount(dev, mnt, "ext4", unix.MS_RDONLY, ""); err != nil {
		t.Skipf("mount: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(mnt, 0) })
	if _, stderr, code := call("--file", dev, "--cache", "cold", "--runtime", "100ms", "-q"); code != 2 || !strings.Contains(stderr, "mounted on") {
		t.Errorf("a mounted device read cold: exit %d, %q", code, stderr)
	}
	if _, stderr, code := call("--file", dev, "--cache", "direct", "--runtime", "100ms", "--output", out, "-q"); code != 0 {
		t.Errorf("a mounted device read direct: exit %d, %s", code, stderr)
	}
}
