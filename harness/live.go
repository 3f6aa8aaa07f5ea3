package harness

import (
	"sync/atomic"
	"time"

	"github.com/aiobench/aiobench/internal/clock"
)

// Live is a window on the run in progress, for a display that polls it from another goroutine
// (aiobench's progress bar). One Live is shared by every run it is given to (Config.Live): each
// Plan.Run starts a new view of it. The jobs publish their measured requests at most every
// livePeriod, from the check of the clock the run loop makes anyway: the loop adds one
// comparison per iteration and no atomic operation, so a watched run measures as an unwatched one.
type Live struct {
	seq       atomic.Int64
	cfg       atomic.Pointer[Config]
	begun     atomic.Int64 // clock.Now at which the run began
	measuring atomic.Int64 // clock.Now at which the measured phase began; 0 before
	ops       atomic.Int64 // measured requests completed, as published
	ended     atomic.Bool
}

// livePeriod is how often a job publishes its count to Live.
const livePeriod = int64(50 * time.Millisecond)

// A LiveView is what a Live shows at one moment.
type LiveView struct {
	Seq      int64   // runs begun so far; 0 before the first
	Config   *Config // the run's configuration (not to be modified)
	Elapsed  time.Duration
	Measured time.Duration // time in the measured phase; 0 in the warm-up
	Ops      int64         // measured requests completed, as of up to livePeriod ago
	Ended    bool
}

// View returns the current run's state.
func (l *Live) View() LiveView {
	v := LiveView{Seq: l.seq.Load(), Config: l.cfg.Load(), Ops: l.ops.Load(), Ended: l.ended.Load()}
	now := clock.Now()
	if b := l.begun.Load(); b > 0 {
		v.Elapsed = time.Duration(now - b)
	}
	if m := l.measuring.Load(); m > 0 {
		v.Measured = time.Duration(now - m)
	}
	return v
}

func (l *Live) begin(cfg *Config) {
	if l == nil {
		return
	}
	c := *cfg
	l.ended.Store(false)
	l.measuring.Store(0)
	l.ops.Store(0)
	l.begun.Store(clock.Now())
	l.cfg.Store(&c)
	l.seq.Add(1)
}

func (l *Live) measure(at int64) {
	if l != nil {
		l.measuring.Store(at)
	}
}

func (l *Live) end() {
	if l != nil {
		l.ended.Store(true)
	}
}
