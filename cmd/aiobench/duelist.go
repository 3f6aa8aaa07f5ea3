package main

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/aiobench/aiobench/ab"
	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/dirlock"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
)

// processDuelist returns a Duelist that runs each of a suite's duels as `aiobench ab` runs a
// comparison: in sessions of fresh `serve-arm` processes of this binary, one arm each, so that
// the verdict holds across processes and not only in one. It returns nil, and the duels stay in
// this process, where this binary cannot serve arms (a test binary). progress, when not nil,
// gives the writer for a duel's progress lines (a session per line).
func processDuelist(ctx context.Context, dir string, lock *dirlock.Lock, progress func(label string) io.Writer) suites.Duelist {
	if testing.Testing() {
		return nil // a test binary is no aiobench: run with "version --json", it would run its tests
	}
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	if _, err := ab.Handshake(ctx, self); err != nil {
		return nil
	}
	metrics := []compare.Metric{}
	for _, name := range []string{"iops", "lat_mean_us", "lat_p99_us", "cpu_us_per_op"} {
		m, _ := compare.MetricByName(name)
		metrics = append(metrics, m)
	}
	return func(ctx context.Context, d suites.DuelArm) (*suites.RemoteDuel, error) {
		tmp, err := os.MkdirTemp("", "aiobench-duel-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		var w io.Writer
		if progress != nil {
			w = progress(d.Label)
		}
		a, b := d.Config.A, d.Config.B
		out, err := ab.Run(ctx, ab.Config{
			Progress: w,
			Baseline: self, Candidate: self, Arms: [2]*harness.Config{&a, &b}, Dir: dir, Inherit: lock.Inherit,
			OutputDir: tmp, Mode: ab.ModeBlocks,
			Runtime: d.Config.Runtime, Warmup: d.Config.Warmup, BlockTime: d.Config.BlockTime,
			Sessions: ab.DefaultSessions, Seed: d.Config.Seed, Metrics: metrics,
			Options: compare.Options{Threshold: 0.05, Alpha: 0.05},
		})
		if err != nil {
			return nil, err
		}
		return &suites.RemoteDuel{Rows: [2][]results.Row{out.Base, out.Cand}, SessionLogs: out.SessionLogs, Pairs: out.AllPairs}, nil
	}
}
