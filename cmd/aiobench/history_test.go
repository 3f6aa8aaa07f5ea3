package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/results"
)

// Bad input to history is one line on stderr and exit 2, and makes no database: a file that is
// not an aiobench history is left as it was.
func TestHistoryBadInput(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("mine\n"), 0o644)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), nil, 0o644)
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"no subcommand", "name a subcommand", []string{"history"}},
		{"an unknown subcommand", "unknown subcommand", []string{"history", "drop"}},
		{"add without files", "at least one results file", []string{"history", "add", "--commit", "a", "--db", db}},
		{"add without a commit", "--commit is required", []string{"history", "add", notes, "--db", db}},
		{"add a file that is not results", "notes.txt", []string{"history", "add", notes, "--commit", "a", "--db", db}},
		{"a database that is not one", "not an aiobench history", []string{"history", "show", "--db", notes}},
		{"a database in no directory", "does not exist", []string{"history", "add", filepath.Join("..", "..", "report", "testdata", "warm.csv"), "--commit", "a", "--db", filepath.Join(dir, "no", "h.db")}},
		{"an unreachable server", "cannot open it", []string{"history", "show", "--db", "postgres://u:secret@127.0.0.1:1/x?connect_timeout=2"}},
		{"a minimum size of 1", "--min-size 1", []string{"history", "check", "--min-size", "1", "--db", db}},
		{"a bad threshold", "not a percentage", []string{"history", "check", "--threshold", "much", "--db", db}},
		{"a report into a full directory", "--report", []string{"history", "check", "--report", full, "--db", db}},
		{"an argument to check", "unexpected argument", []string{"history", "check", "extra", "--db", db}},
		{"check of no history", "no history there", []string{"history", "check", "--db", db}},
		{"show of no history", "no history there", []string{"history", "show", "--db", db}},
		{"a report of no history", "no history there", []string{"report", "--history", db, "--out", filepath.Join(dir, "r")}},
	} {
		stdout, stderr, code := call(tc.args...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "secret") {
			t.Errorf("%s: exit %d, stderr %q, stdout %.80q; want exit 2 and one line saying %q", tc.name, code, stderr, stdout, tc.want)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("bad input made the database")
	}
	if b, _ := os.ReadFile(notes); string(b) != "mine\n" {
		t.Error("notes.txt was changed")
	}
}

// The history's whole path from a real run: its rows are every one of twelve commits', each
// with noise of its own, the last four with uring's IOPS 10% lower (short real runs of one build
// differ by more than that here, so one run stands for all). check names the
// first slower commit and exits 1; --since after it, 0; show lists the series; a second add of
// a file adds nothing; --report draws the series.
func TestHistoryFromRuns(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run.csv")
	if _, stderr, code := call("--engine", "sync,uring", "--size", "8M", "--runtime", "100ms", "--dir", dir, "--output", run, "-q"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	f, err := results.ReadFile(run)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "h.db")
	rng := rand.New(rand.NewPCG(5, 6))
	var files []string
	for c := range 12 {
		rows := append([]results.Row(nil), f.Rows...)
		for i := range rows {
			rows[i].IOPS *= 1 + 0.003*rng.NormFloat64() // each commit's own noise, as a run's
			if rows[i].Engine == "uring" && c >= 8 {
				rows[i].IOPS *= 0.9
			}
		}
		p := filepath.Join(dir, fmt.Sprintf("c%02d.csv", c))
		if err := results.WriteFile(p, f.Comments, rows); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
		if _, stderr, code := call("history", "add", p, "--commit", fmt.Sprintf("commit%02d", c), "--db", db); code != 0 {
			t.Fatalf("add: exit %d: %s", code, stderr)
		}
	}
	if out, _, code := call("history", "add", files[3], "--commit", "again", "--db", db); code != 0 || !strings.Contains(out, "already in the history (commit commit03)") {
		t.Errorf("a second add: exit %d, %q", code, out)
	}
	out, stderr, code := call("history", "show", "--db", db)
	if code != 0 || !strings.Contains(out, "12 results files") || !strings.Contains(out, "iops/sync") {
		t.Errorf("show: exit %d, %s%s", code, out, stderr)
	}
	report := filepath.Join(dir, "report")
	out, stderr, code = call("history", "check", "--metrics", "iops", "--threshold", "5%", "--db", db, "--report", report)
	if code != 1 || !strings.Contains(out, "REGRESSION") || !strings.Contains(out, "commit08") || !strings.Contains(stderr, "uring") {
		t.Errorf("check: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(report, "index.html")); err != nil {
		t.Errorf("no report: %v", err)
	}
	// The report page draws the history's series beside a run's charts.
	page := filepath.Join(dir, "page")
	if out, stderr, code := call("report", run, "--history", db, "--history-metrics", "iops", "--out", page); code != 0 || !strings.Contains(out, "charts") {
		t.Errorf("report --history: exit %d %s%s", code, out, stderr)
	}
	if ents, _ := filepath.Glob(filepath.Join(page, "history-*uring-iops.svg")); len(ents) != 1 {
		t.Errorf("report --history drew %v", ents)
	}
	if html, _ := os.ReadFile(filepath.Join(page, "index.html")); !strings.Contains(string(html), "REGRESSION at commit08") {
		t.Error("the page does not name the regression's first commit")
	}
	if out, stderr, code := call("history", "check", "--metrics", "iops", "--threshold", "5%", "--since", "commit10", "--db", db); code != 0 {
		t.Errorf("check --since: exit %d\n%s%s", code, out, stderr)
	}
	if out, stderr, code := call("history", "check", "--metrics", "iops", "--threshold", "20%", "--db", db); code != 0 {
		t.Errorf("check beyond the change's size: exit %d\n%s%s", code, out, stderr)
	}
}
