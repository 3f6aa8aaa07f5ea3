package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/aiobench/aiobench/ab"
	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/results"
	flag "github.com/spf13/pflag"
)

// calibrate: aiobench calibrate [run flags] [--rounds N] — what this machine can detect, from
// an A/A comparison of this build against itself, made exactly as ab makes its comparisons.
func calibrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	own, runArgs := splitArgs(args, calibrateFlags)
	fs := flag.NewFlagSet("aiobench calibrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cf compareFlags
	cf.bind(fs, nil)
	rounds := fs.Int("rounds", 10, "rounds of whole trials, where blocks cannot be interleaved")
	sessions := fs.Int("sessions", 3*ab.DefaultSessions, "block by block: fresh pairs of processes the runtime (30 s unless --runtime says) is split into, each as long as a session of ab at its defaults")
	suggest := fs.Bool("suggest-threshold", false, "print only the smallest safe --threshold for a comparison as long as --runtime (or --rounds), e.g. 0.7%, for scripts")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(own); err != nil {
		return usagef("calibrate: %v (see aiobench calibrate --help)", err)
	}
	if *help {
		printUsage(stdout, "aiobench calibrate [run flags] [--rounds N] [--alpha A]", "Compares this build with itself as aiobench ab compares two builds (default: sync, warm 4 KiB random reads, QD1, 64 MiB, 30 s of interleaved blocks in 60 sessions; whole trials where blocks cannot be) and reports the smallest effect a comparison of each length detects, and the smallest safe --threshold.", fs)
		return errHelp
	}
	for _, f := range []string{"metrics", "threshold", "format"} {
		if fs.Changed(f) {
			return usagef("calibrate: --%s is ab's, not calibrate's (calibrate measures IOPS and reports what thresholds make sense)", f)
		}
	}
	if hasFlag(runArgs, "rate") {
		return usagef("calibrate: --rate: calibrate measures how much IOPS varies, and an open loop's IOPS is its rate; calibrate the closed loop")
	}
	if err := checkSamples(*rounds, *sessions, cf.opts.Alpha); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("calibrate: find this binary: %w", err)
	}
	if !hasFlag(runArgs, "size") {
		runArgs = append(runArgs, "--size", "64M")
	}
	if !hasFlag(runArgs, "runtime") && !*suggest {
		// Three times ab's default: the spread of 60 sessions is known far better than that of
		// 20, and each session is as long as an ab comparison's at its defaults.
		runArgs = append(runArgs, "--runtime", "30s")
	}
	cfg, cleanup, err := abSetup(ctx, runArgs, self, self, "", "", *rounds, []compare.Metric{{Name: "iops", Dir: compare.HigherIsBetter}}, cf.opts, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	cfg.Sessions = *sessions
	lengths := ab.DefaultLengths[cfg.Mode]
	if *suggest {
		lengths = []float64{cfg.Runtime.Seconds()}
		if cfg.Mode == ab.ModeTrials {
			lengths = []float64{float64(*rounds)}
		}
	}
	cal, err := ab.Calibrate(ctx, cfg, lengths)
	if err != nil {
		return err
	}
	if *suggest { // rounded up to a tenth of a percent
		fmt.Fprintf(stdout, "%.1f%%\n", math.Ceil(1000*cal.Rows[0].MinThreshold)/10)
		return nil
	}
	fmt.Fprintf(stdout, "calibrate: A/A of %s by %s; IOPS change %+.2f%% [%+.2f%%, %+.2f%%] with no difference (the floor under any threshold)\n",
		cal.Bias.Label, map[string]string{ab.ModeBlocks: "interleaved blocks", ab.ModeTrials: "whole trials"}[cal.Mode],
		100*cal.Bias.Change, 100*cal.Bias.Lo, 100*cal.Bias.Hi)
	t := results.NewTable(stdout, []string{"length", "std. error", fmt.Sprintf("detects at α=%g, 80%% power", cf.opts.Alpha), "95% power", "smallest safe --threshold", "P(2% is REGRESSION at 1%)"}, 6)
	for _, r := range cal.Rows {
		t.Append([]string{cal.Describe(r.Length), fmt.Sprintf("%.3f%%", 100*r.SE), fmt.Sprintf("%.2f%%", 100*r.MDE80),
			fmt.Sprintf("%.2f%%", 100*r.MDE95), fmt.Sprintf("%.2f%%", 100*r.MinThreshold), fmt.Sprintf("%.2f", r.Predicted2)})
	}
	return t.Render()
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--"+name || strings.HasPrefix(a, "--"+name+"=") {
			return true
		}
	}
	return false
}
