package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
	flag "github.com/spf13/pflag"
	"golang.org/x/sys/unix"
)

const examples = `Examples:
  aiobench                                   # the short default suite (about a minute)
  aiobench --engine sync,null --rounds 3     # compare engines, alternating order per round
  aiobench --engine sync --workload randread --bs 4k --iodepth 1 --jobs 1 --size 1G \
           --runtime 10s --cache cold --dir /mnt/data --rounds 3 --output run.csv --seed 1
  aiobench --suite syncfirst --max-sync-regression 5%   # exit 1 if an async engine slows the sync path
  aiobench --suite aiolat --output lat.csv   # the aio latency curve
  aiobench gate --baseline a.csv --candidate b.csv       # a CI gate on two results files
  aiobench engines                           # list engines and whether they work here
  aiobench workloads                         # list workloads
`

// options are the command's flags, bound into a harness.Plan by plan.
type options struct {
	engines    []string
	workload   string
	bs         int64
	iodepth    int
	jobs       int
	size       int64
	runtime    time.Duration
	ops        int
	warmup     time.Duration
	warmupSet  bool
	cache      string
	random     string
	fadvise    string
	verify     string
	rounds     int
	seed       uint64
	dir        string
	output     string
	threads    int
	waiters    int
	trace      string
	suite      string
	notifier   string
	spin       time.Duration
	resident   float64
	format     string
	interleave string
	duelBlock  time.Duration
	pairs      string
	nullDelay  time.Duration

	maxSyncRegression float64 // -1 when not given
}

// shaping are the flags that describe a run; when none is given aiobench runs its default suite.
var shaping = []string{"engine", "workload", "bs", "iodepth", "jobs", "size", "runtime", "ops", "cache", "random", "rounds", "resident"}

func newFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("aiobench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	*o = options{
		engines: []string{"sync"}, workload: "randread", bs: 4096, iodepth: 1, jobs: 1,
		size: 1 << 30, runtime: 10 * time.Second, cache: harness.CacheWarm, random: workloads.RandomPerm, fadvise: "auto",
		verify: "cheap", rounds: 1, seed: 1, format: "table", maxSyncRegression: -1,
		interleave: suites.InterleaveDuel, duelBlock: harness.DefaultBlockTime,
	}
	fs.Var(listValue{&o.engines}, "engine", "engines to run, comma-separated, or all (every available engine but null)")
	fs.StringVar(&o.workload, "workload", o.workload, "access pattern: "+strings.Join(workloads.Names(), ", "))
	fs.Var(sizeValue{&o.bs, 512}, "bs", "bytes per request (multiple of 512; e.g. 4k, 64KiB, 1M)")
	fs.Var(intValue{&o.iodepth, 1}, "iodepth", "requests each job keeps in flight")
	fs.Var(intValue{&o.jobs, 1}, "jobs", "jobs, each on its own OS thread, sharing the data file")
	fs.Var(sizeValue{&o.size, 1}, "size", "bytes of the data file (e.g. 256M, 1G)")
	fs.Var(durationValue{v: &o.runtime}, "runtime", "measured time per run (e.g. 500ms, 10s, 2m)")
	fs.Var(intValue{&o.ops, 1}, "ops", "requests per run over all jobs; with --runtime, whichever ends first")
	fs.Var(durationValue{v: &o.warmup, zeroOK: true, explicit: &o.warmupSet}, "warmup", "unmeasured time before each run (default: a tenth of --runtime, at most 1s; 0 with --ops alone)")
	fs.Var(enumValue{&o.cache, harness.CacheModes}, "cache", "page-cache state: warm (read in first), cold (evicted first and on every pass), direct (O_DIRECT)")
	fs.Var(enumValue{&o.random, workloads.RandomModes}, "random", "randread's order: perm (every block once per pass, as fio) or uniform (with replacement, fio's norandommap)")
	fs.Var(enumValue{&o.fadvise, []string{"auto", "none"}}, "fadvise", "auto: the workload's posix_fadvise hint (RANDOM or SEQUENTIAL) for every engine; none: no hint")
	fs.Var(enumValue{&o.verify, []string{"cheap", "full"}}, "verify", "cheap: a few words of every read; full: every byte")
	fs.Var(intValue{&o.rounds, 1}, "rounds", "repeat the whole set; engines alternate order each round")
	fs.Uint64Var(&o.seed, "seed", o.seed, "seed of the offsets; each job derives its own from it")
	fs.StringVar(&o.dir, "dir", "", "directory for the data file on the disk under test (default $XDG_CACHE_HOME/aiobench or ~/.cache/aiobench)")
	fs.StringVar(&o.output, "output", "", "write results as CSV to this file (replaced only if it is an aiobench results file)")
	fs.Var(intValue{&o.threads, 1}, "threads", "worker threads per job of the threadpool engine (default: iodepth)")
	fs.Var(intValue{&o.waiters, 1}, "waiters", "waiter threads per job of the retry engine (default 1)")
	fs.StringVar(&o.notifier, "notifier", "", "how the retry engine learns a page is ready: waiters (default: waiter threads) or reaper (Reap waits itself)")
	fs.Var(spinValue{&o.spin}, "waiter-spin", "how long an idle retry waiter polls for work before it sleeps, or off (default 50µs from QD8 up, off below)")
	fs.StringVar(&o.trace, "trace", "", "write every read attempt of engines that trace (retry) to this CSV file")
	fs.StringVar(&o.suite, "suite", "", "run a named suite: "+strings.Join(suites.Names(), ", ")+" (aiobench suites lists them); flags given override its defaults")
	fs.Var(percentValue{&o.maxSyncRegression}, "max-sync-regression", "with --suite syncfirst: exit 1 when an engine's sync-path regression is a REGRESSION beyond this (e.g. 5%)")
	fs.Var(percentValue{&o.resident}, "resident", "with --cache cold or --suite large: make this share of the file resident again, in scattered ranges (e.g. 50%)")
	fs.Var(enumValue{&o.interleave, suites.InterleaveModes}, "interleave", "with --suite syncfirst: how an engine's cached read is compared with sync's: duel (one thread alternating blocks of the two) or rounds (whole runs in ABBA order)")
	fs.Var(durationValue{v: &o.duelBlock}, "duel-block", "work per block of a duel (e.g. 1ms, 200us)")
	fs.Var(durationValue{v: &o.nullDelay, zeroOK: true}, "null-delay", "the null engine busy-waits this long per request (e.g. 50ns): a known regression to check a comparison with")
	fs.StringVar(&o.pairs, "pairs", "", "write every pair of blocks of the suite's duels to this CSV file, for audit")
	fs.Var(enumValue{&o.format, []string{"table", "benchfmt"}}, "format", "results on stdout: table, or benchfmt (Go benchmark format, for benchstat)")
	fs.Lookup("warmup").DefValue = ""
	fs.Lookup("max-sync-regression").DefValue = ""
	fs.Lookup("resident").DefValue = ""
	fs.Lookup("threads").DefValue = ""
	fs.Lookup("waiters").DefValue = "" // its default depends on --runtime; the usage says so
	return fs
}

func printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: aiobench [flags]\n       aiobench engines | workloads | suites | help\n       aiobench gate --baseline A.csv --candidate B.csv [flags]\n       aiobench compare A.csv B.csv... [flags]\n\n"+
		"aiobench compares synchronous and asynchronous read engines on real files.\n"+
		"With no flags that shape a run it runs the short default suite.\n\nFlags:\n%s\n%s",
		fs.FlagUsages(), examples)
}

func benchContext(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags(&o)
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return usagef("%v (see aiobench --help)", err)
	}
	if *help {
		printHelp(stdout, fs)
		return errHelp
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (subcommands: engines, workloads, suites, gate, compare, help; see aiobench --help)", fs.Arg(0))
	}
	spec, err := o.spec(fs.Changed)
	if err != nil {
		return err
	}
	dir, err := o.dataDir(stderr)
	if err != nil {
		return err
	}
	if err := checkOutput("--output", o.output); err != nil {
		return err
	}
	if err := checkOutput("--trace", o.trace); err != nil {
		return err
	}
	if err := checkOutput("--pairs", o.pairs); err != nil {
		return err
	}
	if o.trace != "" && o.trace == o.output {
		return usagef("--trace and --output name the same file %s", o.trace)
	}
	ds, err := layout(dir, 0, spec.MaxSize(), stderr)
	if err != nil {
		return err
	}
	if spec.NeedsBackground {
		bg, err := layout(dir, 1, spec.MaxSize(), stderr)
		if err != nil {
			return err
		}
		for i := range spec.Arms {
			if b := spec.Arms[i].Config.Background; b != nil {
				b.Dataset = bg
			}
		}
	}

	machine := sysinfo.Machine(dir)
	comments := []string{
		results.MagicComment + " " + machine.Version,
		"command: " + commandLine(args),
		"machine: " + sysinfo.String(machine),
	}
	var trace *engines.Trace
	if o.trace != "" {
		tf, err := os.Create(o.trace)
		if err != nil {
			return fmt.Errorf("create trace: %w", err)
		}
		defer tf.Close()
		trace = engines.NewTrace(tf)
		for i := range spec.Arms {
			spec.Arms[i].Config.Trace = trace
		}
	}
	var rows []results.Row
	done := 0
	warned := map[string]bool{}
	measured, runErr := spec.Execute(ctx, ds, func(res *harness.Result, warmup bool) {
		done++
		r := &res.Row
		r.Machine = machine
		what := fmt.Sprintf("round %d", r.Round)
		if r.DuelBlocks > 0 {
			what = fmt.Sprintf("duel arm (%d blocks)", r.DuelBlocks)
		}
		if warmup {
			what = "warm-up round (discarded)"
		} else {
			rows = append(rows, *r)
		}
		bg := ""
		if r.Background != "" {
			bg = fmt.Sprintf(" with %s load (%.0f IOPS)", r.Background, r.BackgroundIOPS)
		}
		fmt.Fprintf(stderr, "aiobench: [%d/%d] %s %s %s bs=%s qd=%d jobs=%d cache=%s%s: %.0f IOPS, lat p50 %.1fµs p99 %.1fµs\n",
			done, spec.Len(), what, r.Engine, r.Workload, units.FormatSize(int64(r.BS)), r.IODepth, r.Jobs, r.Cache, bg, r.IOPS, r.LatP50, r.LatP99)
		for _, w := range res.Warnings {
			if !warned[w] { // the same warning for every run (no device counters) once
				warned[w] = true
				fmt.Fprintf(stderr, "aiobench: warning: %s\n", w)
			}
		}
	})
	if len(rows) > 0 {
		if o.format == "benchfmt" {
			err = results.WriteBenchfmt(stdout, rows)
		} else {
			err = results.WriteTable(stdout, rows)
		}
		if err != nil {
			return fmt.Errorf("print results: %w", err)
		}
	}
	if o.output != "" && len(rows) > 0 {
		if err := results.WriteFile(o.output, comments, rows); err != nil {
			return err
		}
	}
	if trace != nil {
		if err := trace.Flush(); err != nil {
			return fmt.Errorf("write trace %s: %w", o.trace, err)
		}
	}
	if o.pairs != "" && measured != nil && len(measured.Duels) > 0 {
		if err := writePairs(o.pairs, comments, spec, measured); err != nil {
			return err
		}
	}
	switch {
	case errors.Is(runErr, context.Canceled):
		return fmt.Errorf("interrupted after %d of %d runs", done, spec.Len())
	case runErr != nil:
		return runErr
	}
	var bad []string
	for _, r := range rows {
		if r.Errors > 0 || r.VerifyErrors > 0 || !r.Complete || r.Ops == 0 {
			bad = append(bad, fmt.Sprintf("%s round %d: %d read errors, %d verify errors: %s", r.Engine, r.Round, r.Errors, r.VerifyErrors, r.FirstError))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d runs failed; first: %s", len(bad), len(rows), bad[0])
	}
	return o.checkFindings(spec, measured, stdout, stderr)
}

