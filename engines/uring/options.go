package uring

import (
	"strconv"

	"github.com/aiobench/aiobench/engines"
)

// The engine's options and counters (engines.Optioned, engines.Counted).

// Options declares the engine's settings: --uring-<name>, each recorded in a CSV column.
func (engine) Options() []engines.Option {
	sw := func(name, help, doc string) engines.Option {
		return engines.Option{Name: name, Kind: "on|off", Help: help, Bare: "on",
			Column: "uring_" + column(name), ColumnDoc: doc,
			Parse: engines.ParseSwitch, Record: engines.RecordSwitch}
	}
	return []engines.Option{
		sw("async", "uring: IOSQE_ASYNC, every read goes to io-wq worker threads (the kernel's thread pool)",
			"1 when --uring-async forced every read to io-wq (IOSQE_ASYNC), else 0"),
		sw("fixed-files", "uring: register the files (IOSQE_FIXED_FILE), saving a file lookup per read",
			"1 with --uring-fixed-files (registered files), else 0"),
		sw("fixed-buffers", "uring: register the buffers and read with IORING_OP_READ_FIXED (Linux 5.13+)",
			"1 with --uring-fixed-buffers (registered buffers, READ_FIXED), else 0"),
		{Name: "sqpoll", Kind: "duration|off", Bare: "1s",
			Help:   "uring: a kernel thread polls the submission queue (SQPOLL), sleeping after this idle time (bare: 1s)",
			Column: "uring_sqpoll_idle_ms", ColumnUnit: "ms",
			ColumnDoc: "--uring-sqpoll idle time of the kernel's submission polling thread, 0 for no SQPOLL",
			Parse:     engines.ParseDurationOff("1s, 10ms, off"),
			Record: func(v string) string {
				if d := engines.Duration(v); d > 0 {
					return strconv.FormatInt(max(d.Milliseconds(), 1), 10)
				}
				return "0"
			}},
		{Name: "entries", Kind: "int", Help: "uring: submission queue entries (default: iodepth)",
			Column: "uring_entries", ColumnDoc: "--uring-entries asked for, 0 for the default (the queue depth)",
			Parse: engines.IntAtLeast(1), Record: engines.RecordInt},
	}
}

func column(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// counters are the figures that explain the engine's numbers, each with its value.
var counters = engines.CounterTable[stats]{
	{Counter: engines.Counter{Name: "uring_enters_per_op", Label: "enters/op", Better: "lower", Doc: "io_uring_enter calls per completed request (uring): below 1 when a call submits or reaps several"},
		Value: func(s *stats) float64 { return engines.Ratio(s.enters, s.completed) }},
	{Counter: engines.Counter{Name: "uring_waits_per_op", Label: "waits/op", Better: "lower", Doc: "io_uring_enter calls that waited for completions, per completed request (uring)"},
		Value: func(s *stats) float64 { return engines.Ratio(s.waits, s.completed) }},
	{Counter: engines.Counter{Name: "uring_inline_pct", Label: "inline %", Unit: "%", Doc: "share of reads completed inside the io_uring_enter that submitted them: the page cache served them (uring)"},
		Value: func(s *stats) float64 { return 100 * engines.Ratio(s.inline, s.submitted) }},
	{Counter: engines.Counter{Name: "uring_resubmits", Label: "resubmits", Better: "lower", Doc: "reads resubmitted for the rest after a short read or EAGAIN (uring)"},
		Value: func(s *stats) float64 { return float64(s.resubmits) }},
	{Counter: engines.Counter{Name: "uring_buf_regs", Label: "buf regs", Doc: "buffers registered with --uring-fixed-buffers in the measured phase (uring)"},
		Value: func(s *stats) float64 { return float64(s.bufRegs) }},
	{Counter: engines.Counter{Name: "uring_unfixed", Label: "unfixed", Better: "lower", Doc: "reads done without a registered buffer although --uring-fixed-buffers asked for one (uring)"},
		Value: func(s *stats) float64 { return float64(s.unfixed) }},
}

// Counters declares the engine's counters (engines.Counted).
func (engine) Counters() []engines.Counter { return counters.Counters() }

// stats are one Reader's counters.
type stats struct {
	completed, enters, waits, resubmits, bufRegs, unfixed, submitted, inline int64
}

func (s *stats) Merge(o engines.Counters) {
	t := o.(*stats)
	s.completed += t.completed
	s.enters += t.enters
	s.waits += t.waits
	s.resubmits += t.resubmits
	s.bufRegs += t.bufRegs
	s.unfixed += t.unfixed
	s.submitted += t.submitted
	s.inline += t.inline
}

func (s *stats) Values() map[string]float64 { return counters.Values(s) }

func (r *reader) Stats() engines.Counters { s := r.stats; return &s }

func (r *reader) ResetStats() { r.stats = stats{} }
