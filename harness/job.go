package harness

import (
	"fmt"
	"math"
	"os"
	"runtime"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// A job is one goroutine, locked to an OS thread, keeping iodepth requests in flight through
// its own Reader and its own file descriptor.
type job struct {
	cfg    *Config
	shared *runState
	index  int
	quota  int64 // measured requests to issue; -1 when bounded by runtime only
	passes bool  // a new pass over the file waits at the barrier (cold runs)

	file    int // the data file's index, which its content encodes
	f       *os.File
	fd      int
	mem     []byte // mmap'd request buffers, page aligned for O_DIRECT
	reqs    []engines.Request
	start   []int64 // per request: clock.Now before Submit
	sub     []int64 // per request: clock.Now after Submit returned
	eng     engines.Engine
	inv     engines.Invalidator // the open Reader's, if it keeps data above the page cache
	pattern workloads.Pattern
	verify  bool

	lat, slat, clat *hdrhistogram.Histogram

	// What happened.
	ops, bytes, errors, verifyErrors, warmupOps int64
	end                                         int64 // clock.Now at which the job's measured phase ended
	firstErr                                    error
	failed                                      error // the engine itself failed: the run is incomplete
	stats                                       engines.Counters
	published                                   int64 // ops last published to cfg.Live
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
	j := &job{
		cfg: cfg, shared: shared, index: index, quota: quota, passes: cfg.Cache == CacheCold,
		file: ds.Index, f: f, fd: int(f.Fd()), eng: eng, verify: verify,
		lat: newHist(), slat: newHist(), clat: newHist(),
		reqs:  make([]engines.Request, cfg.IODepth),
		start: make([]int64, cfg.IODepth),
		sub:   make([]int64, cfg.IODepth),
		pattern: wl.New(workloads.PatternConfig{
			Size: cfg.Size, BlockSize: cfg.BlockSize, Job: index, Jobs: cfg.Jobs, Seed: cfg.Seed, Random: cfg.Random,
		}),
	}
	if err := pagecache.Advise(j.fd, advice); err != nil {
		j.release()
		return nil, fmt.Errorf("job %d: %s: %w", index, ds.Path, err)
	}
	j.mem, err = unix.Mmap(-1, 0, cfg.IODepth*cfg.BlockSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		j.release()
		return nil, fmt.Errorf("job %d: allocate %d buffers of %d bytes: %w", index, cfg.IODepth, cfg.BlockSize, err)
	}
	for i := range j.reqs {
		j.reqs[i] = engines.Request{Fd: j.fd, Buf: j.mem[i*cfg.BlockSize : (i+1)*cfg.BlockSize], User: i, ID: uint64(i)}
	}
	return j, nil
}

func (j *job) release() {
	if j.mem != nil {
		_ = unix.Munmap(j.mem)
		j.mem = nil
	}
	if j.f != nil {
		_ = j.f.Close()
		j.f = nil
	}
}

// run drives the job to the end of the run: the warm-up, the gate where the measured phase
// begins, the measured phase with a barrier at each new pass over the file of a cold run, and
// the drain. Everything it needs per request is allocated before; the loop does not allocate.
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

	rd, err := j.eng.Open(j.cfg.engineConfig())
	if err != nil {
		j.fail(fmt.Errorf("open: %w", err))
		return
	}
	defer func() {
		if err := rd.Close(); err != nil && j.failed == nil {
			j.fail(fmt.Errorf("close: %w", err))
		}
	}()
	j.inv, _ = rd.(engines.Invalidator)
	statsReader, _ := rd.(engines.StatsReader)

	free := make([]*engines.Request, 0, len(j.reqs))
	for i := range j.reqs {
		free = append(free, &j.reqs[i])
	}
	batch := make([]*engines.Request, 0, len(j.reqs))
	done := make([]*engines.Request, 0, len(j.reqs))
	measuring := false
	measureStart, deadline := int64(math.MaxInt64), int64(0) // set at the gate
	warmupEnd := j.shared.warmupEnd
	var issued int64
	nextID := uint64(j.index) << 40 // request IDs, unique in the run, name requests in traces
	issuing, atBarrier := true, false
	held := int64(-1) // the first offset of a new pass, held while the job waits at the barrier
	inflight := 0
	nextPublish := int64(0)

	for {
		now := clock.Now()
		if now >= nextPublish { // publish the count for a progress display
			nextPublish = j.publish(now)
		}
		if issuing {
			switch {
			case j.shared.stop.Load():
				issuing = false
				j.end = max(j.end, now)
			case !measuring && now >= warmupEnd:
				issuing, atBarrier = false, true // the gate
			case measuring && deadline > 0 && now >= deadline:
				issuing = false
				j.end = deadline
			}
		}
		batch = batch[:0]
		for issuing && len(free) > 0 {
			if measuring && j.quota >= 0 && issued >= j.quota {
				issuing = false
				break
			}
			off := held
			if off < 0 {
				var wrapped bool
				if off, wrapped = j.pattern.Next(); wrapped && j.passes {
					held, issuing, atBarrier = off, false, true
					break
				}
			} else {
				held = -1
			}
			if measuring {
				issued++
			}
			r := free[len(free)-1]
			free = free[:len(free)-1]
			r.Offset = off
			r.ID = nextID
			nextID++
			r.Reset()
			j.start[r.User] = now
			batch = append(batch, r)
		}
		if len(batch) > 0 {
			if err := rd.Submit(batch); err != nil {
				j.fail(fmt.Errorf("submit: %w", err))
				return
			}
			sub := clock.Now()
			for _, r := range batch {
				j.sub[r.User] = sub
			}
			inflight += len(batch)
		}
		if inflight == 0 {
			if !atBarrier || j.shared.stop.Load() {
				break
			}
			// Nothing in flight: wait for the others, then go on in the state the barrier's
			// action left (the measured phase begun, the file evicted for a new pass).
			j.shared.bar.await()
			atBarrier, issuing = false, true
			if !measuring && j.shared.measuring.Load() {
				measuring = true
				measureStart = j.shared.measureStart
				if statsReader != nil {
					statsReader.ResetStats()
				}
			}
			deadline = j.shared.deadline.Load()
			continue
		}
		done, err = rd.Reap(done[:0], 1)
		if err != nil {
			j.fail(fmt.Errorf("reap: %w", err))
			return
		}
		// An inline completion happened before Submit returned: its time is that return,
		// already read. The clock is read again only for a request completed since.
		var t int64
		for _, r := range done {
			at := j.sub[r.User]
			if !r.Inline {
				if t == 0 {
					t = clock.Now()
				}
				at = t
			}
			j.complete(r, at, measureStart, deadline)
			free = append(free, r)
		}
		inflight -= len(done)
	}
	if statsReader != nil && measuring {
		j.stats = statsReader.Stats()
	}
	leave() // before Close: the CPU reading must not include the engine's teardown
}

