// Package progress shows aiobench's progress on stderr while it measures. On a terminal it
// draws two live lines with github.com/vbauerster/mpb/v8: the run in progress (engine,
// configuration, phase, elapsed of its expected time, live IOPS) and the suite (runs done of
// all, elapsed, ETA), with each finished run's result line printed above them. Off a terminal
// (CI logs, pipes) it prints the same result lines and nothing else: no escape codes. Quiet
// prints nothing; errors are the caller's to print.
//
// The display polls a harness.Live from its own goroutine; the measuring threads never wait
// for it (see harness.Live).
package progress

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/sys/unix"
)

// Options say what a Display shows.
type Options struct {
	Runs     int           // runs the suite will make (for "run k of n" and the ETA)
	Quiet    bool          // print nothing
	Terminal bool          // draw live lines (see IsTerminal); else plain lines
	Live     *harness.Live // the run in progress; nil: no live line
	Refresh  time.Duration // how often the live lines are redrawn; 0 for 200ms
}

// IsTerminal reports whether w is a terminal that can show live lines: a terminal with a width
// (a pseudo-terminal nobody sized has none), TERM not "dumb".
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	return err == nil && ws.Col > 0
}

// A Display is the progress of one suite. Its methods may be called from any goroutine.
type Display struct {
	w     io.Writer
	o     Options
	start time.Time

	p          *mpb.Progress // nil off a terminal
	run, suite *mpb.Bar
	shown      atomic.Pointer[status]
	activity   atomic.Pointer[string] // what is going on between runs (a duel's sessions)
	finished   atomic.Int64           // runs reported by Finished
	lastFinish atomic.Int64           // time.Since(start) at the last Finished, ns

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// status is what the live lines show, set by the poller and read by the decorators.
type status struct{ run, suite string }

// New starts a display writing to w.
func New(w io.Writer, o Options) *Display {
	if o.Refresh <= 0 {
		o.Refresh = 200 * time.Millisecond
	}
	d := &Display{w: w, o: o, start: time.Now(), stop: make(chan struct{})}
	d.shown.Store(&status{})
	if o.Quiet || !o.Terminal {
		return d
	}
	d.p = mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(o.Refresh), mpb.WithAutoRefresh())
	text := func(pick func(*status) string) decor.Decorator {
		return decor.Any(func(decor.Statistics) string { return pick(d.shown.Load()) }, decor.WCSyncWidthR)
	}
	d.run = d.p.New(1000, mpb.BarStyle().Lbound("[").Rbound("]"), mpb.BarWidth(20),
		mpb.PrependDecorators(text(func(s *status) string { return s.run })))
	d.suite = d.p.New(int64(max(o.Runs, 1)), mpb.BarStyle().Lbound("[").Rbound("]"), mpb.BarWidth(20),
		mpb.PrependDecorators(text(func(s *status) string { return s.suite })))
	d.wg.Add(1)
	go d.poll()
	return d
}

// Println prints one line: above the live lines on a terminal, as it is elsewhere, not at all
// when quiet.
func (d *Display) Println(line string) {
	switch {
	case d.o.Quiet:
	case d.p != nil:
		if _, err := d.p.Write([]byte(line + "\n")); err == nil {
			return
		}
		fmt.Fprintln(d.w, line) // the display is closed
	default:
		fmt.Fprintln(d.w, line)
	}
}

// Activity says what the run line shows while no run is in progress: work the Live does not
// see, such as a duel's sessions in other processes. "" clears it.
func (d *Display) Activity(s string) { d.activity.Store(&s) }

// ActivityWriter returns a writer whose every line becomes the Activity, after prefix.
func (d *Display) ActivityWriter(prefix string) io.Writer {
	return &activityWriter{d: d, prefix: prefix}
}

type activityWriter struct {
	d      *Display
	prefix string
	part   []byte
}

func (w *activityWriter) Write(b []byte) (int, error) {
	w.part = append(w.part, b...)
	if i := bytes.LastIndexByte(w.part, '\n'); i >= 0 {
		lines := bytes.Split(w.part[:i], []byte("\n"))
		w.d.Activity(w.prefix + string(lines[len(lines)-1]))
		w.part = append(w.part[:0], w.part[i+1:]...)
	}
	return len(b), nil
}

// Finished counts one run as done.
func (d *Display) Finished() {
	d.lastFinish.Store(int64(time.Since(d.start)))
	d.finished.Add(1)
}

