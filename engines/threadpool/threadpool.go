// Package threadpool registers the "threadpool" engine: the classic way to make blocking reads
// asynchronous, and the design the retry engine competes with. Submit puts requests on a bounded
// queue; a fixed set of OS threads (runtime.LockOSThread) take them and do blocking pread(2)s;
// completions are handed to the reaper. Every request pays two thread hand-offs, cached or not,
// which is exactly what the retry engine's inline fast path avoids. Its counters show those
// costs: queue wait (Submit until a thread takes the request), hand-off (a thread finishing until
// the reaper takes the completion) and the longest queue.
package threadpool

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/fileio"
)

func init() { engines.Register("threadpool", engine{}) }

type engine struct{}

func (engine) Describe() string {
	return "blocking pread(2) on a pool of OS threads (--threads, default iodepth), completions handed to the reaper"
}

// threads is the number of worker threads a Reader opened with cfg keeps.
func threads(cfg engines.Config) int {
	if cfg.Threads > 0 {
		return cfg.Threads
	}
	return max(cfg.QueueDepth, 1)
}

func (engine) BlockingThreads(cfg engines.Config) int { return threads(cfg) }

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	qd := max(cfg.QueueDepth, 1)
	threads := threads(cfg)
	r := &reader{
		subq: make(chan *engines.Request, qd),
		done: make(chan *engines.Request, qd),
	}
	r.resetStats()
	for range threads {
		r.workers.Add(1)
		go r.worker()
	}
	return r, nil
}

// times is the engine's per-request state: when the request was submitted, taken by a worker
// and finished. Each is written by one side before the request crosses a channel to the other.
type times struct{ submitted, taken, finished int64 }

type reader struct {
	subq, done chan *engines.Request
	workers    sync.WaitGroup
	inflight   int
	closed     bool
	stats      engines.Stats
}

var _ engines.Reader = (*reader)(nil)
var _ engines.StatsReader = (*reader)(nil)

// Submit queues the requests for the worker threads; the queue holds QueueDepth requests, as
// many as the caller may have in flight, so it never blocks.
func (r *reader) Submit(reqs []*engines.Request) error {
	if r.closed {
		return errors.New("threadpool: Submit after Close")
	}
	now := clock.Now()
	for _, req := range reqs {
		t, _ := req.Engine.(*times)
		if t == nil {
			t = &times{}
			req.Engine = t
		}
		t.submitted = now
		r.subq <- req
		r.inflight++
		r.stats.QueuePeak = max(r.stats.QueuePeak, int64(len(r.subq)))
	}
	return nil
}

func (r *reader) worker() {
	runtime.LockOSThread()
	defer r.workers.Done()
	for req := range r.subq {
		t := req.Engine.(*times)
		t.taken = clock.Now()
		req.N, req.Err = fileio.Pread(req.Fd, req.Buf, req.Offset)
		t.finished = clock.Now()
		r.done <- req
	}
}

// Reap takes completions from the workers, waiting for the first min.
func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	if min > r.inflight {
		return dst, fmt.Errorf("threadpool: reap: asked to wait for %d requests, %d in flight", min, r.inflight)
	}
	for got := 0; ; got++ {
		var req *engines.Request
		if got < min {
			req = <-r.done
		} else {
			select {
			case req = <-r.done:
			default:
				return dst, nil
			}
		}
		t := req.Engine.(*times)
		now := clock.Now()
		engines.Record(r.stats.QueueWait, t.taken-t.submitted)
		engines.Record(r.stats.Handoff, now-t.finished)
		r.stats.Completed++
		r.inflight--
		dst = append(dst, req)
	}
}

func (r *reader) Stats() engines.Stats {
	s := r.stats
	s.QueueWait, s.Handoff = engines.NewLatencyHist(), engines.NewLatencyHist()
	s.QueueWait.Merge(r.stats.QueueWait)
	s.Handoff.Merge(r.stats.Handoff)
	return s
}

func (r *reader) ResetStats() { r.resetStats() }

func (r *reader) resetStats() {
	r.stats = engines.Stats{QueueWait: engines.NewLatencyHist(), Handoff: engines.NewLatencyHist()}
}

// Close waits for the requests in flight, then stops the worker threads.
func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	for r.inflight > 0 {
		<-r.done
		r.inflight--
	}
	r.closed = true
	close(r.subq)
	r.workers.Wait()
	return nil
}
