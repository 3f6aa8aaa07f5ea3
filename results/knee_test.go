package results

import (
	"fmt"
	"testing"
)

// openRow is an open-loop row at rate whose p99 from the intended time is p99 µs and which
// completed iops of the offered rate.
func openRow(engine string, rate, p99, iops float64, round int) Row {
	return Row{Engine: engine, Workload: "randread", BS: 4096, IODepth: 64, Jobs: 1, Cache: "cold", Size: 1 << 30,
		Rate: rate, Arrival: "poisson", LatTarget: 1000, Round: round, Ops: 1000, Complete: true, IOPS: iops,
		Values: map[string]float64{"offered_iops": rate, "lat_intended_p99_us": p99, "lat_intended_p50_us": p99 / 4}}
}

func TestKnees(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rows       []Row
		knee, over float64
	}{
		{"crossed between two rates", []Row{
			openRow("uring", 10000, 200, 10000, 1), openRow("uring", 20000, 600, 20000, 1), openRow("uring", 40000, 3000, 40000, 1),
		}, 20000, 40000},
		{"never crossed: the knee lies beyond", []Row{
			openRow("uring", 10000, 200, 10000, 1), openRow("uring", 20000, 300, 20000, 1),
		}, 20000, 0},
		{"over at the lowest rate", []Row{
			openRow("uring", 10000, 2000, 10000, 1), openRow("uring", 20000, 3000, 20000, 1),
		}, 0, 10000},
		{"under the target but not kept up", []Row{
			openRow("uring", 10000, 200, 10000, 1), openRow("uring", 20000, 400, 15000, 1),
		}, 10000, 20000},
		{"a dip after the first crossing does not count", []Row{
			openRow("uring", 10000, 200, 10000, 1), openRow("uring", 20000, 1500, 20000, 1), openRow("uring", 40000, 900, 40000, 1),
		}, 10000, 20000},
		{"the median over rounds decides", []Row{
			openRow("uring", 10000, 200, 10000, 1), openRow("uring", 10000, 5000, 10000, 2), openRow("uring", 10000, 300, 10000, 3),
		}, 10000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks := Knees(tc.rows)
			if len(ks) != 1 {
				t.Fatalf("%d knees, want 1", len(ks))
			}
			if k := ks[0]; k.Knee != tc.knee || k.Over != tc.over {
				t.Errorf("knee %v over %v, want %v %v (%+v)", k.Knee, k.Over, tc.knee, tc.over, k.Points)
			}
		})
	}
}

// Each engine's knee is compared with sync's on the same configuration, and the summary says
// both on every open-loop row.
func TestKneeAgainstSync(t *testing.T) {
	rows := []Row{
		openRow("sync", 5000, 400, 5000, 1), openRow("sync", 10000, 9000, 8000, 1),
		openRow("uring", 5000, 150, 5000, 1), openRow("uring", 10000, 200, 10000, 1),
	}
	ks := Knees(rows)
	if len(ks) != 2 || ks[1].Reference(ks) != &ks[0] || ks[0].Reference(ks) != nil {
		t.Fatalf("knees %+v", ks)
	}
	sum := Summarize(rows)
	var got []string
	for i := range sum {
		got = append(got, kneeCell(&sum[i]))
	}
	want := []string{"knee 5k", "knee ≥10k (sync 5k)", "knee 5k", "knee ≥10k (sync 5k)"} // by rate, sync first
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("vs sync cells %q, want %q", got, want)
	}
	header, _ := SummaryTable(sum)
	if fmt.Sprint(header) != "[engine workload bs qd cache rate rounds IOPS lat mean p99 p99 int. CPU µs/op vs sync]" {
		t.Errorf("header %v", header)
	}
}

func TestFormatRate(t *testing.T) {
	for v, want := range map[float64]string{500: "500", 2500: "2.5k", 40000: "40k", 1.5e6: "1.5M", 12345: "12345", 999.6: "1000"} {
		if got := FormatRate(v); got != want {
			t.Errorf("FormatRate(%v) = %q, want %q", v, got, want)
		}
	}
}
