package retry

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
)

// counters are the figures that explain the engine's numbers, in the order of stats.Values.
var counters = []engines.Counter{
	{Name: "attempts_per_op", Label: "attempts/op", Unit: "", Better: "lower", Doc: "mean read attempts per completed request (1.0 when every read took the fast path)"},
	{Name: "attempts_max", Label: "max", Unit: "", Better: "lower", Doc: "most attempts one request needed"},
	{Name: "eagain", Label: "eagain", Unit: "", Better: "lower", Doc: "attempts refused with EAGAIN: nothing cached at the offset"},
	{Name: "short_reads", Label: "short", Unit: "", Better: "lower", Doc: "attempts that read only a cached prefix"},
	{Name: "kicks", Label: "kicks", Unit: "", Better: "lower", Doc: "notifications that led to a retry"},
	{Name: "stale_kicks", Label: "stale", Unit: "", Better: "lower", Doc: "notifications dropped: for an earlier wait or after completion"},
	{Name: "kicked_while_running", Label: "kicked running", Unit: "", Better: "lower", Doc: "notifications that arrived while a retry of the request ran (each forced another attempt)"},
	{Name: "fallbacks", Label: "fallbacks", Unit: "", Better: "lower", Doc: "requests read blocking because RWF_NOWAIT was unsupported"},
	{Name: "waiters_peak", Label: "waiters peak", Unit: "", Better: "", Doc: "most waiter threads waiting at once"},
	{Name: "wait_to_retry_p50_us", Label: "wait→retry p50", Unit: "µs", Better: "lower", Doc: "median time from a notification to the retry it caused"},
	{Name: "wait_to_retry_p99_us", Label: "p99", Unit: "µs", Better: "lower", Doc: "99th percentile of the same"},
	{Name: "readaheads", Label: "readaheads", Unit: "", Better: "lower", Doc: "readahead(2) calls the engine made to start I/O (retry: none for a page its NOWAIT attempt already started)"},
}

// Counters declares the engine's counters (engines.Counted).
func (engine) Counters() []engines.Counter { return counters }

// stats are one Reader's counters. Durations are in nanoseconds.
type stats struct {
	completed, attempts int64
	attemptsMax         int64
	eagain, shortReads  int64
	kicks               int64
	stale, whileRunning int64
	fallbacks           int64
	readaheads          int64
	waitersPeak         int64
	waitToRetry         *hdrhistogram.Histogram // notification → retry start
}

func (s *stats) Merge(o engines.Counters) {
	t := o.(*stats)
	s.completed += t.completed
	s.attempts += t.attempts
	s.attemptsMax = max(s.attemptsMax, t.attemptsMax)
	s.eagain += t.eagain
	s.shortReads += t.shortReads
	s.kicks += t.kicks
	s.stale += t.stale
	s.whileRunning += t.whileRunning
	s.fallbacks += t.fallbacks
	s.readaheads += t.readaheads
	s.waitersPeak = max(s.waitersPeak, t.waitersPeak)
	s.waitToRetry.Merge(t.waitToRetry)
}

func (s *stats) Values() []float64 {
	perOp := 0.0
	if s.completed > 0 && s.attempts > 0 {
		perOp = float64(s.attempts) / float64(s.completed)
	}
	f := func(v int64) float64 { return float64(v) }
	return []float64{perOp, f(s.attemptsMax), f(s.eagain), f(s.shortReads), f(s.kicks), f(s.stale),
		f(s.whileRunning), f(s.fallbacks), f(s.waitersPeak),
		engines.Percentile(s.waitToRetry, 50), engines.Percentile(s.waitToRetry, 99), f(s.readaheads)}
}
