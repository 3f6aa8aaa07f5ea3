// Package libaio registers the "libaio" engine: Linux native AIO (io_submit, io_getevents) by
// raw system call, as fio's libaio engine drives it through libaio. It is the interface the
// 2003 retry-based read RFC was written for. Its design case is O_DIRECT (--cache direct),
// where io_submit queues the read to the device and returns. On a buffered file the kernel
// still does the read inside io_submit, blocking on the device for a cold page: the engine's
// slat shows that, and the README says so.
//
// Submit prepares one iocb per request and hands them to the kernel, two per io_submit (a
// larger batch is plugged: see maxBatch);
// Reap calls io_getevents, waiting only for as many as it must. A short read is submitted
// again for its remainder, never completed as full.
package libaio

import (
	"errors"
	"fmt"
	"math"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/aio"
	"github.com/aiobench/aiobench/internal/clock"
	"golang.org/x/sys/unix"
)

func init() { engines.Register("libaio", engine{}) }

type engine struct{}

func (engine) Describe() string {
	return "Linux native AIO (io_submit/io_getevents); asynchronous with --cache direct, reads inside io_submit when buffered"
}

func (engine) Probe() error { return aio.Probe() }

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	qd := max(cfg.QueueDepth, 1)
	ctx, err := aio.Setup(qd)
	if err != nil {
		return nil, err
	}
	return &reader{
		ctx:   ctx,
		slots: engines.NewSlots[*state](qd),
		cbs:   make([]*aio.IOCB, 0, qd),
		evs:   make([]aio.Event, qd),
		done:  make([]*engines.Request, 0, qd),
	}, nil
}

// state is the engine's per-request state, kept in Request.Engine across reuse.
type state struct {
	req  *engines.Request
	cb   aio.IOCB
	done int // bytes read so far
}

type reader struct {
	ctx      *aio.Context
	slots    *engines.Slots[*state] // in flight, by iocb data
	cbs      []*aio.IOCB            // prepared, not yet submitted
	evs      []aio.Event
	done     []*engines.Request
	inflight int // submitted, not yet reaped
	stats    stats
}

var _ engines.Reader = (*reader)(nil)
var _ engines.StatsReader = (*reader)(nil)

// Submit prepares every request and submits them (see maxBatch).
func (r *reader) Submit(reqs []*engines.Request) error {
	for _, req := range reqs {
		st, _ := req.Engine.(*state)
		if st == nil {
			st = &state{req: req}
			req.Engine = st
		}
		st.done = 0
		r.prep(st)
	}
	r.inflight += len(reqs)
	return r.submit()
}

// prep prepares the read of st's remainder.
func (r *reader) prep(st *state) {
	slot, _ := r.slots.Put(st) // never full: at most QueueDepth requests are in flight
	req := st.req
	st.cb.PrepRead(req.Fd, req.Buf[st.done:], req.Offset+int64(st.done), uint64(slot))
	r.cbs = append(r.cbs, &st.cb)
}

// maxBatch is the most iocbs one io_submit is given. The kernel holds a larger batch in a block
// plug until its last read is issued, leaving the device idle meanwhile: whole batches of 16
// O_DIRECT 4 KiB reads made 0.82× fio's libaio IOPS here, which submits one per call by default.
const maxBatch = 2

// submit hands the prepared iocbs to the kernel, at most maxBatch per io_submit. An iocb the
// kernel refuses (EINVAL for a misaligned O_DIRECT read, EBADF) completes its request as
// failed; EAGAIN (no room) waits for a completion first.
func (r *reader) submit() error {
	for len(r.cbs) > 0 {
		r.stats.submits++
		n, err := r.ctx.Submit(r.cbs[:min(len(r.cbs), maxBatch)])
		switch {
		case err == nil:
			r.cbs = append(r.cbs[:0], r.cbs[n:]...)
		case err == unix.EAGAIN:
			if err := r.wait(1); err != nil {
				return err
			}
		default:
			errno, _ := err.(unix.Errno)
			if errno == 0 {
				return fmt.Errorf("libaio: io_submit: %w", err)
			}
			r.finish(uint32(r.cbs[0].Data), -int64(errno))
			r.cbs = append(r.cbs[:0], r.cbs[1:]...)
		}
	}
	return nil
}

