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

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
	flag "github.com/spf13/pflag"
	"golang.org/x/sys/unix"
)

const examples = `Examples:
  aiobench                                   # the short default suite (about a minute)
  aiobench --engine sync,null --rounds 3     # compare engines, alternating order per round
  aiobench --engine sync --workload randread --bs 4k --iodepth 1 --jobs 1 --size 1G \
           --runtime 10s --cache cold --dir /mnt/data --rounds 3 --output run.csv --seed 1
  aiobench engines                           # list engines and whether they work here
  aiobench workloads                         # list workloads
`

// options are the command's flags, bound into a harness.Plan by plan.
type options struct {
	engines   []string
	workload  string
	bs        int64
	iodepth   int
	jobs      int
	size      int64
	runtime   time.Duration
	ops       int
	warmup    time.Duration
	warmupSet bool
	cache     string
	fadvise   string
	verify    string
	rounds    int
	seed      uint64
	dir       string
	output    string
	threads   int
	waiters   int
	trace     string
}

// shaping are the flags that describe a run; when none is given aiobench runs its default suite.
var shaping = []string{"engine", "workload", "bs", "iodepth", "jobs", "size", "runtime", "ops", "cache", "rounds"}

func newFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("aiobench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	*o = options{
		engines: []string{"sync"}, workload: "randread", bs: 4096, iodepth: 1, jobs: 1,
		size: 1 << 30, runtime: 10 * time.Second, cache: harness.CacheWarm, fadvise: "auto",
		verify: "cheap", rounds: 1, seed: 1,
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
	fs.Var(enumValue{&o.fadvise, []string{"auto", "none"}}, "fadvise", "auto: the workload's posix_fadvise hint (RANDOM or SEQUENTIAL) for every engine; none: no hint")
	fs.Var(enumValue{&o.verify, []string{"cheap", "full"}}, "verify", "cheap: a few words of every read; full: every byte")
	fs.Var(intValue{&o.rounds, 1}, "rounds", "repeat the whole set; engines alternate order each round")
	fs.Uint64Var(&o.seed, "seed", o.seed, "seed of the offsets; each job derives its own from it")
	fs.StringVar(&o.dir, "dir", "", "directory for the data file on the disk under test (default $XDG_CACHE_HOME/aiobench or ~/.cache/aiobench)")
	fs.StringVar(&o.output, "output", "", "write results as CSV to this file (replaced only if it is an aiobench results file)")
	fs.Var(intValue{&o.threads, 1}, "threads", "worker threads per job of the threadpool engine (default: iodepth)")
	fs.Var(intValue{&o.waiters, 1}, "waiters", "waiter threads per job of the retry engine (default: iodepth, at most 8)")
	fs.StringVar(&o.trace, "trace", "", "write every read attempt of engines that trace (retry) to this CSV file")
	fs.Lookup("warmup").DefValue = ""
	fs.Lookup("threads").DefValue = ""
	fs.Lookup("waiters").DefValue = "" // its default depends on --runtime; the usage says so
	return fs
}

func printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: aiobench [flags]\n       aiobench engines | workloads | help\n\n"+
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
		return usagef("unexpected argument %q (subcommands: engines, workloads, help; see aiobench --help)", fs.Arg(0))
	}
	plan, err := o.plan(fs.Changed)
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
	if o.trace != "" && o.trace == o.output {
		return usagef("--trace and --output name the same file %s", o.trace)
	}
	ds, err := layout(dir, plan, stderr)
	if err != nil {
		return err
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
		for i := range plan.Configs {
			plan.Configs[i].Trace = trace
		}
	}
	var rows []results.Row
	done := 0
	runErr := plan.Execute(ctx, ds, func(res *harness.Result) {
		done++
		res.Row.Machine = machine
		rows = append(rows, res.Row)
		r := &res.Row
		fmt.Fprintf(stderr, "aiobench: [%d/%d] round %d %s %s bs=%s qd=%d jobs=%d cache=%s: %.0f IOPS, lat p50 %.1fµs p99 %.1fµs\n",
			done, plan.Len(), r.Round, r.Engine, r.Workload, units.FormatSize(int64(r.BS)), r.IODepth, r.Jobs, r.Cache, r.IOPS, r.LatP50, r.LatP99)
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "aiobench: warning: %s\n", w)
		}
	})
	if len(rows) > 0 {
		if err := results.WriteTable(stdout, rows); err != nil {
			return fmt.Errorf("print table: %w", err)
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
	switch {
	case errors.Is(runErr, context.Canceled):
		return fmt.Errorf("interrupted after %d of %d runs", done, plan.Len())
	case runErr != nil:
		return runErr
	}
	var bad []string
	for _, r := range rows {
		if r.Errors > 0 || r.VerifyErrors > 0 || !r.Complete {
			bad = append(bad, fmt.Sprintf("%s round %d: %d read errors, %d verify errors: %s", r.Engine, r.Round, r.Errors, r.VerifyErrors, r.FirstError))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d runs failed; first: %s", len(bad), len(rows), bad[0])
	}
	return nil
}

// plan turns the options into the runs to make, or a usage error; changed tells which flags
// were given.
func (o *options) plan(changed func(string) bool) (*harness.Plan, error) {
	base := harness.Config{
		Workload: o.workload, BlockSize: int(o.bs), IODepth: o.iodepth, Jobs: o.jobs, Size: o.size,
		Runtime: o.runtime, Ops: int64(o.ops), Cache: o.cache, NoFadvise: o.fadvise == "none", Seed: o.seed,
		Threads: o.threads, Waiters: o.waiters,
	}
	if o.verify == "full" {
		base.Verify = workloads.VerifyFull
	}
	plan := &harness.Plan{Rounds: o.rounds}
	if !slices.ContainsFunc(shaping, changed) {
		base.Size, base.Runtime, base.Ops = 256<<20, 5*time.Second, 0
		warm, cold := base, base
		warm.Cache, cold.Cache = harness.CacheWarm, harness.CacheCold
		plan.Configs = []harness.Config{warm, cold}
		plan.Rounds = 2
		plan.Engines = allEngines()
	} else {
		if o.ops > 0 && !changed("runtime") {
			base.Runtime = 0 // --ops alone bounds the run
		}
		plan.Configs = []harness.Config{base}
		names, err := engineList(o.engines)
		if err != nil {
			return nil, err
		}
		plan.Engines = names
	}
	for i := range plan.Configs {
		c := &plan.Configs[i]
		c.Warmup = o.warmup
		if !o.warmupSet {
			c.Warmup = harness.DefaultWarmup(c.Runtime)
		}
		c.Engine = plan.Engines[0]
		if err := c.Validate(); err != nil {
			return nil, usageError{flagError(err)}
		}
		for _, name := range plan.Engines {
			e, _ := engines.Lookup(name)
			if ch, ok := e.(engines.Checker); ok {
				if err := ch.Check(engines.Config{QueueDepth: c.IODepth, Direct: c.Cache == harness.CacheDirect}); err != nil {
					return nil, usagef("--engine %s: %v", name, err)
				}
			}
		}
	}
	return plan, nil
}

// flagError rewrites a configuration error to name the flag.
func flagError(err error) error {
	msg := strings.TrimPrefix(err.Error(), harness.ErrConfig.Error()+": ")
	for _, f := range []string{"bs", "size", "iodepth", "jobs", "cache", "workload"} {
		if strings.HasPrefix(msg, f+" ") {
			return fmt.Errorf("--%s: %s", f, strings.TrimPrefix(msg, f+" "))
		}
	}
	if strings.HasPrefix(msg, "unknown workload") {
		return fmt.Errorf("--workload: %s", msg)
	}
	return errors.New(msg)
}

// allEngines returns every available engine except null, which moves no data.
func allEngines() []string {
	var out []string
	for _, n := range engines.Names() {
		e, _ := engines.Lookup(n)
		if n != "null" && engines.Available(e) == nil {
			out = append(out, n)
		}
	}
	return out
}

func engineList(names []string) ([]string, error) {
	if len(names) == 1 && names[0] == "all" {
		return allEngines(), nil
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
	case !results.LooksLikeResults(path) && !looksLikeTrace(path):
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

// layout makes sure the data file is there, big enough for every run of the plan.
func layout(dir string, plan *harness.Plan, stderr io.Writer) (*workloads.Dataset, error) {
	var size int64
	for _, c := range plan.Configs {
		size = max(size, c.Size)
	}
	state, err := workloads.Inspect(dir, size)
	if errors.Is(err, workloads.ErrForeign) {
		return nil, usagef("--dir %s: %v; aiobench never overwrites a file it did not create: move it or pick another --dir", dir, err)
	}
	if err != nil {
		return nil, err
	}
	if state != workloads.LayoutReuse {
		var have int64
		if fi, err := os.Stat(filepath.Join(dir, workloads.FileName)); err == nil {
			have = fi.Size()
		}
		if free, err := sysinfo.FreeBytes(dir); err == nil && free < size-have {
			return nil, usagef("--size %s: needs %s free in %s, %s available", units.FormatSize(size), units.FormatSize(size-have), dir, units.FormatSize(free))
		}
		fmt.Fprintf(stderr, "aiobench: laying out %s of data in %s (later runs reuse it)\n", units.FormatSize(size), dir)
	}
	return workloads.Layout(dir, size)
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
