// Package dirlock holds an advisory lock (flock(2)) on a data directory for a process's life,
// so that two runs on one directory do not lay out the same file and measure each other. The
// lock is taken on the directory itself, so nothing is created in it. A process that runs
// others on the same directory (ab's served arms and trials) passes the locked descriptor
// down (Inherit); a child that finds the lock it inherited for its own directory holds it
// already.
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"golang.org/x/sys/unix"
)

// ErrBusy is wrapped when another process holds the directory's lock.
var ErrBusy = errors.New("another aiobench process is using it")

// inheritedEnv names the descriptor a parent passed down with its lock.
const inheritedEnv = "AIOBENCH_DIR_LOCK_FD"

// A Lock is a held lock on a directory.
type Lock struct {
	f         *os.File
	inherited bool // f is the descriptor a parent passed down: its lock, not to be closed
}

// Take locks dir without waiting: ErrBusy when another process holds it. The lock lasts until
// Release or the process's end.
func Take(dir string) (*Lock, error) {
	if fd, ok := inherited(dir); ok {
		return &Lock{f: os.NewFile(uintptr(fd), dir), inherited: true}, nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return &Lock{f: f}, nil
}

// inherited returns the descriptor by which this process's parent gave it the lock of dir.
func inherited(dir string) (int, bool) {
	n, err := strconv.Atoi(os.Getenv(inheritedEnv))
	if err != nil || n < 3 {
		return 0, false
	}
	var have, want unix.Stat_t
	if unix.Fstat(n, &have) != nil || unix.Stat(dir, &want) != nil {
		return 0, false
	}
	return n, have.Dev == want.Dev && have.Ino == want.Ino
}

// Inherit makes cmd, a child that uses the same directory, run under this lock: the locked
// descriptor is passed to it, and its number in the environment.
func (l *Lock) Inherit(cmd *exec.Cmd) {
	if l == nil || l.f == nil {
		return
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, l.f)
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, inheritedEnv+"="+strconv.Itoa(2+len(cmd.ExtraFiles)))
}

// Release lets the lock go (an inherited one stays the parent's).
func (l *Lock) Release() error {
	if l == nil || l.f == nil || l.inherited {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
