package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/internal/dirlock"
	"github.com/aiobench/aiobench/results"
)

// What a new user runs must do what it says (issue #19). Each test here failed before.

// --engine all runs every engine that takes the configuration and skips, with the reason, each
// one that refuses it (retry with O_DIRECT), instead of refusing the whole run.
func TestEngineAllSkipsWhatRefuses(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := call("--engine", "all", "--cache", "direct", "--bs", "1M", "--workload", "seqread",
		"--ops", "20", "--size", "8M", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "aiobench: skipping engine retry: retry reads through the page cache") {
		t.Errorf("no skip line for retry:\n%s", stderr)
	}
	for _, e := range []string{"| sync ", "| psync ", "| threadpool ", "| uring ", "| libaio "} {
		if !strings.Contains(stdout, e) {
			t.Errorf("summary lacks %q:\n%s", e, stdout)
		}
	}
	if strings.Contains(stdout, "| retry") {
		t.Errorf("retry ran with O_DIRECT:\n%s", stdout)
	}
}

// Every run's line names what tells it apart from the others (the notifier of retry's
// variants, a resident share), and only on the engine it belongs to.
func TestRunLinesTellRunsApart(t *testing.T) {
	dir := t.TempDir()
	_, stderr, code := call("--suite", "large", "--engine", "sync,retry", "--resident", "25%", "--size", "8M",
		"--runtime", "50ms", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"cache=cold resident_target_pct=0% notifier=reaper:", "cache=cold resident_target_pct=25% notifier=uring:",
		"sync randread bs=1M qd=4 jobs=1 cache=cold resident_target_pct=25%:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no run line with %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, `notifier="" `) || strings.Contains(stderr, "sync randread bs=1M qd=4 jobs=1 cache=cold resident_target_pct=25% notifier") {
		t.Errorf("sync's lines name retry's setting:\n%s", stderr)
	}
}

// A second run on a data directory another run holds is refused at once (exit 2, one line),
// touching nothing; the lock goes with the run.
func TestOneRunPerDataDirectory(t *testing.T) {
	dir := t.TempDir()
	held, err := dirlock.Take(dir)
	if err != nil {
		t.Fatal(err)
	}
	before := listDir(t, dir)
	stdout, stderr, code := call("--engine", "null", "--size", "1M", "--ops", "10", "--dir", dir)
	if code != 2 || stdout != "" || !strings.Contains(stderr, "another aiobench run is using it") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if after := listDir(t, dir); !slices.Equal(after, before) {
		t.Errorf("the directory changed: %s → %s", before, after)
	}
	held.Release()
	if _, stderr, code := call("--engine", "null", "--size", "1M", "--ops", "10", "--dir", dir); code != 0 {
		t.Fatalf("after the other run: exit %d: %s", code, stderr)
	}
	if _, _, code := call("--engine", "null", "--size", "1M", "--ops", "10", "--dir", dir); code != 0 {
		t.Error("a run kept the lock after it ended")
	}
}

// --log writes every run's time series: its intervals' requests add up to the run's; the
// report draws it.
func TestTimeSeries(t *testing.T) {
	dir := t.TempDir()
	out, log, page := filepath.Join(dir, "r.csv"), filepath.Join(dir, "log.csv"), filepath.Join(dir, "page")
	_, stderr, code := call("--engine", "sync,psync", "--size", "4M", "--runtime", "300ms", "--log", log, "--log-interval", "100ms",
		"--dir", dir, "--output", out, "--report", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ivs, err := results.ReadLogFile(log)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]int64{}
	for _, iv := range ivs {
		ops[iv.Row.Engine] += iv.Ops
	}
	for _, r := range f.Rows {
		if ops[r.Engine] != r.Ops {
			t.Errorf("%s: intervals hold %d requests, the row %d", r.Engine, ops[r.Engine], r.Ops)
		}
	}
	if _, err := os.Stat(filepath.Join(page, "time-iops-randread-4k-qd1-warm.svg")); err != nil {
		t.Errorf("no time chart: %v", err)
	}
}

