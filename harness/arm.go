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
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

// An Arm drives one engine through blocks of requests on demand, on the caller's goroutine: the
// building block of fine-grained interleaving (Duel, and `aiobench ab`, whose two processes
// each own one Arm and pass a token so that exactly one runs a block at a time). Each block is
// timed on its own, from its first Submit to its last completion, with the process's CPU time
// around it. Every read is verified as in a Run. The caller locks its goroutine to its thread
// for the Arm's life and never uses an Arm from two goroutines.
type Arm struct {
	j        *job
	rd       engines.Reader
	stats    engines.StatsReader
	free     []*engines.Request
	batch    []*engines.Request
	done     []*engines.Request
	nextID   uint64
	total    *hdrhistogram.Histogram // lat over the measured blocks; j.lat holds the current batch
	measured bool                    // Measure was called: blocks count
	ns       int64                   // wall time summed over the measured blocks
	user     int64                   // the process's user and system CPU over them, ns
	sys      int64
	blocks   int64
	row      results.Row
	procs    int // GOMAXPROCS to restore on Close, 0 when unchanged
}

// A Block is what one block of requests took.
type Block struct {
	Requests int   // requests completed with verified data
	NS       int64 // wall time from the first Submit to the last completion
	CPU      int64 // the process's CPU time over the block, ns
}

// OpenArm opens cfg's engine over ds for blocks of requests. cfg is one job (Jobs 1) with a warm
// or direct cache: blocks cannot pause for evictions. The file is put in its cache state now.
func OpenArm(cfg Config, ds *workloads.Dataset) (*Arm, error) {
	p, err := NewPlan(cfg)
	if err != nil {
		return nil, err
	}
	cfg, eng, wl := p.Config, p.eng, p.wl
	if cfg.Jobs != 1 || cfg.Cache == CacheCold {
		return nil, fmt.Errorf("%w: interleaved blocks take one job and a warm or direct cache (cold runs alternate whole trials)", ErrConfig)
	}
	a := &Arm{total: newHist()}
	verify, advice := settings(&a.row, &cfg, eng, wl)
	if cfg.Cache == CacheWarm {
		f, err := os.Open(ds.Path)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", ds.Path, err)
		}
		err = pagecache.Warm(int(f.Fd()), cfg.Size)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("warm %s: %w", ds.Path, err)
		}
	}
	shared := &runState{cfg: &cfg}
	shared.bar = newBarrier(1, func() {}, func() {})
	if a.j, err = newJob(&cfg, 0, -1, ds, eng, wl, advice, verify, shared); err != nil {
		return nil, err
	}
	if b, ok := eng.(engines.Blocker); ok {
		a.procs = runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(a.procs + b.BlockingThreads(cfg.engineConfig()))
	}
	if a.rd, err = eng.Open(cfg.engineConfig()); err != nil {
		a.release()
		return nil, fmt.Errorf("open engine %s: %w", cfg.Engine, err)
	}
	a.stats, _ = a.rd.(engines.StatsReader)
	for i := range a.j.reqs {
		a.free = append(a.free, &a.j.reqs[i])
	}
	a.batch = make([]*engines.Request, 0, len(a.j.reqs))
	a.done = make([]*engines.Request, 0, len(a.j.reqs))
	a.row.GOMAXPROCS = runtime.GOMAXPROCS(0)
	return a, nil
}

// Measure starts the measured blocks: what came before was warm-up (verified, counted in
// warmup_ops, not timed), and the engine's counters start again.
func (a *Arm) Measure() error {
	a.measured = true
	a.j.lat.Reset()
	a.j.slat.Reset()
	a.j.clat.Reset()
	if a.stats != nil {
		a.stats.ResetStats()
	}
	return nil
}

