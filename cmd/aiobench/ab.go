package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/aiobench/aiobench/ab"
	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
	flag "github.com/spf13/pflag"
)

// version: aiobench version [--json]. ab's handshake reads the JSON form.
func version(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("aiobench version", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print as JSON (aiobench, go, ab_protocol)")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return usagef("version takes only --json")
	}
	if *help {
		printUsage(stdout, "aiobench version [--json]", "Prints aiobench's version, its Go toolchain and the ab protocol it speaks.", fs)
		return errHelp
	}
	v := ab.Version{Aiobench: sysinfo.Version(), Go: runtime.Version(), Protocol: ab.Protocol}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(v)
	}
	fmt.Fprintf(stdout, "aiobench %s (%s, ab protocol %d)\n", v.Aiobench, v.Go, v.Protocol)
	return nil
}

// abFlags are ab's own flags (true: it takes a value); every other flag is a run flag, passed
// to both binaries. calibrateFlags are calibrate's.
var (
	abFlags = map[string]bool{"baseline-bin": true, "candidate-bin": true, "candidate-args": true, "output-dir": true,
		"rounds": true, "sessions": true, "threshold": true, "alpha": true, "metrics": true, "format": true, "strict": false, "help": false, "report": true}
	calibrateFlags = map[string]bool{"rounds": true, "sessions": true, "alpha": true, "threshold": true, "metrics": true, "format": true,
		"suggest-threshold": false, "help": false}
)

// splitArgs separates a subcommand's own flags from the run flags, keeping each as written.
func splitArgs(args []string, ownFlags map[string]bool) (own, run []string) {
	for i := 0; i < len(args); i++ {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		takesValue, isOwn := ownFlags[name]
		if !strings.HasPrefix(args[i], "--") || !isOwn {
			run = append(run, args[i])
			continue
		}
		own = append(own, args[i])
		if takesValue && !hasValue && i+1 < len(args) {
			own = append(own, args[i+1])
			i++
		}
	}
	return own, run
}

// abCmd: aiobench ab --baseline-bin A --candidate-bin B [run flags] [...]. Exits as gate does.
func abCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	own, runArgs := splitArgs(args, abFlags)
	fs := flag.NewFlagSet("aiobench ab", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cf compareFlags
	cf.bind(fs, []string{"iops", "lat_p99_us"})
	baseBin := fs.String("baseline-bin", "", "the baseline build of aiobench (required)")
	candBin := fs.String("candidate-bin", "", "the candidate build of aiobench (required)")
	candArgs := fs.String("candidate-args", "", "run flags for the candidate alone, space-separated (e.g. \"--null-delay 50ns\")")
	outDir := fs.String("output-dir", "", "write baseline.csv, candidate.csv and summary.csv here (created if missing)")
	rounds := fs.Int("rounds", 10, "rounds of whole trials, where blocks cannot be interleaved")
	sessions := fs.Int("sessions", ab.DefaultSessions, "block by block: fresh pairs of processes the runtime is split into")
	strict := fs.Bool("strict", false, "exit 3 when a comparison is inconclusive")
	reportDir := fs.String("report", "", "also write the charts of the changes and index.html into this directory (as aiobench report)")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(own); err != nil {
		return usagef("ab: %v (see aiobench ab --help)", err)
	}
	if *help {
		printUsage(stdout, "aiobench ab --baseline-bin A --candidate-bin B [run flags] [flags]",
			"Compares two builds of aiobench by randomized interleaved trials and exits as gate does (1 on a REGRESSION, 3 on INCONCLUSIVE with --strict). Run flags (--engine, --cache, --size, --runtime, ...) go to both builds. A warm or direct closed-loop run of one engine and one job is compared block by block, the builds passing a token; anything else (an open-loop run, --rate, too) by whole trials.", fs)
		return errHelp
	}
	if *baseBin == "" || *candBin == "" {
		return usagef("ab: --baseline-bin and --candidate-bin are required (two aiobench binaries)")
	}
	if err := checkSamples(*rounds, *sessions, cf.opts.Alpha); err != nil {
		return err
	}
	if *reportDir != "" {
		if err := report.CheckDir(*reportDir); err != nil {
			return usagef("ab: --report %v", err)
		}
	}
	metrics, err := cf.resolve()
	if err != nil {
		return err
	}
	cfg, cleanup, err := abSetup(ctx, runArgs, *baseBin, *candBin, *candArgs, *outDir, *rounds, metrics, cf.opts, stderr)
	cfg.Sessions = *sessions
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := ab.Run(ctx, cfg)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("ab stopped")
		}
		return fmt.Errorf("ab: %w", err)
	}
	out, mode := cfg.OutputDir, cfg.Mode
	for name, rows := range map[string][]results.Row{ab.BaselineFile: res.Base, ab.CandidateFile: res.Cand} {
		if err := results.WriteFile(filepath.Join(out, name), []string{results.MagicComment + " ab", "command: " + commandLine(args)}, rows); err != nil {
			return err
		}
	}
	if mode == ab.ModeTrials {
		fmt.Fprintf(stdout, "ab: %d rounds of whole trials, order %s (b: baseline first, c: candidate first), paired signed-rank test\n", *rounds, res.Order)
	} else {
		fmt.Fprintf(stdout, "ab: %d pairs of interleaved blocks in %d sessions (fresh process pairs), signed-rank test over sessions\n", res.Pairs, res.Sessions)
	}
	var buf bytes.Buffer
	if err := compare.WriteCSV(&buf, res.Lines); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(out, ab.SummaryFile), buf.Bytes()); err != nil {
		return err
	}
	if err := compare.WriteTable(stdout, res.Lines, cf.format); err != nil {
		return err
	}
	if *reportDir != "" {
		sides := []string{filepath.Join(out, ab.BaselineFile), filepath.Join(out, ab.CandidateFile)}
		page, err := comparisonReport(*reportDir, "aiobench ab", res.Lines, sides, cf.opts.Threshold)
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		fmt.Fprintf(stderr, "aiobench: report written; open %s\n", page)
	}
	return gateExit(res.Lines, cf.opts, *strict)
}

