package suites

import (
	"math"
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

// Outcome is what Execute measured: the rounds' rows by arm label and the duels by label.
type Outcome struct {
	Rows  map[string][]results.Row
	Duels map[string]*harness.DuelResult
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
