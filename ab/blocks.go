package ab

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
)

// DefaultSessions is the number of sessions a comparison block by block is split into. Two
// processes of one build differ by a fixed amount for their whole life (where their buffers
// and code landed in memory): A/A, 3 s comparisons of one process pair each ranged from −1.2%
// to +0.7% with intervals of ±0.2%. Blocks cannot average that away; new processes can. Each
// session is a fresh pair of processes, and the verdict is drawn across sessions: with 10
// sessions of 1 s, A/A intervals were ±1% and 2 of 5 came out INCONCLUSIVE at a 1% threshold;
// with 20 of 0.5 s, ±0.3–0.5% and all 5 PASS, in the same 11.6 s.
const DefaultSessions = 20

// runBlocks compares the builds block by block in c.Sessions sessions, each a fresh pair of
// processes that alternate blocks for c.Runtime/c.Sessions. Within a session the pairs give a
// median log ratio per metric; across sessions those are paired samples (compare.Paired: the
// order statistics of their median, the signed-rank test), so the interval holds both the
// blocks' noise and the processes' own differences.
func runBlocks(ctx context.Context, c Config) (*Outcome, error) {
	sessions := max(c.Sessions, 1)
	out := &Outcome{Sessions: sessions, SessionLogs: map[string][]float64{}}
	perMetric := make([][]float64, len(c.Metrics))
	var last *harness.DuelResult
	var protocols [2]int
	for i, bin := range []string{c.Baseline, c.Candidate} {
		v, err := Handshake(ctx, bin)
		if err != nil {
			return nil, err
		}
		protocols[i] = v.Protocol
	}
	start := time.Now()
	for s := range sessions {
		d, err := session(ctx, c, protocols, s, c.Runtime/time.Duration(sessions), c.Warmup/time.Duration(sessions))
		if err != nil {
			return nil, fmt.Errorf("session %d: %w", s+1, err)
		}
		last = d
		out.Pairs += len(d.Pairs)
		out.AllPairs = append(out.AllPairs, d.Pairs...)
		out.Base, out.Cand = append(out.Base, d.Rows[0]), append(out.Cand, d.Rows[1])
		for i, m := range c.Metrics {
			logs := suites.DuelLogs(d, m.Name)
			if len(logs) == 0 {
				continue // too short a session for this metric (lat_p99_us needs a batch of 20 pairs)
			}
			est := medianLog(logs)
			perMetric[i] = append(perMetric[i], est)
			out.SessionLogs[m.Name] = append(out.SessionLogs[m.Name], est)
			if m.Name == "iops" {
				out.IOPSLogs = append(out.IOPSLogs, est)
				// The session's own variance from its blocks alone: of a median, about π/2
				// times that of a mean of the pairs (the pairs are barely correlated here).
				out.IOPSWithinVar = append(out.IOPSWithinVar, math.Pi/2*variance(logs)/float64(len(logs)))
			}
		}
		if c.Progress != nil {
			fmt.Fprintf(c.Progress, "aiobench ab: session %d of %d: %d pairs of %d-request blocks\n", s+1, sessions, len(d.Pairs), d.Block)
		}
	}
	out.Elapsed = time.Since(start)
	label := compare.KeyString(last.Rows[0].Key())
	for i, m := range c.Metrics {
		// Per session the candidate's value relative to 1: compare.Paired takes the log ratios.
		ones, ratios := make([]float64, len(perMetric[i])), make([]float64, len(perMetric[i]))
		for s, l := range perMetric[i] {
			ones[s], ratios[s] = 1, math.Exp(l)
		}
		r := compare.Paired(ones, ratios, m.Dir, c.Options)
		col, _ := results.ColumnByName(m.Name)
		r.Baseline, r.Candidate = medianOf(out.Base, col), medianOf(out.Cand, col)
		r.Test = compare.TestSignedRank + " over sessions"
		out.Lines = append(out.Lines, compare.Line{Key: last.Rows[0].Key(), Label: label, Metric: m, Result: r})
	}
	return out, nil
}

