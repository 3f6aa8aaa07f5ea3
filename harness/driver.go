package harness

import (
	"fmt"
	"math"
	"sync/atomic"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/workloads"
)

// A driver is the one measurement loop: it owns a job's requests, their free list and their
// timestamps, issues them through the Reader and accounts for every completion. A run's job
// drives its phases with it (the warm-up, the measured phase, the passes between barriers), a
// duel arm its blocks, `aiobench ab`'s served arm the blocks it is asked for. It is used by one
// goroutine, locked to its thread, and allocates nothing after newDriver.
//
// A phase issues requests until its bound (a count, a time, the run's stop, a new pass over
// the file) and then drains what is in flight: it never ends because nothing is in flight. A
// request's timed span starts at a clock reading taken immediately before the Submit that
// takes it (one reading per batch, which also serves the bound's time checks), so what is
// timed is the engine, not the harness choosing the next offset; a request completed inside
// Submit is timed to Submit's return, which is read anyway.
type driver struct {
	rd      engines.Reader
	reqs    []engines.Request
	free    []*engines.Request
	batch   []*engines.Request
	done    []*engines.Request
	start   []int64 // per request (by User): the clock just before its Submit
	sub     []int64 // per request: the clock after that Submit returned
	pattern workloads.Pattern
	// carry holds offsets drawn and not issued, issued first (a stack): the first offset of a
	// new pass while the job waits at the barrier, or a batch whose bound had passed.
	carry    []int64
	nextID   uint64
	inflight int

	acct
	live        *Live
	published   int64 // ops last published to live
	nextPublish int64
	tl          logState // the run's time series, when it keeps one

	// The open-loop issuer (Config.Rate); nil for the closed loop. inline says the engine
	// completes every request inside Submit: open loop, it is given one request per Submit, so
	// that each is timed to its own completion. timed is the engine's bounded wait, if it has
	// one (engines.TimedReaper).
	open   *arrivals
	inline bool
	timed  engines.TimedReaper

	// The classifier of a partly cached run (classify.go), each request's class by User, and
	// the measured requests' figures per class; nil when the run's requests have no classes.
	cls   *classifier
	class []byte
	cacct *classAcct
	// extras says place has work: several files or classes (set once the job is made).
	extras bool

	// Several data files (Config.NrFiles): their descriptors and content indexes, each
	// file's bytes; fileOf says which file each request (by User) reads. nil: one file.
	fds     []int
	indexes []int
	perFile int64
	fileOf  []int
}

// place does what a request needs beyond its offset before it is submitted, where the run asks
// for it (extras): with several files it maps the pattern's offset, over the files end to end,
// to one file's (the request's descriptor, its file, the offset in that file, returned); with
// classes it classifies the request. Both loops call it behind one test of extras, so that a
// run without either costs the hot path one predictable branch.
func (d *driver) place(r *engines.Request, off int64) int64 {
	if d.fds != nil {
		f := int(off / d.perFile)
		r.Fd, d.fileOf[r.User] = d.fds[f], f
		off %= d.perFile
		if d.cls != nil {
			d.cls.cur = f
		}
	}
	if c := d.cls; c != nil {
		k := classNone
		if !c.skip() {
			k = c.classify(off, len(r.Buf))
		}
		d.class[r.User] = k
	}
	return off
}

// fileIndex is the content index of the file request r reads.
func (d *driver) fileIndex(r *engines.Request) int {
	if d.fds == nil {
		return d.file
	}
	return d.indexes[d.fileOf[r.User]]
}

// acct is what the driver counts of completed requests.
type acct struct {
	measuring bool  // completions count as measured (else as warm-up)
	deadline  int64 // completions after this clock reading are not counted; 0: none
	verify    bool
	file      int // the data file's index, which its content encodes
	mode      workloads.VerifyMode

	lat, slat, clat                             *hdrhistogram.Histogram
	latIntended, behind                         *hdrhistogram.Histogram // open loop only
	ops, bytes, errors, verifyErrors, warmupOps int64
	sinceEvict                                  int64 // bytes read since the file was last evicted
	end                                         int64 // clock reading of the last counted completion
	firstErr                                    error
}