// checkFindings prints the suite's comparisons and, with --max-sync-regression, fails on a
// sync-path regression beyond it.
func (o *options) checkFindings(spec *suites.Spec, measured *suites.Outcome, stdout, stderr io.Writer) error {
	if len(spec.Checks) == 0 {
		return nil
	}
	threshold := 0.05
	if o.maxSyncRegression >= 0 {
		threshold = o.maxSyncRegression
	}
	findings, err := spec.Evaluate(measured, compare.Options{Threshold: threshold, Alpha: 0.05})
	if err != nil {
		return err
	}
	w := stdout
	if o.format == "benchfmt" {
		w = stderr // keep stdout readable by benchstat
	}
	lines := make([]compare.Line, len(findings))
	for i, f := range findings {
		lines[i] = f.Line
	}
	how := fmt.Sprintf("%d measured rounds, signed-rank test", spec.Rounds)
	if len(spec.Duels) > 0 {
		how = "sync-path checks by duel (block bootstrap), interference by " + how
	}
	fmt.Fprintf(w, "%s: paired comparisons (%s; threshold %.3g%%):\n", spec.Name, how, 100*threshold)
	if err := compare.WriteTable(w, lines, "table"); err != nil {
		return err
	}
	if o.maxSyncRegression < 0 {
		return nil
	}
	var regressed []string
	for _, f := range findings {
		if f.Check.SyncPath && f.Verdict == compare.Regression {
			regressed = append(regressed, fmt.Sprintf("%s %s %+.1f%% [%+.1f%%, %+.1f%%]", f.Check.Engine, f.Metric.Name, 100*f.Change, 100*f.Lo, 100*f.Hi))
		}
	}
	if len(regressed) > 0 {
		return fmt.Errorf("sync-path regression beyond %.3g%%: %s", 100*threshold, strings.Join(regressed, "; "))
	}
	return nil
}

