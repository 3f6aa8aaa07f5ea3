// Package uring is the minimal io_uring layer aiobench's engines need, over raw system calls
// (golang.org/x/sys/unix): setting a ring up, mapping its submission and completion queues,
// queueing reads, submitting them in one io_uring_enter, reaping completions without a system
// call when they are already posted, and registering files and buffers. No Go io_uring module
// is served to this project; this one knows only what reading files needs.
//
// A Ring is not safe for concurrent use. With SINGLE_ISSUER (the default setup, as fio's) every
// call that enters the kernel must come from the OS thread that created the ring: callers lock
// their goroutine to its thread (runtime.LockOSThread) before New.
//
// Memory ordering follows liburing's barriers: the kernel's head and tail words are read with
// an acquire load and written with a release store. Go's sync/atomic operations are
// sequentially consistent, which is at least that.
package uring

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Setup flags (io_uring_setup(2)).
const (
	SetupSQPoll        = 1 << 1
	SetupCQSize        = 1 << 3
	SetupClamp         = 1 << 4
	SetupCoopTaskrun   = 1 << 8
	SetupSingleIssuer  = 1 << 12
	SetupDeferTaskrun  = 1 << 13
	featSingleMmap     = 1 << 0
	enterGetEvents     = 1 << 0
	enterSQWakeup      = 1 << 1
	enterSQWait        = 1 << 2
	enterExtArg        = 1 << 3
	featExtArg         = 1 << 8
	sqNeedWakeup       = 1 << 0
	offSQRing          = 0
	offCQRing          = 0x8000000
	offSQEs            = 0x10000000
	sqeSize            = 64
	cqeSize            = 16
	defaultSQPollIdle  = 1000 // ms
	maxEnterIterations = 1 << 20
)

// Opcodes and SQE flags used by aiobench.
const (
	OpNop       = 0
	OpReadFixed = 4
	OpRead      = 22

	SQEFixedFile = 1 << 0
	SQEAsync     = 1 << 4
)

// SQE is a submission queue entry (struct io_uring_sqe, 64 bytes).
type SQE struct {
	Opcode      uint8
	Flags       uint8
	IOPrio      uint16
	Fd          int32
	Off         uint64
	Addr        uint64
	Len         uint32
	RWFlags     uint32
	UserData    uint64
	BufIndex    uint16
	Personality uint16
	SpliceFdIn  int32
	Addr3       uint64
	_           uint64
}

// CQE is a completion queue entry (struct io_uring_cqe, 16 bytes).
type CQE struct {
	UserData uint64
	Res      int32
	Flags    uint32
}

type sqOffsets struct {
	Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1 uint32
	UserAddr                                                        uint64
}

type cqOffsets struct {
	Head, Tail, RingMask, RingEntries, Overflow, CQEs, Flags, Resv1 uint32
	UserAddr                                                        uint64
}

type params struct {
	SQEntries, CQEntries, Flags, SQThreadCPU, SQThreadIdle, Features, WQFd uint32
	Resv                                                                   [3]uint32
	SQOff                                                                  sqOffsets
	CQOff                                                                  cqOffsets
}

// Options say how a ring is set up.
type Options struct {
	// Entries is the size of the submission queue (rounded up to a power of two by the
	// kernel); the completion queue has as many entries.
	Entries uint32
	// SQPoll asks for a kernel thread that polls the submission queue; SQPollIdle is how long
	// it polls an empty queue before it sleeps (0: a second).
	SQPoll       bool
	SQPollIdleMS uint32
}

// Ring is one io_uring instance with its queues mapped.
type Ring struct {
	fd       int
	flags    uint32 // setup flags in effect
	features uint32

	sqHead, sqTail, sqFlags *uint32
	sqMask, sqEntries       uint32
	sqArray                 []uint32
	sqes                    []SQE
	sqeTail                 uint32 // entries handed out by SQE, not yet published to the kernel

	cqHead, cqTail *uint32
	cqMask         uint32
	cqes           []CQE

	maps [][]byte

	// waitTS and waitArg are WaitFor's timeout and io_uring_getevents_arg: on the heap with the
	// ring, because the kernel is given waitTS's address as a number (a stack may move).
	waitTS  unix.Timespec
	waitArg struct {
		sigmask        uint64
		sigmaskSz, pad uint32
		ts             uint64
	}
}

