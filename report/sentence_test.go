package report

import (
	"strings"
	"testing"

	"github.com/aiobench/aiobench/compare"
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
