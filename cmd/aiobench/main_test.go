package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// call runs the command as main would and returns stdout, stderr and the exit code.
func call(args ...string) (string, string, int) {
	var stdout, stderr bytes.Buffer
	code := finish(run(args, &stdout, &stderr), &stderr)
	return stdout.String(), stderr.String(), code
}

func TestListings(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"engines.golden", []string{"engines"}},
		{"workloads.golden", []string{"workloads"}},
		{"help.golden", []string{"--help"}},
	} {
		out, errOut, code := call(tc.args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errOut)
		}
		golden(t, tc.golden, out)
	}
}

// Bad input: one line on stderr naming the problem, exit 2, and nothing written or changed.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	aFile := filepath.Join(dir, "notes.txt")
	os.WriteFile(aFile, []byte("mine\n"), 0o644)
	foreignDir := t.TempDir()
	os.WriteFile(filepath.Join(foreignDir, workloads.FileName), []byte("someone's data"), 0o644)
	linkToFile := filepath.Join(t.TempDir(), "link.csv")
	os.Symlink(aFile, linkToFile)
	fifoDir := t.TempDir()
	if err := unix.Mkfifo(filepath.Join(fifoDir, workloads.FileName), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache) // the default data directory must not appear
	common := []string{"--dir", dir, "--size", "1M", "--runtime", "100ms"}

	var report strings.Builder
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"unknown engine", []string{"--engine", "sync,nope"}},
		{"engine twice", []string{"--engine", "sync,sync"}},
		{"unknown workload", []string{"--workload", "randwrite"}},
		{"bs 0", []string{"--bs", "0"}},
		{"bs not a multiple of 512", []string{"--bs", "1000"}},
		{"bs not a power of two for direct", []string{"--bs", "1536", "--cache", "direct"}},
		{"bs larger than the file", []string{"--bs", "2M"}},
		{"bs unparsable", []string{"--bs", "4q"}},
		{"size 0", []string{"--size", "0"}},
		{"size negative", []string{"--size", "-1G"}},
		{"runtime 0", []string{"--runtime", "0"}},
		{"runtime negative", []string{"--runtime", "-1s"}},
		{"runtime unparsable", []string{"--runtime", "10x"}},
		{"ops 0", []string{"--ops", "0"}},
		{"iodepth 0", []string{"--iodepth", "0"}},
		{"jobs negative", []string{"--jobs", "-2"}},
		{"rounds 0", []string{"--rounds", "0"}},
		{"cache unknown", []string{"--cache", "hot"}},
		{"verify unknown", []string{"--verify", "some"}},
		{"unknown flag", []string{"--iodepht", "4"}},
		{"stray argument", []string{"sync"}},
		{"dir missing", []string{"--dir", filepath.Join(dir, "nope")}},
		{"dir is a file", []string{"--dir", aFile}},
		{"output in a missing directory", []string{"--output", filepath.Join(dir, "nope", "r.csv")}},
		{"output would overwrite a user's file", []string{"--output", aFile}},
		{"foreign data file", []string{"--dir", foreignDir}},
		{"retry with direct I/O", []string{"--engine", "retry", "--cache", "direct"}},
		{"threads 0", []string{"--threads", "0"}},
		{"trace would overwrite a user's file", []string{"--trace", aFile}},
		{"unknown suite", []string{"--suite", "fast"}},
		{"max-sync-regression without syncfirst", []string{"--max-sync-regression", "5%"}},
		{"max-sync-regression unparsable", []string{"--suite", "syncfirst", "--max-sync-regression", "five"}},
		{"resident with a warm cache", []string{"--resident", "50%"}},
		{"syncfirst without an async engine", []string{"--suite", "syncfirst", "--engine", "sync,psync"}},
		{"format unknown", []string{"--format", "yaml"}},
		{"notifier unknown", []string{"--engine", "retry", "--notifier", "poll"}},
		{"waiter-spin unparsable", []string{"--engine", "retry", "--waiter-spin", "fast"}},
		{"waiter-spin negative", []string{"--engine", "retry", "--waiter-spin", "-5us"}},
		{"ops fewer than jobs", []string{"--ops", "3", "--jobs", "4"}},
		{"empty engine item", []string{"--engine", ",sync"}},
		{"all with another engine", []string{"--engine", "all,sync"}},
		{"threads without threadpool", []string{"--engine", "sync", "--threads", "4"}},
		{"notifier without retry", []string{"--engine", "sync,threadpool", "--notifier", "reaper"}},
		{"a suite's own setting", []string{"--suite", "aiolat", "--bs", "64k"}},
		{"cache with a suite", []string{"--suite", "large", "--cache", "warm"}},
		{"dir empty", []string{"--dir", ""}},
		{"output a symlink", []string{"--output", linkToFile}},
		{"trace and output the same file", []string{"--trace", filepath.Join(dir, "sub", "..", "same.csv"), "--output", filepath.Join(dir, "same.csv")}},
		{"output on a read-only file system", []string{"--output", "/proc/aiobench.csv"}},
		{"a FIFO as the data file", []string{"--dir", fifoDir}},
		{"interleave without syncfirst", []string{"--interleave", "rounds"}},
		{"interleave unknown", []string{"--suite", "syncfirst", "--interleave", "blocks"}},
		{"max-sync-regression with too few rounds", []string{"--suite", "syncfirst", "--interleave", "rounds", "--rounds", "4", "--max-sync-regression", "5%"}},
		{"pairs would overwrite a user's file", []string{"--suite", "syncfirst", "--pairs", aFile}},
		{"iodepth beyond the file's blocks", []string{"--iodepth", "100000"}},
		{"jobs beyond the file's blocks", []string{"--jobs", "1000"}},
		{"random unknown", []string{"--random", "shuffle"}},
		{"random with seqread", []string{"--random", "uniform", "--workload", "seqread"}},
		{"log-interval without log", []string{"--log-interval", "2s"}},
		{"log would overwrite a user's file", []string{"--log", aFile}},
		{"gate-engines without a gate", []string{"--suite", "syncfirst", "--gate-engines", "retry"}},
		{"rate unparsable", []string{"--rate", "fast"}},
		{"rate 0", []string{"--rate", "0"}},
		{"rate with ops", []string{"--rate", "10k", "--ops", "100"}},
		{"mixed gate with one round", []string{"--suite", "mixed", "--max-sync-regression", "10%"}},
		{"retry-progress unknown", []string{"--engine", "retry", "--retry-progress", "forget"}},
		{"nrfiles 0", []string{"--nrfiles", "0"}},
		{"nrfiles with a suite of its own files", []string{"--suite", "syncfirst", "--nrfiles", "2"}},
		{"cache-limit with direct", []string{"--cache", "direct", "--cache-limit", "256M"}},
		{"cache-limit unparsable", []string{"--cache-limit", "lots"}},
		{"zipf at 1", []string{"--random", "zipf:1"}},
		{"zoned not adding up", []string{"--random", "zoned:50/10,30/20"}},
		{"rate with a closed-loop suite", []string{"--suite", "syncfirst", "--rate", "10k"}},
		{"arrival without rate", []string{"--arrival", "uniform"}},
		{"arrival unknown", []string{"--rate", "1k", "--arrival", "bursty"}},
		{"lat-target without rate", []string{"--lat-target", "2ms"}},
		{"lat-target 0", []string{"--rate", "1k", "--lat-target", "0"}},
		{"a knee suite's own setting", []string{"--suite", "knee", "--cache", "warm"}},
		{"gate-engines naming an engine the suite does not check", []string{"--suite", "syncfirst", "--max-sync-regression", "5%", "--gate-engines", "sync"}},
	} {
		before := listDir(t, dir)
		stdout, stderr, code := call(append(slices.Clone(common), tc.args...)...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line on stderr", tc.name, code, stdout, stderr)
		}
		if after := listDir(t, dir); !slices.Equal(before, after) {
			t.Errorf("%s: the directory changed: %v -> %v", tc.name, before, after)
		}
		stderr = strings.ReplaceAll(stderr, dir, "DIR")
		stderr = strings.ReplaceAll(stderr, foreignDir, "FOREIGN")
		stderr = strings.ReplaceAll(stderr, fifoDir, "FIFODIR")
		stderr = strings.ReplaceAll(stderr, filepath.Dir(linkToFile), "LINKDIR")
		if _, err := os.Stat(filepath.Join(cache, "aiobench")); err == nil {
			t.Errorf("%s: the default data directory was created", tc.name)
		}
		report.WriteString(tc.name + ": " + stderr)
	}
	if fi, err := os.Lstat(linkToFile); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symbolic link given as --output was replaced")
	}
	if got, _ := os.ReadFile(aFile); string(got) != "mine\n" {
		t.Error("a user's file was changed")
	}
	if got, _ := os.ReadFile(filepath.Join(foreignDir, workloads.FileName)); string(got) != "someone's data" {
		t.Error("a foreign data file was changed")
	}
	golden(t, "bad_input.golden", report.String())
}