// publish adds the requests completed since the last call to the run's Live, if it has one,
// and returns when to call it again.
func (j *job) publish(now int64) (next int64) {
	if j.cfg.Live != nil {
		j.cfg.Live.ops.Add(j.ops - j.published)
		j.published = j.ops
	}
	return now + livePeriod
}

// complete accounts for one completed request, reaped at t.
func (j *job) complete(r *engines.Request, t, measureStart, deadline int64) {
	if r.Err != nil || r.N != len(r.Buf) {
		j.readError(r)
		return
	}
	if j.verify && workloads.Verify(r.Buf, j.file, r.Offset, j.cfg.Verify) >= 0 {
		j.verifyError(r)
		return
	}
	start, sub := j.start[r.User], j.sub[r.User]
	if start < measureStart {
		j.warmupOps++
		return
	}
	if deadline > 0 && t > deadline {
		return // finished after the measured phase
	}
	j.ops++
	j.bytes += int64(r.N)
	j.end = t
	j.record(j.lat, t-start)
	j.record(j.slat, sub-start)
	j.record(j.clat, t-sub)
}

func (j *job) record(h *hdrhistogram.Histogram, ns int64) {
	if ns < 1 {
		ns = 1 // a clock step of 0: the histogram starts at 1ns
	}
	if h.RecordValue(ns) != nil {
		_ = h.RecordValue(h.HighestTrackableValue())
	}
}

func (j *job) readError(r *engines.Request) {
	j.errors++
	if j.firstErr == nil {
		if r.Err != nil {
			j.firstErr = fmt.Errorf("read %d bytes at %d: %w", len(r.Buf), r.Offset, r.Err)
		} else {
			j.firstErr = fmt.Errorf("read %d bytes at %d: got %d: %w", len(r.Buf), r.Offset, r.N, errShort)
		}
	}
}

func (j *job) verifyError(r *engines.Request) {
	j.verifyErrors++
	if j.firstErr == nil {
		bad := workloads.Verify(r.Buf, j.file, r.Offset, workloads.VerifyFull)
		j.firstErr = fmt.Errorf("verify %d bytes at %d: data differs from the layout at byte %d", len(r.Buf), r.Offset, bad)
	}
}

func (j *job) fail(err error) {
	j.failed = fmt.Errorf("job %d: %w", j.index, err)
	if j.firstErr == nil {
		j.firstErr = j.failed
	}
	j.shared.halt()
}
