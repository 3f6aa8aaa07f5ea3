package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGate(t *testing.T) {
	td := func(name string) string { return filepath.Join("testdata", "gate", name) }
	var all strings.Builder
	for _, tc := range []struct {
		name string
		args []string
		code int
		err  string // on stderr
	}{
		{"A/A passes", []string{"--baseline", td("base.csv"), "--candidate", td("same.csv")}, 0, ""},
		{"the same file passes", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv")}, 0, ""},
		{"CRLF and BOM are read", []string{"--baseline", td("base.csv"), "--candidate", td("crlf_bom.csv")}, 0, ""},
		{"20% slower is a regression", []string{"--baseline", td("base.csv"), "--candidate", td("slower.csv")}, 1, "comparison(s) fail (threshold 5%)"},
		{"faster is an improvement", []string{"--baseline", td("base.csv"), "--candidate", td("faster.csv")}, 0, ""},
		{"2% at 5% passes", []string{"--baseline", td("base.csv"), "--candidate", td("slight.csv")}, 0, ""},
		{"2% at 1% with lat only", []string{"--baseline", td("base.csv"), "--candidate", td("slight.csv"), "--threshold", "1%", "--metrics", "lat_p50_us"}, 1, "REGRESSION"},
		{"3 rounds: inconclusive", []string{"--baseline", td("base.csv"), "--candidate", td("few.csv")}, 0, ""},
		{"3 rounds, strict", []string{"--baseline", td("base.csv"), "--candidate", td("few.csv"), "--strict"}, 3, "inconclusive"},
		{"other machine warns", []string{"--baseline", td("base.csv"), "--candidate", td("othermachine.csv")}, 0, "different machines"},
		{"markdown", []string{"--baseline", td("base.csv"), "--candidate", td("slower.csv"), "--format", "markdown", "--metrics", "iops"}, 1, ""},
		{"missing columns", []string{"--baseline", td("base.csv"), "--candidate", td("missing_col.csv")}, 2, "no column lat_p50_us"},
		{"non-numeric value", []string{"--baseline", td("base.csv"), "--candidate", td("nonnumeric.csv")}, 2, "nonnumeric.csv:2: column iops"},
		{"empty file", []string{"--baseline", td("empty.csv"), "--candidate", td("base.csv")}, 2, "empty.csv: no header line"},
		{"only comments", []string{"--baseline", td("base.csv"), "--candidate", td("comments.csv")}, 2, "comments.csv: no header line"},
		{"nothing in common", []string{"--baseline", td("base.csv"), "--candidate", td("other.csv")}, 2, "no configuration in common"},
		{"missing file", []string{"--baseline", td("nope.csv"), "--candidate", td("base.csv")}, 2, "no such file"},
		{"no candidate", []string{"--baseline", td("base.csv")}, 2, "required"},
		{"bad threshold", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv"), "--threshold", "5"}, 2, "not a percentage"},
		{"bad metric", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv"), "--metrics", "engine"}, 2, "not a metric"},
		{"not a metric: threads", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv"), "--metrics", "threads"}, 2, "not a metric"},
		{"NaN refused", []string{"--baseline", td("base.csv"), "--candidate", td("nan.csv")}, 2, "nan.csv:4: column iops: \"NaN\": not a finite number"},
		{"Inf refused", []string{"--baseline", td("inf.csv"), "--candidate", td("base.csv")}, 2, "inf.csv:5: column iops"},
		{"negative refused", []string{"--baseline", td("base.csv"), "--candidate", td("negative.csv")}, 2, "negative.csv:6: column iops: \"-398667\": negative"},
		{"a configuration missing in the candidate fails", []string{"--baseline", td("base.csv"), "--candidate", td("missing_config.csv")}, 1, "MISSING"},
		{"a candidate whose runs failed fails", []string{"--baseline", td("base_counts.csv"), "--candidate", td("failed.csv")}, 1, "FAILED"},
		{"failed rows are not an improvement", []string{"--baseline", td("base_counts.csv"), "--candidate", td("failed.csv"), "--metrics", "lat_p50_us"}, 1, "FAILED"},
		{"zero baseline: a count from 0 to 5 is a regression", []string{"--baseline", td("base_counts.csv"), "--candidate", td("eagain.csv"), "--metrics", "eagain"}, 1, "REGRESSION"},
		{"zero baseline and candidate pass", []string{"--baseline", td("base_counts.csv"), "--candidate", td("base_counts.csv"), "--metrics", "eagain"}, 0, ""},
		{"summary where nothing can be written", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv"), "--summary", "/proc/summary.csv"}, 2, "cannot write in /proc"},
		{"alpha 0 refused", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv"), "--alpha", "0"}, 2, "not a significance level in (0, 0.5]"},
		{"alpha 0.6 refused", []string{"--baseline", td("base.csv"), "--candidate", td("base.csv"), "--alpha", "0.6"}, 2, "not a significance level"},
	} {
		stdout, stderr, code := call(append([]string{"gate"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.err) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, stderr, tc.code, tc.err)
		}
		if code == 2 && (stdout != "" || strings.Count(stderr, "\n") != 1) {
			t.Errorf("%s: bad input must give one line on stderr and nothing on stdout: %q %q", tc.name, stdout, stderr)
		}
		all.WriteString("## " + tc.name + "\n" + stdout + stderr)
	}
	golden(t, "gate.golden", all.String())
}

func TestGateSummaryAndCompare(t *testing.T) {
	dir := t.TempDir()
	sum := filepath.Join(dir, "s.csv")
	base, slower := filepath.Join("testdata", "gate", "base.csv"), filepath.Join("testdata", "gate", "slower.csv")
	rep := filepath.Join(dir, "report")
	if _, _, code := call("gate", "--baseline", base, "--candidate", slower, "--summary", sum, "--report", rep); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if page, err := os.ReadFile(filepath.Join(rep, "index.html")); err != nil || !strings.Contains(string(page), "REGRESSION") || !strings.Contains(string(page), "change-iops") {
		t.Errorf("--report: index.html %v, want the changes with their verdicts", err)
	}
	data, _ := os.ReadFile(sum)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 7 || !strings.HasPrefix(lines[0], "configuration,metric,baseline,candidate,change,interval,p,n,verdict") || !strings.Contains(string(data), "REGRESSION") {
		t.Errorf("summary:\n%s", data)
	}
	// The summary may replace its own earlier version, never another file.
	if _, _, code := call("gate", "--baseline", base, "--candidate", base, "--summary", sum); code != 0 {
		t.Errorf("rewriting our summary: exit %d", code)
	}
	before, _ := os.ReadFile(base)
	if _, stderr, code := call("gate", "--baseline", base, "--candidate", base, "--summary", base); code != 2 {
		t.Errorf("summary over a results file: exit %d %s", code, stderr)
	}
	if after, _ := os.ReadFile(base); string(after) != string(before) {
		t.Fatal("--summary overwrote a results file")
	}
	stdout, _, code := call("compare", base, slower, filepath.Join("testdata", "gate", "faster.csv"))
	if code != 0 || !strings.Contains(stdout, "REGRESSION") || !strings.Contains(stdout, "IMPROVEMENT") {
		t.Errorf("compare: exit %d\n%s", code, stdout)
	}
}
