// Package testfs mounts real file systems for the tests that show where read paths differ by
// file system (the file-system matrix): ext4, xfs and btrfs each on a loop device over an image
// file, and tmpfs. It needs root and the file systems' mkfs tools (e2fsprogs, xfsprogs,
// btrfs-progs, which .ci/run installs); Mount says why it cannot. Every command it runs is
// bounded in time, and what it made is undone by the returned cleanup, which the caller runs
// whether its test passed or failed.
package testfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Kinds are the file systems Mount makes.
var Kinds = []string{"ext4", "xfs", "btrfs", "tmpfs"}

// minImage is each file system's smallest image here (xfs needs 300 MiB since xfsprogs 5.19).
var minImage = map[string]int64{"ext4": 64 << 20, "xfs": 320 << 20, "btrfs": 128 << 20}

// ErrUnavailable wraps why a file system cannot be mounted here (not root, a tool missing).
var ErrUnavailable = errors.New("unavailable")

// Mount makes a file system of kind with room for at least size bytes, mounted in a new
// directory under parent. cleanup unmounts it and removes the loop device and image; it is
// safe to call when Mount failed.
func Mount(kind, parent string, size int64) (dir string, cleanup func(), err error) {
	var undo []func()
	cleanup = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	if os.Geteuid() != 0 {
		return "", cleanup, fmt.Errorf("mounting %s needs root: %w", kind, ErrUnavailable)
	}
	dir, err = os.MkdirTemp(parent, "fs-"+kind+"-")
	if err != nil {
		return "", cleanup, err
	}
	undo = append(undo, func() { _ = os.Remove(dir) })
	if kind == "tmpfs" {
		if err := unix.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size+size/2+(16<<20))); err != nil {
			return "", cleanup, fmt.Errorf("mount tmpfs: %w", err)
		}
		undo = append(undo, func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
		return dir, cleanup, nil
	}
	mkfs := "mkfs." + kind
	if _, err := Tool(mkfs); err != nil {
		return "", cleanup, err
	}
	img := dir + ".img"
	f, err := os.Create(img)
	if err != nil {
		return "", cleanup, err
	}
	undo = append(undo, func() { _ = os.Remove(img) })
	if err := f.Truncate(max(minImage[kind], size*2+(64<<20))); err != nil {
		f.Close()
		return "", cleanup, err
	}
	f.Close()
	out, err := Run("losetup", "-f", "--show", img)
	if err != nil {
		return "", cleanup, err
	}
	dev := strings.TrimSpace(out)
	undo = append(undo, func() { _, _ = Run("losetup", "-d", dev) })
	args := []string{"-q", dev}
	if kind != "ext4" {
		args = []string{"-f", "-q", dev}
	}
	if kind == "btrfs" {
		args = []string{"-f", dev} // mkfs.btrfs has no -q before 5.x; its output is dropped
	}
	if _, err := Run(mkfs, args...); err != nil {
		return "", cleanup, err
	}
	if err := unix.Mount(dev, dir, kind, 0, ""); err != nil {
		return "", cleanup, fmt.Errorf("mount %s on %s: %w", kind, dev, err)
	}
	undo = append(undo, func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	return dir, cleanup, nil
}

// Tool finds a command on PATH or in the directories root's PATH usually has (/usr/sbin,
// /sbin, /usr/bin, /bin); its error wraps ErrUnavailable and names the packages the tools
// come from. The fault disk (internal/faultdisk) finds its tools with it too.
func Tool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
		if p := filepath.Join(d, name); isExec(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found (its package: e2fsprogs, xfsprogs, btrfs-progs, util-linux, mount): %w", name, ErrUnavailable)
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// Run runs a tool found by Tool, bounded to a minute so that a stuck mount never hangs a
// test, and returns its output; its error carries the output.
func Run(name string, args ...string) (string, error) {
	p, err := Tool(name)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, p, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