// listDir lists every file under dir with its time and mode. A directory's own time is left
// out: checking an output creates and removes a probe file in its directory.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			at := fi.ModTime().String()
			if fi.IsDir() {
				at = "dir"
			}
			out = append(out, p+" "+at+" "+fi.Mode().String())
		}
		return nil
	})
	return out
}

// A real run on real files: table and CSV shape, rows in alternating engine order.
func TestRunWritesTableAndCSV(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.csv")
	args := []string{"--engine", "sync,null", "--size", "1M", "--ops", "2000", "--rounds", "2", "--dir", dir, "--output", out}
	stdout, stderr, code := call(args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Numbers vary from run to run; the shape must not: a caption, then the summary, one row
	// per engine over the two rounds.
	lines := strings.Split(stdout, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "summary: median over rounds") {
		t.Fatalf("stdout does not start with the summary:\n%s", stdout)
	}
	var cells []string
	for _, c := range strings.Split(lines[2], "|") {
		if c = strings.TrimSpace(c); c != "" {
			cells = append(cells, c)
		}
	}
	golden(t, "table_header.golden", strings.Join(cells, "\n")+"\n")
	if n := len(lines); n != 1+3+2+2 {
		t.Errorf("summary has %d lines, want 8:\n%s", n, stdout)
	}
	// -v adds every round's row before the summary.
	stdout, stderr, code = call(append(append([]string(nil), args[:len(args)-2]...), "-v")...)
	if code != 0 || strings.Count(stdout, "| sync ") != 3 || strings.Count(stdout, "| null ") != 3 {
		t.Errorf("-v: exit %d, want the 2 rounds and the summary row of each engine:\n%s%s", code, stdout, stderr)
	}

	f, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Comments[0], results.MagicComment) || f.Comments[1] != "command: aiobench "+strings.Join(args, " ") || !strings.HasPrefix(f.Comments[2], "machine: kernel=") {
		t.Errorf("comments: %q", f.Comments)
	}
	var order []string
	for _, r := range f.Rows {
		order = append(order, r.Engine)
		if r.Ops != 2000 || r.Errors != 0 || r.VerifyErrors != 0 || !r.Complete || r.FSType == "" || r.Kernel == "" {
			t.Errorf("row %+v", r)
		}
	}
	if !slices.Equal(order, []string{"sync", "null", "null", "sync"}) {
		t.Errorf("engine order %v", order)
	}
	raw, _ := os.ReadFile(out)
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.Comment = '#'
	header, _ := cr.Read()
	golden(t, "csv_header.golden", strings.Join(header, "\n")+"\n")

	// Running again over our own results file replaces it.
	if _, stderr, code := call(args...); code != 0 {
		t.Errorf("second run over our own output: exit %d: %s", code, stderr)
	}
}

