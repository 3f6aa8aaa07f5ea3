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
	"strconv"
	"strings"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
)

// Modes of a comparison.
const (
	ModeBlocks = "blocks" // the two binaries alternate short blocks, passing a token
	ModeTrials = "trials" // whole runs alternate, in a seeded random order per round
)

// Config is one comparison of two builds.
type Config struct {
	Baseline, Candidate string   // the two aiobench binaries
	RunArgs             []string // run flags, the same for both
	CandidateArgs       []string // extra run flags for the candidate alone (e.g. a setting under test)
	OutputDir           string   // baseline.csv, candidate.csv and summary.csv go here
	Mode                string
	// Blocks mode: the measured time of both together, the warm-up, the work per block and
	// the source of each pair's order.
	Runtime, Warmup, BlockTime time.Duration
	Seed                       uint64
	Rounds                     int // trials mode: paired rounds
	Metrics                    []compare.Metric
	Options                    compare.Options
	Progress                   io.Writer // a line per round or per second of blocks
}

// Outcome is what a comparison found.
type Outcome struct {
	Lines      []compare.Line
	Base, Cand []results.Row
	Pairs      int    // blocks mode: pairs of blocks measured
	Order      string // trials mode: who ran first in each round, "b" or "c" per round
	// IOPSLogs are the log ratios candidate/baseline of IOPS: per pair of blocks, in time
	// order, or per round of trials (calibrate reads their spread).
	IOPSLogs []float64
	Elapsed  time.Duration // blocks mode: the measured time
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

func runBlocks(ctx context.Context, c Config) (*Outcome, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seed := strconv.FormatUint(c.Seed, 10)
	// Each binary reads its own stream of offsets (seeds differ), so that neither block of a
	// pair finds the pages the other just read in the CPU's caches.
	base, err := startPeer(ctx, "baseline", c.Baseline, append(append([]string{}, c.RunArgs...), "--seed", seed))
	if err != nil {
		return nil, err
	}
	defer base.stop()
	cand, err := startPeer(ctx, "candidate", c.Candidate, append(append(append([]string{}, c.RunArgs...), c.CandidateArgs...), "--seed", strconv.FormatUint(c.Seed+1, 10)))
	if err != nil {
		return nil, err
	}
	defer cand.stop()
	peers := [2]*peer{base, cand}

	block := func(p *peer, n int) (harness.Block, error) {
		f, err := p.call(ctx, "block "+strconv.Itoa(n))
		if err != nil {
			return harness.Block{}, err
		}
		if len(f) != 3 {
			return harness.Block{}, fmt.Errorf("%s: block answered %q", p.name, f)
		}
		var v [3]int64
		for i := range v {
			if v[i], err = strconv.ParseInt(f[i], 10, 64); err != nil {
				return harness.Block{}, fmt.Errorf("%s: block answered %q", p.name, f)
			}
		}
		return harness.Block{Requests: int(v[0]), NS: v[1], CPU: v[2]}, nil
	}
	// Warm-up, timing a request of each.
	var ns, reqs [2]int64
	for end := time.Now().Add(c.Warmup); time.Now().Before(end) || reqs[0] == 0; {
		for i, p := range peers {
			b, err := block(p, 64)
			if err != nil {
				return nil, err
			}
			ns[i] += b.NS
			reqs[i] += int64(b.Requests)
		}
	}
	per := (float64(ns[0])/float64(max(reqs[0], 1)) + float64(ns[1])/float64(max(reqs[1], 1))) / 2
	n := max(1, int(float64(c.BlockTime)/max(per, 1)))
	for _, p := range peers {
		if _, err := p.call(ctx, "measure"); err != nil {
			return nil, err
		}
	}
	d := &harness.DuelResult{Block: n}
	rng := rand.New(rand.NewPCG(c.Seed, 0xab))
	start := time.Now()
	next := start.Add(time.Second)
	for time.Since(start) < c.Runtime {
		p := harness.Pair{BFirst: rng.IntN(2) == 1}
		order := [2]int{0, 1}
		if p.BFirst {
			order = [2]int{1, 0}
		}
		for _, i := range order { // the token: one block at a time
			if p.Blocks[i], err = block(peers[i], n); err != nil {
				return nil, err
			}
		}
		d.Pairs = append(d.Pairs, p)
		if len(d.Pairs)%20 == 0 {
			var q [2]int64
			for i, pe := range peers {
				f, err := pe.call(ctx, "mark")
				if err != nil {
					return nil, err
				}
				if len(f) == 1 {
					q[i], _ = strconv.ParseInt(f[0], 10, 64)
				}
			}
			d.P99 = append(d.P99, q)
		}
		if c.Progress != nil && time.Now().After(next) {
			fmt.Fprintf(c.Progress, "aiobench ab: %d pairs of %d-request blocks in %.0fs of %v\n", len(d.Pairs), n, time.Since(start).Seconds(), c.Runtime)
			next = next.Add(5 * time.Second)
		}
	}
	for i, name := range []string{BaselineFile, CandidateFile} {
		path := filepath.Join(c.OutputDir, name)
		if _, err := peers[i].call(ctx, "row "+path); err != nil {
			return nil, err
		}
		f, err := results.ReadFile(path)
		if err != nil || len(f.Rows) != 1 {
			return nil, fmt.Errorf("%s: read its row: %v", peers[i].name, err)
		}
		d.Rows[i] = f.Rows[0]
	}
	out := &Outcome{Base: d.Rows[:1], Cand: d.Rows[1:], Pairs: len(d.Pairs), Elapsed: time.Since(start)}
	for _, p := range d.Pairs {
		a, b := p.Blocks[0], p.Blocks[1]
		if a.Requests > 0 && b.Requests > 0 {
			out.IOPSLogs = append(out.IOPSLogs, math.Log(float64(b.Requests)*float64(a.NS)/(float64(a.Requests)*float64(b.NS))))
		}
	}
	label := compare.KeyString(d.Rows[0].Key())
	for _, m := range c.Metrics {
		r := suites.CompareDuel(d, m.Name, m.Dir, c.Options)
		out.Lines = append(out.Lines, compare.Line{Key: d.Rows[0].Key(), Label: label, Metric: m, Result: r})
	}
	return out, nil
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
