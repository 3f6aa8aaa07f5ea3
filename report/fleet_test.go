package report

import (
	"testing"

	"github.com/aiobench/aiobench/results"
)

// A fleet's line is its hosts' histograms added: with one host's requests all at 10 µs and the
// other's at 1 ms, the fleet's p50 is 10 µs and its p99 1 ms, where averaging the hosts'
// percentiles would say 505 µs for both.
func TestFleetAddsHistograms(t *testing.T) {
	host := func(name string, ns int64) *results.Hist {
		h := &results.Hist{Buckets: []results.Bucket{{Lo: ns, Hi: ns, Count: 100}}}
		h.Row.Engine, h.Row.Settings = "sync", map[string]string{hostSetting: name}
		return h
	}
	a, b := host("a", 10_000), host("b", 1_000_000)
	names := []string{lineName(&a.Row), lineName(&b.Row)}
	lines := fleetLines(names, map[string][]*results.Hist{names[0]: {a}, names[1]: {b}})
	if len(lines) != 1 || lines[0].name != "sync, all 2 hosts (histograms added)" || lines[0].count != 200 {
		t.Fatalf("fleet lines: %+v", lines)
	}
	if p50, p99 := lines[0].at[0], lines[0].at[1]; p50 != 10 || p99 != 1000 {
		t.Errorf("fleet p50 %v µs, p99 %v µs; want 10 and 1000", p50, p99)
	}
	if one := fleetLines(names[:1], map[string][]*results.Hist{names[0]: {a}}); len(one) != 0 {
		t.Errorf("a line for one host alone: %+v", one)
	}
}