// New sets up a ring. It asks for what fio asks for (COOP_TASKRUN, SINGLE_ISSUER and
// DEFER_TASKRUN: no interrupt to run completions, which run when the ring's thread enters the
// kernel to reap) and drops, one at a time, the flags an older kernel refuses with EINVAL.
func New(o Options) (*Ring, error) {
	if o.Entries == 0 {
		return nil, errors.New("uring: a ring needs at least one entry")
	}
	var p params
	p.Flags = SetupCQSize | SetupClamp
	p.CQEntries = o.Entries
	if o.SQPoll {
		p.Flags |= SetupSQPoll
		p.SQThreadIdle = o.SQPollIdleMS
		if p.SQThreadIdle == 0 {
			p.SQThreadIdle = defaultSQPollIdle
		}
	} else {
		p.Flags |= SetupCoopTaskrun | SetupSingleIssuer | SetupDeferTaskrun
	}
	var fd int
	for {
		q := p
		r, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(o.Entries), uintptr(unsafe.Pointer(&q)), 0)
		if errno == 0 {
			fd, p = int(r), q
			break
		}
		if errno != unix.EINVAL {
			return nil, fmt.Errorf("io_uring_setup: %w", errno)
		}
		switch {
		case p.Flags&SetupDeferTaskrun != 0:
			p.Flags &^= SetupDeferTaskrun | SetupSingleIssuer
		case p.Flags&SetupCoopTaskrun != 0:
			p.Flags &^= SetupCoopTaskrun
		case p.Flags&(SetupCQSize|SetupClamp) != 0:
			p.Flags &^= SetupCQSize | SetupClamp
		default:
			return nil, fmt.Errorf("io_uring_setup: %w", errno)
		}
	}
	r := &Ring{fd: fd, flags: p.Flags, features: p.Features}
	if err := r.mmap(&p); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Ring) mmap(p *params) error {
	sqLen := int(p.SQOff.Array + p.SQEntries*4)
	cqLen := int(p.CQOff.CQEs + p.CQEntries*cqeSize)
	single := p.Features&featSingleMmap != 0
	if single {
		sqLen = max(sqLen, cqLen)
	}
	sq, err := unix.Mmap(r.fd, offSQRing, sqLen, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return fmt.Errorf("uring: mmap SQ ring: %w", err)
	}
	r.maps = append(r.maps, sq)
	cq := sq
	if !single {
		if cq, err = unix.Mmap(r.fd, offCQRing, cqLen, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE); err != nil {
			return fmt.Errorf("uring: mmap CQ ring: %w", err)
		}
		r.maps = append(r.maps, cq)
	}
	sqes, err := unix.Mmap(r.fd, offSQEs, int(p.SQEntries)*sqeSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return fmt.Errorf("uring: mmap SQEs: %w", err)
	}
	r.maps = append(r.maps, sqes)

	u32 := func(m []byte, off uint32) *uint32 { return (*uint32)(unsafe.Pointer(&m[off])) }
	r.sqHead, r.sqTail, r.sqFlags = u32(sq, p.SQOff.Head), u32(sq, p.SQOff.Tail), u32(sq, p.SQOff.Flags)
	r.sqMask, r.sqEntries = *u32(sq, p.SQOff.RingMask), *u32(sq, p.SQOff.RingEntries)
	r.sqArray = unsafe.Slice(u32(sq, p.SQOff.Array), p.SQEntries)
	r.sqes = unsafe.Slice((*SQE)(unsafe.Pointer(&sqes[0])), p.SQEntries)
	r.cqHead, r.cqTail = u32(cq, p.CQOff.Head), u32(cq, p.CQOff.Tail)
	r.cqMask = *u32(cq, p.CQOff.RingMask)
	r.cqes = unsafe.Slice((*CQE)(unsafe.Pointer(&cq[p.CQOff.CQEs])), p.CQEntries)
	r.sqeTail = atomic.LoadUint32(r.sqTail)
	return nil
}

// Fd is the ring's file descriptor.
func (r *Ring) Fd() int { return r.fd }

// Flags are the setup flags in effect (after the fall-backs New made).
func (r *Ring) Flags() uint32 { return r.flags }

// SQEntries is the size of the submission queue.
func (r *Ring) SQEntries() uint32 { return r.sqEntries }

// SQE returns the next free submission entry, zeroed, or nil when the queue is full. The entry
// goes to the kernel at the next Submit. With SQPOLL the polling thread may not yet have
// consumed entries whose reads already completed; SQE then waits for it (IORING_ENTER_SQ_WAIT).
func (r *Ring) SQE() *SQE {
	head := atomic.LoadUint32(r.sqHead)
	for tries := 0; r.sqeTail-head >= r.sqEntries; tries++ {
		if r.flags&SetupSQPoll == 0 || tries == maxEnterIterations {
			return nil
		}
		r.flush()
		flags := uint32(enterSQWait)
		if atomic.LoadUint32(r.sqFlags)&sqNeedWakeup != 0 {
			flags |= enterSQWakeup // a sleeping thread would never make room
		}
		if _, errno := r.enter(0, 0, flags); errno != 0 && errno != unix.EINTR {
			return nil
		}
		head = atomic.LoadUint32(r.sqHead)
	}
	i := r.sqeTail & r.sqMask
	r.sqArray[i] = i
	r.sqeTail++
	e := &r.sqes[i]
	*e = SQE{}
	return e
}

