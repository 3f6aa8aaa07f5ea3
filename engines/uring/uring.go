// Package uring registers the "uring" engine: reads through io_uring, the kernel's own
// asynchronous read path (Linux 5.1; async buffered reads 5.9). It is the retry-based read of
// the 2003 RFC realised in the kernel: a buffered read that meets a page not yet in the page
// cache arms a wait-page callback and is retried from task work in the submitting task,
// keeping its partial progress; what cannot be done that way is punted to io-wq worker
// threads (the async option forces that for every request, the comparison Jens Axboe made
// when async buffered reads were merged). With O_DIRECT the read goes to the device from the
// submitting io_uring_enter.
//
// Submit queues one IORING_OP_READ (IORING_OP_READ_FIXED with registered buffers) per request
// and hands them all to the kernel in one io_uring_enter; a cached buffered read is done
// inside that call, so the engine's slat holds the whole read (compare lat). Reap takes
// completions from the completion queue without a system call when they are posted and enters
// the kernel only to wait. A short read is resubmitted for its remainder, never completed as
// full. The ring is set up as fio's io_uring engine sets its own (COOP_TASKRUN, SINGLE_ISSUER,
// DEFER_TASKRUN where the kernel has them), so that a ratio against fio compares like with
// like.
package uring

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/uring"
	"golang.org/x/sys/unix"
)

func init() { engines.Register("uring", engine{}) }

type engine struct{}

func (engine) Describe() string {
	return "io_uring IORING_OP_READ, batched io_uring_enter, completions reaped from the ring (--uring-async, --uring-sqpoll, fixed files/buffers)"
}

func (engine) Probe() error { return uring.Probe() }

// Check refuses an entries option smaller than the queue depth.
func (engine) Check(cfg engines.Config) error {
	if n := engines.Int(cfg.Options["entries"]); n > 0 && n < cfg.QueueDepth {
		return fmt.Errorf("--uring-entries %d is below --iodepth %d (accepted: at least the queue depth)", n, cfg.QueueDepth)
	}
	return nil
}

// settings are a Reader's options, read once.
type settings struct {
	entries                      uint32
	async, fixedFiles, fixedBufs bool
	sqpoll                       bool
	sqpollIdleMS                 uint32
}

func settingsOf(cfg engines.Config) settings {
	s := settings{
		entries:    uint32(max(cfg.QueueDepth, engines.Int(cfg.Options["entries"]), 1)),
		async:      cfg.Options["async"] == "on",
		fixedFiles: cfg.Options["fixed-files"] == "on",
		fixedBufs:  cfg.Options["fixed-buffers"] == "on",
	}
	if d := engines.Duration(cfg.Options["sqpoll"]); d > 0 {
		s.sqpoll, s.sqpollIdleMS = true, uint32(max(d.Milliseconds(), 1))
	}
	return s
}

// fileSlots is the size of the fixed-file table.
const fileSlots = 64

func (e engine) Open(cfg engines.Config) (engines.Reader, error) {
	if err := e.Check(cfg); err != nil {
		return nil, err
	}
	s := settingsOf(cfg)
	ring, err := uring.New(uring.Options{Entries: s.entries, SQPoll: s.sqpoll, SQPollIdleMS: s.sqpollIdleMS})
	if err != nil {
		return nil, err
	}
	n := ring.SQEntries()
	r := &reader{
		ring: ring, set: s,
		slots: engines.NewSlots[*state](int(n)),
		done:  make([]*engines.Request, 0, n),
		files: map[int]uint32{}, batch: minBatch,
	}
	if s.fixedFiles {
		err = ring.RegisterFileTable(fileSlots)
	}
	if err == nil && s.fixedBufs {
		r.bufs = make([][]byte, 2*n)
		err = ring.RegisterBufferTable(uint32(len(r.bufs)))
	}
	if err != nil {
		ring.Close()
		return nil, err
	}
	return r, nil
}

