package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// shorter are the flags the README test adds to an example, by subcommand, so that the whole
// section runs in about two minutes: smaller files, shorter runs, fewer rounds and sessions (the
// fewest the tests allow). Listings and file commands take none.
var shorter = map[string][]string{
	// 300 ms, not less: beside the other packages' tests, a write-back burst has stalled this
	// machine's disk for over 100 ms, and a cold run that completes nothing fails (as it must).
	"run":       {"--size", "8M", "--runtime", "300ms", "--warmup", "10ms", "-q"},
	"file":      {"--runtime", "300ms", "--warmup", "10ms", "-q"}, // a run of --file: the files' own size
	"ab":        {"--size", "8M", "--runtime", "600ms", "--sessions", "6"},
	"calibrate": {"--size", "8M", "--runtime", "600ms", "--sessions", "6", "--rounds", "6"},
	// Two files of 100 ms runs drift apart by more than any threshold a gate is used with: the
	// example's exit status is what is checked, not this machine's drift.
	"gate": {"--threshold", "50%"},
}

// readmeExamples returns the commands of the README's Examples section, continuation lines
// joined.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "## Examples")
	block := s[start:]
	block = block[strings.Index(block, "```sh\n")+6:]
	block = block[:strings.Index(block, "```")]
	var cmds []string
	cur := ""
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if more, ok := strings.CutSuffix(line, "\\"); ok {
			cur += more
			continue
		}
		cmds = append(cmds, cur+line)
		cur = ""
	}
	return cmds
}

// Every command of the README's Examples section runs as shown, in order, in one directory
// (later ones read the files earlier ones wrote), with the aiobench binary on PATH and ./old and
// ./new two copies of it; each must exit 0, or 1 where its comment documents exit 1 (a gate's
// verdict on this machine's noise is the example working: two 300 ms runs beside other packages'
// tests have moved a p99 tenfold). Exit 2 (bad input) or any other failure fails the test.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every README example")
	}
	bin := aiobenchBinary(t)
	work := t.TempDir()
	for _, name := range []string{"aiobench", "old", "new"} {
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "PATH="+work+":"+os.Getenv("PATH"), "XDG_CACHE_HOME="+filepath.Join(work, "cache"))
	cmds := readmeExamples(t)
	if len(cmds) < 15 {
		t.Fatalf("found %d examples in the README", len(cmds))
	}
	for _, c := range cmds {
		line, _, _ := strings.Cut(c, " # ") // the comment
		kind := "run"
		if f := strings.Fields(line); len(f) > 1 && !strings.HasPrefix(f[1], "-") {
			kind = f[1]
		} else if strings.Contains(line, " --file ") {
			kind = "file"
		}
		// The added flags go before any redirection.
		head, tail, redirected := strings.Cut(line, " > ")
		cmd := head + " " + strings.Join(shorter[kind], " ")
		if redirected {
			cmd += " > " + tail
		}
		began := time.Now()
		sh := exec.Command("bash", "-c", cmd)
		sh.Dir, sh.Env = work, env
		out, err := sh.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == exitFailure && strings.Contains(c, "exit 1") {
			t.Logf("%5.1fs %s\n        exit 1, as documented: %s", time.Since(began).Seconds(), line, lastLines(string(out), 1))
			continue
		}
		if err != nil {
			t.Errorf("%s\n  (run as: %s)\n  %v; the last of its output:\n%s", c, cmd, err, lastLines(string(out), 8))
			continue
		}
		t.Logf("%5.1fs %s", time.Since(began).Seconds(), line)
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}
