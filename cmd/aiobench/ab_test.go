package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// aiobenchBinary builds this checkout's aiobench once per test process: a real build for ab to
// run as both baseline and candidate.
func aiobenchBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "aiobench-bin-*")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "aiobench")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("%s", out)
		}
	})
	if buildErr != nil {
		t.Skipf("cannot build aiobench here: %v", buildErr)
	}
	return builtBin
}

// ab end to end with two real processes: the same build twice is not a regression; the same
// build with a known injected cost in the candidate is one; and a candidate that is not an
// aiobench build is refused before anything runs.
func TestABEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aiobench and runs two processes")
	}
	bin := aiobenchBinary(t)
	dir := t.TempDir()
	common := []string{"ab", "--baseline-bin", bin, "--candidate-bin", bin, "--engine", "null", "--size", "8M",
		"--dir", dir, "--runtime", "700ms", "--warmup", "100ms", "--threshold", "5%", "--metrics", "iops"}

	out, rep := filepath.Join(dir, "out"), filepath.Join(dir, "report")
	stdout, stderr, code := call(append(common, "--output-dir", out, "--report", rep)...)
	if code != 0 || !strings.Contains(stdout, "pairs of interleaved blocks") || strings.Contains(stdout, "REGRESSION") {
		t.Errorf("A/A: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, f := range []string{"baseline.csv", "candidate.csv", "summary.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("A/A: %s not written: %v", f, err)
		}
	}
	for _, f := range []string{"index.html", "change-iops.svg", "change-iops.png"} {
		if _, err := os.Stat(filepath.Join(rep, f)); err != nil {
			t.Errorf("A/A --report: %s not written: %v", f, err)
		}
	}

	stdout, stderr, code = call(append(common, "--candidate-args", "--null-delay 200ns")...)
	if code != 1 || !strings.Contains(stdout, "REGRESSION") {
		t.Errorf("null-delay 200ns: exit %d, want 1 and a REGRESSION\n%s%s", code, stdout, stderr)
	}

	notOurs := filepath.Join(dir, "out2")
	stdout, stderr, code = call("ab", "--baseline-bin", bin, "--candidate-bin", "/bin/true", "--engine", "null",
		"--dir", dir, "--output-dir", notOurs)
	if code != 2 || stdout != "" || !strings.Contains(stderr, "not an aiobench build") {
		t.Errorf("a candidate that is not aiobench: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(notOurs); err == nil {
		t.Error("the output directory was created although nothing ran")
	}
}

// Whole trials, where blocks cannot be interleaved (a cold cache): rounds alternate in a seeded
// order and the verdict comes from the paired test; too few rounds are refused.
func TestABTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aiobench and runs it 12 times")
	}
	bin := aiobenchBinary(t)
	dir := t.TempDir()
	stdout, stderr, code := call("ab", "--baseline-bin", bin, "--candidate-bin", bin, "--engine", "sync", "--cache", "cold",
		"--size", "8M", "--dir", dir, "--ops", "300", "--rounds", "6")
	if code != 0 || !strings.Contains(stdout, "6 rounds of whole trials") || !strings.Contains(stdout, "signed-rank") {
		t.Errorf("trials: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, stderr, code := call("ab", "--baseline-bin", bin, "--candidate-bin", bin, "--sessions", "3"); code != 2 || !strings.Contains(stderr, "needs at least 6") {
		t.Errorf("3 sessions: exit %d %q", code, stderr)
	}
	if _, stderr, code := call("ab", "--baseline-bin", bin, "--candidate-bin", bin, "--rounds", "3"); code != 2 || !strings.Contains(stderr, "needs at least 6") {
		t.Errorf("3 rounds: exit %d %q", code, stderr)
	}
}

// calibrate compares this build with itself and reports a detectable effect per length; a flag
// of ab's is refused.
func TestCalibrate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aiobench and runs two processes")
	}
	bin := aiobenchBinary(t)
	dir := t.TempDir()
	out, err := exec.Command(bin, "calibrate", "--engine", "null", "--size", "8M", "--dir", dir, "--runtime", "600ms", "--warmup", "100ms", "--sessions", "6").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "smallest safe --threshold") || !strings.Contains(string(out), "| 10s") {
		t.Errorf("calibrate: %v\n%s", err, out)
	}
	if _, stderr, code := call("calibrate", "--threshold", "1%"); code != 2 || !strings.Contains(stderr, "ab's, not calibrate's") {
		t.Errorf("calibrate --threshold: exit %d %q", code, stderr)
	}
}

// The README shows the CI workflow exactly as docs/ci/github-actions.yml has it (the file CI
// checks with actionlint).
func TestREADMEWorkflowIsTheFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("../../docs/ci/github-actions.yml")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- workflow:start")
	block, _, ok2 := strings.Cut(rest, "<!-- workflow:end -->")
	_, yaml, ok3 := strings.Cut(block, "```yaml\n")
	yaml, _, ok4 := strings.Cut(yaml, "```")
	if !ok || !ok2 || !ok3 || !ok4 || yaml != string(file) {
		t.Error("README's workflow block differs from docs/ci/github-actions.yml: copy the file into it")
	}
}

// The aiobench binary runs syncfirst's duels in sessions of fresh processes of itself, and the
// sync-path checks are decided across them.
func TestSyncfirstDuelsInProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aiobench and runs 40 processes")
	}
	bin := aiobenchBinary(t)
	dir := t.TempDir()
	out, err := exec.Command(bin, "--suite", "syncfirst", "--engine", "retry", "--size", "8M", "--runtime", "200ms",
		"--warmup", "50ms", "--rounds", "6", "--dir", dir, "--output", filepath.Join(dir, "sf.csv")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "sessions of fresh processes") || !strings.Contains(string(out), "signed-rank over sessions") {
		t.Errorf("syncfirst: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "duel arm"); n != 40 { // 20 sessions, two arms each
		t.Errorf("%d duel arm rows, want 40", n)
	}
}
