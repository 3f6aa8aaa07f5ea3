package harness

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/diskstats"
	"github.com/aiobench/aiobench/internal/memcg"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// Residency bounds below which (warm) or above which (cold, direct) a run's starting cache state
// is reported as not what was asked for.
const (
	warmResidentMin = 99.0
	coldResidentMax = 1.0
)

// A Result is one run's row plus what the user should be told about it.
type Result struct {
	Row      results.Row
	Warnings []string
	// The run's latency histograms (lat, slat, clat) in nanoseconds, merged over jobs, and for
	// an open-loop run the latency from the intended time (nil for the closed loop).
	Lat, Slat, Clat *hdrhistogram.Histogram
	LatIntended     *hdrhistogram.Histogram
	// LatHit and LatMiss are a partly cached run's classified hits' and misses' latencies
	// (nil when its requests have no classes).
	LatHit, LatMiss *hdrhistogram.Histogram
}

// newHist returns a latency histogram in nanoseconds, as the engines' (1 ns to 1 h, 3
// significant digits).
func newHist() *hdrhistogram.Histogram { return engines.NewLatencyHist() }

// Run performs one measured run of cfg on ds: NewPlan, then Plan.Run. It returns an error only
// when the run could not be started or measured (bad configuration, unknown engine, file
// errors); failed reads are data in the Result. When ctx is cancelled the run stops early and
// its row says complete=false.
func Run(ctx context.Context, cfg Config, ds *workloads.Dataset) (*Result, error) {
	p, err := NewPlan(cfg)
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, ds)
}

