package results

import (
	"bufio"
	"fmt"
	"io"
	"runtime"
	"strings"
)

// benchUnits are the metrics written in Go benchmark format, with the unit name benchstat
// shows; which way each is better comes from the schema (Column.Better).
var benchUnits = []struct {
	column, unit string
}{
	{"iops", "iops"},
	{"mib_s", "MiB/s"},
	{"lat_mean_us", "lat-mean-us"},
	{"lat_p50_us", "lat-p50-us"},
	{"lat_p99_us", "lat-p99-us"},
	{"lat_p999_us", "lat-p99.9-us"},
	{"cpu_us_per_op", "cpu-us/op"},
}

// BenchName is a row's benchmark name: its configuration as /key=value parts.
func BenchName(r *Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "BenchmarkRead/engine=%s/workload=%s/bs=%d/iodepth=%d/jobs=%d/cache=%s",
		r.Engine, r.Workload, r.BS, r.IODepth, r.Jobs, r.Cache)
	if r.ResidentTarget > 0 {
		fmt.Fprintf(&b, "/resident=%g", r.ResidentTarget)
	}
	if r.Background != "" {
		fmt.Fprintf(&b, "/background=%s", r.Background)
	}
	return b.String()
}

// WriteBenchfmt writes rows in the Go benchmark format (golang.org/x/perf/benchfmt) that
// benchstat reads as it is: `key: value` configuration lines (the machine), `Unit` lines saying
// which way each unit is better, and one Benchmark line per row (per round). The iteration count
// is the run's ops and ns/op its elapsed time per request.
func WriteBenchfmt(w io.Writer, rows []Row) error {
	bw := bufio.NewWriter(w)
	if len(rows) > 0 {
		m := rows[0].Machine
		fmt.Fprintf(bw, "goos: linux\ngoarch: %s\npkg: github.com/aiobench/aiobench\ncpu: %s\n", runtime.GOARCH, m.CPUModel)
		fmt.Fprintf(bw, "kernel: %s\nfs: %s\ndevice: %s\nncpu: %d\naiobench: %s\n", m.Kernel, m.FSType, m.Device, m.NCPU, m.Version)
	}
	for _, u := range benchUnits {
		c, _ := ColumnByName(u.column)
		fmt.Fprintf(bw, "Unit %s better=%s\n", u.unit, c.Better)
	}
	for i := range rows {
		r := &rows[i]
		if r.Ops == 0 {
			continue
		}
		fmt.Fprintf(bw, "%s \t%d\t%.1f ns/op", BenchName(r), r.Ops, r.Elapsed*1e9/float64(r.Ops))
		for _, u := range benchUnits {
			c, _ := ColumnByName(u.column)
			fmt.Fprintf(bw, "\t%s %s", c.Get(r), u.unit)
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}
