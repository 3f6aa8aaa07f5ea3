package enginetest

import (
	"fmt"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"golang.org/x/sys/unix"
)

// Checked returns rd wrapped so that every call is checked against the Reader contract
// (package engines), on both sides of it. The caller's side: every call from the thread of
// the first one (the driving goroutine is locked to its thread), at most depth requests in
// flight, Reap's min at most what is in flight, a request never submitted again before it was
// reaped, Close once and nothing after it. The engine's side: Submit takes all of a batch or
// none, Reap hands back at least min requests, each one that was in flight and only once,
// with N at most len(Buf) and a short read only at end of file or with an error. A breach is
// reported to fail (t.Errorf, or a function that panics) with what was broken.
//
// The wrapper keeps the Reader it wraps behind Unwrap, so engines.Ability finds the wrapped
// Reader's optional abilities. It allocates per request: it is for tests, never for timing.
func Checked(rd engines.Reader, depth int, fail func(format string, args ...any)) engines.Reader {
	return &checked{rd: rd, depth: depth, fail: fail, inflight: map[*engines.Request]bool{}}
}

type checked struct {
	rd       engines.Reader
	depth    int
	fail     func(string, ...any)
	tid      int
	inflight map[*engines.Request]bool
	closed   bool
}

var _ engines.Reader = (*checked)(nil)

func (c *checked) Unwrap() engines.Reader { return c.rd }

// enter checks the call's thread and that the Reader is open.
func (c *checked) enter(call string) bool {
	tid := unix.Gettid()
	switch {
	case c.tid == 0:
		c.tid = tid
	case c.tid != tid:
		c.fail("contract: %s on thread %d, the Reader is driven from thread %d", call, tid, c.tid)
	}
	if c.closed {
		c.fail("contract: %s after Close", call)
		return false
	}
	return true
}

func (c *checked) Submit(reqs []*engines.Request) error {
	if !c.enter("Submit") {
		return fmt.Errorf("enginetest: Submit after Close")
	}
	if n := len(c.inflight) + len(reqs); n > c.depth {
		c.fail("contract: Submit of %d with %d in flight: %d is above the queue depth %d", len(reqs), len(c.inflight), n, c.depth)
	}
	for _, r := range reqs {
		if c.inflight[r] {
			c.fail("contract: request %d submitted again before it was reaped", r.ID)
		}
		if r.N != 0 || r.Err != nil || r.Inline {
			c.fail("contract: request %d submitted without Reset (n=%d err=%v inline=%v)", r.ID, r.N, r.Err, r.Inline)
		}
	}
	err := c.rd.Submit(reqs)
	if err == nil {
		for _, r := range reqs {
			c.inflight[r] = true
		}
	}
	return err
}

func (c *checked) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	if !c.enter("Reap") {
		return dst, fmt.Errorf("enginetest: Reap after Close")
	}
	c.checkMin("Reap", min)
	from := len(dst)
	dst, err := c.rd.Reap(dst, min)
	if err != nil {
		return dst, err
	}
	if got := len(dst) - from; got < min {
		c.fail("contract: Reap(min %d) returned %d requests", min, got)
	}
	c.handedBack(dst[from:])
	return dst, nil
}

// ReapUntil checks engines.TimedReaper's side of the contract as Reap does, but for the count:
// it may return fewer than min at its deadline. For an engine without the ability it polls
// Reap(dst, 0) until then, as the harness would.
func (c *checked) ReapUntil(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	if !c.enter("ReapUntil") {
		return dst, fmt.Errorf("enginetest: ReapUntil after Close")
	}
	c.checkMin("ReapUntil", min)
	from := len(dst)
	var err error
	if tr, ok := c.rd.(engines.TimedReaper); ok {
		dst, err = tr.ReapUntil(dst, min, deadline)
	} else {
		for err == nil && len(dst)-from < min && clock.Now() < deadline {
			dst, err = c.rd.Reap(dst, 0)
		}
	}
	if err != nil {
		return dst, err
	}
	c.handedBack(dst[from:])
	return dst, nil
}

func (c *checked) checkMin(call string, min int) {
	if min < 0 || min > len(c.inflight) {
		c.fail("contract: %s(min %d) with %d in flight", call, min, len(c.inflight))
	}
}

// handedBack checks the requests an engine handed back and takes them out of flight.
func (c *checked) handedBack(reqs []*engines.Request) {
	for _, r := range reqs {
		if !c.inflight[r] {
			c.fail("contract: Reap returned request %d, which was not in flight (reaped twice, or never submitted)", r.ID)
		}
		delete(c.inflight, r)
		switch {
		case r.N < 0 || r.N > len(r.Buf):
			c.fail("contract: request %d completed with n=%d of a %d-byte buffer", r.ID, r.N, len(r.Buf))
		case r.Err != nil && r.N == len(r.Buf) && len(r.Buf) > 0:
			c.fail("contract: request %d completed full with an error (%v)", r.ID, r.Err)
		}
	}
}

func (c *checked) Close() error {
	if !c.enter("Close") {
		return nil
	}
	c.closed = true
	return c.rd.Close()
}