// RunBlock runs n requests at the configured queue depth and returns what they took. A failed or
// short read is counted in the row's errors, never as a completed request.
func (a *Arm) RunBlock(n int) (Block, error) {
	measureStart := int64(math.MaxInt64) // in the warm-up every completion counts there
	if a.measured {
		measureStart = 0
	}
	ok0 := a.j.ops + a.j.warmupOps
	var u0, u1 unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &u0)
	t0 := clock.Now()
	issued, inflight := 0, 0
	for issued < n || inflight > 0 {
		now := clock.Now()
		a.batch = a.batch[:0]
		for issued < n && len(a.free) > 0 {
			r := a.free[len(a.free)-1]
			a.free = a.free[:len(a.free)-1]
			r.Offset, _ = a.j.pattern.Next()
			r.ID = a.nextID
			a.nextID++
			r.Reset()
			a.j.start[r.User] = now
			a.batch = append(a.batch, r)
			issued++
		}
		if len(a.batch) > 0 {
			if err := a.rd.Submit(a.batch); err != nil {
				return Block{}, fmt.Errorf("%s: submit: %w", a.row.Engine, err)
			}
			sub := clock.Now()
			for _, r := range a.batch {
				a.j.sub[r.User] = sub
			}
			inflight += len(a.batch)
		}
		var err error
		if a.done, err = a.rd.Reap(a.done[:0], 1); err != nil {
			return Block{}, fmt.Errorf("%s: reap: %w", a.row.Engine, err)
		}
		var t int64
		for _, r := range a.done {
			at := a.j.sub[r.User]
			if !r.Inline {
				if t == 0 {
					t = clock.Now()
				}
				at = t
			}
			a.j.complete(r, at, measureStart, 0)
			a.free = append(a.free, r)
		}
		inflight -= len(a.done)
	}
	t1 := clock.Now()
	_ = unix.Getrusage(unix.RUSAGE_SELF, &u1)
	user, sys := usageNS(u1.Utime)-usageNS(u0.Utime), usageNS(u1.Stime)-usageNS(u0.Stime)
	b := Block{Requests: int(a.j.ops + a.j.warmupOps - ok0), NS: t1 - t0, CPU: user + sys}
	if a.measured {
		a.ns += b.NS
		a.user += user
		a.sys += sys
		a.blocks++
	}
	return b, nil
}

// Mark closes a batch of blocks and returns the lat percentile q (0–100) over the requests
// since the last Mark, in ns: percentiles of consecutive batches compare the arms' tails.
func (a *Arm) Mark(q float64) (int64, error) {
	v := a.j.lat.ValueAtQuantile(q)
	a.total.Merge(a.j.lat)
	a.j.lat.Reset()
	return v, nil
}

var _ BlockRunner = (*Arm)(nil)

// Row returns the arm's results over its measured blocks: IOPS, lat mean (by Little's law, from
// the blocks' time and the queue depth) and CPU from the blocks; percentiles from the arm's
// histogram of every measured request. Call it once, after the last block.
func (a *Arm) Row() results.Row {
	_, _ = a.Mark(50) // closes the last batch; an Arm's Mark does not fail
	r := a.row
	j := a.j
	r.Ops, r.Bytes, r.Errors, r.VerifyErrors, r.WarmupOps = j.ops, j.bytes, j.errors, j.verifyErrors, j.warmupOps
	r.Complete = j.failed == nil
	if j.firstErr != nil {
		r.FirstError = j.firstErr.Error()
	}
	r.Elapsed = float64(a.ns) / 1e9
	res := &Result{Lat: a.total, Slat: j.slat, Clat: j.clat}
	fillStats(&r, res, &unix.Rusage{}, &unix.Rusage{})
	r.CPUUser, r.CPUSys = float64(a.user)/1e9, float64(a.sys)/1e9
	if r.Ops > 0 {
		r.LatMean = float64(a.ns) * float64(r.IODepth) / float64(r.Ops) / 1e3
		r.CPUPerOp = float64(a.user+a.sys) / float64(r.Ops) / 1e3
	} else if r.FirstError == "" {
		r.FirstError = "no request completed with verified data in the measured blocks"
	}
	r.DuelBlocks = a.blocks
	if a.stats != nil {
		fillEngineStats(&r, a.j.eng, a.stats.Stats())
	}
	return r
}

// Close releases the engine and the arm's buffers.
func (a *Arm) Close() error {
	err := a.rd.Close()
	a.release()
	return err
}

func (a *Arm) release() {
	a.j.release()
	if a.procs > 0 {
		runtime.GOMAXPROCS(a.procs)
		a.procs = 0
	}
}

func usageNS(t unix.Timeval) int64 { return t.Sec*1e9 + int64(t.Usec)*1e3 }
