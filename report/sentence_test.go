package report

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/results"
)

// A check's sentence says what it measured against what: a sync-path check not gated says so;
// an interference check names its load's rate, carried in the note (also through a findings
// file), and says the loads differ.
func TestSentence(t *testing.T) {
	for _, tc := range []struct {
		c    Change
		want []string
	}{
		{Change{Label: "sync-path: uring vs sync", Metric: "lat_mean_us", Change: 0.4, Lo: 0.38, Hi: 0.42, Verdict: "REGRESSION", SyncPath: true, Note: compare.NotGated},
			[]string{"uring: a cached read costs +40.0% [+38.0%, +42.0%] of sync's lat mean", "(REGRESSION, reported, not gated)"}},
		{Change{Label: "sync-path: retry vs sync", Metric: "lat_mean_us", Change: 0.01, Verdict: "PASS", SyncPath: true},
			[]string{"within 5%", "(PASS)"}},
		{Change{Label: "interference: sync with libaio cold QD16 load vs alone", Metric: "lat_p99_us", Change: 1.2, Verdict: "REGRESSION", Note: "x; " + compare.LoadNote(17523)},
			[]string{"under a libaio cold QD16 load of 17.5k IOPS (each engine's load runs at its own rate, so the loads differ)"}},
	} {
		got := Sentence(tc.c, 0.05)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q lacks %q", got, w)
			}
		}
	}
	if v, ok := compare.LoadOf("a note; " + compare.LoadNote(123456)); !ok || v != 123456 {
		t.Errorf("LoadOf: %v %v", v, ok)
	}
}

// A time series (--log) is read by its first line and drawn: IOPS and p99 over time, a line per
// run, for each configuration.
func TestTimelineCharts(t *testing.T) {
	row := results.Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "cold", Round: 1}
	var ivs []results.Interval
	for i := range 5 {
		ops := int64(1000)
		if i == 2 {
			ops = 0 // a stall
		}
		ivs = append(ivs, results.Interval{Row: row, End: float64(i+1) * 0.5, Length: 0.5, Ops: ops, P50: 40, P99: 90, Max: 200, Resident: 3, HasResident: true})
	}
	path := filepath.Join(t.TempDir(), "log.csv")
	if err := results.WriteLogFile(path, []string{"command: aiobench --log"}, ivs); err != nil {
		t.Fatal(err)
	}
	in, err := Load([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Log) != 5 || in.Log[2].Ops != 0 || in.Log[1].IOPS() != 2000 || in.Log[2].P99 != 0 {
		t.Fatalf("read back: %+v", in.Log)
	}
	r, err := Build(in, Options{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range r.Charts {
		names = append(names, c.Name)
	}
	if !slices.Contains(names, "time-iops-randread-4k-qd1-cold") || !slices.Contains(names, "time-p99-randread-4k-qd1-cold") {
		t.Errorf("charts %v", names)
	}
}
