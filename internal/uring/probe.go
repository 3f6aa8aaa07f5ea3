package uring

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Availability: whether io_uring works here, and when it does not, a reason a reader can act
// on (kernel too old, disabled by sysctl, refused by a seccomp filter).

// Probe sets up a small ring and checks IORING_OP_READ; nil when io_uring can read files here,
// otherwise an error saying why not.
func Probe() error {
	runtime.LockOSThread() // SINGLE_ISSUER: the ring is used from the thread that made it
	defer runtime.UnlockOSThread()
	r, err := New(Options{Entries: 2})
	if err != nil {
		var errno unix.Errno
		if !errors.As(err, &errno) {
			return err
		}
		return Unavailable(errno, sysctl("kernel/io_uring_disabled"), seccompMode())
	}
	defer r.Close()
	ok, err := r.Supports(OpRead)
	if err != nil {
		return fmt.Errorf("kernel too old: io_uring without IORING_REGISTER_PROBE (Linux 5.6+ needed for IORING_OP_READ): %v", err)
	}
	if !ok {
		return errors.New("kernel too old: io_uring without IORING_OP_READ (Linux 5.6+; async buffered reads need 5.9+)")
	}
	return nil
}

// Unavailable explains why io_uring_setup failed with errno, given the value of the sysctl
// kernel.io_uring_disabled ("" when it does not exist) and the process's seccomp mode (the
// Seccomp field of /proc/self/status, "" when unknown).
func Unavailable(errno unix.Errno, disabled, seccomp string) error {
	switch {
	case errno == unix.ENOSYS:
		return errors.New("kernel without io_uring (io_uring_setup: ENOSYS; Linux 5.1+ built with CONFIG_IO_URING)")
	case errno == unix.EPERM && disabled == "2":
		return errors.New("io_uring disabled by sysctl kernel.io_uring_disabled=2 (set it to 0 to allow it)")
	case errno == unix.EPERM && disabled == "1":
		return errors.New("io_uring restricted by sysctl kernel.io_uring_disabled=1 and this process is not in kernel.io_uring_group (or root)")
	case errno == unix.EPERM && seccomp == "2":
		return errors.New("io_uring_setup refused with EPERM by a seccomp filter (as many containers' default profiles do)")
	case errno == unix.EPERM:
		return errors.New("io_uring_setup refused with EPERM (a seccomp filter or a security module)")
	case errno == unix.ENOMEM:
		return errors.New("io_uring_setup: ENOMEM (locked-memory limit too low: raise ulimit -l)")
	}
	return fmt.Errorf("io_uring_setup: %w", errno)
}

// sysctl returns the trimmed value of /proc/sys/<name>, "" when it cannot be read.
func sysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// seccompMode returns the Seccomp field of /proc/self/status: "0" none, "1" strict, "2" filter.
func seccompMode() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Seccomp:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