// state is the engine's per-request state, kept in Request.Engine across reuse.
type state struct {
	req  *engines.Request
	done int    // bytes read so far (a short read's remainder is resubmitted)
	buf  int32  // fixed-buffer slot, -1 for none
	seq  uint64 // the submitting io_uring_enter's number
}

type reader struct {
	ring     *uring.Ring
	set      settings
	slots    *engines.Slots[*state] // in flight, by user_data
	done     []*engines.Request
	inflight int // submitted, not yet reaped
	files    map[int]uint32
	bufs     [][]byte // registered buffers by slot (kept referenced: the kernel pins them)
	batch    int      // most requests per submitting io_uring_enter (adapt)
	seq      uint64   // submitting io_uring_enter calls so far
	stats    stats
}

var _ engines.Reader = (*reader)(nil)
var _ engines.StatsReader = (*reader)(nil)

// Submit queues every request's read and hands them to the kernel in batches of at most
// r.batch per io_uring_enter (see adapt).
func (r *reader) Submit(reqs []*engines.Request) error {
	for len(reqs) > 0 {
		n := min(len(reqs), r.batch)
		r.seq++
		for _, req := range reqs[:n] {
			st, _ := req.Engine.(*state)
			if st == nil {
				st = &state{req: req, buf: -1}
				req.Engine = st
			}
			st.done, st.seq = 0, r.seq
			if err := r.queue(st); err != nil {
				return err
			}
		}
		r.inflight += n
		if err := r.enter(0); err != nil {
			return err
		}
		r.adapt(n)
		reqs = reqs[n:]
	}
	return nil
}

// adapt sizes the next batch from how the last one went. A read the page cache serves is done
// inside io_uring_enter, and its completion is posted before the call returns: when a whole
// batch was, the next batch may be twice as large (fewer system calls per read, up to the
// whole Submit). A read that must go to the device is not; then the batch halves, down to
// 2. Batching such reads delays them all: the kernel holds a batch of more than two in a plug
// until the last is issued (the device idles while the submitting thread works), which cost
// about a sixth of the IOPS of cold 4 KiB reads at QD16 here (README, Engines). fio's
// io_uring engine submits one request per call by default.
func (r *reader) adapt(n int) {
	inline := 0
	r.ring.Peek(func(c *uring.CQE) {
		if st, ok := r.slots.Get(c.UserData); ok && st.seq == r.seq {
			inline++
		}
	})
	r.stats.submitted += int64(n)
	r.stats.inline += int64(inline)
	if inline == n {
		r.batch = min(2*r.batch, r.slots.Len())
	} else {
		r.batch = max(r.batch/2, minBatch)
	}
}

// minBatch is the smallest batch: the kernel plugs only batches larger.
const minBatch = 2

// queue prepares the read of st's remainder.
func (r *reader) queue(st *state) error {
	sqe := r.ring.SQE()
	if sqe == nil {
		return errors.New("uring: submission queue full")
	}
	slot, ok := r.slots.Put(st)
	if !ok {
		return errors.New("uring: every ring entry is in flight")
	}
	req := st.req
	buf := req.Buf[st.done:]
	sqe.Opcode, sqe.Fd, sqe.Off, sqe.UserData = uring.OpRead, int32(req.Fd), uint64(req.Offset+int64(st.done)), uint64(slot)
	sqe.Addr, sqe.Len = uint64(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))), uint32(len(buf))
	if r.set.async {
		sqe.Flags |= uring.SQEAsync
	}
	if r.set.fixedFiles {
		if i, ok := r.fileSlot(req.Fd); ok {
			sqe.Fd, sqe.Flags = int32(i), sqe.Flags|uring.SQEFixedFile
		}
	}
	if r.set.fixedBufs && len(buf) > 0 {
		if i, ok := r.bufSlot(st); ok {
			sqe.Opcode, sqe.BufIndex = uring.OpReadFixed, uint16(i)
		}
	}
	return nil
}

