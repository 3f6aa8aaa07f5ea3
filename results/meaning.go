package results

import (
	"fmt"
	"sync"
)

// Better says which way a metric column is better; columns that are not metrics (settings,
// descriptions, counts that only explain a run) have BetterNone and cannot be compared.
type Better string

const (
	BetterNone   Better = ""
	BetterHigher Better = "higher"
	BetterLower  Better = "lower"
)

// The meaning of the columns beyond their unit: which are metrics and which way they are
// better, which set up a run (rows are comparable only when all of these agree), and which may
// be negative. Every numeric column is named in exactly one of metricsHigher, metricsLower and
// notMetrics (a test keeps it so), so a new column must say what it is.
var (
	metricsHigher = []string{"ops", "bytes", "iops", "mib_s", "background_iops"}
	metricsLower  = []string{
		"errors", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us", "lat_max_us",
		"slat_p50_us", "clat_p50_us", "cpu_user_s", "cpu_sys_s", "cpu_us_per_op", "ctxsw", "verify_errors",
		"lat_min_us", "slat_p99_us", "clat_p99_us", "attempts_per_op", "attempts_max", "eagain",
		"short_reads", "kicks", "stale_kicks", "kicked_while_running", "fallbacks",
		"wait_to_retry_p50_us", "wait_to_retry_p99_us", "queue_wait_p50_us", "queue_wait_p99_us",
		"handoff_p50_us", "handoff_p99_us", "readaheads",
	}
	notMetrics = []string{
		"bs", "iodepth", "jobs", "round", "elapsed_s", "resident_start_pct", "resident_end_pct", "ncpu",
		"seed", "size", "cache_drops", "waiters_peak", "queue_peak", "gomaxprocs", "resident_target_pct",
		"threads", "waiters", "waiter_spin_us", "warmup_ops", "dev_reads", "dev_read_bytes",
		"dev_reads_per_op", "dev_util_pct", "dev_aqu", "duel_blocks", "null_delay_ns",
	}
	// configColumns set up a run: two rows are the same configuration when all agree.
	configColumns = []string{
		"engine", "workload", "bs", "iodepth", "jobs", "cache", "size", "verify", "fadvise",
		"resident_target_pct", "background", "threads", "waiters", "notifier", "waiter_spin_us", "random", "null_delay_ns", "duel",
	}
	signedColumns = []string{"waiter_spin_us"} // -1: off
)

func init() {
	set := func(names []string, f func(c *Column)) {
		for _, n := range names {
			c, ok := ColumnByName(n)
			if !ok {
				panic(fmt.Sprintf("results: meaning given for unknown column %q", n))
			}
			f(c)
		}
	}
	set(metricsHigher, func(c *Column) { c.Better = BetterHigher })
	set(metricsLower, func(c *Column) { c.Better = BetterLower })
	set(configColumns, func(c *Column) { c.Config = true })
	set(signedColumns, func(c *Column) { c.Signed = true })
}

// IsMetric reports whether the column can be compared between runs.
func (c *Column) IsMetric() bool { return c.Better != BetterNone }

// ConfigColumns returns the columns that set up a run, in schema order.
func ConfigColumns() []*Column { return configCols() }

var configCols = sync.OnceValue(findConfig)

func findConfig() []*Column {
	var cs []*Column
	for i := range Schema {
		if Schema[i].Config {
			cs = append(cs, &Schema[i])
		}
	}
	return cs
}

// RegisterSetting makes an engine's option a configuration column recording the value asked
// for, at the end of the schema, unless a column of that name exists; dflt is what a row without
// it reads as. Like RegisterCounter, the command calls it once before any file is read or written.
func RegisterSetting(name, unit, doc, dflt string) {
	if _, ok := ColumnByName(name); ok {
		return
	}
	c := settingCol(name, unit, doc, dflt, false)
	c.Config = true
	Schema = append(Schema, c)
	configCols = sync.OnceValue(func() []*Column { return findConfig() })
}

// RegisterCounter makes an engine's counter a column: at the end of the schema, unless a column
// of that name exists (the counters the schema has had from the start keep their places). The
// command registers every linked engine's counters once, before it reads or writes any file;
// it is not safe to call while files are read or written.
func RegisterCounter(name, unit, doc string, better Better) {
	if _, ok := ColumnByName(name); ok {
		return
	}
	c := counterCol(name, unit, doc)
	c.Better = better
	Schema = append(Schema, c)
}
