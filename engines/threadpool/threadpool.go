// Package threadpool registers the "threadpool" engine: the classic way to make blocking reads
// asynchronous, and the design the retry engine competes with. Submit puts requests on a queue;
// a fixed set of OS threads (runtime.LockOSThread) take them and do blocking pread(2)s;
// completions are handed back to the reaper. Every request pays two thread hand-offs, cached or
// not, which is exactly what the retry engine's inline fast path avoids. Its counters show those
// costs: queue wait (Submit until a thread takes the request), hand-off (a thread finishing until
// the reaper takes the completion) and the longest queue.
//
// It is the design at its best, so that a ratio against it is honest: both hand-offs use the
// same machinery as the retry engine's (handoff.Queue: a short mutex, a futex to wake a sleeping
// thread, no channel and no Go scheduler on the request path), an idle worker polls briefly for
// the next request before it sleeps (one worker at a time per spare CPU, so idle workers do not
// crowd the CPUs), and Reap polls briefly for a completion before it sleeps.
package threadpool

import (
	"math"
	"runtime"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/fileio"
	"github.com/aiobench/aiobench/internal/handoff"
)

// WorkerSpin is how long an idle worker polls for the next request before it sleeps, and
// ReapSpin how long Reap polls for a completion before it sleeps. A cached read takes a worker
// about a microsecond, so with polling a request crosses each hand-off without a wake-up;
// measured figures are in the README.
const (
	WorkerSpin = 50 * time.Microsecond
	ReapSpin   = 50 * time.Microsecond
)

func init() { engines.Register("threadpool", engine{}) }

type engine struct{}

func (engine) Describe() string {
	return "blocking pread(2) on a pool of OS threads (--threads, default iodepth), completions handed to the reaper"
}

// Options declares the engine's one setting (engines.Optioned).
func (engine) Options() []engines.Option {
	return []engines.Option{{
		Name: "threads", Alias: "threads", Kind: "int", Help: "worker threads per job of the threadpool engine (default: iodepth, at most 64)",
		Column: "threads", ColumnDoc: "--threads asked for (threadpool), 0 for the engine's default",
		Parse: engines.IntAtLeast(1), Record: engines.RecordInt,
	}}
}

// maxDefaultThreads bounds the default pool: the queue depth, but no more threads than this (an
// open-loop run's depth may be a thousand, a pool of a thousand threads would measure thread
// churn, not the design).
const maxDefaultThreads = 64

// threads is the number of worker threads a Reader opened with cfg keeps.
func threads(cfg engines.Config) int {
	if n := engines.Int(cfg.Options["threads"]); n > 0 {
		return n
	}
	return min(max(cfg.QueueDepth, 1), maxDefaultThreads)
}

func (engine) BlockingThreads(cfg engines.Config) int { return threads(cfg) }

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	qd := max(cfg.QueueDepth, 1)
	threads := threads(cfg)
	r := &reader{
		subq: handoff.NewQueue[*engines.Request](qd, WorkerSpin, max(runtime.NumCPU()-1, 1)),
		done: handoff.NewQueue[*engines.Request](qd, ReapSpin, 0),
	}
	r.resetStats()
	for range threads {
		r.workers.Add(1)
		go r.worker()
	}
	return r, nil
}

// times is the engine's per-request state: when the request was submitted, taken by a worker
// and finished. Each is written by one side before the request crosses a queue to the other.
type times struct{ submitted, taken, finished int64 }

type reader struct {
	subq, done *handoff.Queue[*engines.Request]
	workers    sync.WaitGroup
	inflight   int
	stats      stats
}

var _ engines.Reader = (*reader)(nil)
var _ engines.StatsReader = (*reader)(nil)

// Submit queues the requests for the worker threads; it never blocks.
func (r *reader) Submit(reqs []*engines.Request) error {
	now := clock.Now()
	for _, req := range reqs {
		t, _ := req.Engine.(*times)
		if t == nil {
			t = &times{}
			req.Engine = t
		}
		t.submitted = now
		r.subq.Push(req)
		r.inflight++
		r.stats.queuePeak = max(r.stats.queuePeak, int64(r.subq.Len()))
	}
	return nil
}

