// Package futex lets an engine's threads sleep and wake one another with Linux futexes instead
// of Go channels. It sits under engines whose goroutines are locked to OS threads (the harness's
// job threads, the retry engine's waiters): waking such a goroutine through a channel goes
// through the Go scheduler, which hands the P to the locked thread and back again (several
// context switches and futex calls per wake-up); a futex wakes the sleeping thread directly.
//
// Wait goes through the syscall package's scheduler hand-shake, so a sleeping thread does not
// hold a P other goroutines need, and the garbage collector never waits for it. Wake cannot
// block and is issued raw.
package futex

import (
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Operations from <linux/futex.h> (golang.org/x/sys/unix does not define them): FUTEX_WAIT
// and FUTEX_WAKE with FUTEX_PRIVATE_FLAG, as the futex is never shared with another process.
const (
	waitOp = 0 | 128
	wakeOp = 1 | 128
)

// Wait sleeps while *addr == val: it returns at once if *addr != val, else when a Wake on addr
// wakes it, on a signal, or spuriously. Callers re-check their condition in a loop.
func Wait(addr *atomic.Uint32, val uint32) {
	_, _, _ = syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), waitOp, uintptr(val), 0, 0, 0)
}

// WaitFor is Wait for at most d nanoseconds (0 or less: it returns at once).
func WaitFor(addr *atomic.Uint32, val uint32, d int64) {
	if d <= 0 {
		return
	}
	ts := unix.NsecToTimespec(d)
	_, _, _ = syscall.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), waitOp, uintptr(val), uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// Wake wakes up to n threads sleeping in Wait on addr.
func Wake(addr *atomic.Uint32, n int) {
	_, _, _ = syscall.RawSyscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), wakeOp, uintptr(n), 0, 0, 0)
}

// An Event is a wake-up signal for one sleeping consumer, with no system call when the consumer
// is awake: producers publish their work (for example on an atomic list) and then call Signal;
// the consumer checks for work, calls Prepare, checks again, and only then Sleeps.
//
//	for !haveWork() {
//		ev.Prepare()
//		if haveWork() { ev.Cancel(); break }
//		ev.Sleep()
//	}
//
// Because the producer publishes before it reads the sleeping flag, and the consumer sets the
// flag before its second check (both sequentially consistent), a signal is never lost.
// The zero Event is ready to use.
type Event struct {
	sleeping atomic.Uint32
}

// Prepare announces that the consumer is about to sleep.
func (e *Event) Prepare() { e.sleeping.Store(1) }

// Cancel withdraws Prepare when the second check found work.
func (e *Event) Cancel() { e.sleeping.Store(0) }

// Sleep waits until a Signal after Prepare (at once if one already came).
func (e *Event) Sleep() {
	for e.sleeping.Load() == 1 {
		Wait(&e.sleeping, 1)
	}
}

// SleepUntil is Sleep that also returns when the clock (now, a monotonic reading in ns)
// reaches deadline; it reports whether a Signal woke it. The caller Cancels a Prepare it did
// not sleep out.
func (e *Event) SleepUntil(deadline int64, now func() int64) bool {
	for e.sleeping.Load() == 1 {
		left := deadline - now()
		if left <= 0 {
			return !e.sleeping.CompareAndSwap(1, 0) // a Signal may have come just now
		}
		WaitFor(&e.sleeping, 1, left)
	}
	return true
}

// Signal wakes the consumer if it prepared to sleep; it costs one atomic load otherwise.
func (e *Event) Signal() {
	if e.sleeping.Load() == 1 && e.sleeping.CompareAndSwap(1, 0) {
		Wake(&e.sleeping, 1)
	}
}
