package results

import (
	"fmt"
	"math"
	"strconv"
)

// A Column is one CSV column of the schema: its name (a contract), its unit and what it means,
// and how a Row's field is formatted and parsed.
type Column struct {
	Name string
	Unit string
	Doc  string
	// Better says which way the column is better if it is a metric (meaning.go).
	Better Better
	// Config is true for a column that sets up a run: rows compare only when all agree.
	Config bool
	// Signed is true for a numeric column that may hold a negative value.
	Signed  bool
	numeric bool
	get     func(*Row) string
	set     func(*Row, string) error
}

type value interface {
	~int | ~int64 | ~uint64 | ~float64 | ~string | ~bool
}

func col[T value](name, unit, doc string, field func(*Row) *T) Column {
	var zero T
	_, isString := any(zero).(string)
	_, isBool := any(zero).(bool)
	return Column{
		Name: name, Unit: unit, Doc: doc, numeric: !isString && !isBool,
		get: func(r *Row) string { return format(*field(r)) },
		set: func(r *Row, s string) error { return parse(s, field(r)) },
	}
}

func format(v any) string {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	panic(fmt.Sprintf("results: no format for %T", v))
}

func parse(s string, p any) error {
	var err error
	switch p := p.(type) {
	case *int:
		*p, err = strconv.Atoi(s)
	case *int64:
		*p, err = strconv.ParseInt(s, 10, 64)
	case *uint64:
		*p, err = strconv.ParseUint(s, 10, 64)
	case *float64:
		*p, err = strconv.ParseFloat(s, 64)
		if err == nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
			return fmt.Errorf("%q: not a finite number", s)
		}
	case *bool:
		*p, err = strconv.ParseBool(s)
	case *string:
		*p = s
	default:
		panic(fmt.Sprintf("results: no parse for %T", p))
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok {
			err = ne.Err
		}
		return fmt.Errorf("%q: %w", s, err)
	}
	return nil
}

// settingCol is a column recording an engine option asked for, kept by name in Row.Settings;
// dflt is what an absent one reads as.
func settingCol(name, unit, doc, dflt string, numeric bool) Column {
	return Column{
		Name: name, Unit: unit, Doc: doc, numeric: numeric,
		get: func(r *Row) string {
			if v, ok := r.Settings[name]; ok {
				return v
			}
			return dflt
		},
		set: func(r *Row, s string) error {
			if numeric {
				var f float64
				if err := parse(s, &f); err != nil {
					return err
				}
			}
			if s == dflt || s == "" {
				return nil
			}
			if r.Settings == nil {
				r.Settings = map[string]string{}
			}
			r.Settings[name] = s
			return nil
		},
	}
}

// counterCol is a column of an engine's counter, kept by name in Row.Counters (0 when absent).
func counterCol(name, unit, doc string) Column {
	return Column{
		Name: name, Unit: unit, Doc: doc, numeric: true,
		get: func(r *Row) string { return strconv.FormatFloat(r.Counters[name], 'f', -1, 64) },
		set: func(r *Row, s string) error {
			var v float64
			if err := parse(s, &v); err != nil {
				return err
			}
			if v == 0 {
				return nil // absent reads as 0: no map for rows without counters
			}
			if r.Counters == nil {
				r.Counters = map[string]float64{}
			}
			r.Counters[name] = v
			return nil
		},
	}
}

// devCol is a column of the device's counters: empty when the row has none (DevKnown false).
func devCol[T value](name, unit, doc string, field func(*Row) *T) Column {
	c := col(name, unit, doc, field)
	get, set := c.get, c.set
	c.get = func(r *Row) string {
		if !r.DevKnown {
			return ""
		}
		return get(r)
	}
	c.set = func(r *Row, s string) error {
		if s == "" {
			return nil
		}
		r.DevKnown = true
		return set(r, s)
	}
	return c
}

// Numeric reports whether the column holds a number.
func (c *Column) Numeric() bool { return c.numeric }

