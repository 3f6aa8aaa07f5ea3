package harness

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/results"
	"golang.org/x/sys/unix"
)

// The open-loop issuer (Config.Rate): every request has an intended time fixed in advance by the
// arrival process, independent of completions, and a job issues every request whose time has
// come, up to its queue depth in flight. A request due while every slot is taken waits in the
// job's queue, its intended time kept, so its intended-time latency includes that wait (what an
// application that issues at that rate waits; YCSB's and wrk2's "intended" measurement). The job
// never drains its queue to wait for the schedule.
//
// Waiting is precise without burning a CPU for nothing: the job's thread sleeps in
// clock_nanosleep (absolute CLOCK_MONOTONIC, the clock the run reads; timer slack 1 ns) to a
// margin before the next intended time and spins the rest. The margin adapts to the wake-ups it
// sees (it tracks their 99th percentile), so it spins only as long as this machine's wake-ups
// need. Spinning needs a CPU of its own: with more jobs than CPUs less one, the spinning jobs
// would take the CPUs the others read with (16 psync jobs on 2 CPUs spinning had a service p99
// of 10 ms at 30% of the disk's IOPS), so there every job sleeps to the intended time itself and
// its wake-up latency is its error. With requests in flight the engine's own bounded wait
// (engines.TimedReaper) takes the sleep's place.

// Arrival processes (--arrival).
const (
	ArrivalPoisson = "poisson" // exponential gaps: arrivals independent of each other
	ArrivalUniform = "uniform" // equal gaps
)

// DefaultLatTarget is the latency from the intended time an open-loop run's knee is judged
// against when none is given (--lat-target).
const DefaultLatTarget = time.Millisecond

// ArrivalModes lists the accepted arrival processes, the default first.
var ArrivalModes = []string{ArrivalPoisson, ArrivalUniform}

// backlogCap is the most due requests a job keeps waiting for a slot; arrivals beyond it are
// dropped and counted (the run then did not keep up, and says so).
const backlogCap = 1 << 16

// Margins of the sleep before an intended time: the first guess, and its bounds.
const (
	marginStart = 50 * time.Microsecond
	marginMin   = 5 * time.Microsecond
	marginMax   = 2 * time.Millisecond
	marginStep  = 2 * time.Microsecond
	// sleepChunk bounds one sleep, so that a stopped run is seen within it.
	sleepChunk = 50 * time.Millisecond
)

// arrivals is one job's schedule and queue of due requests.
type arrivals struct {
	gap     float64 // mean ns between this job's arrivals
	poisson bool
	rng     *rand.Rand
	next    int64 // clock reading of the next arrival not yet due
	queue   []int64
	head, n int // the due requests' intended times, oldest first (a ring)
	margin  int64
	spin    bool // the margin is spun (else slept through: margin 0)

	// Counted in the measured phase.
	counting          bool
	admitted, dropped int64
	backlogMax        int
	first, last       int64   // intended times of the first and last admitted
	intended          []int64 // per request (by User): its intended time
}

func newArrivals(rate float64, arrival string, jobs, job int, seed uint64, depth int) *arrivals {
	spin := jobs <= max(1, runtime.NumCPU()-1)
	a := &arrivals{
		spin:     spin,
		gap:      float64(jobs) * 1e9 / rate,
		poisson:  arrival != ArrivalUniform,
		rng:      rand.New(rand.NewPCG(seed^0xa771fa1, uint64(job)*0x9e3779b97f4a7c15+7)),
		queue:    make([]int64, backlogCap),
		intended: make([]int64, depth),
	}
	if spin {
		a.margin = int64(marginStart)
	}
	return a
}

// start places the schedule's first arrival at t: the jobs' streams start offset from each
// other by a share of a gap.
func (a *arrivals) start(t int64, job, jobs int) {
	a.next = t + int64(a.gap*float64(job)/float64(max(jobs, 1)))
	a.head, a.n = 0, 0
}

// shift moves the schedule later by d (a pause the run took out of its time).
func (a *arrivals) shift(d int64) {
	if d <= 0 {
		return
	}
	a.next += d
	for i := range a.n {
		a.queue[(a.head+i)%len(a.queue)] += d
	}
}

