package suites

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
)

// A DuelArm is a suite's comparison of two engines by fine-grained interleaving.
type DuelArm struct {
	Label  string
	Config harness.DuelConfig
}

// Outcome is what Execute measured: the rounds' rows by arm label and the duels by label, run in
// this process (Duels) or by a Duelist in sessions of fresh processes (Remote).
type Outcome struct {
	Rows   map[string][]results.Row
	Duels  map[string]*harness.DuelResult
	Remote map[string]*RemoteDuel
}

// A Duelist runs a suite's duel in sessions of fresh processes instead of in this one: a duel's
// interval covers only the process it ran in, and the layout of a process (where its code and
// buffers land) moves an engine's difference by a percent or two (README). The command provides
// one that runs `aiobench serve-arm` processes of its own binary (see package ab).
type Duelist func(ctx context.Context, d DuelArm) (*RemoteDuel, error)

// A RemoteDuel is what a Duelist measured.
type RemoteDuel struct {
	Rows        [2][]results.Row     // each arm's row per session
	SessionLogs map[string][]float64 // per metric, each session's log ratio candidate/baseline
	Pairs       []harness.Pair       // every pair of every session, for --pairs
}

// compareRemote decides a check's metric across a remote duel's sessions, which are paired
// samples (compare.Paired: order statistics of their median, the signed-rank test).
func compareRemote(d *RemoteDuel, metric string, dir compare.Direction, o compare.Options) compare.Result {
	logs := d.SessionLogs[metric]
	ones, ratios := make([]float64, len(logs)), make([]float64, len(logs))
	for i, l := range logs {
		ones[i], ratios[i] = 1, math.Exp(l)
	}
	r := compare.Paired(ones, ratios, dir, o)
	col, _ := results.ColumnByName(metric)
	r.Baseline, r.Candidate = medianValue(d.Rows[0], col), medianValue(d.Rows[1], col)
	r.Test = compare.TestSignedRank + " over sessions"
	return r
}

func medianValue(rows []results.Row, col *results.Column) float64 {
	v := make([]float64, len(rows))
	for i := range rows {
		v[i] = value(col, &rows[i])
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return (v[(len(v)-1)/2] + v[len(v)/2]) / 2
}

// DuelRuntime is a suite's duel length for a round runtime: three rounds' worth, which at
// blocks of about 1 ms gives thousands of pairs.
func DuelRuntime(round time.Duration) time.Duration { return 3 * round }

// CompareDuel compares the duel's candidate with its baseline on one metric (DuelLogs).
func CompareDuel(d *harness.DuelResult, metric string, dir compare.Direction, o compare.Options) compare.Result {
	col, _ := results.ColumnByName(metric)
	return compare.Interleaved(DuelLogs(d, metric), value(col, &d.Rows[0]), value(col, &d.Rows[1]), dir, o)
}

// DuelLogs returns the duel's log ratios candidate/baseline of one metric, in time order: IOPS,
// lat mean (by Little's law, the inverse of IOPS at a fixed depth) and CPU per request per pair
// of blocks; lat_p99_us per batch of pairs. Other metrics have no per-pair values (nil).
func DuelLogs(d *harness.DuelResult, metric string) []float64 {
	var logs []float64
	perReq := func(b harness.Block, v int64) float64 { return float64(v) / float64(b.Requests) }
	for _, p := range d.Pairs {
		a, b := p.Blocks[0], p.Blocks[1]
		if a.Requests == 0 || b.Requests == 0 {
			continue
		}
		switch metric {
		case "iops":
			logs = append(logs, math.Log(perReq(a, a.NS)/perReq(b, b.NS)))
		case "lat_mean_us":
			logs = append(logs, math.Log(perReq(b, b.NS)/perReq(a, a.NS)))
		case "cpu_us_per_op":
			if a.CPU > 0 && b.CPU > 0 {
				logs = append(logs, math.Log(perReq(b, b.CPU)/perReq(a, a.CPU)))
			}
		}
	}
	if metric == "lat_p99_us" {
		for _, q := range d.P99 {
			if q[0] > 0 && q[1] > 0 {
				logs = append(logs, math.Log(float64(q[1])/float64(q[0])))
			}
		}
	}
	return logs
}
