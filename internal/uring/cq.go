package uring

import "sync/atomic"

// The completion queue's side of a Ring: what the kernel has posted, read without a system
// call (the kernel writes the tail, only this side the head).

// Ready is the number of completions posted and not yet consumed; it makes no system call.
func (r *Ring) Ready() uint32 {
	return atomic.LoadUint32(r.cqTail) - *r.cqHead
}

// Peek calls fn for every completion posted and not yet consumed, oldest first, leaving them
// in the queue. It makes no system call.
func (r *Ring) Peek(fn func(*CQE)) {
	tail := atomic.LoadUint32(r.cqTail)
	for h := *r.cqHead; h != tail; h++ {
		fn(&r.cqes[h&r.cqMask])
	}
}

// Completions calls fn for every completion posted, oldest first, then marks them consumed. It
// makes no system call and returns how many it saw.
func (r *Ring) Completions(fn func(*CQE)) int {
	head := *r.cqHead // only this side writes it
	tail := atomic.LoadUint32(r.cqTail)
	for h := head; h != tail; h++ {
		fn(&r.cqes[h&r.cqMask])
	}
	if tail != head {
		atomic.StoreUint32(r.cqHead, tail)
	}
	return int(tail - head)
}