// session runs one pair of serving processes for length after warmup: blocks sized to about
// c.BlockTime, the token passed for each block, and each arm's row at the end.
func session(ctx context.Context, c Config, protocols [2]int, s int, length, warmup time.Duration) (*harness.DuelResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Seeds differ per binary and per session: neither block of a pair finds the pages the
	// other just read in the CPU's caches, and each session reads its own offsets.
	seed := c.Seed + 2*uint64(s)
	var peers [2]*peer
	for i, name := range []string{"baseline", "candidate"} {
		bin := c.Baseline
		if i == 1 {
			bin = c.Candidate
		}
		args, first, err := peerArgs(c, protocols[i], i, s, seed+uint64(i))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		p, err := startPeer(ctx, name, bin, args, first, c.Inherit)
		if err != nil {
			return nil, err
		}
		defer p.stop()
		peers[i] = p
	}
	d, err := harness.Interleave(ctx, [2]harness.BlockRunner{remote{ctx, peers[0]}, remote{ctx, peers[1]}},
		harness.DuelConfig{BlockTime: c.BlockTime, Runtime: length, Warmup: warmup, Seed: seed})
	if err != nil {
		return nil, err
	}
	for i, name := range []string{BaselineFile, CandidateFile} {
		path := filepath.Join(c.OutputDir, fmt.Sprintf(".session-%d-%s", s+1, name))
		if _, err := peers[i].call(ctx, "row "+path); err != nil {
			return nil, err
		}
		f, err := results.ReadFile(path)
		os.Remove(path)
		if err != nil || len(f.Rows) != 1 {
			return nil, fmt.Errorf("%s: read its row: %v", peers[i].name, err)
		}
		d.Rows[i] = f.Rows[0]
		if protocols[i] < 2 {
			// A protocol-1 build labels its row "ab" itself and knows nothing of sessions.
			d.Rows[i].Round = s + 1
		}
	}
	return d, nil
}

// peerArgs are how arm i (0 the baseline) of session s is started: protocol 2 gets its whole
// configuration on its first line (with the session's seed and round), protocol 1 run flags.
func peerArgs(c Config, protocol, i, s int, seed uint64) (args []string, first string, err error) {
	if protocol >= 2 && c.Arms[i] != nil {
		cfg := *c.Arms[i]
		cfg.Seed, cfg.Round = seed, s+1
		if cfg.Duel == "" {
			cfg.Duel = "ab"
		}
		first, err := ArmLine(&cfg)
		return []string{"--dir", c.Dir}, first, err
	}
	if len(c.RunArgs) == 0 {
		return nil, "", fmt.Errorf("it speaks ab protocol %d, which takes run flags, and none were given", protocol)
	}
	args = append([]string{}, c.RunArgs...)
	if i == 1 {
		args = append(args, c.CandidateArgs...)
	}
	return append(args, "--seed", strconv.FormatUint(seed, 10)), "", nil
}

// remote is an arm served by an `aiobench serve-arm` process: harness.Interleave drives it
// like an Arm of its own, one command and one answer per call.
type remote struct {
	ctx context.Context
	p   *peer
}

func (r remote) RunBlock(n int) (harness.Block, error) {
	f, err := r.p.call(r.ctx, "block "+strconv.Itoa(n))
	if err != nil {
		return harness.Block{}, err
	}
	var v [3]int64
	ok := len(f) == 3
	for i := 0; ok && i < 3; i++ {
		v[i], err = strconv.ParseInt(f[i], 10, 64)
		ok = err == nil
	}
	if !ok {
		return harness.Block{}, fmt.Errorf("%s: block answered %q", r.p.name, f)
	}
	return harness.Block{Requests: int(v[0]), NS: v[1], CPU: v[2]}, nil
}

func (r remote) Measure() error {
	_, err := r.p.call(r.ctx, "measure")
	return err
}

// Mark asks for the batch's p99: the protocol's mark always answers the 99th percentile.
func (r remote) Mark(float64) (int64, error) {
	f, err := r.p.call(r.ctx, "mark")
	if err != nil || len(f) != 1 {
		return 0, fmt.Errorf("%s: mark: %v %q", r.p.name, err, f)
	}
	return strconv.ParseInt(f[0], 10, 64)
}

func medianOf(rows []results.Row, col *results.Column) float64 {
	v := make([]float64, 0, len(rows))
	for i := range rows {
		if x, ok := col.Value(&rows[i]); ok {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return (v[(len(v)-1)/2] + v[len(v)/2]) / 2
}

func medianLog(xs []float64) float64 {
	v := slices.Clone(xs)
	slices.Sort(v)
	return (v[(len(v)-1)/2] + v[len(v)/2]) / 2
}
