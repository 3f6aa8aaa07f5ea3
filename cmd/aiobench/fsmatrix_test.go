package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/internal/testfs"
	"github.com/aiobench/aiobench/results"
)

// The file-system matrix: on ext4, xfs and btrfs (each on a loop device) and tmpfs, every engine
// reads warm and cold with its data verified, every row names the file system, and what a file
// system lacks is explicit: where RWF_NOWAIT is refused the retry engine falls back and counts
// it (fallbacks), where O_DIRECT is refused --cache direct is exit 2 naming the file system.
// scripts/fs-matrix.sh measures the same matrix at size. The mounts and loop devices are
// removed whether the test passes or fails.
func TestFileSystemMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts four file systems")
	}
	for _, kind := range testfs.Kinds {
		t.Run(kind, func(t *testing.T) {
			dir, cleanup, err := testfs.Mount(kind, t.TempDir(), 16<<20)
			t.Cleanup(cleanup)
			if errors.Is(err, testfs.ErrUnavailable) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "r.csv")
			var notes []string
			for _, cache := range []string{"warm", "cold", "direct"} {
				_, stderr, code := call("--dir", dir, "--engine", "all", "--cache", cache, "--iodepth", "4", "--size", "16M",
					"--runtime", "100ms", "--output", out, "-q")
				if cache == "direct" && code == 2 && strings.Contains(stderr, "refuses O_DIRECT") && strings.Contains(stderr, kind) {
					notes = append(notes, "direct refused: "+strings.TrimSpace(stderr))
					continue
				}
				if code != 0 {
					t.Fatalf("--cache %s: exit %d: %s", cache, code, stderr)
				}
				f, err := results.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range f.Rows {
					if r.FS != kind || r.Ops == 0 || r.Errors+r.VerifyErrors > 0 {
						t.Errorf("--cache %s %s: fs %q ops %d errors %d verify errors %d", cache, r.Engine, r.FS, r.Ops, r.Errors, r.VerifyErrors)
					}
					if r.Engine == "retry" {
						notes = append(notes, fmt.Sprintf("%s retry: eagain %v fallbacks %v", cache, r.Values["eagain"], r.Values["fallbacks"]))
					}
					if r.Engine == "uring" {
						notes = append(notes, fmt.Sprintf("%s uring: inline %v%%", cache, r.Values["uring_inline_pct"]))
					}
				}
			}
			t.Logf("%s: %s", kind, strings.Join(notes, "; "))
		})
	}
}
