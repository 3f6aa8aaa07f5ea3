package retry

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
)

// counters are the figures that explain the engine's numbers, each with its value.
var counters = engines.CounterTable[stats]{
	{Counter: engines.Counter{Name: "attempts_per_op", Label: "attempts/op", Better: "lower", Doc: "mean read attempts per completed request (1.0 when every read took the fast path)"},
		Value: func(s *stats) float64 { return engines.Ratio(s.attempts, s.completed) }},
	{Counter: engines.Counter{Name: "attempts_max", Label: "max", Better: "lower", Doc: "most attempts one request needed"},
		Value: func(s *stats) float64 { return float64(s.attemptsMax) }},
	{Counter: engines.Counter{Name: "eagain", Label: "eagain", Better: "lower", Doc: "attempts refused with EAGAIN: the page not cached, or not served without blocking (eagain_resident)"},
		Value: func(s *stats) float64 { return float64(s.eagain) }},
	{Counter: engines.Counter{Name: "eagain_resident", Label: "eagain resident", Better: "lower", Doc: "of those, attempts refused although the page was cached and up to date (mincore right after the refusal): the kernel refusing a cached read (a folio carrying the readahead marker, or locked)"},
		Value: func(s *stats) float64 { return float64(s.eagainResident) }},
	{Counter: engines.Counter{Name: "short_reads", Label: "short", Better: "lower", Doc: "attempts that read only a cached prefix"},
		Value: func(s *stats) float64 { return float64(s.shortReads) }},
	{Counter: engines.Counter{Name: "kicks", Label: "kicks", Better: "lower", Doc: "notifications that led to a retry"},
		Value: func(s *stats) float64 { return float64(s.kicks) }},
	{Counter: engines.Counter{Name: "stale_kicks", Label: "stale", Better: "lower", Doc: "notifications dropped: for an earlier wait or after completion"},
		Value: func(s *stats) float64 { return float64(s.stale) }},
	{Counter: engines.Counter{Name: "kicked_while_running", Label: "kicked running", Better: "lower", Doc: "notifications that arrived while a retry of the request ran (each forced another attempt)"},
		Value: func(s *stats) float64 { return float64(s.whileRunning) }},
	{Counter: engines.Counter{Name: "fallbacks", Label: "fallbacks", Better: "lower", Doc: "requests read blocking because RWF_NOWAIT was unsupported"},
		Value: func(s *stats) float64 { return float64(s.fallbacks) }},
	{Counter: engines.Counter{Name: "waiters_peak", Label: "waiters peak", Doc: "most waiter threads waiting at once"},
		Value: func(s *stats) float64 { return float64(s.waitersPeak) }},
	{Counter: engines.Counter{Name: "wait_to_retry_p50_us", Label: "wait→retry p50", Unit: "µs", Better: "lower", Doc: "median time from a notification to the retry it caused"},
		Value: func(s *stats) float64 { return engines.Percentile(s.waitToRetry, 50) }},
	{Counter: engines.Counter{Name: "wait_to_retry_p99_us", Label: "p99", Unit: "µs", Better: "lower", Doc: "99th percentile of the same"},
		Value: func(s *stats) float64 { return engines.Percentile(s.waitToRetry, 99) }},
	{Counter: engines.Counter{Name: "polls", Label: "polls", Better: "lower", Doc: "non-blocking looks (a 1-byte RWF_NOWAIT read) whether a page Reap waits for is ready (reaper notifier, --retry-poll)"},
		Value: func(s *stats) float64 { return float64(s.polls) }},
	{Counter: engines.Counter{Name: "polls_ready", Label: "ready", Doc: "of those, the looks that found the page ready and notified its request"},
		Value: func(s *stats) float64 { return float64(s.pollsReady) }},
	{Counter: engines.Counter{Name: "readaheads", Label: "readaheads", Better: "lower", Doc: "readahead(2) calls the engine made to start I/O (retry: none for a page its NOWAIT attempt already started)"},
		Value: func(s *stats) float64 { return float64(s.readaheads) }},
}

// Counters declares the engine's counters (engines.Counted).
func (engine) Counters() []engines.Counter { return counters.Counters() }

// stats are one Reader's counters. Durations are in nanoseconds.
type stats struct {
	completed, attempts int64
	attemptsMax         int64
	eagain, shortReads  int64
	eagainResident      int64
	kicks               int64
	stale, whileRunning int64
	fallbacks           int64
	readaheads          int64
	polls, pollsReady   int64
	waitersPeak         int64
	waitToRetry         *hdrhistogram.Histogram // notification → retry start
}

func (s *stats) Merge(o engines.Counters) {
	t := o.(*stats)
	s.completed += t.completed
	s.attempts += t.attempts
	s.attemptsMax = max(s.attemptsMax, t.attemptsMax)
	s.eagain += t.eagain
	s.eagainResident += t.eagainResident
	s.shortReads += t.shortReads
	s.kicks += t.kicks
	s.stale += t.stale
	s.whileRunning += t.whileRunning
	s.fallbacks += t.fallbacks
	s.readaheads += t.readaheads
	s.polls += t.polls
	s.pollsReady += t.pollsReady
	s.waitersPeak = max(s.waitersPeak, t.waitersPeak)
	s.waitToRetry.Merge(t.waitToRetry)
}

func (s *stats) Values() map[string]float64 { return counters.Values(s) }
