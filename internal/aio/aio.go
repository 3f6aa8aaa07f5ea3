// Package aio is Linux native AIO (io_setup, io_submit, io_getevents, io_destroy) over raw
// system calls, as much of it as reading files needs: the interface the 2003 retry-based read
// RFC was written for, and what fio's libaio engine drives through libaio.
//
// A Context is not safe for concurrent use.
package aio

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// CmdPread is IOCB_CMD_PREAD.
const CmdPread = 0

// IOCB is struct iocb (64 bytes on 64-bit little-endian machines).
type IOCB struct {
	Data    uint64
	Key     uint32
	RWFlags uint32
	Opcode  uint16
	ReqPrio int16
	Fildes  uint32
	Buf     uint64
	Nbytes  uint64
	Offset  int64
	_       uint64
	Flags   uint32
	ResFd   uint32
}

// PrepRead fills cb for a read of buf at off from fd, tagged with data.
func (cb *IOCB) PrepRead(fd int, buf []byte, off int64, data uint64) {
	*cb = IOCB{Data: data, Opcode: CmdPread, Fildes: uint32(fd), Offset: off,
		Buf: uint64(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))), Nbytes: uint64(len(buf))}
}

// Event is struct io_event.
type Event struct {
	Data, Obj uint64
	Res, Res2 int64
}

// Context is an AIO context (aio_context_t).
type Context struct {
	id uintptr
}

// Setup creates a context for at most n requests in flight.
func Setup(n int) (*Context, error) {
	c := &Context{}
	if _, _, errno := unix.Syscall(unix.SYS_IO_SETUP, uintptr(n), uintptr(unsafe.Pointer(&c.id)), 0); errno != 0 {
		return nil, fmt.Errorf("io_setup(%d): %w", n, errno)
	}
	return c, nil
}

// Submit hands cbs to the kernel in one io_submit and returns how many it took. It stops at
// the first it could not take: that one's error is returned with the count before it.
func (c *Context) Submit(cbs []*IOCB) (int, error) {
	if len(cbs) == 0 {
		return 0, nil
	}
	for {
		n, _, errno := unix.Syscall(unix.SYS_IO_SUBMIT, c.id, uintptr(len(cbs)), uintptr(unsafe.Pointer(&cbs[0])))
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue
		default:
			return 0, errno
		}
	}
}

// GetEvents waits for at least min completions (min 0: does not wait) and fills evs with up to
// len(evs) of them, returning how many.
func (c *Context) GetEvents(min int, evs []Event) (int, error) {
	var ts *unix.Timespec
	if min == 0 {
		ts = &unix.Timespec{} // poll
	}
	return c.getEvents(min, evs, ts)
}

// GetEventsFor is GetEvents waiting at most d nanoseconds for min completions.
func (c *Context) GetEventsFor(min int, evs []Event, d int64) (int, error) {
	ts := unix.NsecToTimespec(max(d, 0))
	return c.getEvents(min, evs, &ts)
}

func (c *Context) getEvents(min int, evs []Event, ts *unix.Timespec) (int, error) {
	for {
		n, _, errno := unix.Syscall6(unix.SYS_IO_GETEVENTS, c.id, uintptr(min), uintptr(len(evs)),
			uintptr(unsafe.Pointer(&evs[0])), uintptr(unsafe.Pointer(ts)), 0)
		switch errno {
		case 0:
			return int(n), nil
		case unix.EINTR:
			continue // a signal (Go's preemption among them): the wait goes on
		default:
			return 0, fmt.Errorf("io_getevents: %w", errno)
		}
	}
}

// Destroy waits for (or cancels) the requests in flight and releases the context.
func (c *Context) Destroy() error {
	if c.id == 0 {
		return nil
	}
	_, _, errno := unix.Syscall(unix.SYS_IO_DESTROY, c.id, 0, 0)
	c.id = 0
	if errno != 0 {
		return fmt.Errorf("io_destroy: %w", errno)
	}
	return nil
}

// Probe sets a context up and destroys it: nil when native AIO works here, otherwise why not.
func Probe() error {
	c, err := Setup(1)
	if err != nil {
		var errno unix.Errno
		if errors.As(err, &errno) {
			return Unavailable(errno, readSysctl("fs/aio-nr"), readSysctl("fs/aio-max-nr"))
		}
		return err
	}
	return c.Destroy()
}

// Unavailable explains why io_setup failed with errno, given fs.aio-nr and fs.aio-max-nr.
func Unavailable(errno unix.Errno, nr, maxNr string) error {
	switch errno {
	case unix.ENOSYS:
		return errors.New("kernel without native AIO (io_setup: ENOSYS; built without CONFIG_AIO)")
	case unix.EAGAIN:
		return fmt.Errorf("io_setup: EAGAIN: the system's AIO limit is reached (fs.aio-nr %s of fs.aio-max-nr %s)", nr, maxNr)
	case unix.EPERM:
		return errors.New("io_setup refused with EPERM (a seccomp filter, as many containers' default profiles)")
	}
	return fmt.Errorf("io_setup: %w", errno)
}

func readSysctl(name string) string {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}
