package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
)

// TestReportBadInput: each mistake is one line on stderr, exit 2, and nothing written.
func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	rows := filepath.Join("..", "..", "report", "testdata", "warm.csv")
	foreign := filepath.Join(dir, "foreign")
	os.Mkdir(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	other := filepath.Join(dir, "other.csv")
	os.WriteFile(other, []byte("a,b\n"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--out", filepath.Join(dir, "r")}, "no input files"},
		{[]string{"report", rows}, "--out is required"},
		{[]string{"report", rows, "--out", foreign}, "is not empty and holds no aiobench report"},
		{[]string{"report", rows, "--out", filepath.Join(dir, "no", "such")}, "parent directory"},
		{[]string{"report", other, "--out", filepath.Join(dir, "r")}, "not a file aiobench report reads"},
		{[]string{"report", filepath.Join(dir, "missing.csv"), "--out", filepath.Join(dir, "r")}, "not a readable file"},
		{[]string{"report", rows, "--out", filepath.Join(dir, "r"), "--threshold", "five"}, "--threshold"},
		{[]string{"--report", foreign, "--engine", "null", "--dir", dir}, "--report " + foreign},
	} {
		before := listDir(t, dir)
		stdout, stderr, code := call(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q (want %q on one line)", tc.args, code, stderr, tc.want)
		}
		if after := listDir(t, dir); !slices.Equal(before, after) {
			t.Errorf("%v wrote files: %v → %v", tc.args, before, after)
		}
	}
}

// TestRunWithReportAndHist: --hist writes every run's histogram; --report writes the page with
// the run's results, histograms and charts beside it, which `aiobench report` draws again; the
// results file is the same with or without them.
func TestRunWithReportAndHist(t *testing.T) {
	dir := t.TempDir()
	out, hist, rep := filepath.Join(dir, "r.csv"), filepath.Join(dir, "h.csv"), filepath.Join(dir, "rep")
	args := []string{"--engine", "sync,null", "--size", "1M", "--ops", "3000", "--rounds", "2", "--dir", dir,
		"--output", out, "--hist", hist, "--report", rep}
	if _, stderr, code := call(args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	hf, err := os.Open(hist)
	if err != nil {
		t.Fatal(err)
	}
	defer hf.Close()
	hs, err := results.ReadHists(hf, hist)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != len(f.Rows) {
		t.Fatalf("%d histograms for %d rows", len(hs), len(f.Rows))
	}
	for i, h := range hs {
		r := f.Rows[i]
		if h.Row.Engine != r.Engine || h.Row.Round != r.Round || h.Count() != r.Ops {
			t.Errorf("histogram %d: %s round %d with %d requests; row: %s round %d, %d ops", i, h.Row.Engine, h.Row.Round, h.Count(), r.Engine, r.Round, r.Ops)
		}
	}
	for _, name := range []string{"index.html", "results.csv", "hist.csv", "cdf-randread-4k-qd1-warm.svg", "cdf-randread-4k-qd1-warm.png"} {
		if _, err := os.Stat(filepath.Join(rep, name)); err != nil {
			t.Errorf("report: %v", err)
		}
	}
	// The report's copy of the results is the results file itself.
	if a, b := readOrFail(t, out), readOrFail(t, filepath.Join(rep, "results.csv")); string(a) != string(b) {
		t.Error("the report's results.csv differs from --output's file")
	}
	page, _ := os.ReadFile(filepath.Join(rep, "index.html"))
	if !strings.Contains(string(page), report.Marker) || !strings.Contains(string(page), "command: ") && !strings.Contains(string(page), "aiobench --engine sync,null") {
		t.Errorf("index.html lacks the marker or the command line")
	}
	// The report's own copies draw the same page again, into the same directory.
	stdout, stderr, code := call("report", filepath.Join(rep, "results.csv"), filepath.Join(rep, "hist.csv"), "--out", rep)
	if code != 0 || !strings.Contains(stdout, "index.html") {
		t.Errorf("report again: exit %d: %s%s", code, stdout, stderr)
	}
}

func readOrFail(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
