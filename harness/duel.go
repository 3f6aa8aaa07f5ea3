package harness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// DuelConfig compares two arms by fine-grained interleaving: both engines' Readers live in one
// job on one locked thread, over the same file and one shared stream of offsets, and the thread
// alternates between them in short blocks of requests, the order within each pair drawn from a
// seeded source. Neighbouring blocks share the machine's state (its clock speed, its other
// load, the host's mood), which moves within a second on a shared VM; rounds seconds apart do
// not. Each pair's ratio is therefore a comparison under nearly equal conditions.
type DuelConfig struct {
	A, B Config // the baseline and the candidate arm: one job each, warm or direct
	// Block is the number of requests per block; 0 sizes blocks from the warm-up to about
	// BlockTime of work (1 ms when that is 0 too).
	Block     int
	BlockTime time.Duration
	Runtime   time.Duration // measured time, both arms together
	Warmup    time.Duration // blocks run first and discarded
	Seed      uint64        // the source of each pair's order
	Batch     int           // pairs per batch of the tail percentile (default 20)
}

// A Pair is one pair of blocks: which arm ran first, and what each block took.
type Pair struct {
	BFirst bool     // the candidate's block ran first
	Blocks [2]Block // [0] the baseline's, [1] the candidate's
}

// DuelResult is what a duel measured.
type DuelResult struct {
	Rows  [2]results.Row // the arms' rows over their measured blocks
	Pairs []Pair
	// P99 holds, per batch of Batch consecutive pairs, each arm's lat 99th percentile in ns
	// over the batch's requests: tails compared under the same conditions.
	P99      [][2]int64
	Block    int // requests per block
	Warnings []string
}

// DefaultBlockTime is the work per block when none is given: long enough that timing a block
// costs nothing measurable (two clock reads and two getrusage calls), short enough that the
// machine's state barely moves between a pair's blocks.
const DefaultBlockTime = time.Millisecond

// Duel runs dc on ds. It returns an error when the duel could not run; failed reads are data in
// the rows. When ctx is cancelled it stops after the current pair.
func Duel(ctx context.Context, dc DuelConfig, ds *workloads.Dataset) (*DuelResult, error) {
	a, b := dc.A, dc.B
	if a.Workload != b.Workload || a.BlockSize != b.BlockSize || a.IODepth != b.IODepth || a.Size != b.Size || a.Cache != b.Cache {
		return nil, fmt.Errorf("%w: a duel's arms must read the same way (workload, bs, iodepth, size, cache)", ErrConfig)
	}
	if dc.Runtime <= 0 {
		return nil, fmt.Errorf("%w: a duel needs a runtime", ErrConfig)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	arms := [2]*Arm{}
	for i, c := range []Config{a, b} {
		arm, err := OpenArm(c, ds)
		if err != nil {
			if i == 1 {
				arms[0].Close()
			}
			return nil, err
		}
		arms[i] = arm
	}
	defer func() { // in reverse order: each restores the GOMAXPROCS it found
		arms[1].Close()
		arms[0].Close()
	}()
	// One stream of offsets for both arms: each block reads blocks of the file that no block
	// before it in this pass read. With a stream each, the second block of a pair would read
	// the pages the first had just copied, still in the CPU's caches, and run ~20% faster.
	arms[1].j.d.pattern = arms[0].j.d.pattern

	res, err := Interleave(ctx, [2]BlockRunner{arms[0], arms[1]}, dc)
	if err != nil {
		return nil, err
	}
	for i, arm := range arms {
		res.Rows[i] = arm.Row()
		res.Rows[i].Complete = res.Rows[i].Complete && ctx.Err() == nil
	}
	return res, nil
}

// A BlockRunner runs blocks of requests on demand: an Arm in this process, or, for
// `aiobench ab`, an arm served by another process over a pipe.
type BlockRunner interface {
	RunBlock(n int) (Block, error)
	// Measure starts the measured blocks (what came before was warm-up).
	Measure() error
	// Mark closes a batch and returns the lat percentile q over its requests, in ns.
	Mark(q float64) (int64, error)
}

// Interleave alternates blocks of the two runners, exactly one block at a time: a warm-up of
// small blocks (which also times a request of each), then blocks of dc.Block requests (or about
// dc.BlockTime of work) for dc.Runtime, each pair's order drawn from dc.Seed, the tail
// percentile marked every dc.Batch pairs. It stops after the current pair when ctx is done.
// The result has no rows: the caller asks its runners for them.
func Interleave(ctx context.Context, arms [2]BlockRunner, dc DuelConfig) (*DuelResult, error) {
	res := &DuelResult{Block: dc.Block}
	var ns, reqs [2]int64
	// At least one block each, to time a request; a warm-up in which an arm completes no
	// request at all (every read failed) ends the duel rather than looping.
	for end, first := clock.Now()+int64(dc.Warmup), true; first || clock.Now() < end; first = false {
		for i, arm := range arms {
			blk, err := arm.RunBlock(64)
			if err != nil {
				return nil, err
			}
			ns[i] += blk.NS
			reqs[i] += int64(blk.Requests)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	if reqs[0] == 0 || reqs[1] == 0 {
		return nil, fmt.Errorf("no request completed in the warm-up (%d and %d): every read failed", reqs[0], reqs[1])
	}
	if res.Block <= 0 {
		per := (float64(ns[0])/float64(max(reqs[0], 1)) + float64(ns[1])/float64(max(reqs[1], 1))) / 2
		res.Block = max(1, int(float64(orDefault(dc.BlockTime, DefaultBlockTime))/max(per, 1)))
	}
	batch := orDefault(dc.Batch, 20)
	for _, arm := range arms {
		if err := arm.Measure(); err != nil {
			return nil, err
		}
	}
	rng := rand.New(rand.NewPCG(dc.Seed, 0xd0e1))
	for end := clock.Now() + int64(dc.Runtime); clock.Now() < end && ctx.Err() == nil; {
		p := Pair{BFirst: rng.IntN(2) == 1}
		order := [2]int{0, 1}
		if p.BFirst {
			order = [2]int{1, 0}
		}
		for _, i := range order { // the token: one block at a time
			blk, err := arms[i].RunBlock(res.Block)
			if err != nil {
				return nil, err
			}
			p.Blocks[i] = blk
		}
		res.Pairs = append(res.Pairs, p)
		if len(res.Pairs)%batch == 0 {
			var q [2]int64
			for i, arm := range arms {
				v, err := arm.Mark(99)
				if err != nil {
					return nil, err
				}
				q[i] = v
			}
			res.P99 = append(res.P99, q)
		}
	}
	return res, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
