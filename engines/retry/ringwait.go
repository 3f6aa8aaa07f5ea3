package retry

import (
	"fmt"
	"unsafe"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/uring"
	"golang.org/x/sys/unix"
)

// The uring notifier (notifier=uring): the wait for a request's first missing page is a 1-byte
// IORING_OP_READ of that page on an io_uring owned by the Reader (the job's thread). The
// kernel's own wait-page path does the waiting: the read finds the page locked under I/O, arms
// a wake callback on it, and is retried from task work when the page is unlocked. No waiter
// thread, no cross-thread wake-up: the completion is the kick, reaped in Reap on the driving
// thread. The retry still copies the data with RWF_NOWAIT, as with every notifier.

// NotifyUring names the notifier.
const NotifyUring = "uring"

type ringNotifier struct {
	ring    *uring.Ring
	waits   *engines.Slots[wait] // armed, by user_data
	queued  bool                 // entries not yet submitted
	scratch []byte               // the 1-byte reads' destination: the data does not matter
}

func newRingNotifier(qd int) (*ringNotifier, error) {
	// At most one wait per request is armed at a time (a request is retried, and may arm
	// again, only after its wait returned); twice that leaves room to spare.
	n := 2 * max(qd, 1)
	ring, err := uring.New(uring.Options{Entries: uint32(n)})
	if err != nil {
		return nil, fmt.Errorf("retry: notifier uring: %w", err)
	}
	return &ringNotifier{ring: ring, waits: engines.NewSlots[wait](n), scratch: make([]byte, 64)}, nil
}

// arm queues the 1-byte read of w's page. It reports false when no entry is free (the caller
// then hands the wait to a waiter thread).
func (n *ringNotifier) arm(w wait) bool {
	if n.waits.Free() == 0 {
		return false
	}
	sqe := n.ring.SQE()
	if sqe == nil {
		return false
	}
	i, _ := n.waits.Put(w)
	sqe.Opcode, sqe.Fd, sqe.Off, sqe.UserData = uring.OpRead, int32(w.fd), uint64(w.off), uint64(i)
	sqe.Addr, sqe.Len = uint64(uintptr(unsafe.Pointer(&n.scratch[0]))), 1
	n.queued = true
	return true
}

// pending is the number of waits armed and not yet delivered.
func (n *ringNotifier) pending() int { return n.waits.InUse() }

// flush submits the queued reads (one io_uring_enter) and, with wait, waits for one to
// complete.
func (n *ringNotifier) flush(wait bool) error {
	if !n.queued && !wait {
		return nil
	}
	n.queued = false
	var w uint32
	if wait {
		w = 1
	}
	return n.ring.Submit(w)
}

// flushFor submits the queued reads and waits at most d ns for one to complete.
func (n *ringNotifier) flushFor(d int64) error {
	n.queued = false
	return n.ring.WaitFor(d)
}

// deliver kicks the request of every completed read (a failed read fails its request, as a
// waiter's would) and returns how many it delivered. It makes no system call.
func (n *ringNotifier) deliver(r *reader) int {
	return n.ring.Completions(func(c *uring.CQE) {
		w, ok := n.waits.Take(c.UserData)
		if !ok {
			return // not a wait of ours: nothing to kick
		}
		if c.Res < 0 {
			notePageErr(w.st, unix.Errno(-c.Res))
		}
		r.kick(w)
	})
}

func (n *ringNotifier) close() error { return n.ring.Close() }
