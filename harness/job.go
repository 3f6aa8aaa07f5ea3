package harness

import (
	"fmt"
	"os"
	"runtime"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// A job is one goroutine, locked to an OS thread, keeping iodepth requests in flight through
// its own Reader and its own file descriptor: a driver, and the phases of a run it drives.
type job struct {
	cfg    *Config
	shared *runState
	index  int
	quota  int64 // measured requests to issue; -1 when bounded by runtime only
	passes bool  // a new pass over the file waits at the barrier (cold runs)

	f  *os.File
	fd int
	// more are the other data files' (Config.NrFiles), opened as f is.
	more []*os.File
	mem  []byte // mmap'd request buffers, page aligned for O_DIRECT
	d    *driver
	eng  engines.Engine
	inv  engines.Invalidator // the open Reader's, if it keeps data above the page cache

	failed error // the engine itself failed: the run is incomplete
	stats  engines.Counters
}

func newJob(cfg *Config, index int, quota int64, ds *workloads.Dataset, eng engines.Engine,
	wl *workloads.Workload, advice pagecache.Advice, verify bool, shared *runState) (*job, error) {
	flags := os.O_RDONLY
	if cfg.Cache == CacheDirect {
		flags |= unix.O_DIRECT
	}
	f, err := os.OpenFile(ds.Path, flags, 0)
	if err != nil {
		return nil, fmt.Errorf("job %d: open %s: %w", index, ds.Path, err)
	}
	j := &job{cfg: cfg, shared: shared, index: index, quota: quota, passes: cfg.Cache == CacheCold && !skewedOrder(cfg), f: f, fd: int(f.Fd()), eng: eng}
	if err := pagecache.Advise(j.fd, advice); err != nil {
		j.release()
		return nil, fmt.Errorf("job %d: %s: %w", index, ds.Path, err)
	}
	for _, m := range ds.More {
		g, err := os.OpenFile(m.Path, flags, 0)
		if err != nil {
			j.release()
			return nil, fmt.Errorf("job %d: open %s: %w", index, m.Path, err)
		}
		j.more = append(j.more, g)
		if err := pagecache.Advise(int(g.Fd()), advice); err != nil {
			j.release()
			return nil, fmt.Errorf("job %d: %s: %w", index, m.Path, err)
		}
	}
	j.mem, err = unix.Mmap(-1, 0, cfg.IODepth*cfg.BlockSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		j.release()
		return nil, fmt.Errorf("job %d: allocate %d buffers of %d bytes: %w", index, cfg.IODepth, cfg.BlockSize, err)
	}
	// Several files: the pattern's offsets are in their blocks' end-to-end space, each
	// file's own whole blocks, shared out by the file service (driver.place).
	files := int64(1 + len(ds.More))
	perFile := cfg.Size
	if files > 1 {
		perFile = cfg.Size / int64(cfg.BlockSize) * int64(cfg.BlockSize)
	}
	pattern := workloads.Files(wl, workloads.PatternConfig{
		BlockSize: cfg.BlockSize, Job: index, Jobs: cfg.Jobs, Seed: cfg.Seed, Random: cfg.Random,
	}, int(files), perFile, cfg.FileService)
	// Request IDs, unique in the run, name requests in traces.
	j.d = newDriver(cfg.IODepth, cfg.BlockSize, j.mem, j.fd, pattern, uint64(index)<<40)
	j.d.verify, j.d.file, j.d.mode, j.d.live, j.d.tl.log = verify, ds.Index, cfg.Verify, cfg.Live, shared.log
	if j.d.cls, err = newClassifier(cfg, j.fd, index); err != nil {
		j.release()
		return nil, fmt.Errorf("job %d: classify requests: %w", index, err)
	}
	if files > 1 {
		d := j.d
		d.fds, d.indexes, d.perFile, d.fileOf = []int{j.fd}, []int{ds.Index}, perFile, make([]int, cfg.IODepth)
		for i, g := range j.more {
			d.fds = append(d.fds, int(g.Fd()))
			d.indexes = append(d.indexes, ds.More[i].Index)
		}
		if c := d.cls; c != nil && c.m != nil { // sampled: a mapping per file
			c.maps = []*pagecache.Mapping{c.m}
			for _, g := range j.more {
				m, err := pagecache.Map(int(g.Fd()), cfg.Size, cfg.BlockSize)
				if err != nil {
					j.release()
					return nil, fmt.Errorf("job %d: classify requests: %w", index, err)
				}
				c.maps = append(c.maps, m)
			}
		}
	}
	if j.d.cls != nil {
		j.d.class = make([]byte, cfg.IODepth)
		j.d.cacct = newClassAcct(j.d.cls.mode, cfg.Rate > 0)
	}
	j.d.extras = j.d.fds != nil || j.d.cls != nil
	return j, nil
}

func (j *job) release() {
	if j.d != nil {
		_ = j.d.cls.close()
		j.d.cls = nil
	}
	if j.mem != nil {
		_ = unix.Munmap(j.mem)
		j.mem = nil
	}
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
	for _, g := range j.more {
		_ = g.Close()
	}
	j.more = nil
}

// openReader opens cfg's engine for one job or arm; tests may wrap every Reader the harness
// opens (the contract checker) by setting wrapReader.
func openReader(eng engines.Engine, cfg *Config) (engines.Reader, error) {
	rd, err := eng.Open(cfg.engineConfig())
	if err != nil || wrapReader == nil {
		return rd, err
	}
	return wrapReader(rd, cfg.engineConfig()), nil
}

// wrapReader, when set (tests only), wraps every Reader the harness opens.
var wrapReader func(engines.Reader, engines.Config) engines.Reader

// run drives the job to the end of the run: the warm-up, the gate where the measured phase
// begins, the measured phase with a barrier at each new pass over the file of a cold run, and
// the drain.
func (j *job) run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	left := false
	leave := func() {
		if !left {
			left = true
			j.shared.bar.leave()
		}
	}
	defer leave()

	rd, err := openReader(j.eng, j.cfg)
	if err != nil {
		j.fail(fmt.Errorf("open: %w", err))
		return
	}
	defer func() {
		if err := rd.Close(); err != nil && j.failed == nil {
			j.fail(fmt.Errorf("close: %w", err))
		}
	}()
	j.d.rd = rd
	j.inv, _ = engines.Ability[engines.Invalidator](rd)
	statsReader, _ := engines.Ability[engines.StatsReader](rd)
	if c := j.cfg; c.Rate > 0 { // the open loop: the warm-up runs the schedule too
		setTimerSlack()
		d := j.d
		d.open = newArrivals(c.Rate, c.Arrival, c.Jobs, j.index, c.Seed, c.IODepth)
		d.inline = engines.IsSynchronous(j.eng)
		d.timed, _ = engines.Ability[engines.TimedReaper](rd)
		d.latIntended, d.behind = newHist(), newHist()
		d.open.start(clock.Now(), j.index, c.Jobs)
	}

	var issued int64 // measured requests issued
	for {
		b := bound{n: -1, until: j.shared.warmupEnd, stop: &j.shared.stop, wrap: j.passes}
		if j.d.measuring {
			b.until = j.shared.deadline.Load()
			if j.quota >= 0 {
				b.n = j.quota - issued
			}
		}
		why, n, err := j.d.phase(b)
		if err != nil {
			j.fail(err)
			return
		}
		if j.d.measuring {
			issued += n
		}
		if why == endStop || j.d.measuring && why != endWrap {
			break // halted, or the measured phase reached its bound
		}
		// Nothing in flight: wait for the others, then go on in the state the barrier's action
		// left (the measured phase begun, the file evicted for a new pass).
		paused := j.shared.paused
		j.shared.bar.await()
		if o := j.d.open; o != nil && j.d.measuring {
			o.shift(j.shared.paused - paused) // the schedule does not run through a pause
		}
		if !j.d.measuring && j.shared.measuring.Load() {
			j.d.measuring = true
			if statsReader != nil {
				statsReader.ResetStats()
			}
			if o := j.d.open; o != nil { // the schedule starts again with the measured phase
				o.start(j.shared.measureStart, j.index, j.cfg.Jobs)
				o.counting = true
			}
		}
		j.d.deadline = j.shared.deadline.Load()
		j.d.setLogClock(j.shared.measureStart, j.shared.paused)
		if c := j.d.cacct; c != nil && j.cfg.Runtime > 0 && c.mid == 0 {
			c.mid = j.shared.measureStart + int64(j.cfg.Runtime)/2
		}
	}
	j.d.endLog()
	if statsReader != nil && j.d.measuring {
		j.stats = statsReader.Stats()
	}
	leave() // before Close: the CPU reading must not include the engine's teardown
}

func (j *job) fail(err error) {
	j.failed = fmt.Errorf("job %d: %w", j.index, err)
	if j.d.firstErr == nil {
		j.d.firstErr = j.failed
	}
	j.shared.halt()
}