// abSetup checks everything a comparison needs before anything runs, in this order: the run
// flags (as this build reads them), the metrics for the mode, both binaries' handshake, the
// data directory and the output directory; then it lays out the data and returns the
// comparison's configuration and a cleanup for a temporary output directory.
func abSetup(ctx context.Context, runArgs []string, baseBin, candBin, candArgs, outDir string, rounds int,
	metrics []compare.Metric, opts compare.Options, stderr io.Writer) (ab.Config, func(), error) {
	var cfg ab.Config
	var o options
	rfs := newFlags(&o)
	if err := parseRun(rfs, runArgs); err != nil {
		return cfg, nil, usagef("%v (see aiobench --help)", err)
	}
	if rfs.NArg() > 0 {
		return cfg, nil, usagef("unexpected argument %q", rfs.Arg(0))
	}
	if !rfs.Changed("engine") && !rfs.Changed("suite") {
		runArgs = append(runArgs, "--engine", "sync") // the default suite is not one configuration
	}
	spec, err := o.spec(func(n string) bool { return rfs.Changed(n) || n == "engine" })
	if err != nil {
		return cfg, nil, err
	}
	mode := ab.ModeTrials
	var arms [2]*harness.Config
	// Blocks are a closed loop's (a duel): an open-loop run (--rate) is compared by whole trials.
	if c := spec.Arms[0].Config; spec.Name == "run" && len(spec.Arms) == 1 && c.Jobs == 1 && c.Cache != harness.CacheCold && c.Rate == 0 {
		mode = ab.ModeBlocks
		for _, m := range metrics {
			if !slices.Contains(blockMetrics, m.Name) {
				return cfg, nil, usagef("--metrics %s: block by block, the comparable metrics are %s", m.Name, strings.Join(blockMetrics, ", "))
			}
		}
		// The arms' whole configurations, as this build reads the flags: a build that speaks
		// protocol 2 gets them so (run flags go to an older one).
		cand, err := armConfig(append(slices.Clone(runArgs), strings.Fields(candArgs)...))
		if err != nil {
			return cfg, nil, err
		}
		arms = [2]*harness.Config{&c, cand}
	}
	for _, bin := range []string{baseBin, candBin} {
		if _, err := ab.Handshake(ctx, bin); err != nil {
			return cfg, nil, usageError{err}
		}
	}
	dir, err := o.dataDir(stderr)
	if err != nil {
		return cfg, nil, err
	}
	out, cleanup, err := abOutputDir(outDir)
	if err != nil {
		o.lock.Release()
		return cfg, nil, err
	}
	unlock := o.lock.Release
	cleanup = func(rm func()) func() { return func() { rm(); unlock() } }(cleanup)
	for i := range 1 + btoi(spec.NeedsBackground) {
		if _, err := layout(ctx, dir, i, spec.MaxSize(), stderr); err != nil {
			cleanup()
			return cfg, nil, err
		}
	}
	warmup := harness.DefaultWarmup(o.runtime)
	if o.warmupSet {
		warmup = o.warmup
	}
	return ab.Config{
		Baseline: baseBin, Candidate: candBin, Arms: arms, Dir: dir, Inherit: o.lock.Inherit,
		RunArgs: append(runArgs, "--dir", dir), CandidateArgs: strings.Fields(candArgs),
		OutputDir: out, Mode: mode, Runtime: o.runtime, Warmup: warmup, BlockTime: o.duelBlock, Seed: o.seed,
		Rounds: rounds, Metrics: metrics, Options: opts, Progress: stderr,
	}, cleanup, nil
}