// Get formats the column's value in r.
func (c *Column) Get(r *Row) string { return c.get(r) }

// Set parses s into the column's field of r.
func (c *Column) Set(r *Row, s string) error { return c.set(r, s) }

// Schema lists the CSV columns in the order they are written. Names are a contract with users'
// scripts: add columns at the end, never rename or remove one.
var Schema = []Column{
	col("engine", "", "engine name", func(r *Row) *string { return &r.Engine }),
	col("workload", "", "access pattern", func(r *Row) *string { return &r.Workload }),
	col("bs", "bytes", "bytes per request", func(r *Row) *int { return &r.BS }),
	col("iodepth", "", "requests kept in flight per job", func(r *Row) *int { return &r.IODepth }),
	col("jobs", "", "concurrent jobs, one OS thread each", func(r *Row) *int { return &r.Jobs }),
	col("cache", "", "cache state asked for: warm, cold or direct", func(r *Row) *string { return &r.Cache }),
	col("round", "", "round number, from 1", func(r *Row) *int { return &r.Round }),
	col("ops", "", "requests completed with verified data in the measured phase", func(r *Row) *int64 { return &r.Ops }),
	col("bytes", "bytes", "bytes read by those requests", func(r *Row) *int64 { return &r.Bytes }),
	col("errors", "", "requests that failed or came back short, over the whole run (warm-up included)", func(r *Row) *int64 { return &r.Errors }),
	col("elapsed_s", "s", "length of the measured phase, pauses to evict the file at a new pass left out", func(r *Row) *float64 { return &r.Elapsed }),
	col("iops", "1/s", "ops / elapsed_s", func(r *Row) *float64 { return &r.IOPS }),
	col("mib_s", "MiB/s", "bytes / elapsed_s / 2^20", func(r *Row) *float64 { return &r.MiBs }),
	col("lat_mean_us", "µs", "mean latency, request start to completion seen by the job (lat)", func(r *Row) *float64 { return &r.LatMean }),
	col("lat_p50_us", "µs", "lat median", func(r *Row) *float64 { return &r.LatP50 }),
	col("lat_p90_us", "µs", "lat 90th percentile", func(r *Row) *float64 { return &r.LatP90 }),
	col("lat_p99_us", "µs", "lat 99th percentile", func(r *Row) *float64 { return &r.LatP99 }),
	col("lat_p999_us", "µs", "lat 99.9th percentile", func(r *Row) *float64 { return &r.LatP999 }),
	col("lat_max_us", "µs", "lat maximum", func(r *Row) *float64 { return &r.LatMax }),
	col("slat_p50_us", "µs", "submission latency median: request start to Submit's return", func(r *Row) *float64 { return &r.SlatP50 }),
	col("clat_p50_us", "µs", "completion latency median: Submit's return to completion", func(r *Row) *float64 { return &r.ClatP50 }),
	col("cpu_user_s", "s", "user CPU of the whole process in the measured phase (pauses at a new pass left out)", func(r *Row) *float64 { return &r.CPUUser }),
	col("cpu_sys_s", "s", "system CPU of the whole process in the measured phase (pauses at a new pass left out)", func(r *Row) *float64 { return &r.CPUSys }),
	col("cpu_us_per_op", "µs", "(cpu_user_s + cpu_sys_s) / ops", func(r *Row) *float64 { return &r.CPUPerOp }),
	col("ctxsw", "", "voluntary + involuntary context switches of the process in the measured phase", func(r *Row) *int64 { return &r.CtxSw }),
	col("resident_start_pct", "%", "share of the file in the page cache when the measured phase starts, after the warm-up and the cache preparation (mincore)", func(r *Row) *float64 { return &r.ResidentStart }),
	col("resident_end_pct", "%", "share of the file in the page cache after the run", func(r *Row) *float64 { return &r.ResidentEnd }),
	col("verify_errors", "", "requests whose data did not match the layout, over the whole run", func(r *Row) *int64 { return &r.VerifyErrors }),
	col("complete", "", "true when the run reached its --runtime or --ops bound; false when it was interrupted or the engine failed", func(r *Row) *bool { return &r.Complete }),
	col("kernel", "", "uname release", func(r *Row) *string { return &r.Kernel }),
	col("fs_type", "", "file system of --dir", func(r *Row) *string { return &r.FSType }),
	col("device", "", "block device (mount source) of --dir", func(r *Row) *string { return &r.Device }),
	col("cpu_model", "", "CPU model name", func(r *Row) *string { return &r.CPUModel }),
	col("ncpu", "", "CPUs usable by the process", func(r *Row) *int { return &r.NCPU }),
	col("go_version", "", "Go toolchain aiobench was built with", func(r *Row) *string { return &r.GoVersion }),
	col("aiobench_version", "", "aiobench's version (module version or VCS revision)", func(r *Row) *string { return &r.Version }),
	col("started_utc", "RFC 3339", "when the run started", func(r *Row) *string { return &r.StartedUTC }),
	col("seed", "", "the run's seed", func(r *Row) *uint64 { return &r.Seed }),

	col("size", "bytes", "bytes of the data file in use", func(r *Row) *int64 { return &r.Size }),
	col("verify", "", "verification mode: cheap, full, or none for an engine that moves no data", func(r *Row) *string { return &r.Verify }),
	col("fadvise", "", "posix_fadvise hint given to every job's file: random, sequential or none", func(r *Row) *string { return &r.Fadvise }),
	col("lat_min_us", "µs", "lat minimum", func(r *Row) *float64 { return &r.LatMin }),
	col("slat_p99_us", "µs", "slat 99th percentile", func(r *Row) *float64 { return &r.SlatP99 }),
	col("clat_p99_us", "µs", "clat 99th percentile", func(r *Row) *float64 { return &r.ClatP99 }),
	col("cache_drops", "", "times the file was evicted in the measured phase: a cold run starting a new pass over the whole file (a partly cached one made partly resident again); the pauses are left out of elapsed_s, CPU and dev_ columns", func(r *Row) *int64 { return &r.CacheDrops }),
	col("first_error", "", "the first error of the run, empty when there was none", func(r *Row) *string { return &r.FirstError }),

	// Engine counters, over the measured phase; 0 for engines that do not keep them.
	counterCol("attempts_per_op", "", "mean read attempts per completed request (1.0 when every read took the fast path)"),
	counterCol("attempts_max", "", "most attempts one request needed"),
	counterCol("eagain", "", "attempts refused with EAGAIN: nothing cached at the offset"),
	counterCol("short_reads", "", "attempts that read only a cached prefix"),
	counterCol("kicks", "", "notifications that led to a retry"),
	counterCol("stale_kicks", "", "notifications dropped: for an earlier wait or after completion"),
	counterCol("kicked_while_running", "", "notifications that arrived while a retry of the request ran (each forced another attempt)"),
	counterCol("fallbacks", "", "requests read blocking because RWF_NOWAIT was unsupported"),
	counterCol("waiters_peak", "", "most waiter threads waiting at once"),
	counterCol("wait_to_retry_p50_us", "µs", "median time from a notification to the retry it caused"),
	counterCol("wait_to_retry_p99_us", "µs", "99th percentile of the same"),
	counterCol("queue_wait_p50_us", "µs", "median time from Submit until a worker thread takes the request (threadpool)"),
	counterCol("queue_wait_p99_us", "µs", "99th percentile of the same"),
	counterCol("handoff_p50_us", "µs", "median time from a worker finishing a read until the reaper takes it (threadpool)"),
	counterCol("handoff_p99_us", "µs", "99th percentile of the same"),
	counterCol("queue_peak", "", "longest submission queue seen (threadpool)"),
	col("gomaxprocs", "", "GOMAXPROCS during the run: the CPUs, plus one per thread the engine keeps blocked in system calls", func(r *Row) *int { return &r.GOMAXPROCS }),
	col("resident_target_pct", "%", "share of the file made resident again after eviction (--resident; a partly cached cold run), 0 otherwise", func(r *Row) *float64 { return &r.ResidentTarget }),
	col("background", "", "engine of the background cold-read load during the run (syncfirst interference), empty when none", func(r *Row) *string { return &r.Background }),
	col("background_iops", "1/s", "IOPS of that background load", func(r *Row) *float64 { return &r.BackgroundIOPS }),
	settingCol("threads", "", "--threads asked for (threadpool), 0 for the engine's default", "0", true),
	settingCol("waiters", "", "--waiters asked for (retry), 0 for the engine's default", "0", true),
	settingCol("notifier", "", "--notifier asked for (retry: waiters, reaper or uring), empty for the engine's default", "", false),
	settingCol("waiter_spin_us", "µs", "--waiter-spin asked for (retry: how long an idle waiter polls before it sleeps), 0 for the engine's default, -1 for off", "0", true),
	counterCol("readaheads", "", "readahead(2) calls the engine made to start I/O (retry: none for a page its NOWAIT attempt already started)"),
	col("random", "", "randread's order: perm (every block once per pass) or uniform (with replacement); empty for other workloads", func(r *Row) *string { return &r.Random }),
	col("warmup_ops", "", "requests completed with verified data in the warm-up (not timed)", func(r *Row) *int64 { return &r.WarmupOps }),
	devCol("dev_name", "", "block device whose counters the dev_ columns report (a partition's disk); empty when the data file has none (tmpfs, overlay)", func(r *Row) *string { return &r.DevName }),
	devCol("dev_reads", "", "read I/Os the device completed in the measured phase (/sys/block/<dev>/stat)", func(r *Row) *int64 { return &r.DevReads }),
	devCol("dev_read_bytes", "bytes", "bytes the device read in the measured phase", func(r *Row) *int64 { return &r.DevReadBytes }),
	devCol("dev_reads_per_op", "", "dev_reads / ops: about 1 for cold 4 KiB random reads, 0 for warm ones", func(r *Row) *float64 { return &r.DevReadsPerOp }),
	devCol("dev_util_pct", "%", "share of the measured phase the device had I/O in flight (io_ticks, as iostat's %util)", func(r *Row) *float64 { return &r.DevUtil }),
	devCol("dev_aqu", "", "average number of I/Os in the device's queue over the measured phase (time_in_queue, as iostat's aqu-sz)", func(r *Row) *float64 { return &r.DevAqu }),
	col("duel_blocks", "", "blocks of requests this arm ran in the measured phase of a duel (two arms alternating in short blocks on one thread; IOPS, lat mean and CPU from the blocks), 0 for an ordinary run", func(r *Row) *int64 { return &r.DuelBlocks }),
	settingCol("null_delay_ns", "ns", "--null-delay asked for: the null engine's busy-wait per request, a known injected cost (calibration); 0 otherwise", "0", true),
	col("duel", "", "the duel this row is an arm of (syncfirst's \"retry-vs-sync\", ab's \"ab\"); empty for an ordinary run. Rows of a duel never match rows of runs", func(r *Row) *string { return &r.Duel }),
}

// KeyColumns are the columns a file must have to be read: a row's configuration.
var KeyColumns = []string{"engine", "workload", "bs", "iodepth", "jobs", "cache"}

// ColumnByName returns the schema's column of that name.
func ColumnByName(name string) (*Column, bool) {
	for i := range Schema {
		if Schema[i].Name == name {
			return &Schema[i], true
		}
	}
	return nil, false
}

// Header returns the column names in schema order.
func Header() []string {
	h := make([]string, len(Schema))
	for i, c := range Schema {
		h[i] = c.Name
	}
	return h
}