// newDriver makes a driver of depth requests over bufs (depth buffers of bs bytes), reading
// fd in pattern's order; IDs start at firstID. Attach a Reader before the first phase.
func newDriver(depth, bs int, bufs []byte, fd int, pattern workloads.Pattern, firstID uint64) *driver {
	d := &driver{
		reqs:    make([]engines.Request, depth),
		free:    make([]*engines.Request, 0, depth),
		batch:   make([]*engines.Request, 0, depth),
		done:    make([]*engines.Request, 0, depth),
		start:   make([]int64, depth),
		sub:     make([]int64, depth),
		carry:   make([]int64, 0, depth+1),
		pattern: pattern,
		nextID:  firstID,
		acct:    acct{lat: newHist(), slat: newHist(), clat: newHist()},
		tl:      logState{next: math.MaxInt64},
	}
	for i := range d.reqs {
		d.reqs[i] = engines.Request{Fd: fd, Buf: bufs[i*bs : (i+1)*bs], User: i}
		d.free = append(d.free, &d.reqs[i])
	}
	return d
}

// A bound says when a phase stops issuing.
type bound struct {
	n     int64        // requests to issue; -1: no limit
	until int64        // clock reading at which issuing stops; 0: none
	stop  *atomic.Bool // when set, the run was halted; nil: never
	wrap  bool         // a new pass over the file ends the phase (a cold run's barrier)
}

// Why a phase ended.
type ending int

const (
	endCount ending = iota + 1 // n requests issued
	endTime                    // until passed
	endStop                    // the run was halted
	endWrap                    // a new pass over the file began
)

// phase issues requests until b, drains them and reports why it ended and how many it issued.
// An error is the engine's own failure (Submit or Reap); failed reads are counted, not
// returned. It is the hot path of every run: the offset, the Submit and the Reap are written
// out here rather than called, as the null engine's harness benchmark asks.
func (d *driver) phase(b bound) (ending, int64, error) {
	if d.open != nil {
		return d.openPhase(b) // the open loop's issuer: what is due, when
	}
	limit := b.n
	if limit < 0 {
		limit = math.MaxInt64
	}
	var why ending
	var issued int64
	for {
		if why == 0 && issued == limit {
			why = endCount
		}
		if why == 0 && len(d.free) > 0 {
			batch := d.batch[:0]
			for len(d.free) > 0 && issued < limit {
				var off int64
				if n := len(d.carry); n > 0 { // a carried offset goes first
					off = d.carry[n-1]
					d.carry = d.carry[:n-1]
				} else {
					var wrapped bool
					if off, wrapped = d.pattern.Next(); wrapped && b.wrap {
						// A new pass: its first offset waits, and the phase ends here.
						d.carry = append(d.carry, off)
						why = endWrap
						break
					}
				}
				r := d.free[len(d.free)-1]
				d.free = d.free[:len(d.free)-1]
				if d.extras {
					off = d.place(r, off)
				}
				r.Offset, r.ID = off, d.nextID
				d.nextID++
				r.Reset()
				batch = append(batch, r)
				issued++
			}
			if len(batch) > 0 {
				now := clock.Now() // the span's start, and the bound's clock
				if now >= d.nextPublish {
					d.publish(now)
				}
				if stop := b.stop != nil && b.stop.Load(); stop || b.until > 0 && now >= b.until {
					// The bound passed while the batch was made: it is not issued, and its
					// offsets are the next phase's first.
					issued -= int64(len(batch))
					d.putBack(batch)
					why = endTime
					if stop {
						why = endStop
						d.end = max(d.end, now)
					} else if d.measuring {
						d.end = max(d.end, b.until)
					}
				} else {
					for _, r := range batch {
						d.start[r.User] = now
					}
					if err := d.rd.Submit(batch); err != nil {
						return why, issued, fmt.Errorf("submit: %w", err)
					}
					sub := clock.Now()
					for _, r := range batch {
						d.sub[r.User] = sub
					}
					d.inflight += len(batch)
				}
			}
		}
		if d.inflight == 0 {
			if why != 0 {
				return why, issued, nil
			}
			continue // nothing in flight and more to issue: issue it
		}
		done, err := d.rd.Reap(d.done[:0], 1)
		if err != nil {
			return why, issued, fmt.Errorf("reap: %w", err)
		}
		// An inline completion happened before Submit returned: its time is that return,
		// already read. The clock is read again only for a request completed since.
		var t int64
		for _, r := range done {
			at := d.sub[r.User]
			if !r.Inline {
				if t == 0 {
					t = clock.Now()
				}
				at = t
			}
			d.complete(r, at)
			d.free = append(d.free, r)
		}
		d.inflight -= len(done)
	}
}