// fileSlot returns fd's slot in the fixed-file table, registering it on first sight; false
// when the table is full or the kernel refused (the read then names the fd itself).
func (r *reader) fileSlot(fd int) (uint32, bool) {
	if i, ok := r.files[fd]; ok {
		return i, i < fileSlots
	}
	i := uint32(len(r.files))
	if i >= fileSlots || r.ring.SetFile(i, fd) != nil {
		r.files[fd] = fileSlots
		return 0, false
	}
	r.files[fd] = i
	return i, true
}

// bufSlot returns the fixed-buffer slot that holds st's buffer, registering it when the request
// is new or its buffer changed; false when no slot is left (the read is then a plain one).
func (r *reader) bufSlot(st *state) (int32, bool) {
	b := st.req.Buf
	if st.buf >= 0 {
		reg := r.bufs[st.buf]
		if unsafe.SliceData(reg) == unsafe.SliceData(b[:cap(b)]) && cap(reg) == cap(b) {
			return st.buf, true
		}
	} else {
		for i := range r.bufs {
			if r.bufs[i] == nil {
				st.buf = int32(i)
				break
			}
		}
		if st.buf < 0 {
			r.stats.unfixed++
			return 0, false
		}
	}
	if err := r.ring.SetBuffer(uint32(st.buf), b); err != nil {
		r.stats.unfixed++
		return 0, false
	}
	r.bufs[st.buf] = b[:cap(b)]
	r.stats.bufRegs++
	return st.buf, true
}

// enter submits what is queued and, with wait > 0, waits for that many completions.
func (r *reader) enter(wait uint32) error {
	r.stats.enters++
	if wait > 0 {
		r.stats.waits++
	}
	return r.ring.Submit(wait)
}

// Reap hands back completed requests; it enters the kernel only when fewer than min are ready.
func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	return r.reap(dst, min, math.MaxInt64)
}

// ReapUntil is Reap that gives up at deadline (engines.TimedReaper): its waits are bounded by
// the kernel (IORING_FEAT_EXT_ARG; without it, they are not).
func (r *reader) ReapUntil(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	return r.reap(dst, min, deadline)
}

func (r *reader) reap(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	for {
		var err error
		r.ring.Completions(func(c *uring.CQE) {
			if e := r.complete(c); e != nil && err == nil {
				err = e
			}
		})
		if err != nil {
			return dst, err
		}
		resubmit := r.ring.Queued() > 0
		got := len(r.done)
		dst = append(dst, r.done...)
		r.done = r.done[:0]
		r.inflight -= got
		min -= got
		if min <= 0 && !resubmit {
			return dst, nil
		}
		if deadline != math.MaxInt64 {
			left := deadline - clock.Now()
			if left <= 0 {
				return dst, r.enter(0) // the remainders of short reads go to the kernel
			}
			r.stats.enters++
			r.stats.waits++
			if err := r.ring.WaitFor(left); err != nil {
				return dst, err
			}
			continue
		}
		if err := r.enter(uint32(max(min, 0))); err != nil {
			return dst, err
		}
	}
}

// complete handles one completion: a finished request goes to done, a short read (or one the
// kernel asks to retry) is queued again for its remainder.
func (r *reader) complete(c *uring.CQE) error {
	st, ok := r.slots.Take(c.UserData)
	if !ok {
		return fmt.Errorf("uring: completion for unknown entry %d", c.UserData)
	}
	req := st.req
	switch res := c.Res; {
	case res == -int32(unix.EAGAIN) || res == -int32(unix.EINTR):
		r.stats.resubmits++
		return r.queue(st)
	case res < 0:
		req.N, req.Err = st.done, unix.Errno(-res)
	case res == 0: // end of file
		req.N = st.done
	default:
		st.done += int(res)
		if st.done < len(req.Buf) {
			r.stats.resubmits++
			return r.queue(st)
		}
		req.N = st.done
	}
	r.done = append(r.done, req)
	r.stats.completed++
	return nil
}

// Close waits for the requests in flight (their results are discarded), then unmaps the ring
// and closes it.
func (r *reader) Close() error {
	var dst []*engines.Request
	var err error
	for r.inflight > 0 && err == nil {
		dst, err = r.Reap(dst[:0], 1)
	}
	return errors.Join(err, r.ring.Close())
}