// Queued is the number of entries handed out by SQE and not yet given to the kernel.
func (r *Ring) Queued() uint32 { return r.sqeTail - *r.sqTail }

// flush publishes the entries handed out by SQE and returns how many the kernel has not taken.
func (r *Ring) flush() uint32 {
	tail := *r.sqTail // only this side writes it
	if r.sqeTail != tail {
		atomic.StoreUint32(r.sqTail, r.sqeTail)
	}
	return r.sqeTail - atomic.LoadUint32(r.sqHead)
}

// Submit hands the queued entries to the kernel in one io_uring_enter and, when wait > 0,
// waits there until at least wait completions are posted. With DEFER_TASKRUN the call also
// runs the completions that are due (as fio's submit does). With SQPOLL it enters the kernel
// only to wake the polling thread or to wait.
func (r *Ring) Submit(wait uint32) error {
	n := r.flush()
	flags := uint32(enterGetEvents)
	if r.flags&SetupSQPoll != 0 {
		flags = 0
		if atomic.LoadUint32(r.sqFlags)&sqNeedWakeup != 0 {
			flags |= enterSQWakeup
		}
		n = 0
		if wait > 0 {
			flags |= enterGetEvents
		}
		if flags == 0 {
			return nil
		}
	}
	for range maxEnterIterations {
		got, errno := r.enter(n, wait, flags)
		switch errno {
		case 0:
			if r.flags&SetupSQPoll == 0 && got < n {
				n -= got // the kernel stopped early (an entry it could not take): go on
				continue
			}
			return nil
		case unix.EINTR:
			continue // a signal (Go's preemption among them); the wait goes on
		case unix.EAGAIN, unix.EBUSY:
			// No room for completions in the kernel: the caller reaps first.
			if r.Ready() > 0 {
				return nil
			}
			continue
		default:
			return fmt.Errorf("io_uring_enter: %w", errno)
		}
	}
	return errors.New("io_uring_enter: no progress")
}

// CanWaitFor reports whether the kernel bounds a wait (IORING_FEAT_EXT_ARG, Linux 5.11).
func (r *Ring) CanWaitFor() bool { return r.features&featExtArg != 0 && r.flags&SetupSQPoll == 0 }

// WaitFor submits what is queued and waits at most d nanoseconds for one completion (it needs
// CanWaitFor; without it the wait is unbounded). A wait that times out is no error.
func (r *Ring) WaitFor(d int64) error {
	if !r.CanWaitFor() {
		return r.Submit(1)
	}
	ts := unix.NsecToTimespec(max(d, 1))
	arg := struct {
		sigmask        uint64
		sigmaskSz, pad uint32
		ts             uint64
	}{ts: uint64(uintptr(unsafe.Pointer(&ts)))}
	n := r.flush()
	for range maxEnterIterations {
		got, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(n), 1,
			uintptr(enterGetEvents|enterExtArg), uintptr(unsafe.Pointer(&arg)), unsafe.Sizeof(arg))
		switch unix.Errno(errno) {
		case 0, unix.ETIME:
			if uint32(got) < n && errno == 0 {
				n -= uint32(got)
				continue
			}
			return nil
		case unix.EINTR:
			return nil // the caller checks its clock and waits again
		case unix.EAGAIN, unix.EBUSY:
			if r.Ready() > 0 {
				return nil
			}
			continue
		default:
			return fmt.Errorf("io_uring_enter: %w", errno)
		}
	}
	return errors.New("io_uring_enter: no progress")
}

// enter is io_uring_enter(2).
func (r *Ring) enter(submit, wait, flags uint32) (uint32, unix.Errno) {
	n, _, errno := unix.Syscall6(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(submit), uintptr(wait), uintptr(flags), 0, 0)
	return uint32(n), errno
}

// Close unmaps the queues and closes the ring. The kernel cancels or waits for requests still
// in flight; their buffers must stay valid until Close returns.
func (r *Ring) Close() error {
	var errs []error
	for _, m := range r.maps {
		if err := unix.Munmap(m); err != nil {
			errs = append(errs, err)
		}
	}
	r.maps = nil
	r.sqes, r.cqes, r.sqArray = nil, nil, nil
	if r.fd >= 0 {
		if err := unix.Close(r.fd); err != nil {
			errs = append(errs, err)
		}
		r.fd = -1
	}
	return errors.Join(errs...)
}