func (a *arrivals) draw() float64 {
	if a.poisson {
		return a.rng.ExpFloat64() * a.gap
	}
	return a.gap
}

// admit queues every arrival due by now and before until (0: no bound).
func (a *arrivals) admit(now, until int64) {
	for a.next <= now && (until == 0 || a.next < until) {
		if a.n == len(a.queue) {
			if a.counting {
				a.dropped++
			}
		} else {
			a.queue[(a.head+a.n)%len(a.queue)] = a.next
			a.n++
			if a.counting {
				if a.admitted == 0 {
					a.first = a.next
				}
				a.admitted++
				a.last = a.next
			}
		}
		a.next += max(int64(a.draw()), 1)
	}
	if a.counting && a.n > a.backlogMax {
		a.backlogMax = a.n
	}
}

// pop takes the oldest due request's intended time.
func (a *arrivals) pop() int64 {
	t := a.queue[a.head]
	a.head = (a.head + 1) % len(a.queue)
	a.n--
	return t
}

// sleepUntil waits on the job's thread until the clock reaches t: it sleeps to the margin before
// t, adapting the margin to how late the wake-ups come, and spins the rest. It returns early when
// stop is set.
func (a *arrivals) sleepUntil(t int64, stop *atomic.Bool) {
	for {
		now := clock.Now()
		left := t - now
		if left <= 0 || stop != nil && stop.Load() {
			return
		}
		if left <= a.margin {
			for clock.Now() < t { // the last stretch: spin
			}
			return
		}
		wake := min(t-a.margin, now+int64(sleepChunk))
		ts := unix.NsecToTimespec(wake)
		_ = unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &ts, nil)
		if a.spin {
			a.learn(clock.Now() - wake)
		}
	}
}

// learn adapts the margin to one wake-up that came late by over ns. The margin tracks the
// wake-ups' 99th percentile (a stochastic quantile estimate: up by 99 steps on a late one, down
// by one on an early one), so one wake-up in a hundred is late and the rest spin only as long as
// this machine's wake-ups need. A single long stall (the host took the CPU) moves it one step.
func (a *arrivals) learn(over int64) {
	const step = int64(marginStep)
	if over > a.margin {
		a.margin = min(a.margin+99*step/100, int64(marginMax))
	} else {
		a.margin = max(a.margin-step/100, int64(marginMin))
	}
}

// setTimerSlack makes the thread's timer wake-ups as precise as the kernel allows.
func setTimerSlack() { _ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0) }

// offered is the rate at which requests arrived in the measured phase (the achieved schedule),
// per second of measured time.
func (a *arrivals) offered() float64 {
	if a.admitted < 2 || a.last <= a.first {
		return 0
	}
	return float64(a.admitted-1) * 1e9 / float64(a.last-a.first)
}

// ParseRate parses --rate: reads per second, with k or M (e.g. 40k, 1.5M).
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "k") || strings.HasSuffix(t, "K"):
		mult, t = 1e3, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1e6, t[:len(t)-1]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return 0, fmt.Errorf("%q is not a rate of reads per second above 0 (e.g. 40k, 100000, 1.5M)", s)
	}
	return v * mult, nil
}

// openPhase is phase under the open loop: openStep until the bound, then drained.
func (d *driver) openPhase(b bound) (ending, int64, error) {
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
		var err error
		if why, issued, err = d.openStep(b, why, issued); err != nil {
			return why, issued, err
		}
		if why != 0 && d.inflight == 0 {
			return why, issued, nil
		}
	}
}