// wait collects at least min completions (min 0: those already there).
func (r *reader) wait(min int) error {
	r.stats.getevents++
	n, err := r.ctx.GetEvents(min, r.evs)
	if err != nil {
		return fmt.Errorf("libaio: %w", err)
	}
	for _, ev := range r.evs[:n] {
		r.finish(uint32(ev.Data), ev.Res)
	}
	return nil
}

// finish handles the result res of the iocb in slot: a finished request goes to done, a short
// read is prepared again for its remainder.
func (r *reader) finish(slot uint32, res int64) {
	st, _ := r.slots.Take(uint64(slot))
	req := st.req
	switch {
	case res < 0:
		req.N, req.Err = st.done, unix.Errno(-res)
	case res == 0: // end of file
		req.N = st.done
	default:
		st.done += int(res)
		if st.done < len(req.Buf) {
			r.stats.resubmits++
			r.prep(st)
			return
		}
		req.N = st.done
	}
	r.done = append(r.done, req)
	r.stats.completed++
}

// Reap hands back completed requests, waiting in io_getevents for as many as it must.
func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	return r.reap(dst, min, math.MaxInt64)
}

// ReapUntil is Reap that gives up at deadline (engines.TimedReaper): io_getevents with a
// timeout.
func (r *reader) ReapUntil(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	return r.reap(dst, min, deadline)
}

func (r *reader) reap(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	for polled := false; ; polled = true {
		if err := r.submit(); err != nil { // remainders of short reads
			return dst, err
		}
		if len(r.done) >= max(min, 1) || polled && len(r.done) >= min {
			break
		}
		want := max(min-len(r.done), 0)
		if deadline != math.MaxInt64 {
			left := deadline - clock.Now()
			if left <= 0 && polled {
				break
			}
			// A deadline already past is still one poll (a zero timeout): the completed
			// requests wait in the kernel's ring until io_getevents collects them, and an
			// open loop polls with a past deadline whenever its next arrival is near.
			left = max(left, 0)
			r.stats.getevents++
			n, err := r.ctx.GetEventsFor(want, r.evs, left)
			if err != nil {
				return dst, fmt.Errorf("libaio: %w", err)
			}
			for _, ev := range r.evs[:n] {
				r.finish(uint32(ev.Data), ev.Res)
			}
			continue
		}
		if err := r.wait(want); err != nil {
			return dst, err
		}
	}
	got := len(r.done)
	dst = append(dst, r.done...)
	r.done = r.done[:0]
	r.inflight -= got
	return dst, nil
}

// Close waits for the requests in flight (their results are discarded), then destroys the
// context.
func (r *reader) Close() error {
	var dst []*engines.Request
	var err error
	for r.inflight > 0 && err == nil {
		dst, err = r.Reap(dst[:0], 1)
	}
	return errors.Join(err, r.ctx.Destroy())
}

// counters are the figures that explain the engine's numbers, each with its value.
var counters = engines.CounterTable[stats]{
	{Counter: engines.Counter{Name: "libaio_submits_per_op", Label: "submits/op", Better: "lower", Doc: "io_submit calls per completed request (libaio)"},
		Value: func(s *stats) float64 { return engines.Ratio(s.submits, s.completed) }},
	{Counter: engines.Counter{Name: "libaio_getevents_per_op", Label: "getevents/op", Better: "lower", Doc: "io_getevents calls per completed request (libaio)"},
		Value: func(s *stats) float64 { return engines.Ratio(s.getevents, s.completed) }},
	{Counter: engines.Counter{Name: "libaio_resubmits", Label: "resubmits", Better: "lower", Doc: "reads submitted again for the rest after a short read (libaio)"},
		Value: func(s *stats) float64 { return float64(s.resubmits) }},
}

// Counters declares the engine's counters (engines.Counted).
func (engine) Counters() []engines.Counter { return counters.Counters() }

type stats struct{ completed, submits, getevents, resubmits int64 }

func (s *stats) Merge(o engines.Counters) {
	t := o.(*stats)
	s.completed += t.completed
	s.submits += t.submits
	s.getevents += t.getevents
	s.resubmits += t.resubmits
}

func (s *stats) Values() map[string]float64 { return counters.Values(s) }

func (r *reader) Stats() engines.Counters { s := r.stats; return &s }

func (r *reader) ResetStats() { r.stats = stats{} }