// armConfig is the one configuration that run flags describe.
func armConfig(args []string) (*harness.Config, error) {
	var o options
	fs := newFlags(&o)
	if err := parseRun(fs, args); err != nil {
		return nil, usagef("%v (see aiobench --help)", err)
	}
	spec, err := o.spec(fs.Changed)
	if err != nil {
		return nil, err
	}
	if spec.Name != "run" || len(spec.Arms) != 1 {
		return nil, usagef("--candidate-args: the candidate must run one configuration of one engine, as the baseline")
	}
	return &spec.Arms[0].Config, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkSamples refuses rounds or sessions too few for the signed-rank test at alpha.
func checkSamples(rounds, sessions int, alpha float64) error {
	need := compare.MinSamples(alpha, true)
	switch {
	case rounds < need:
		return usagef("--rounds %d is too few for the signed-rank test at alpha %g; it needs at least %d", rounds, alpha, need)
	case sessions < need:
		return usagef("--sessions %d is too few for the signed-rank test at alpha %g; it needs at least %d", sessions, alpha, need)
	}
	return nil
}

// blockMetrics are the metrics a comparison block by block has per-pair values for.
var blockMetrics = []string{"iops", "lat_mean_us", "lat_p99_us", "cpu_us_per_op"}

// abOutputDir makes sure dir can take ab's files before anything runs: created if missing,
// writable (a file is created and removed in it), and none of the files it will write is a
// file aiobench did not write. With no dir, a temporary one is used and removed at the end.
func abOutputDir(dir string) (string, func(), error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", "aiobench-ab-*")
		if err != nil {
			return "", nil, err
		}
		return tmp, func() { os.RemoveAll(tmp) }, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, usagef("--output-dir %s: %v", dir, errors.Unwrap(err))
	}
	probe, err := os.CreateTemp(dir, ".aiobench-probe-*")
	if err != nil {
		return "", nil, usagef("--output-dir %s: not writable: %v", dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	for _, name := range []string{ab.BaselineFile, ab.CandidateFile} {
		if err := checkOutput("--output-dir", filepath.Join(dir, name)); err != nil {
			return "", nil, err
		}
	}
	if err := checkSummary(filepath.Join(dir, ab.SummaryFile)); err != nil {
		return "", nil, err
	}
	return dir, func() {}, nil
}

// serveArm: aiobench serve-arm --dir DIR [run flags] — one arm of ab's blocks, on standard
// input and output (see ab.Serve). With run flags the arm is theirs (protocol 1); with --dir
// alone its whole configuration comes as the first line (protocol 2). Not for people; ab
// starts it.
func serveArm(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags(&o)
	if err := parseRun(fs, args); err != nil {
		return usagef("serve-arm: %v", err)
	}
	if o.dir == "" {
		return usagef("serve-arm: --dir is needed")
	}
	var cfg *harness.Config
	if fs.NFlag() > 1 { // run flags: protocol 1
		spec, err := o.spec(fs.Changed)
		if err != nil {
			return err
		}
		if spec.Name != "run" || len(spec.Arms) != 1 {
			return usagef("serve-arm: one engine and one configuration are needed")
		}
		c := spec.Arms[0].Config
		c.Duel = "ab" // what a protocol-1 orchestrator expects of the row
		cfg = &c
	}
	runtime.LockOSThread() // an Arm lives on one thread
	defer runtime.UnlockOSThread()
	write := func(path string, r results.Row) error {
		return results.WriteFile(path, []string{results.MagicComment + " " + r.Version, "command: serve-arm " + commandLine(args)}, []results.Row{r})
	}
	return ab.Serve(stdin, stdout, cfg, o.dir, write)
}
