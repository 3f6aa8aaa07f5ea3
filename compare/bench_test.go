package compare

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aiobench/aiobench/results"
)

// gateFiles returns two results files of n rows each: configs configurations of n/configs
// rounds, the candidate 3% slower.
func gateFiles(b *testing.B, n, configs int) (*results.File, *results.File) {
	mk := func(name string, f float64) *results.File {
		rows := make([]results.Row, n)
		for i := range rows {
			r := &rows[i]
			r.Engine, r.Workload, r.BS, r.IODepth, r.Jobs, r.Cache = fmt.Sprintf("e%d", i%configs), "randread", 4096, 1, 1, "warm"
			noise := 1 + 0.01*float64(i*7919%13-6)/6
			r.IOPS, r.LatP50, r.LatP99 = 1e5*noise/f, 5*noise*f, 9*noise*f
		}
		var buf bytes.Buffer
		if err := results.Write(&buf, []string{results.MagicComment}, rows); err != nil {
			b.Fatal(err)
		}
		file, err := results.Read(&buf, name)
		if err != nil {
			b.Fatal(err)
		}
		return file
	}
	return mk("a.csv", 1), mk("b.csv", 1.03)
}

// BenchmarkGate is the gate over two files of 10,000 rows each, reading included.
func BenchmarkGate(b *testing.B) {
	for _, configs := range []int{100, 1000} {
		b.Run(fmt.Sprintf("configs=%d", configs), func(b *testing.B) {
			base, cand := gateFiles(b, 10_000, configs)
			var ms []Metric
			for _, n := range DefaultMetrics {
				m, _ := MetricByName(n)
				ms = append(ms, m)
			}
			var buf bytes.Buffer
			results.Write(&buf, nil, base.Rows)
			raw := buf.Bytes()
			b.ResetTimer()
			for range b.N {
				f1, err := results.Read(bytes.NewReader(raw), "a.csv")
				if err != nil {
					b.Fatal(err)
				}
				f2, _ := results.Read(bytes.NewReader(raw), "b.csv")
				_ = f2
				if _, err := Files(f1, cand, ms, Options{0.05, 0.05}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