// Run performs the plan's run on ds (see the package's Run).
func (p *Plan) Run(ctx context.Context, ds *workloads.Dataset) (*Result, error) {
	cfg, eng, wl := p.Config, p.eng, p.wl
	if cfg.Size > ds.Size {
		return nil, fmt.Errorf("run: size %d exceeds the data set's %d bytes", cfg.Size, ds.Size)
	}
	if cfg.Foreign != ds.Foreign {
		return nil, fmt.Errorf("run: %s is foreign data %v, the configuration says %v", ds.Path, ds.Foreign, cfg.Foreign)
	}

	if want := max(cfg.NrFiles, 1); len(ds.Files()) != want {
		return nil, fmt.Errorf("run: %d data files, the configuration says %d", len(ds.Files()), want)
	}
	var ctls []int
	var err error
	for _, f := range ds.Files() {
		if f.Size < cfg.Size {
			return nil, fmt.Errorf("run: size %d exceeds %s's %d bytes", cfg.Size, f.Path, f.Size)
		}
		ctl, err := os.Open(f.Path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f.Path, err)
		}
		defer ctl.Close()
		ctls = append(ctls, int(ctl.Fd()))
	}
	ctlFd := ctls[0]

	cfg.Live.begin(&cfg)
	defer cfg.Live.end()
	res := &Result{}
	m := &results.Measurement{}
	verify, advice := p.verifyAndAdvice()
	var cgroup *memcg.Group

	if cfg.CacheLimit > 0 { // before the cache is prepared: the warm-up's pages are charged to it
		g, err := memcg.New(cfg.CacheLimit)
		if err != nil {
			return nil, fmt.Errorf("cache limit: %w", err)
		}
		defer func() { _ = g.Remove() }() // error paths; the run's end removes it and says if it could not
		if err := g.Enter(); err != nil {
			return nil, fmt.Errorf("cache limit: %w", err)
		}
		cgroup = g
	}
	for i, fd := range ctls {
		if err := prepareCache(ctx, &cfg, fd); err != nil {
			return nil, fmt.Errorf("prepare %s cache of %s: %w", cfg.Cache, ds.Files()[i].Path, err)
		}
	}

	// Threads that block in system calls must not take Ps from runnable goroutines (see
	// engines.Blocker): give them Ps of their own for the run. So must the jobs themselves when
	// there are more of them than Ps: a job back from a blocking read would wait for a P (16
	// psync jobs on 2 Ps read 28k cold IOPS where fio's 16 threads read 52k), so every job gets
	// one, and the kernel shares the CPUs among their threads as it does fio's.
	base := runtime.GOMAXPROCS(0)
	m.GOMAXPROCS = max(base, cfg.Jobs)
	if b, ok := eng.(engines.Blocker); ok {
		m.GOMAXPROCS += cfg.Jobs * b.BlockingThreads(cfg.engineConfig())
	}
	if m.GOMAXPROCS != base {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(m.GOMAXPROCS))
	}

	shared := &runState{cfg: &cfg, ctl: ctlFd, ctls: ctls, eng: eng}
	shared.dev = device(ds, res)
	m.Target = targetInfo(ds, shared.dev)
	if cfg.Log != nil {
		shared.log = newRunLog(cmp.Or(cfg.LogInterval, DefaultLogInterval))
	}
	defer func() {
		for _, j := range shared.jobs {
			if j != nil {
				j.release()
			}
		}
	}()
	if shared.jobs, err = newJobs(&cfg, ds, eng, wl, advice, verify, shared); err != nil {
		return nil, err
	}

	stopLoad := func() {}
	if cfg.Background != nil {
		stopped, stop := false, startBackground(ctx, cfg.Background, m)
		stopLoad = func() {
			if !stopped {
				stopped = true
				stop()
			}
		}
		defer stopLoad()
	}

	// Start every job; they meet at the gate after the warm-up, and the last to leave the
	// measured phase takes the end readings.
	shared.bar = newBarrier(len(shared.jobs), shared.atBarrier, shared.last)
	stopWatch := context.AfterFunc(ctx, shared.halt)
	defer stopWatch()
	started := startedNow()
	shared.warmupEnd = clock.Now() + int64(cfg.Warmup)
	var wg sync.WaitGroup
	for _, j := range shared.jobs {
		wg.Add(1)
		go func() { defer wg.Done(); j.run() }()
	}
	wg.Wait()
	if shared.err != nil {
		return nil, shared.err
	}
	if l := shared.log; l != nil && l.stop != nil {
		close(l.stop)
		<-l.done
	}
	if afterJobs != nil {
		afterJobs(ds.Path)
	}
	m.Resident = true
	if m.ResidentEnd, err = residency(ctls, cfg.Size); err != nil {
		return nil, fmt.Errorf("measure residency of %s: %w", ds.Path, err)
	}
	if shared.log != nil {
		shared.log.last(m.ResidentEnd) // the interval the run ended in
	}
	if cgroup != nil {
		if err := cgroup.Remove(); err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("cache limit: %v", err))
		}
	}
	collect(shared, res, m)
	if ctx.Err() != nil && (m.FirstError == "" || m.FirstError == errNoOps) {
		m.FirstError = "interrupted"
	}
	stopLoad() // the load's own readings go into m before the row is built
	finish := func() {
		m.Warnings = res.Warnings
		res.Row = p.build(m, started, ds.Path)
		res.Lat, res.Slat, res.Clat, res.LatIntended = m.Lat, m.Slat, m.Clat, m.LatIntended
		if c := m.Classes; c != nil {
			res.LatHit, res.LatMiss = c.LatHit, c.LatMiss
		}
		if shared.log != nil && m.Measured {
			cfg.Log.add(shared.log.intervals(res.Row))
		}
	}
	for _, j := range shared.jobs {
		if j.failed != nil {
			finish()
			return res, fmt.Errorf("engine %s failed: %w", cfg.Engine, j.failed)
		}
	}
	finish()
	return res, nil
}

// startBackground starts the background load and returns the function that stops it and
// records what it did in m.
func startBackground(ctx context.Context, bg *Background, m *results.Measurement) (stop func()) {
	cfg := bg.Config
	cfg.Runtime, cfg.Ops, cfg.Warmup, cfg.Background, cfg.Trace, cfg.Live, cfg.Log = 24*time.Hour, 0, 0, nil, nil, nil, nil
	bgCtx, cancel := context.WithCancel(ctx)
	done := make(chan *Result, 1)
	go func() {
		res, err := Run(bgCtx, cfg, bg.Dataset)
		if err != nil && res == nil {
			res = &Result{Row: results.Row{FirstError: err.Error()}}
		}
		done <- res
	}()
	return func() {
		cancel()
		res := <-done
		if res == nil {
			return
		}
		m.HasBackground = true
		m.BackgroundIOPS = float64(res.Row.Ops) / max(res.Row.Elapsed, 1e-9)
		// The load's failures fail the run too: a load that did not run is no interference.
		m.Errors += res.Row.Errors
		m.VerifyErrors += res.Row.VerifyErrors
		if res.Row.FirstError != "" && m.FirstError == "" {
			m.FirstError = "background " + cfg.Engine + ": " + res.Row.FirstError
		}
	}
}

