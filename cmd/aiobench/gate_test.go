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
		{"20% slower is a regression", []string{"--baseline", td("base.csv"), "--candidate", td("slower.csv")}, 1, "regression(s) beyond 5%"},
		{"faster is an improvement", []string{"--baseline", td("base.csv"), "--candidate", td("faster.csv")}, 0, ""},
		{"2% at 5% passes", []string{"--baseline", td("base.csv"), "--candidate", td("slight.csv")}, 0, ""},
		{"2% at 1% with lat only", []string{"--baseline", td("base.csv"), "--candidate", td("slight.csv"), "--threshold", "1%", "--metrics", "lat_p50_us"}, 1, "regression"},
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
	if _, _, code := call("gate", "--baseline", base, "--candidate", slower, "--summary", sum); code != 1 {
		t.Fatalf("exit %d", code)
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
