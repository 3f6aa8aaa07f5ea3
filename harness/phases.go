package harness

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/diskstats"
	"golang.org/x/sys/unix"
)

// runState is shared by a run's jobs. Its plain fields are written before the jobs start or by
// the barrier's action while every job waits (the barrier's lock orders them); the rest are
// atomic.
//
// A run has three phases. The warm-up runs until warmupEnd; each job then drains its queue and
// waits at the gate. With every job stopped, the gate puts the file back in the asked-for state
// (a cold file is evicted again, so no block the warm-up read is cached when timing starts),
// measures its residency and takes the CPU and device readings: the measured phase starts. In
// it, a cold run's jobs meet at the barrier again whenever every job has covered its share of
// the file: the file is evicted (or, partly cached, made partly resident again) with nothing in
// flight; that pause is left out of the elapsed time, the CPU and the device counters, and
// the deadline moves by its length. The measured phase ends when the last job has reached its
// bound and drained its queue: the last readings are taken then, before any Reader closes.
type runState struct {
	cfg *Config
	ctl int // a descriptor of the data file for cache control
	// ctls are every data file's (Config.NrFiles), ctl first.
	ctls []int
	jobs []*job
	eng  engines.Engine
	dev  *diskstats.Device // nil when the data file's device is unknown
	log  *runLog           // the run's time series; nil when it keeps none

	warmupEnd    int64 // clock.Now at which the warm-up ends
	measureStart int64 // clock.Now at which the measured phase began (set by the gate)
	measuring    atomic.Bool
	deadline     atomic.Int64 // clock.Now at which the measured phase ends, 0 when bounded by ops only
	stop         atomic.Bool
	bar          *barrier

	// Written by the barrier's actions and the last job to leave.
	residentStart      float64
	startUsage, usage  unix.Rusage // the CPU at the gate and at the end, pauses taken out
	startDev, devDelta diskstats.Stat
	paused             int64 // ns of pauses inside the measured phase
	drops              int64 // evictions at a new pass inside the measured phase
	endAt              int64 // clock.Now of the last reading
	mu                 sync.Mutex
	err                error // the first error of an action; the run stops
}

// halt stops the run: jobs stop issuing, and none waits at the barrier any more.
func (s *runState) halt() {
	s.stop.Store(true)
	s.bar.abort()
}

// fail records an action's error and stops the run.
func (s *runState) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.stop.Store(true)
}

// atBarrier is the barrier's action: the gate if the warm-up is over, else a new pass.
func (s *runState) atBarrier() {
	if s.stop.Load() {
		return
	}
	now := clock.Now()
	if !s.measuring.Load() {
		if now >= s.warmupEnd {
			s.gate()
		} else if err := s.prepare(); err != nil { // a new pass inside the warm-up
			s.fail(fmt.Errorf("evict for a new pass: %w", err))
		}
		return
	}
	if d := s.deadline.Load(); d > 0 && now >= d {
		return // the jobs are about to stop: nothing to prepare
	}
	s.pass()
}

// prepare puts the file in the state the run asked for: a cold file evicted (and for a partly
// cached one, the same share made resident again); a warm or direct file is left as it is.
func (s *runState) prepare() error {
	if s.cfg.Cache != CacheCold {
		return nil
	}
	for _, fd := range s.ctls {
		if err := evict(s.cfg, fd); err != nil {
			return err
		}
		if s.cfg.Resident > 0 {
			if err := warmScattered(fd, s.cfg.Size, s.cfg.Resident, s.cfg.Seed); err != nil {
				return err
			}
		}
	}
	for _, j := range s.jobs {
		j.d.sinceEvict = 0 // every job is parked: nothing is in flight
		if j.inv != nil {
			if err := j.inv.Invalidate(); err != nil {
				return fmt.Errorf("job %d: invalidate: %w", j.index, err)
			}
		}
	}
	return nil
}

// gate starts the measured phase.
func (s *runState) gate() {
	if err := s.prepare(); err != nil {
		s.fail(fmt.Errorf("prepare the %s cache after the warm-up: %w", s.cfg.Cache, err))
		return
	}
	r, err := residency(s.ctls, s.cfg.Size)
	if err != nil {
		s.fail(fmt.Errorf("measure residency: %w", err))
		return
	}
	s.residentStart = r
	if s.dev != nil {
		if s.startDev, err = s.dev.Read(); err != nil {
			s.dev = nil // reported as unknown, not a reason to fail the run
		}
	}
	_ = unix.Getrusage(unix.RUSAGE_SELF, &s.startUsage)
	s.measureStart = clock.Now()
	if s.cfg.Runtime > 0 {
		s.deadline.Store(s.measureStart + int64(s.cfg.Runtime))
	}
	s.measuring.Store(true)
	s.cfg.Live.measure(s.measureStart)
	if s.log != nil {
		s.log.stop, s.log.done = make(chan struct{}), make(chan struct{})
		go tick(s.log, s.measureStart, s.ctls, s.cfg.Size, s.dev, s.startDev)
	}
}

// pass prepares the file for a new pass inside the measured phase, and takes the pause out of
// the measured phase's time, CPU and device counters.
func (s *runState) pass() {
	var u0, u1 unix.Rusage
	var d0, d1 diskstats.Stat
	_ = unix.Getrusage(unix.RUSAGE_SELF, &u0)
	dev := s.dev
	if dev != nil {
		d0, _ = dev.Read()
	}
	t0 := clock.Now()
	if err := s.prepare(); err != nil {
		s.fail(fmt.Errorf("evict for a new pass: %w", err))
		return
	}
	t1 := clock.Now()
	if dev != nil {
		d1, _ = dev.Read()
		s.startDev.Reads += d1.Reads - d0.Reads
		s.startDev.ReadSectors += d1.ReadSectors - d0.ReadSectors
		s.startDev.IOTicks += d1.IOTicks - d0.IOTicks
		s.startDev.QueueTime += d1.QueueTime - d0.QueueTime
	}
	_ = unix.Getrusage(unix.RUSAGE_SELF, &u1)
	addUsage(&s.startUsage, &u0, &u1)
	s.drops++
	s.paused += t1 - t0
	if s.log != nil {
		s.log.paused.Store(s.paused)
	}
	if d := s.deadline.Load(); d > 0 {
		s.deadline.Store(d + (t1 - t0))
	}
}

// addUsage moves start forward by the usage from a to b, so that end − start leaves it out.
func addUsage(start, a, b *unix.Rusage) {
	tv := func(t unix.Timeval) int64 { return t.Sec*1e6 + int64(t.Usec) }
	set := func(t *unix.Timeval, us int64) { t.Sec, t.Usec = us/1e6, us%1e6 }
	set(&start.Utime, tv(start.Utime)+tv(b.Utime)-tv(a.Utime))
	set(&start.Stime, tv(start.Stime)+tv(b.Stime)-tv(a.Stime))
	start.Nvcsw += b.Nvcsw - a.Nvcsw
	start.Nivcsw += b.Nivcsw - a.Nivcsw
}

// last takes the end readings when the last job has left the measured phase.
func (s *runState) last() {
	_ = unix.Getrusage(unix.RUSAGE_SELF, &s.usage)
	s.endAt = clock.Now()
	if s.dev != nil && s.measuring.Load() {
		end, err := s.dev.Read()
		if err != nil {
			s.dev = nil
			return
		}
		s.devDelta = end.Sub(s.startDev)
	}
}
