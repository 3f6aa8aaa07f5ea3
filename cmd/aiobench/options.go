package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/dirlock"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
	flag "github.com/spf13/pflag"
)

const examples = `Examples:
  # the short default suite (about 80 s)
  aiobench
  # compare engines, alternating their order every round
  aiobench --engine sync,null --rounds 3
  # one configuration, spelled out
  aiobench --engine sync --workload randread --bs 4k --iodepth 1 --jobs 1 \
           --size 1G --runtime 10s --cache cold --dir /mnt/data --rounds 3 \
           --output run.csv --seed 1
  # exit 1 if an engine that serves a cached read inline slows the sync path
  aiobench --suite syncfirst --max-sync-regression 5%
  # the aio latency curve
  aiobench --suite aiolat --output lat.csv
  # a CI gate on two results files
  aiobench gate --baseline a.csv --candidate b.csv
  # two builds, interleaved
  aiobench ab --baseline-bin ./old --candidate-bin ./new --threshold 1%
  # what this machine can detect
  aiobench calibrate
  # engines and whether they work here; workloads and orders
  aiobench engines
  aiobench workloads
`

// options are the command's flags; spec turns them into the runs to make.
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
	trace      string
	suite      string
	resident   float64
	cacheLimit int64
	file       string
	nrfiles    int
	fileServ   string
	format     string
	roundsTab  bool
	quiet      bool
	hist       string
	log        string
	logEvery   time.Duration
	rates      []float64
	arrival    string
	latTarget  time.Duration
	report     string
	interleave string
	duelBlock  time.Duration
	pairs      string
	// engineOpts are the engines' own options given, by "engine.option", canonical.
	engineOpts map[string]string

	maxSyncRegression float64       // -1 when not given
	lock              *dirlock.Lock // the data directory's, from dataDir to the command's end
	gateEngines       []string
}

// shaping are the flags that describe a run; when none is given aiobench runs its default suite.
var shaping = []string{"engine", "workload", "bs", "iodepth", "jobs", "size", "runtime", "ops", "cache", "random", "rounds", "resident", "rate", "arrival", "nrfiles", "file-service"}