func TestDefaultSuitePlan(t *testing.T) {
	var o options
	fs := newFlags(&o)
	if err := fs.Parse([]string{"--dir", "/x", "--seed", "3"}); err != nil {
		t.Fatal(err)
	}
	spec, err := o.spec(fs.Changed)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, a := range spec.Arms {
		labels = append(labels, a.Label)
		if a.Config.Seed != 3 || a.Config.Engine == "null" {
			t.Errorf("default suite arm %+v", a)
		}
	}
	if spec.Name != "default" || spec.Rounds != 2 || !slices.Contains(labels, "sync warm") || !slices.Contains(labels, "retry cold") {
		t.Errorf("default suite: %s rounds %d arms %v", spec.Name, spec.Rounds, labels)
	}

	fs = newFlags(&o)
	fs.Parse([]string{"--engine", "null"})
	if spec, _ = o.spec(fs.Changed); spec.Name != "run" || len(spec.Arms) != 1 || spec.Arms[0].Config.Engine != "null" || spec.Rounds != 1 {
		t.Errorf("a shaping flag must turn the default suite off: %+v", spec)
	}

	fs = newFlags(&o)
	fs.Parse([]string{"--suite", "syncfirst", "--rounds", "3", "--engine", "retry"})
	spec, err = o.spec(fs.Changed)
	if err != nil || spec.Rounds != 3 || spec.WarmupRounds != 1 || len(spec.Arms) != 2 || len(spec.Duels) != 1 || len(spec.Checks) != 2 || !spec.NeedsBackground {
		t.Errorf("syncfirst with retry: %+v, %v", spec, err)
	}
	fs = newFlags(&o)
	fs.Parse([]string{"--suite", "syncfirst", "--engine", "retry", "--interleave", "rounds"})
	if spec, err = o.spec(fs.Changed); err != nil || len(spec.Arms) != 3 || len(spec.Duels) != 0 {
		t.Errorf("syncfirst --interleave rounds: %+v, %v", spec, err)
	}
}