// warmScattered makes share of the file resident: in every MiB, one range of share × 1 MiB at
// an offset drawn from seed, so that some reads find their head cached, some their middle, some
// their tail.
func warmScattered(fd int, size int64, share float64, seed uint64) error {
	if err := pagecache.Advise(fd, pagecache.AdviceRandom); err != nil { // no readahead beyond the ranges
		return err
	}
	defer pagecache.Advise(fd, pagecache.AdviceNormal)
	buf := make([]byte, 1<<20)
	return scattered(size, share, seed, func(off, n int64) error {
		if _, err := unix.Pread(fd, buf[:n], off); err != nil {
			return fmt.Errorf("read at %d: %w", off, err)
		}
		return nil
	})
}

// prepareCache puts the file in the asked-for state for the warm-up; the gate puts it back in
// that state when the measured phase starts and measures what state it is really in.
func prepareCache(ctx context.Context, cfg *Config, fd int) error {
	if cfg.Cache == CacheWarm {
		if cfg.CacheLimit > 0 {
			// Pages cached before the run are charged to another cgroup, which the limit does
			// not reach: the file is read in afresh, charged to the run's own.
			if err := evict(cfg, fd); err != nil {
				return err
			}
		}
		return pagecache.WarmContext(ctx, fd, cfg.Size)
	}
	if err := evict(cfg, fd); err != nil {
		return err
	}
	if cfg.Resident > 0 {
		return warmScattered(fd, cfg.Size, cfg.Resident, cfg.Seed)
	}
	return nil
}

// device resolves the block device under the data file for the row's device counters, or
// warns why there are none.
func device(ds *workloads.Dataset, res *Result) *diskstats.Device {
	at := filepath.Dir(ds.Path)
	if ds.Kind == workloads.KindDevice || ds.Kind == workloads.KindLoop {
		at = ds.Path // the device itself
	}
	dev, err := diskstats.Resolve(at)
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("no device counters (dev_* columns left empty): %v", err))
		return nil
	}
	if dev.What != "" {
		res.Warnings = append(res.Warnings, "device counters: "+dev.What)
	}
	return dev
}

// newJobs makes the run's jobs, --ops shared out among them; on an error the jobs made so far
// are in the slice for the caller to release.
func newJobs(cfg *Config, ds *workloads.Dataset, eng engines.Engine, wl *workloads.Workload,
	advice pagecache.Advice, verify bool, shared *runState) ([]*job, error) {
	jobs := make([]*job, cfg.Jobs)
	for i := range jobs {
		quota := int64(-1)
		if cfg.Ops > 0 {
			quota = cfg.Ops / int64(cfg.Jobs)
			if int64(i) < cfg.Ops%int64(cfg.Jobs) {
				quota++
			}
		}
		j, err := newJob(cfg, i, quota, ds, eng, wl, advice, verify, shared)
		if err != nil {
			return jobs, err
		}
		jobs[i] = j
	}
	return jobs, nil
}

// afterJobs, when set (tests only), runs when a run's jobs have finished and before its end
// residency is read: another reader of the file, at a moment the test chooses.
var afterJobs func(path string)

// errNoOps is the first_error of a run in which no request completed.
const errNoOps = "no request completed with verified data in the measured phase"

// errShort is recorded when a read inside the file came back short.
var errShort = errors.New("short read inside the file")

// evict drops the file's pages from the page cache: with an fdatasync first for aiobench's own
// data, without one for foreign data (never written, not even its dirty pages flushed).
func evict(cfg *Config, fd int) error {
	if cfg.Foreign {
		return pagecache.EvictClean(fd, cfg.Size)
	}
	return pagecache.Evict(fd, cfg.Size)
}

// targetInfo says what the run reads: its kind, file system and mount options, and its
// device's scheduler and readahead.
func targetInfo(ds *workloads.Dataset, dev *diskstats.Device) results.TargetInfo {
	t := results.TargetInfo{Kind: cmp.Or(ds.Kind, workloads.KindData), ReadAheadKB: -1}
	if t.Kind != workloads.KindDevice && t.Kind != workloads.KindLoop {
		t.FS, _ = sysinfo.FSType(ds.Path)
		t.MountOpts = sysinfo.ReadOptions(ds.Path)
	}
	if dev != nil {
		t.Scheduler, t.ReadAheadKB = dev.Queue()
	}
	return t
}

// residency is the share of the data files' first size bytes that is resident, in percent: the
// mean over the files, which are all of that size.
func residency(fds []int, size int64) (float64, error) {
	var sum float64
	for _, fd := range fds {
		r, err := pagecache.Residency(fd, size)
		if err != nil {
			return 0, err
		}
		sum += r
	}
	return sum / float64(len(fds)), nil
}
