package ab

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
)

// Modes of a comparison.
const (
	ModeBlocks = "blocks" // the two binaries alternate short blocks, passing a token
	ModeTrials = "trials" // whole runs alternate, in a seeded random order per round
)

// Config is one comparison of two builds.
type Config struct {
	Baseline, Candidate string // the two aiobench binaries
	// Arms are the two arms' configurations for a comparison block by block, sent whole to a
	// build that speaks protocol 2 (each session's seed and round set in them), and Dir the
	// data directory they read.
	Arms [2]*harness.Config
	Dir  string
	// RunArgs are the run flags, the same for both, for whole trials and for a build that
	// speaks only protocol 1; CandidateArgs extra run flags for the candidate alone (e.g. a
	// setting under test).
	RunArgs       []string
	CandidateArgs []string
	OutputDir     string // baseline.csv, candidate.csv and summary.csv go here
	Mode          string
	// Blocks mode: the measured time of both together over all sessions, each session's
	// warm-up, the work per block, the number of sessions (pairs of processes) and the seed of
	// each pair's order and of the offsets.
	Runtime, Warmup, BlockTime time.Duration
	Sessions                   int
	Seed                       uint64
	Rounds                     int // trials mode: paired rounds
	Metrics                    []compare.Metric
	Options                    compare.Options
	Progress                   io.Writer // a line per round or per second of blocks
	// Inherit, when set, prepares every process the comparison starts on the data directory
	// (the lock the caller holds on it, passed down).
	Inherit func(*exec.Cmd)
}

// Outcome is what a comparison found.
type Outcome struct {
	Lines      []compare.Line
	Base, Cand []results.Row
	Pairs      int    // blocks mode: pairs of blocks measured, over all sessions
	Sessions   int    // blocks mode: sessions (pairs of processes)
	Order      string // trials mode: who ran first in each round, "b" or "c" per round
	// IOPSLogs are the log ratios candidate/baseline of IOPS: per session of blocks, or per
	// round of trials (calibrate reads their spread).
	IOPSLogs []float64
	// IOPSWithinVar is, per session of blocks, the variance of its log ratio's estimate from
	// the blocks alone (what a longer session would shrink).
	IOPSWithinVar []float64
	Elapsed       time.Duration // blocks mode: the measured time
	// SessionLogs holds, per metric, each session's log ratio candidate/baseline (blocks mode);
	// AllPairs every pair of blocks of every session, in time order.
	SessionLogs map[string][]float64
	AllPairs    []harness.Pair
}

// Files under OutputDir.
const (
	BaselineFile  = "baseline.csv"
	CandidateFile = "candidate.csv"
	SummaryFile   = "summary.csv"
)

// Run compares the candidate build with the baseline build.
func Run(ctx context.Context, c Config) (*Outcome, error) {
	if c.Mode == ModeTrials {
		return runTrials(ctx, c)
	}
	return runBlocks(ctx, c)
}

// runTrials alternates whole runs of the two binaries, the order of each round drawn from a
// seeded source, and compares each configuration's rounds as pairs.
func runTrials(ctx context.Context, c Config) (*Outcome, error) {
	rng := rand.New(rand.NewPCG(c.Seed, 0x7a1))
	out := &Outcome{}
	tmp, err := os.MkdirTemp(c.OutputDir, ".trial-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for round := 1; round <= c.Rounds; round++ {
		candFirst := rng.IntN(2) == 1
		out.Order += map[bool]string{false: "b", true: "c"}[candFirst]
		arms := []int{0, 1}
		if candFirst {
			arms = []int{1, 0}
		}
		for _, arm := range arms {
			bin, args, name := c.Baseline, c.RunArgs, "baseline"
			if arm == 1 {
				bin, args, name = c.Candidate, append(append([]string{}, c.RunArgs...), c.CandidateArgs...), "candidate"
			}
			path := filepath.Join(tmp, fmt.Sprintf("%s-%d.csv", name, round))
			cmd := exec.CommandContext(ctx, bin, append(append([]string{}, args...), "--output", path)...)
			if c.Inherit != nil {
				c.Inherit(cmd)
			}
			if msg, err := cmd.CombinedOutput(); err != nil && !isRunFailure(err) {
				return nil, fmt.Errorf("%s round %d: %v: %s", name, round, err, lastLine(msg))
			}
			f, err := results.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("%s round %d: %w", name, round, err)
			}
			for _, r := range f.Rows {
				r.Round = round
				if arm == 0 {
					out.Base = append(out.Base, r)
				} else {
					out.Cand = append(out.Cand, r)
				}
			}
		}
		if c.Progress != nil {
			fmt.Fprintf(c.Progress, "aiobench ab: round %d of %d (%s first)\n", round, c.Rounds, map[bool]string{false: "baseline", true: "candidate"}[candFirst])
		}
	}
	out.Lines = pairedLines(out.Base, out.Cand, c.Metrics, c.Options)
	for i := range out.Base {
		for j := range out.Cand {
			b, k := &out.Base[i], &out.Cand[j]
			if b.Round == k.Round && b.Key() == k.Key() && b.IOPS > 0 && k.IOPS > 0 {
				out.IOPSLogs = append(out.IOPSLogs, math.Log(k.IOPS/b.IOPS))
			}
		}
	}
	return out, nil
}

// isRunFailure reports whether a run exited 1: its rows are written and say what failed.
func isRunFailure(err error) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == 1
}

func lastLine(b []byte) string {
	s := strings.TrimRight(string(b), "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
