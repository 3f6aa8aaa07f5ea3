package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// TestProgressOnTerminal runs aiobench with stderr on a pseudo-terminal: stderr gets the live
// lines (escape codes, the run's engine, run k of n), stdout only the results, with no escape
// code; --quiet leaves the terminal empty and stdout as it was.
func TestProgressOnTerminal(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		quiet bool
		want  []string
	}{
		{false, []string{"\x1b[", "null randread bs=4k qd=1 cache=warm", "run 1 of 2", "aiobench: [1/2] round 1 null", "aiobench: [2/2] round 2 null"}},
		{true, nil},
	} {
		m, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal: %v", err)
		}
		if err := pty.Setsize(tty, &pty.Winsize{Rows: 30, Cols: 160}); err != nil {
			t.Fatal(err)
		}
		t.Setenv("TERM", "xterm")
		var term bytes.Buffer
		copied := make(chan struct{})
		go func() { io.Copy(&term, m); close(copied) }() // ends with EIO once tty is closed

		args := []string{"--engine", "null", "--size", "1M", "--runtime", "600ms", "--warmup", "100ms", "--rounds", "2",
			"--dir", dir, "--output", filepath.Join(dir, "r.csv")}
		if tc.quiet {
			args = append(args, "--quiet")
		}
		var stdout bytes.Buffer
		err = run(args, &stdout, tty)
		tty.Close()
		<-copied
		m.Close()
		if err != nil {
			t.Fatalf("quiet=%v: %v", tc.quiet, err)
		}
		for _, s := range tc.want {
			if !strings.Contains(term.String(), s) {
				t.Errorf("quiet=%v: the terminal lacks %q:\n%q", tc.quiet, s, term.String())
			}
		}
		if tc.quiet && term.Len() > 0 {
			t.Errorf("--quiet printed on the terminal: %q", term.String())
		}
		if out := stdout.String(); strings.Contains(out, "\x1b") || !strings.HasPrefix(out, "summary: median over rounds") {
			t.Errorf("quiet=%v: stdout is not the plain results:\n%q", tc.quiet, out)
		}
	}
}
