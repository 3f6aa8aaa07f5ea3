package engines

import hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

// Stats are the counters an engine keeps to explain its figures. Fields an engine does not
// use stay zero; histograms it does not keep stay nil. Durations are in nanoseconds.
type Stats struct {
	// Requests completed and read attempts made for them (a retrying engine makes more than
	// one attempt for a request the page cache could not serve at once).
	Completed, Attempts int64
	AttemptsMax         int64 // most attempts one request needed
	EAGAIN              int64 // attempts refused with EAGAIN (nothing cached at the offset)
	ShortReads          int64 // attempts that read a cached prefix only
	Kicks               int64 // notifications that led to a retry
	StaleKicks          int64 // notifications dropped: for an earlier wait, or after completion
	KickedWhileRunning  int64 // notifications that arrived while a retry of the request ran
	Fallbacks           int64 // requests read with a blocking read because RWF_NOWAIT was unsupported
	Readaheads          int64 // readahead(2) calls made to start I/O
	WaitersPeak         int64 // most notifier threads waiting at once
	QueuePeak           int64 // longest submission queue seen

	WaitToRetry *hdrhistogram.Histogram // notification → retry start
	QueueWait   *hdrhistogram.Histogram // Submit → a worker takes the request
	Handoff     *hdrhistogram.Histogram // a worker finishes → the reaper takes the completion
}

// NewLatencyHist returns a histogram for engine latencies: 1 ns to 1 h, 3 significant digits.
func NewLatencyHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 3600e9, 3) }

// Record adds ns to h, clamped into its range.
func Record(h *hdrhistogram.Histogram, ns int64) {
	if ns < 1 {
		ns = 1
	}
	if h.RecordValue(ns) != nil {
		_ = h.RecordValue(h.HighestTrackableValue())
	}
}

// Merge adds o into s (sums, maxima, merged histograms).
func (s *Stats) Merge(o *Stats) {
	s.Completed += o.Completed
	s.Attempts += o.Attempts
	s.AttemptsMax = max(s.AttemptsMax, o.AttemptsMax)
	s.EAGAIN += o.EAGAIN
	s.ShortReads += o.ShortReads
	s.Kicks += o.Kicks
	s.StaleKicks += o.StaleKicks
	s.KickedWhileRunning += o.KickedWhileRunning
	s.Fallbacks += o.Fallbacks
	s.Readaheads += o.Readaheads
	s.WaitersPeak = max(s.WaitersPeak, o.WaitersPeak)
	s.QueuePeak = max(s.QueuePeak, o.QueuePeak)
	for _, p := range []struct {
		dst **hdrhistogram.Histogram
		src *hdrhistogram.Histogram
	}{
		{&s.WaitToRetry, o.WaitToRetry}, {&s.QueueWait, o.QueueWait}, {&s.Handoff, o.Handoff},
	} {
		if p.src == nil {
			continue
		}
		if *p.dst == nil {
			*p.dst = NewLatencyHist()
		}
		(*p.dst).Merge(p.src)
	}
}