// openStep is one turn of a phase's loop under the open loop: it admits the arrivals due, issues
// as many as slots allow (one per Submit to an engine that completes inline), and then waits
// for what comes first of a completion, the next arrival and the bound. It returns why the
// phase ends (0: not yet) and the requests issued so far.
func (d *driver) openStep(b bound, why ending, issued int64) (ending, int64, error) {
	o := d.open
	if why == 0 {
		now := clock.Now()
		if now >= d.nextPublish {
			d.publish(now)
		}
		switch {
		case b.stop != nil && b.stop.Load():
			why = endStop
			d.end = max(d.end, now)
		case b.until > 0 && now >= b.until:
			why = endTime
			if d.measuring {
				d.end = max(d.end, b.until)
			}
		default:
			o.admit(now, b.until)
		}
	}
	if why == 0 && o.n > 0 && len(d.free) > 0 {
		batch := d.batch[:0]
		room := min(len(d.free), o.n)
		if d.inline {
			room = 1
		}
		for len(batch) < room {
			off, ok := d.nextOffset(b.wrap)
			if !ok {
				why = endWrap
				break
			}
			r := d.free[len(d.free)-1]
			d.free = d.free[:len(d.free)-1]
			if d.extras {
				off = d.place(r, off)
			}
			r.Offset, r.ID = off, d.nextID
			d.nextID++
			r.Reset()
			o.intended[r.User] = o.pop()
			batch = append(batch, r)
			issued++
		}
		if len(batch) > 0 {
			now := clock.Now() // the span's start
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
	switch {
	case d.inflight == 0 && why == 0 && o.n == 0:
		// Nothing in flight and nothing due: sleep to the next arrival (or the bound).
		t := o.next
		if b.until > 0 {
			t = min(t, b.until)
		}
		o.sleepUntil(t, b.stop)
		return why, issued, nil
	case d.inflight == 0:
		return why, issued, nil
	case why == 0 && o.n == 0:
		// Requests in flight, nothing due: reap until the next arrival is near, then poll.
		t := o.next
		if b.until > 0 {
			t = min(t, b.until)
		}
		var done []*engines.Request
		var err error
		switch deadline := t - o.margin; {
		case d.timed != nil && clock.Now() < deadline:
			done, err = d.timed.ReapUntil(d.done[:0], 1, deadline)
		case d.timed != nil:
			done, err = d.timed.ReapUntil(d.done[:0], 0, 0) // a poll
		default:
			done, err = d.rd.Reap(d.done[:0], 0)
		}
		if err != nil {
			return why, issued, fmt.Errorf("reap: %w", err)
		}
		d.reapDone(done)
		return why, issued, nil
	}
	// Requests due wait for a slot, or the phase is draining: wait for a completion.
	done, err := d.rd.Reap(d.done[:0], 1)
	if err != nil {
		return why, issued, fmt.Errorf("reap: %w", err)
	}
	d.reapDone(done)
	return why, issued, nil
}

// rateWarnings say where an open-loop run did not run at the rate it was asked for: requests
// dropped or still waiting for a slot when it ended (the engine did not keep up: their
// intended-time latencies are not in the figures), or a schedule short of the rate by more
// than 1% (beyond what chance makes of its arrivals).
func rateWarnings(cfg *Config, m *results.Measurement) []string {
	if !m.Open || m.Admitted == 0 {
		return nil
	}
	var w []string
	if left := m.Dropped + m.Unissued; float64(left) > 0.01*float64(m.Admitted+m.Dropped) {
		w = append(w, fmt.Sprintf("%s: did not keep up with --rate %.0f: %d of %d arrivals were dropped or still waiting for a slot when the run ended (their latencies are not in the figures; backlog_max %d)",
			cfg.Engine, cfg.Rate, left, m.Admitted+m.Dropped, m.BacklogMax))
	}
	tol := max(0.01, 3/math.Sqrt(float64(m.Admitted)))
	if m.OfferedIOPS < cfg.Rate*(1-tol) {
		w = append(w, fmt.Sprintf("%s: the schedule ran at %.0f reads/s, short of --rate %.0f by more than %.1f%%", cfg.Engine, m.OfferedIOPS, cfg.Rate, 100*tol))
	}
	return w
}

// OpenLoopDepth is an open-loop run's queue depth when none is given: enough that it does not
// bind at the rate, 20 ms of each job's arrivals in flight (the depth models the application's
// limit on concurrency; a cold read at depth takes a few ms here), at least 32 and at most 1024,
// and no more than 256 MiB of buffers or than the file has blocks.
func OpenLoopDepth(rate float64, jobs, bs int, size int64) int {
	d := int(math.Ceil(rate / float64(max(jobs, 1)) * 0.020))
	d = min(max(d, 32), 1024, max(1, (256<<20)/max(bs, 1)))
	return int(min(int64(d), max(size/int64(max(bs, 1)), 1)))
}