// --format json is one document on stdout: typed values (numbers as numbers, true/false, an
// unmeasured figure as null), the columns' meanings, and a suite's findings with their sentence.
func TestFormatJSON(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := call("--suite", "syncfirst", "--engine", "retry", "--size", "4M", "--runtime", "50ms", "--rounds", "6",
		"--dir", dir, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Columns  []struct{ Name, Kind string }
		Rows     []map[string]any
		Findings []struct {
			Check, Metric, Verdict, Sentence string
			Change                           *float64
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, stdout)
	}
	if len(doc.Rows) == 0 || len(doc.Findings) == 0 || len(doc.Columns) < 90 {
		t.Fatalf("%d rows, %d findings, %d columns", len(doc.Rows), len(doc.Findings), len(doc.Columns))
	}
	for _, r := range doc.Rows {
		if _, ok := r["iops"].(float64); !ok {
			t.Errorf("iops %T %v", r["iops"], r["iops"])
		}
		if _, ok := r["complete"].(bool); !ok {
			t.Errorf("complete %T", r["complete"])
		}
		if r["duel"] != "" && r["resident_start_pct"] != nil { // a duel arm measures no residency
			t.Errorf("duel row's resident_start_pct %v, want null", r["resident_start_pct"])
		}
	}
	sentences := 0
	for _, f := range doc.Findings {
		if f.Sentence != "" {
			sentences++
		}
	}
	if sentences == 0 {
		t.Error("no finding carries its sentence")
	}
}

// Every subcommand answers --help and `aiobench help SUBCOMMAND` (exit 0, its usage on stdout),
// booleans are shown as --name, and off a terminal every line fits 80 columns.
func TestHelpEverywhere(t *testing.T) {
	for _, sub := range append([]string{""}, subcommands...) {
		for _, args := range [][]string{{sub, "--help"}, {"help", sub}} {
			if sub == "" {
				args = args[len(args)-1:]
				if args[0] == "" {
					args = []string{"help"}
				}
			}
			stdout, stderr, code := call(args...)
			if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "Usage: aiobench") {
				t.Errorf("%q: exit %d, stderr %q, stdout %.60q", args, code, stderr, stdout)
			}
			if strings.Contains(stdout, "[=true|false]") {
				t.Errorf("%q: a boolean shown as [=true|false]", args)
			}
			for _, l := range strings.Split(stdout, "\n") {
				if n := len([]rune(l)); n > 80 {
					t.Errorf("%q: a line of %d columns: %q", args, n, l)
				}
			}
		}
	}
	if out, _, code := call("--version"); code != 0 || !strings.HasPrefix(out, "aiobench ") {
		t.Errorf("--version: exit %d %q", code, out)
	}
	if _, stderr, code := call("help", "nope"); code != 2 || !strings.Contains(stderr, "name one subcommand") {
		t.Errorf("help nope: exit %d %q", code, stderr)
	}
}

// A flag given twice does what it says: --engine accumulates; a switch takes "on" as its value.
func TestFlagsAsTheySay(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.csv")
	if _, stderr, code := call("--engine", "sync", "--engine", "psync", "--size", "1M", "--ops", "50", "--dir", dir, "--output", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := results.ReadFile(out)
	if err != nil || len(f.Rows) != 2 || f.Rows[0].Engine != "sync" || f.Rows[1].Engine != "psync" {
		t.Fatalf("--engine sync --engine psync: %v %+v", err, f)
	}
	if _, stderr, code := call("--engine", "uring", "--uring-async", "on", "--size", "1M", "--ops", "50", "--dir", dir, "--output", out); code != 0 {
		t.Fatalf("--uring-async on: exit %d: %s", code, stderr)
	}
	if f, err := results.ReadFile(out); err != nil || f.Rows[0].Settings["uring_async"] != "1" {
		t.Errorf("--uring-async on: %v %+v", err, f.Rows)
	}
	if _, stderr, code := call("--engine", "sync,psync", "--engine", "sync", "--size", "1M", "--ops", "50", "--dir", dir); code != 2 || !strings.Contains(stderr, "named twice") {
		t.Errorf("an engine named twice: exit %d %q", code, stderr)
	}
}
