package results

import (
	"fmt"
	"math"
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
