package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiobench/aiobench/results"
)

// SIGINT and SIGTERM stop aiobench within a second, during a run or while it lays out data: the
// rows so far are written marked incomplete with first_error "interrupted", and the exit code
// says which signal (130, 143).
func TestSignalsStopPromptly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aiobench")
	}
	bin := aiobenchBinary(t)
	for _, tc := range []struct {
		name  string
		sig   syscall.Signal
		code  int
		args  []string
		after time.Duration
		rows  bool
	}{
		{"SIGINT in a run", syscall.SIGINT, 130, []string{"--engine", "sync,psync", "--size", "8M", "--runtime", "1s", "--rounds", "30"}, 1500 * time.Millisecond, true},
		{"SIGTERM in a run", syscall.SIGTERM, 143, []string{"--engine", "retry", "--cache", "cold", "--size", "8M", "--runtime", "30s"}, 700 * time.Millisecond, true},
		{"SIGTERM while laying out", syscall.SIGTERM, 143, []string{"--engine", "sync", "--size", "8G", "--runtime", "1s"}, 300 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out.csv")
			page := filepath.Join(t.TempDir(), "report")
			cmd := exec.Command(bin, append(tc.args, "--dir", dir, "--output", out, "--report", page)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tc.after)
			sent := time.Now()
			cmd.Process.Signal(tc.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 5 s after %v", tc.sig)
			}
			if took := time.Since(sent); took > 2*time.Second {
				t.Errorf("stopped %v after the signal", took)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Errorf("exit %v, want %d", err, tc.code)
			}
			name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[tc.sig]
			last := strings.TrimSpace(stderr.String())
			last = last[strings.LastIndexByte(last, '\n')+1:]
			if !strings.HasPrefix(last, "aiobench: interrupted ("+name+")") || strings.Contains(last, "context canceled") {
				t.Errorf("last line %q, want it to say interrupted (%s)", last, name)
			}
			f, rerr := results.ReadFile(out)
			if !tc.rows {
				if rerr == nil {
					t.Errorf("rows written although no run started: %d", len(f.Rows))
				}
				return
			}
			if rerr != nil || len(f.Rows) == 0 || f.Rows[len(f.Rows)-1].Complete || !strings.Contains(f.Rows[len(f.Rows)-1].FirstError, "interrupted") {
				t.Errorf("rows: %v %+v", rerr, f)
			}
			// The report of the runs so far, said to be incomplete.
			if html, err := os.ReadFile(filepath.Join(page, "index.html")); err != nil || !bytes.Contains(html, []byte("(incomplete)")) || !bytes.Contains(html, []byte("Incomplete: the run was interrupted")) {
				t.Errorf("report page: %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 { // the data file and out.csv
				t.Errorf("files left in the directory: %v", entries)
			}
		})
	}
}