func newFlags(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("aiobench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	*o = options{
		engines: []string{"sync"}, workload: "randread", bs: 4096, iodepth: 1, jobs: 1,
		size: 1 << 30, runtime: 10 * time.Second, cache: harness.CacheWarm, random: workloads.RandomPerm, fadvise: "auto",
		verify: "cheap", rounds: 1, seed: 1, format: "table", maxSyncRegression: -1, nrfiles: 1, fileServ: workloads.ServiceRandom,
		interleave: suites.InterleaveDuel, duelBlock: harness.DefaultBlockTime, logEvery: harness.DefaultLogInterval,
	}
	fs.Var(newList(&o.engines), "engine", "engines to run, comma-separated or repeated, or all (every available engine but null)")
	fs.StringVar(&o.workload, "workload", o.workload, "access pattern: "+strings.Join(workloads.Names(), ", "))
	fs.Var(sizeValue{&o.bs, 512}, "bs", "bytes per request (multiple of 512; e.g. 4k, 64KiB, 1M)")
	fs.Var(intValue{&o.iodepth, 1}, "iodepth", "requests each job keeps in flight; with --rate, the most it may (default there: 20 ms of the highest rate's arrivals, 32 to 1024)")
	fs.Var(intValue{&o.jobs, 1}, "jobs", "jobs, each on its own OS thread, sharing the data file")
	fs.Var(sizeValue{&o.size, 1}, "size", "bytes of the data file (e.g. 256M, 1G)")
	fs.Var(durationValue{v: &o.runtime}, "runtime", "measured time per run (e.g. 500ms, 10s, 2m)")
	fs.Var(intValue{&o.ops, 1}, "ops", "requests per run over all jobs; with --runtime, whichever ends first")
	fs.Var(durationValue{v: &o.warmup, zeroOK: true, explicit: &o.warmupSet}, "warmup", "unmeasured time before each run (default: a tenth of --runtime, at most 1s; 0 with --ops alone)")
	fs.Var(rateList{&o.rates}, "rate", "the open loop: reads per second for the whole run, shared out among the jobs (k, M: 40k); a list runs one configuration per rate (10k,20k,40k)")
	fs.Var(enumValue{&o.arrival, harness.ArrivalModes}, "arrival", "with --rate: how the requests arrive: poisson (exponential gaps) or uniform (equal gaps)")
	fs.Var(durationValue{v: &o.latTarget}, "lat-target", "with --rate or --suite knee: the p99 latency from the intended time a rate must stay under to count as sustained (the knee) (default 1ms)")
	fs.Var(enumValue{&o.cache, harness.CacheModes}, "cache", "page-cache state: warm (read in first), cold (evicted first and on every pass), direct (O_DIRECT)")
	fs.Var(orderValue{&o.random}, "random", "randread's order, a spec: perm (the default), uniform, ... (aiobench workloads lists them all)")
	fs.Var(enumValue{&o.fadvise, []string{"auto", "none"}}, "fadvise", "auto: the workload's posix_fadvise hint (RANDOM or SEQUENTIAL) for every engine; none: no hint")
	fs.Var(enumValue{&o.verify, []string{"cheap", "full"}}, "verify", "cheap: a few words of every read; full: every byte")
	fs.Var(intValue{&o.rounds, 1}, "rounds", "repeat the whole set; engines alternate order each round")
	fs.Uint64Var(&o.seed, "seed", o.seed, "seed of the offsets; each job derives its own from it")
	fs.Var(intValue{&o.nrfiles, 1}, "nrfiles", "share the requests out over this many data files, each of --size bytes (fio's nrfiles), as --file-service says")
	fs.Var(enumValue{&o.fileServ, workloads.FileServices}, "file-service", "with several files, how the requests go to them (fio's file_service_type): random (the pattern over them end to end, so a random order picks a file at random) or roundrobin (each file in turn, in its own order)")
	fs.StringVar(&o.file, "file", "", "read this existing file or block device, or a comma-separated list of them on one device, instead of aiobench's data file: opened read-only and never written, its reads not verified (a mounted device only with --cache direct)")
	fs.StringVar(&o.dir, "dir", "", "directory for the data file on the disk under test (default $XDG_CACHE_HOME/aiobench or ~/.cache/aiobench)")
	fs.StringVar(&o.output, "output", "", "write results as CSV to this file (replaced only if it is an aiobench results file)")
	bindEngineOptions(fs, o)
	fs.StringVar(&o.trace, "trace", "", "write every read attempt of engines that trace (retry) to this CSV file")
	fs.StringVar(&o.suite, "suite", "", "run a named suite: "+strings.Join(suites.Names(), ", ")+" (aiobench suites lists them); flags given override its defaults")
	fs.Var(percentValue{&o.maxSyncRegression}, "max-sync-regression", "with --suite syncfirst (or mixed, with --rounds 6 or more): exit 1 when an engine's sync-path regression is a REGRESSION beyond this (e.g. 5%)")
	fs.Var(newList(&o.gateEngines), "gate-engines", "with --max-sync-regression: the engines whose sync-path REGRESSION fails the run, or all (default: those that serve a cached read inline, retry; the others are reported)")
	fs.Var(percentValue{&o.resident}, "resident", "with --cache cold or --suite large: make this share of the file resident again, in scattered ranges (e.g. 50%)")
	fs.Var(sizeValue{&o.cacheLimit, 1}, "cache-limit", "run in a memory cgroup of this size (the whole process), so that the kernel's reclaim sets how much of the file stays cached (e.g. 256M; root or a delegated cgroup)")
	fs.Var(enumValue{&o.interleave, suites.InterleaveModes}, "interleave", "with --suite syncfirst: how an engine's cached read is compared with sync's: duel (one thread alternating blocks of the two) or rounds (whole runs in ABBA order)")
	fs.Var(durationValue{v: &o.duelBlock}, "duel-block", "work per block of a duel (e.g. 1ms, 200us)")
	fs.StringVar(&o.pairs, "pairs", "", "write every pair of blocks of the suite's duels to this CSV file, for audit")
	fs.Var(enumValue{&o.format, []string{"table", "benchfmt", "markdown", "json"}}, "format", "results on stdout: table, benchfmt (Go benchmark format, for benchstat), markdown (the summary, for a pull request) or json (every row, typed, and the suite's findings, as one document)")
	fs.BoolVarP(&o.roundsTab, "rounds-table", "v", false, "also print every round's row (the CSV always has them) after the summary")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing on stderr but errors: no progress, per-run lines or warnings (stdout still has the results)")
	fs.StringVar(&o.hist, "hist", "", "also write every run's full latency histogram (bucket bounds and counts) as CSV to this file, for aiobench report's CDFs")
	fs.StringVar(&o.log, "log", "", "also write every run's time series as CSV to this file: per interval of its measured phase, ops, IOPS, MiB/s, lat p50/p99/max, residency and device reads (open loop: p50/p99 from the intended time too)")
	fs.Var(durationValue{v: &o.logEvery}, "log-interval", "with --log: the interval's length, in measured time")
	fs.StringVar(&o.report, "report", "", "at the end, write charts and a self-contained index.html to this directory (as aiobench report)")
	fs.Lookup("warmup").DefValue = ""
	fs.Lookup("max-sync-regression").DefValue = ""
	fs.Lookup("resident").DefValue = ""
	fs.Lookup("arrival").DefValue = ""
	fs.Lookup("lat-target").DefValue = ""
	return fs
}

func printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: aiobench [flags]\n       aiobench engines | workloads | suites | version\n       aiobench help [SUBCOMMAND]\n       aiobench gate --baseline A.csv --candidate B.csv [flags]\n       aiobench compare A.csv B.csv... [flags]\n       aiobench ab --baseline-bin A --candidate-bin B [run flags] [flags]\n       aiobench calibrate [run flags] [flags]\n       aiobench history add|show|check [flags]\n       aiobench report FILE... --out DIR [flags]\n\n"+
		"aiobench compares synchronous and asynchronous read engines on real files.\n"+
		"With no flags that shape a run it runs the short default suite.\n\nFlags:\n%s\n%s",
		usages(fs, w), examples)
}