// spec turns the options into the runs to make, or a usage error; changed tells which flags
// were given. With --suite the suite's defaults fill what the flags leave unset; with no flag
// that shapes a run the default suite runs; otherwise the flags describe one configuration, run
// through every --engine for --rounds rounds.
func (o *options) spec(changed func(string) bool) (*suites.Spec, error) {
	base := harness.Config{
		Workload: o.workload, BlockSize: int(o.bs), IODepth: o.iodepth, Jobs: o.jobs, Size: o.size,
		Runtime: o.runtime, Ops: int64(o.ops), Cache: o.cache, NoFadvise: o.fadvise == "none", Seed: o.seed,
		Threads: o.threads, Waiters: o.waiters, Notifier: o.notifier, WaiterSpin: o.spin, NullDelay: o.nullDelay,
	}
	if o.verify == "full" {
		base.Verify = workloads.VerifyFull
	}
	if changed("random") {
		base.Random = o.random
	}
	suiteName := o.suite
	if suiteName == "" && !slices.ContainsFunc(shaping, changed) {
		suiteName = "default"
	}
	if o.maxSyncRegression >= 0 && suiteName != "syncfirst" {
		return nil, usagef("--max-sync-regression: only with --suite syncfirst")
	}
	for _, f := range []string{"interleave", "duel-block", "pairs"} {
		if changed(f) && suiteName != "syncfirst" {
			return nil, usagef("--%s: only with --suite syncfirst (its sync-path checks are duels)", f)
		}
	}
	if need := compare.MinSamples(0.05, true); o.maxSyncRegression >= 0 && o.interleave == suites.InterleaveRounds && changed("rounds") && o.rounds < need {
		return nil, usagef("--max-sync-regression with --interleave rounds: --rounds %d is too few for the signed-rank test at alpha 0.05; it needs at least %d", o.rounds, need)
	}
	if changed("resident") && suiteName != "large" && !(suiteName == "" && o.cache == harness.CacheCold) {
		return nil, usagef("--resident: only with --cache cold or --suite large")
	}
	var spec *suites.Spec
	if suiteName != "" {
		suite, err := suites.Lookup(suiteName)
		if err != nil {
			return nil, usagef("--suite: %v", err)
		}
		so := suites.Options{Base: base, Resident: o.resident, Interleave: o.interleave, DuelBlock: o.duelBlock}
		if changed("engine") {
			names, err := engineList(o.engines)
			if err != nil {
				return nil, err
			}
			so.Engines = names
		}
		if changed("size") {
			so.Size = o.size
		}
		if changed("runtime") {
			so.Runtime = o.runtime
		}
		if o.warmupSet {
			so.Warmup = o.warmup
		}
		if changed("rounds") {
			so.Rounds = o.rounds
		}
		if spec, err = suite.Build(so); err != nil {
			return nil, usagef("--suite %s: %v", suiteName, err)
		}
	} else {
		if o.ops > 0 && !changed("runtime") {
			base.Runtime = 0 // --ops alone bounds the run
		}
		base.Warmup = o.warmup
		if !o.warmupSet {
			base.Warmup = harness.DefaultWarmup(base.Runtime)
		}
		base.Resident = o.resident
		names, err := engineList(o.engines)
		if err != nil {
			return nil, err
		}
		spec = &suites.Spec{Name: "run", Rounds: o.rounds}
		for _, n := range names {
			c := base
			c.Engine = n
			spec.Arms = append(spec.Arms, suites.Arm{Label: n, Config: c})
		}
	}
	for _, a := range spec.Arms {
		for _, c := range []*harness.Config{&a.Config, backgroundConfig(&a.Config)} {
			if c == nil {
				continue
			}
			if err := c.Validate(); err != nil {
				return nil, usageError{flagError(err)}
			}
			e, err := engines.Lookup(c.Engine)
			if err != nil {
				return nil, usagef("--engine: %v", err)
			}
			if ch, ok := e.(engines.Checker); ok {
				if err := ch.Check(engines.Config{QueueDepth: c.IODepth, Direct: c.Cache == harness.CacheDirect, Notifier: c.Notifier}); err != nil {
					return nil, usagef("--engine %s: %v", c.Engine, err)
				}
			}
		}
	}
	return spec, nil
}

func backgroundConfig(c *harness.Config) *harness.Config {
	if c.Background == nil {
		return nil
	}
	return &c.Background.Config
}