// Close removes the live lines; later lines print plainly. It may be called more than once.
func (d *Display) Close() {
	d.once.Do(func() {
		close(d.stop)
		d.wg.Wait()
		if d.p != nil {
			d.run.Abort(true)
			d.suite.Abort(true)
			d.p.Wait()
		}
	})
}

// poll reads the Live at every refresh and sets what the live lines show.
func (d *Display) poll() {
	defer d.wg.Done()
	t := time.NewTicker(d.o.Refresh)
	defer t.Stop()
	var rate iopsRate
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
		}
		var v harness.LiveView
		if d.o.Live != nil {
			v = d.o.Live.View()
		}
		run, frac := describe(v, rate.update(v))
		if a := d.activity.Load(); a != nil && *a != "" && (v.Config == nil || v.Ended) {
			run = *a
		}
		d.shown.Store(&status{run: run, suite: d.suiteLine(v)})
		d.run.SetCurrent(int64(math.Min(frac, 0.999) * 1000))
		d.suite.SetCurrent(min(d.finished.Load(), int64(max(d.o.Runs, 1))-1))
	}
}

// suiteLine says how far the suite is and when it will end: the finished runs' mean time for
// each run left, or before the first has finished, the run in progress's expected time.
func (d *Display) suiteLine(v harness.LiveView) string {
	done, n := d.finished.Load(), int64(d.o.Runs)
	elapsed := time.Since(d.start)
	eta := time.Duration(-1)
	switch {
	case done > 0:
		per := time.Duration(d.lastFinish.Load()) / time.Duration(done)
		eta = per*time.Duration(n-done) - (elapsed - time.Duration(d.lastFinish.Load()))
	case v.Config != nil:
		eta = expected(v.Config)*time.Duration(n) - elapsed
	}
	k := min(done+1, max(n, 1))
	left := "ETA unknown"
	if eta >= 0 || done > 0 || v.Config != nil {
		left = "ETA " + clockTime(max(eta, 0))
	}
	return fmt.Sprintf("run %d of %d · %s elapsed · %s", k, n, clockTime(elapsed), left)
}

// describe is the run line and how far the run is (0 to 1).
func describe(v harness.LiveView, iops float64) (string, float64) {
	c := v.Config
	if c == nil || v.Ended {
		return "preparing the next run", 0
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s bs=%s qd=%d", c.Engine, c.Workload, units.FormatSize(int64(c.BlockSize)), c.IODepth)
	if c.Jobs > 1 {
		fmt.Fprintf(&b, " jobs=%d", c.Jobs)
	}
	fmt.Fprintf(&b, " cache=%s", c.Cache)
	frac := 0.0
	switch {
	case v.Measured == 0:
		fmt.Fprintf(&b, " · warm-up %s", seconds(v.Elapsed))
		if c.Warmup > 0 && c.Runtime > 0 {
			frac = float64(v.Elapsed) / float64(expected(c))
		}
	case c.Runtime > 0:
		fmt.Fprintf(&b, " · %s of %s", seconds(v.Measured), seconds(c.Runtime))
		frac = float64(c.Warmup+v.Measured) / float64(expected(c))
	default:
		fmt.Fprintf(&b, " · %d of %d reads", v.Ops, c.Ops)
		frac = float64(v.Ops) / float64(max(c.Ops, 1))
	}
	if iops > 0 {
		fmt.Fprintf(&b, " · %s IOPS", si(iops))
	}
	return b.String(), frac
}

// expected is a run's planned time: its warm-up and runtime.
func expected(c *harness.Config) time.Duration { return c.Warmup + c.Runtime }

// iopsRate turns the published request counts into a rate over the last second or so.
type iopsRate struct {
	seq     int64
	ops     int64
	at      time.Duration
	current float64
}

func (r *iopsRate) update(v harness.LiveView) float64 {
	if v.Seq != r.seq || v.Measured == 0 {
		*r = iopsRate{seq: v.Seq, at: v.Measured}
		return 0
	}
	if dt := v.Measured - r.at; dt >= time.Second || r.current == 0 && dt >= 250*time.Millisecond {
		r.current = float64(v.Ops-r.ops) / dt.Seconds()
		r.ops, r.at = v.Ops, v.Measured
	}
	return r.current
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

func clockTime(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// si prints a rate with a k or M suffix.
func si(x float64) string {
	switch {
	case x >= 1e6:
		return fmt.Sprintf("%.2fM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}