func (r *reader) worker() {
	runtime.LockOSThread()
	defer r.workers.Done()
	for {
		req, ok := r.subq.Pop()
		if !ok {
			return
		}
		t := req.Engine.(*times)
		t.taken = clock.Now()
		req.N, req.Err = fileio.Pread(req.Fd, req.Buf, req.Offset)
		t.finished = clock.Now()
		r.done.Push(req)
	}
}

// Reap takes completions from the workers, waiting for the first min.
func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	return r.reap(dst, min, math.MaxInt64)
}

// ReapUntil is Reap that gives up at deadline (engines.TimedReaper).
func (r *reader) ReapUntil(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	return r.reap(dst, min, deadline)
}

func (r *reader) reap(dst []*engines.Request, min int, deadline int64) ([]*engines.Request, error) {
	from := len(dst)
	dst = r.done.Drain(dst)
	for len(dst)-from < min {
		var req *engines.Request
		ok := true
		if deadline == math.MaxInt64 {
			req, _ = r.done.Pop() // never closed while requests are in flight
		} else if req, ok = r.done.PopUntil(deadline); !ok {
			break // the deadline
		}
		dst = r.done.Drain(append(dst, req))
	}
	now := clock.Now()
	for _, req := range dst[from:] {
		t := req.Engine.(*times)
		engines.Record(r.stats.queueWait, t.taken-t.submitted)
		engines.Record(r.stats.handoff, now-t.finished)
	}
	n := int64(len(dst) - from)
	r.stats.completed += n
	r.inflight -= int(n)
	return dst, nil
}

func (r *reader) Stats() engines.Counters {
	s := r.stats
	s.queueWait, s.handoff = engines.NewLatencyHist(), engines.NewLatencyHist()
	s.queueWait.Merge(r.stats.queueWait)
	s.handoff.Merge(r.stats.handoff)
	return &s
}

func (r *reader) ResetStats() { r.resetStats() }

func (r *reader) resetStats() {
	r.stats = stats{queueWait: engines.NewLatencyHist(), handoff: engines.NewLatencyHist()}
}

// counters are the figures that explain the engine's numbers, each with its value.
var counters = engines.CounterTable[stats]{
	{Counter: engines.Counter{Name: "queue_wait_p50_us", Label: "queue wait p50", Unit: "µs", Better: "lower", Doc: "median time from Submit until a worker thread takes the request (threadpool)"},
		Value: func(s *stats) float64 { return engines.Percentile(s.queueWait, 50) }},
	{Counter: engines.Counter{Name: "queue_wait_p99_us", Label: "p99", Unit: "µs", Better: "lower", Doc: "99th percentile of the same"},
		Value: func(s *stats) float64 { return engines.Percentile(s.queueWait, 99) }},
	{Counter: engines.Counter{Name: "handoff_p50_us", Label: "handoff p50", Unit: "µs", Better: "lower", Doc: "median time from a worker finishing a read until the reaper takes it (threadpool)"},
		Value: func(s *stats) float64 { return engines.Percentile(s.handoff, 50) }},
	{Counter: engines.Counter{Name: "handoff_p99_us", Label: "p99", Unit: "µs", Better: "lower", Doc: "99th percentile of the same"},
		Value: func(s *stats) float64 { return engines.Percentile(s.handoff, 99) }},
	{Counter: engines.Counter{Name: "queue_peak", Label: "queue peak", Doc: "longest submission queue seen (threadpool)"},
		Value: func(s *stats) float64 { return float64(s.queuePeak) }},
}

// Counters declares the engine's counters (engines.Counted).
func (engine) Counters() []engines.Counter { return counters.Counters() }

// stats are one Reader's counters. Durations are in nanoseconds.
type stats struct {
	completed, queuePeak int64
	queueWait            *hdrhistogram.Histogram // Submit → a worker takes the request
	handoff              *hdrhistogram.Histogram // a worker finishes → the reaper takes the completion
}

func (s *stats) Merge(o engines.Counters) {
	t := o.(*stats)
	s.completed += t.completed
	s.queuePeak = max(s.queuePeak, t.queuePeak)
	s.queueWait.Merge(t.queueWait)
	s.handoff.Merge(t.handoff)
}

func (s *stats) Values() map[string]float64 { return counters.Values(s) }

// Close waits for the requests in flight, then stops the worker threads.
func (r *reader) Close() error {
	for r.inflight > 0 {
		r.done.Pop()
		r.inflight--
	}
	r.subq.Close()
	r.workers.Wait()
	return nil
}
