package progress

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/aiobench/aiobench/engines/null"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/workloads"
	"github.com/creack/pty"
)

// TestDisplay runs a real (null engine) run under a display writing to a pseudo-terminal, a
// pipe and nowhere (quiet), and checks what each reader gets: live lines with the run's engine,
// configuration and IOPS, drawn with escape codes, on the terminal; the plain result line and
// no escape code in the pipe; nothing when quiet.
func TestDisplay(t *testing.T) {
	ds, err := workloads.Layout(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	const result = "aiobench: [1/1] round 1 null: done"
	for _, tc := range []struct {
		name        string
		open        func(t *testing.T) (w *os.File, r io.Reader)
		quiet       bool
		want, never []string
	}{
		{"terminal", openPty, false, []string{result, "null randread bs=4k qd=1 cache=warm", "IOPS", "run 1 of 1", "\x1b["}, nil},
		{"pipe", openPipe, false, []string{result}, []string{"\x1b", "IOPS"}},
		{"quiet", openPipe, true, nil, []string{result, "\x1b", "run 1 of 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, r := tc.open(t)
			var got bytes.Buffer
			copied := make(chan struct{})
			go func() { io.Copy(&got, r); close(copied) }()

			live := &harness.Live{}
			d := New(w, Options{Runs: 1, Quiet: tc.quiet, Terminal: IsTerminal(w), Live: live, Refresh: 50 * time.Millisecond})
			cfg := harness.Config{Engine: "null", Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1,
				Size: ds.Size, Runtime: time.Second, Warmup: 100 * time.Millisecond, Cache: harness.CacheWarm, Seed: 1, Live: live}
			if _, err := harness.Run(context.Background(), cfg, ds); err != nil {
				t.Fatal(err)
			}
			d.Println(result)
			d.Finished()
			d.Close()
			w.Close()
			<-copied
			out := got.String()
			for _, s := range tc.want {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%q", s, out)
				}
			}
			for _, s := range tc.never {
				if strings.Contains(out, s) {
					t.Errorf("output has %q:\n%q", s, out)
				}
			}
		})
	}
}

// openPty returns a sized pseudo-terminal's terminal end to write to and its controller to read.
func openPty(t *testing.T) (*os.File, io.Reader) {
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := pty.Setsize(s, &pty.Winsize{Rows: 30, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TERM", "xterm")
	return s, ptyReader{m}
}

// ptyReader ends at EIO, which a controller reads once the terminal end is closed.
type ptyReader struct{ f *os.File }

func (p ptyReader) Read(b []byte) (int, error) {
	n, err := p.f.Read(b)
	if err != nil {
		return n, io.EOF
	}
	return n, nil
}

func openPipe(t *testing.T) (*os.File, io.Reader) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return w, r
}