// flagError rewrites a configuration error to name the flag.
func flagError(err error) error {
	msg := strings.TrimPrefix(err.Error(), harness.ErrConfig.Error()+": ")
	for _, f := range []string{"bs", "size", "iodepth", "jobs", "ops", "cache", "random", "workload"} {
		if strings.HasPrefix(msg, f+" ") {
			return fmt.Errorf("--%s: %s", f, strings.TrimPrefix(msg, f+" "))
		}
	}
	if strings.HasPrefix(msg, "unknown workload") {
		return fmt.Errorf("--workload: %s", msg)
	}
	return errors.New(msg)
}

func engineList(names []string) ([]string, error) {
	if len(names) == 1 && names[0] == "all" {
		return suites.Available(), nil
	}
	seen := map[string]bool{}
	for _, n := range names {
		e, err := engines.Lookup(n)
		if err != nil {
			return nil, usagef("--engine: unknown engine %q (known: %s, or all)", n, strings.Join(engines.Names(), ", "))
		}
		if err := engines.Available(e); err != nil {
			return nil, usagef("--engine: engine %s is not available here: %v", n, err)
		}
		if seen[n] {
			return nil, usagef("--engine: %s is named twice", n)
		}
		seen[n] = true
	}
	return names, nil
}

// dataDir checks --dir (it must exist and be a writable directory) or makes the default one.
func (o *options) dataDir(stderr io.Writer) (string, error) {
	dir := o.dir
	if dir == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", usagef("--dir: no default data directory (%v); name one with --dir", err)
			}
			base = filepath.Join(home, ".cache")
		}
		dir = filepath.Join(base, "aiobench")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create default data directory: %w", err)
		}
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return "", usagef("--dir %s: %v (want an existing, writable directory on the disk under test)", dir, errors.Unwrap(err))
	case !fi.IsDir():
		return "", usagef("--dir %s: not a directory (want an existing, writable directory on the disk under test)", dir)
	case unix.Access(dir, unix.W_OK) != nil:
		return "", usagef("--dir %s: not writable (want an existing, writable directory on the disk under test)", dir)
	}
	if fs, err := sysinfo.FSType(dir); err == nil && sysinfo.InMemory(fs) {
		fmt.Fprintf(stderr, "aiobench: warning: %s is on %s: reads will measure memory, not a disk (use --dir on a real disk)\n", dir, fs)
	}
	return dir, nil
}

// checkOutput refuses an output file in a missing directory, and any existing file that
// aiobench did not write (a results file, or a trace).
func checkOutput(flagName, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return usagef("%s %s: directory %s does not exist", flagName, path, filepath.Dir(path))
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return usagef("%s %s: %v", flagName, path, err)
	case fi.IsDir():
		return usagef("%s %s: is a directory (want a file name)", flagName, path)
	case !results.LooksLikeResults(path) && !looksLikeTrace(path) && !looksLikePairs(path):
		return usagef("%s %s: exists and was not written by aiobench; refusing to overwrite it", flagName, path)
	}
	return nil
}

// looksLikeTrace reports whether path starts with the trace header.
func looksLikeTrace(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(engines.TraceHeader))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == engines.TraceHeader
}

// layout makes sure data file index is there with at least size bytes.
func layout(dir string, index int, size int64, stderr io.Writer) (*workloads.Dataset, error) {
	state, err := workloads.InspectFile(dir, index, size)
	if errors.Is(err, workloads.ErrForeign) {
		return nil, usagef("--dir %s: %v; aiobench never overwrites a file it did not create: move it or pick another --dir", dir, err)
	}
	if err != nil {
		return nil, err
	}
	if state != workloads.LayoutReuse {
		var have int64
		if fi, err := os.Stat(filepath.Join(dir, workloads.FileNameOf(index))); err == nil {
			have = fi.Size()
		}
		if free, err := sysinfo.FreeBytes(dir); err == nil && free < size-have {
			return nil, usagef("--size %s: needs %s free in %s, %s available", units.FormatSize(size), units.FormatSize(size-have), dir, units.FormatSize(free))
		}
		fmt.Fprintf(stderr, "aiobench: laying out %s of data in %s (later runs reuse it)\n", units.FormatSize(size), dir)
	}
	return workloads.LayoutFile(dir, index, size)
}

// commandLine quotes args for the CSV's comment line.
func commandLine(args []string) string {
	q := make([]string, 0, len(args)+1)
	q = append(q, "aiobench")
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'\\$") {
			a = strconv.Quote(a)
		}
		q = append(q, a)
	}
	return strings.Join(q, " ")
}