// --format benchfmt writes what benchstat reads: configuration lines, Unit lines, one line per
// round of each engine.
func TestBenchfmtOutput(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := call("--engine", "sync,null", "--size", "1M", "--ops", "500", "--rounds", "2", "--dir", dir, "--format", "benchfmt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var bench, units int
	for _, l := range strings.Split(stdout, "\n") {
		switch {
		case strings.HasPrefix(l, "BenchmarkRead/engine="):
			bench++
		case strings.HasPrefix(l, "Unit "):
			units++
		}
	}
	if bench != 4 || units == 0 || !strings.Contains(stdout, "\nkernel: ") || strings.Contains(stdout, "+---") {
		t.Errorf("benchfmt output:\n%s", stdout)
	}
}

// A data directory on tmpfs measures memory, not a disk: aiobench says so.
func TestTmpfsWarning(t *testing.T) {
	dir, err := os.MkdirTemp("/dev/shm", "aiobench-test-")
	if err != nil {
		t.Skip("no /dev/shm:", err)
	}
	defer os.RemoveAll(dir)
	if fs, _ := sysinfo.FSType(dir); fs != "tmpfs" {
		t.Skipf("/dev/shm is %s here", fs)
	}
	_, stderr, code := call("--engine", "null", "--size", "1M", "--ops", "10", "--dir", dir)
	if code != 0 || !strings.Contains(stderr, "is on tmpfs: reads will measure memory, not a disk") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// A run that completed no request exits 1 and says why, with the row still written.
func TestNoOpsExitsOne(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.csv")
	_, stderr, code := call("--engine", "sync", "--size", "1M", "--runtime", "1ns", "--warmup", "0", "--dir", dir, "--output", out)
	if code != 1 || !strings.Contains(stderr, "no request completed") {
		t.Errorf("exit %d, stderr %q; want exit 1 naming the reason", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the failed run's row was not written: %v", err)
	}
}
