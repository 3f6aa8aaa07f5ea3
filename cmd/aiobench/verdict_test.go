package main

import (
	"testing"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/suites"
)

// A suite check's headline metric gets one plain sentence; its other metrics stay in the table.
func TestVerdictLine(t *testing.T) {
	for _, c := range []struct {
		check  suites.Check
		metric string
		v      compare.Verdict
		want   string
	}{
		{suites.Check{Name: "sync-path: retry vs sync", Engine: "retry", SyncPath: true}, "lat_mean_us", compare.Pass, "verdict: retry: a cached read costs +0.4% [-1.2%, +2.0%] of sync's lat mean — within 5% (PASS)"},
		{suites.Check{Name: "sync-path: uring vs sync", Engine: "uring", SyncPath: true}, "lat_mean_us", compare.Regression, "verdict: uring: a cached read costs +0.4% [-1.2%, +2.0%] of sync's lat mean — beyond 5% (REGRESSION)"},
		{suites.Check{Name: "interference: sync with retry cold QD16 load vs alone", Engine: "retry"}, "lat_p99_us", compare.Inconclusive, "verdict: sync's lat p99 +0.4% [-1.2%, +2.0%] under a retry cold QD16 load — cannot tell at 5% (INCONCLUSIVE)"},
		{suites.Check{Name: "sync-path: retry vs sync", Engine: "retry", SyncPath: true}, "iops", compare.Pass, ""},
	} {
		f := suites.Finding{Check: c.check, Line: compare.Line{Label: c.check.Name, Metric: compare.Metric{Name: c.metric},
			Result: compare.Result{Change: 0.004, Lo: -0.012, Hi: 0.02, Verdict: c.v}}}
		if got := verdictLine(f, 0.05); got != c.want {
			t.Errorf("verdictLine(%s %s) = %q, want %q", c.check.Engine, c.metric, got, c.want)
		}
	}
}