// reapDone accounts for the requests an engine handed back, with their latency from the
// intended time (the open loop's path; the closed loop writes this out in phase).
func (d *driver) reapDone(done []*engines.Request) {
	var t int64
	for _, r := range done {
		at := d.sub[r.User]
		if !r.Inline {
			if t == 0 {
				t = clock.Now()
			}
			at = t
		}
		if d.complete(r, at) {
			intended := d.open.intended[r.User]
			engines.Record(d.latIntended, at-intended)
			engines.Record(d.behind, d.start[r.User]-intended)
		}
		d.free = append(d.free, r)
	}
	d.inflight -= len(done)
}

// nextOffset returns the next request's offset: a carried one first. With wrapEnds, the first
// offset of a new pass is carried instead, and it reports false: the phase ends there. (The
// closed loop writes this out in phase.)
func (d *driver) nextOffset(wrapEnds bool) (int64, bool) {
	if n := len(d.carry); n > 0 {
		off := d.carry[n-1]
		d.carry = d.carry[:n-1]
		return off, true
	}
	off, wrapped := d.pattern.Next()
	if wrapped && wrapEnds {
		d.carry = append(d.carry, off)
		return 0, false
	}
	return off, true
}

// putBack returns an unissued batch: its requests to the free list, its offsets to the carry,
// so that they are issued first and in order.
func (d *driver) putBack(batch []*engines.Request) {
	for i := len(batch) - 1; i >= 0; i-- {
		off := batch[i].Offset
		if d.fds != nil { // back to the pattern's offset, over the files end to end
			off += int64(d.fileOf[batch[i].User]) * d.perFile
		}
		d.carry = append(d.carry, off)
		d.free = append(d.free, batch[i])
	}
}

// publish adds the requests completed since the last call to the run's Live, if it has one,
// and records the time series' intervals that ended; it is next called at the earlier of the
// next publication and the next interval's end.
func (d *driver) publish(now int64) {
	if d.live != nil {
		d.live.ops.Add(d.ops - d.published)
		d.published = d.ops
	}
	if now >= d.tl.next && d.measuring {
		d.logIntervals(now)
	}
	d.nextPublish = min(now+livePeriod, d.tl.next)
}

// complete accounts for one completed request, reaped at t, and reports whether it counted as
// measured.
func (d *driver) complete(r *engines.Request, t int64) bool {
	a := &d.acct
	a.sinceEvict += int64(r.N) // what the page cache now holds of this job's reads
	if r.Err != nil || r.N != len(r.Buf) {
		a.readError(r)
		return false
	}
	if a.verify && workloads.Verify(r.Buf, d.fileIndex(r), r.Offset, a.mode) >= 0 {
		a.verifyError(r, d.fileIndex(r))
		return false
	}
	if !a.measuring {
		a.warmupOps++
		return false
	}
	if a.deadline > 0 && t > a.deadline {
		return false // finished after the measured phase
	}
	a.ops++
	a.bytes += int64(r.N)
	a.end = t
	start, sub := d.start[r.User], d.sub[r.User]
	engines.Record(a.lat, t-start)
	engines.Record(a.slat, sub-start)
	engines.Record(a.clat, t-sub)
	if d.cacct != nil && d.class[r.User] != classNone { // a sampled run's unsampled requests cost this test
		intended := int64(-1)
		if d.open != nil {
			intended = t - d.open.intended[r.User]
		}
		d.cacct.count(d.class[r.User], t, t-start, intended)
	}
	return true
}

func (a *acct) readError(r *engines.Request) {
	a.errors++
	if a.firstErr == nil {
		if r.Err != nil {
			a.firstErr = fmt.Errorf("read %d bytes at %d: %w", len(r.Buf), r.Offset, r.Err)
		} else {
			a.firstErr = fmt.Errorf("read %d bytes at %d: got %d: %w", len(r.Buf), r.Offset, r.N, errShort)
		}
	}
}

func (a *acct) verifyError(r *engines.Request, file int) {
	a.verifyErrors++
	if a.firstErr == nil {
		bad := workloads.Verify(r.Buf, file, r.Offset, workloads.VerifyFull)
		a.firstErr = fmt.Errorf("verify %d bytes at %d: data differs from the layout at byte %d", len(r.Buf), r.Offset, bad)
	}
}
