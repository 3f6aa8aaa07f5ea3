package results

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	row := func(engine, cache string, round int, lat, iops float64, settings map[string]string) Row {
		return Row{Engine: engine, Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: cache, Size: 1 << 20,
			Round: round, LatMean: lat, IOPS: iops, Ops: 100, Complete: true, Settings: settings}
	}
	loaded := func(r Row, bg string) Row { r.Background = bg; return r }
	notifier := map[string]string{"notifier": "uring"}
	fileA, fileB := map[string]string{"file": "a.csv"}, map[string]string{"file": "b.csv"}
	for _, tc := range []struct {
		name string
		rows []Row
		want []string // name: vs sync (or "-" without sync), in order
	}{
		{"warm: the lat mean against sync's, sync first", []Row{
			row("retry", "warm", 1, 1.1, 900, nil), row("sync", "warm", 1, 1.0, 1000, nil),
			row("sync", "warm", 2, 1.0, 1000, nil), row("retry", "warm", 2, 1.1, 900, nil),
		}, []string{"sync: -", "retry: +10.0"}},
		{"cold: IOPS as a multiple of sync's", []Row{
			row("sync", "cold", 1, 50, 20000, nil), row("uring", "cold", 1, 20, 60000, nil),
		}, []string{"sync: -", "uring: 3.00"}},
		{"a setting recorded on every engine's rows", []Row{
			row("sync", "warm", 1, 1.0, 1000, notifier), row("retry", "warm", 1, 1.2, 800, notifier),
		}, []string{"sync notifier=uring: -", "retry notifier=uring: +20.0"}},
		{"each file against its own sync", []Row{
			row("sync", "warm", 1, 1.0, 1000, fileA), row("retry", "warm", 1, 1.1, 900, fileA),
			row("sync", "warm", 1, 2.0, 500, fileB), row("retry", "warm", 1, 3.0, 400, fileB),
		}, []string{"sync file=a.csv: -", "retry file=a.csv: +10.0", "sync file=b.csv: -", "retry file=b.csv: +50.0"}},
		{"no sync", []Row{row("retry", "warm", 1, 1.0, 1000, nil)}, []string{"retry: -"}},
		{"sync under a load against sync alone", []Row{
			row("sync", "warm", 1, 1.0, 1000, nil), loaded(row("sync", "warm", 1, 1.5, 700, nil), "uring"),
		}, []string{"sync: -", "sync under a uring load: +50.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum := Summarize(tc.rows)
			var got []string
			for i := range sum {
				s := &sum[i]
				v := "-"
				switch {
				case s.HasSync && s.Warm():
					v = fmt.Sprintf("%+.1f", s.VsSync)
				case s.HasSync:
					v = fmt.Sprintf("%.2f", s.VsSync)
				}
				got = append(got, s.Name()+": "+v)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSummarizeLeavesFailedRowsOut(t *testing.T) {
	ok := Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: 1, LatMean: 1, IOPS: 1000, Ops: 10, Complete: true}
	failed := ok
	failed.Round, failed.LatMean, failed.Complete, failed.Errors = 2, 99, false, 3
	sum := Summarize([]Row{ok, failed})
	if len(sum) != 1 || sum[0].Rounds != 1 || sum[0].Errors != 3 || math.Abs(sum[0].LatMean.Median-1) > 1e-9 {
		t.Errorf("%+v", sum)
	}
}

// Rows that differ only in a column the table does not show are told apart by it: the summary
// names the differing setup, an engine's own setting only on its rows, sizes and shares as
// people read them.
func TestDistinctSetup(t *testing.T) {
	row := func(engine string, resident float64, settings map[string]string) Row {
		return Row{Engine: engine, Workload: "randread", BS: 1 << 20, IODepth: 4, Jobs: 1, Cache: "cold", Size: 1 << 30,
			ResidentTarget: resident, Settings: settings, Round: 1, IOPS: 100, MiBs: 100, Ops: 10, Complete: true}
	}
	rows := []Row{row("sync", 0, nil), row("retry", 0, map[string]string{"notifier": "reaper"}),
		row("sync", 25, nil), row("retry", 25, map[string]string{"notifier": "reaper"})}
	var names []string
	for _, c := range Distinct(rows) {
		names = append(names, c.Name)
	}
	if fmt.Sprint(names) != "[resident_target_pct notifier]" {
		t.Errorf("distinct %v", names)
	}
	if d := Describe(&rows[0], Distinct(rows)); d != "resident_target_pct=0%" {
		t.Errorf("sync's row: %q (retry's own setting is not sync's)", d)
	}
	if d := Describe(&rows[3], Distinct(rows)); d != "resident_target_pct=25% notifier=reaper" {
		t.Errorf("retry's row: %q", d)
	}
	big := rows[0]
	big.Size = 3 << 30
	if d := Describe(&big, Distinct([]Row{rows[0], big})); d != "size=3G" {
		t.Errorf("size: %q", d)
	}
	var got []string
	for _, s := range Summarize(rows) {
		got = append(got, s.Name())
	}
	if fmt.Sprint(got) != "[sync resident_target_pct=0% retry notifier=reaper resident_target_pct=0% sync resident_target_pct=25% retry notifier=reaper resident_target_pct=25%]" {
		t.Errorf("summary names %q", got)
	}
	header, _ := SummaryTable(Summarize(rows))
	if !slices.Contains(header, "MiB/s") {
		t.Errorf("1 MiB reads without MiB/s: %v", header)
	}
}

// A change inside the rounds' own spread is marked, one outside is not, one round has no spread.
func TestInSpread(t *testing.T) {
	row := func(engine string, round int, lat float64) Row {
		return Row{Engine: engine, Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: round, LatMean: lat, IOPS: 1 / lat, Ops: 10, Complete: true}
	}
	for _, tc := range []struct {
		name string
		rows []Row
		want bool
	}{
		{"ranges overlap", []Row{row("sync", 1, 1.0), row("sync", 2, 1.2), row("psync", 1, 1.1), row("psync", 2, 1.3)}, true},
		{"apart", []Row{row("sync", 1, 1.0), row("sync", 2, 1.1), row("psync", 1, 1.5), row("psync", 2, 1.6)}, false},
		{"one round", []Row{row("sync", 1, 1.0), row("psync", 1, 1.0)}, false},
	} {
		sum := Summarize(tc.rows)
		if len(sum) != 2 || sum[1].InSpread != tc.want {
			t.Errorf("%s: %+v", tc.name, sum)
		}
		_, cells := SummaryTable(sum)
		if marked := strings.HasSuffix(cells[1][len(cells[1])-1], "≈"); marked != tc.want {
			t.Errorf("%s: vs sync %q", tc.name, cells[1][len(cells[1])-1])
		}
	}
}

// The counters' medians and the summary count the same rounds: an interrupted round is in
// neither.
func TestCountersAndSummaryAgreeOnRounds(t *testing.T) {
	ok := Row{Engine: "retry", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: 1, LatMean: 1, IOPS: 1000, Ops: 10, Complete: true,
		Values: map[string]float64{"eagain": 2}}
	cut := ok
	cut.Round, cut.Complete, cut.Values = 2, false, map[string]float64{"eagain": 50}
	var buf strings.Builder
	if err := WriteCounterMedians(&buf, []Row{ok, ok, cut}); err != nil {
		t.Fatal(err)
	}
	if sum := Summarize([]Row{ok, ok, cut}); sum[0].Rounds != 2 {
		t.Fatalf("summary rounds %d", sum[0].Rounds)
	}
	if !strings.Contains(buf.String(), "| retry  | 2      |") || strings.Contains(buf.String(), "50") {
		t.Errorf("counter medians:\n%s", buf.String())
	}
}
