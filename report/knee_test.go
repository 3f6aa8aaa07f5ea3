package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/results"
)

func kneeRow(engine string, rate, p99, iops float64) results.Row {
	return results.Row{Engine: engine, Workload: "randread", BS: 4096, IODepth: 64, Jobs: 1, Cache: "cold", Size: 1 << 30,
		Rate: rate, Arrival: "poisson", LatTarget: 1000, Round: 1, Ops: 1000, Complete: true, IOPS: iops,
		Values: map[string]float64{"offered_iops": rate, "lat_intended_p99_us": p99, "lat_intended_p50_us": p99 / 4}}
}

// A knee's sentence says the rate it stays under the target up to, what happens beyond it, and
// sync's; the report draws the curve with the target.
func TestKneeSentencesAndChart(t *testing.T) {
	rows := []results.Row{
		kneeRow("sync", 5000, 400, 5000), kneeRow("sync", 10000, 9000, 7000), kneeRow("sync", 20000, 90000, 7000),
		kneeRow("uring", 5000, 150, 5000), kneeRow("uring", 10000, 200, 10000), kneeRow("uring", 20000, 2500, 20000),
		kneeRow("libaio", 5000, 1500, 5000), kneeRow("libaio", 10000, 2000, 10000), kneeRow("libaio", 20000, 2200, 20000),
		kneeRow("threadpool", 5000, 100, 5000), kneeRow("threadpool", 10000, 110, 10000), kneeRow("threadpool", 20000, 300, 20000),
	}
	got := KneeSentences(rows)
	for i, want := range [][]string{
		{"sync (randread 4k QD64 cold)", "stays under 1 ms up to 5k reads/s offered", "at 10k: 9 ms"},
		{"uring", "up to 10k reads/s", "at 20k: 2.5 ms", "sync's knee 5k, 2× it"},
		{"libaio", "over 1 ms already at the lowest rate tried, 5k reads/s (1.5 ms)", "sync's knee 5k"},
		{"threadpool", "at every rate tried, up to 20k reads/s (300 µs there): the knee lies beyond", "sync's knee 5k"},
	} {
		for _, w := range want {
			if i >= len(got) || !strings.Contains(got[i], w) {
				t.Errorf("sentence %d %q lacks %q", i, got, w)
			}
		}
	}
	r, err := Build(&Inputs{Files: []*results.File{{Name: "knee.csv", Rows: rows}}}, Options{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range r.Charts {
		names = append(names, c.Name)
	}
	if !slices.Contains(names, "knee-randread-4k-qd64-cold") || slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "depth-") }) {
		t.Errorf("charts %v", names)
	}
	if !slices.ContainsFunc(r.Verdicts, func(v string) bool { return strings.HasPrefix(v, "uring (") }) {
		t.Errorf("the page's verdicts lack the knees: %q", r.Verdicts)
	}
}
