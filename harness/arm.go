package harness

import (
	"fmt"
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
// one phase of the run loop's driver, timed on its own from its first Submit to its last
// completion, with the process's CPU time around it. Every read is verified as in a Run. The
// caller locks its goroutine to its thread for the Arm's life and never uses an Arm from two
// goroutines.
type Arm struct {
	plan  *Plan
	j     *job
	rd    engines.Reader
	stats engines.StatsReader
	total *hdrhistogram.Histogram // lat over the measured blocks; the driver's holds the current batch
	ns    int64                   // wall time summed over the measured blocks
	user  int64                   // the process's user and system CPU over them, ns
	sys   int64
	// blocks is the number of measured blocks.
	blocks     int64
	gomaxprocs int
	started    string
	path       string // the data file, whose directory the machine fingerprint names
	procs      int    // GOMAXPROCS to restore on Close, 0 when unchanged
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
	if cfg.Rate > 0 {
		return nil, &ConfigError{Field: "rate", Msg: "a duel's blocks run closed loop: an open-loop run (--rate) is measured whole"}
	}
	a := &Arm{plan: p, total: newHist(), started: startedNow(), path: ds.Path}
	verify, advice := p.verifyAndAdvice()
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
	a.j.d.nextID = 0
	if b, ok := eng.(engines.Blocker); ok {
		a.procs = runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(a.procs + b.BlockingThreads(cfg.engineConfig()))
	}
	if a.rd, err = openReader(eng, &cfg); err != nil {
		a.release()
		return nil, fmt.Errorf("open engine %s: %w", cfg.Engine, err)
	}
	a.j.d.rd = a.rd
	a.stats, _ = engines.Ability[engines.StatsReader](a.rd)
	a.gomaxprocs = runtime.GOMAXPROCS(0)
	return a, nil
}

// Measure starts the measured blocks: what came before was warm-up (verified, counted in
// warmup_ops, not timed), and the engine's counters start again.
func (a *Arm) Measure() error {
	d := a.j.d
	d.measuring = true
	d.lat.Reset()
	d.slat.Reset()
	d.clat.Reset()
	if a.stats != nil {
		a.stats.ResetStats()
	}
	return nil
}

// RunBlock runs n requests at the configured queue depth and returns what they took. A failed or
// short read is counted in the row's errors, never as a completed request.
func (a *Arm) RunBlock(n int) (Block, error) {
	d := a.j.d
	ok0 := d.ops + d.warmupOps
	var u0, u1 unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &u0)
	t0 := clock.Now()
	if _, _, err := d.phase(bound{n: int64(n)}); err != nil {
		return Block{}, fmt.Errorf("%s: %w", a.plan.Config.Engine, err)
	}
	t1 := clock.Now()
	_ = unix.Getrusage(unix.RUSAGE_SELF, &u1)
	user, sys := usageNS(u1.Utime)-usageNS(u0.Utime), usageNS(u1.Stime)-usageNS(u0.Stime)
	b := Block{Requests: int(d.ops + d.warmupOps - ok0), NS: t1 - t0, CPU: user + sys}
	if d.measuring {
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
	lat := a.j.d.lat
	v := lat.ValueAtQuantile(q)
	a.total.Merge(lat)
	lat.Reset()
	return v, nil
}

var _ BlockRunner = (*Arm)(nil)

// Row returns the arm's results over its measured blocks: IOPS, lat mean (by Little's law, from
// the blocks' time and the queue depth) and CPU from the blocks; percentiles from the arm's
// histogram of every measured request. Call it once, after the last block.
func (a *Arm) Row() results.Row {
	_, _ = a.Mark(50) // closes the last batch; an Arm's Mark does not fail
	d := a.j.d
	m := results.Measurement{
		Measured: true, Complete: a.j.failed == nil,
		Ops: d.ops, Bytes: d.bytes, Errors: d.errors, VerifyErrors: d.verifyErrors, WarmupOps: d.warmupOps,
		ElapsedNS: a.ns, Lat: a.total, Slat: d.slat, Clat: d.clat,
		CPUUserNS: a.user, CPUSysNS: a.sys, CtxSw: -1,
		GOMAXPROCS: a.gomaxprocs, DuelBlocks: a.blocks,
	}
	if d.firstErr != nil {
		m.FirstError = d.firstErr.Error()
	}
	if d.ops > 0 {
		m.LatMeanNS = float64(a.ns) * float64(a.plan.Config.IODepth) / float64(d.ops)
	} else if m.FirstError == "" {
		m.FirstError = "no request completed with verified data in the measured blocks"
	}
	if a.stats != nil {
		m.Counters = a.stats.Stats().Values()
	}
	return a.plan.build(&m, a.started, a.path)
}

// Config returns the configuration the arm runs, its defaults filled in.
func (a *Arm) Config() Config { return a.plan.Config }

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
