package results

import (
	"sync"

	"github.com/aiobench/aiobench/engines"
)

// The schema is an open set: the harness's own columns (schema.go), every registered engine's
// counters and options (from their declarations, with no step anyone must remember), and the
// columns files declared that this build did not know (Declare). Columns returns them in the
// order files are written in: firstOrder's names where they exist, then the rest as declared.

// firstOrder is the header files had before the engines declared their own columns: its
// columns keep their places, so that the header of every release starts the same.
var firstOrder = []string{
	"engine", "workload", "bs", "iodepth", "jobs", "cache", "round", "ops", "bytes", "errors", "elapsed_s", "iops",
	"mib_s", "lat_mean_us", "lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_p999_us", "lat_max_us", "slat_p50_us",
	"clat_p50_us", "cpu_user_s", "cpu_sys_s", "cpu_us_per_op", "ctxsw", "resident_start_pct", "resident_end_pct",
	"verify_errors", "complete", "kernel", "fs_type", "device", "cpu_model", "ncpu", "go_version", "aiobench_version",
	"started_utc", "seed", "size", "verify", "fadvise", "lat_min_us", "slat_p99_us", "clat_p99_us", "cache_drops",
	"first_error", "attempts_per_op", "attempts_max", "eagain", "short_reads", "kicks", "stale_kicks",
	"kicked_while_running", "fallbacks", "waiters_peak", "wait_to_retry_p50_us", "wait_to_retry_p99_us",
	"queue_wait_p50_us", "queue_wait_p99_us", "handoff_p50_us", "handoff_p99_us", "queue_peak", "gomaxprocs",
	"resident_target_pct", "background", "background_iops", "threads", "waiters", "notifier", "waiter_spin_us",
	"readaheads", "random", "warmup_ops", "dev_name", "dev_reads", "dev_read_bytes", "dev_reads_per_op",
	"dev_util_pct", "dev_aqu", "duel_blocks", "null_delay_ns", "duel", "libaio_submits_per_op",
	"libaio_getevents_per_op", "libaio_resubmits", "uring_enters_per_op", "uring_waits_per_op", "uring_inline_pct",
	"uring_resubmits", "uring_buf_regs", "uring_unfixed", "uring_async", "uring_fixed_files", "uring_fixed_buffers",
	"uring_sqpoll_idle_ms", "uring_entries",
}

var reg struct {
	sync.Mutex
	engines  int      // the engine registry's generation when cols was made
	declared []Column // columns files declared that nothing else does
	cols     []Column
	config   []*Column
	byName   map[string]*Column
}

// Columns returns every column in the order files are written in. The slice is shared: do not
// modify it.
func Columns() []Column {
	reg.Lock()
	defer reg.Unlock()
	return columnsLocked()
}

func columnsLocked() []Column {
	if n := engines.Generation(); reg.cols == nil || n != reg.engines {
		reg.engines = n
		rebuildLocked()
	}
	return reg.cols
}

// rebuildLocked makes the schema anew from its three sources.
func rebuildLocked() {
	all := append(append(append([]Column(nil), static...), engineColumns()...), reg.declared...)
	by := map[string]int{}
	var uniq []Column
	for _, c := range all {
		if _, dup := by[c.Name]; !dup {
			by[c.Name] = len(uniq)
			uniq = append(uniq, c)
		}
	}
	cols := make([]Column, 0, len(uniq))
	placed := map[string]bool{}
	for _, n := range firstOrder {
		if i, ok := by[n]; ok {
			cols, placed[n] = append(cols, uniq[i]), true
		}
	}
	for _, c := range uniq {
		if !placed[c.Name] {
			cols = append(cols, c)
		}
	}
	reg.cols, reg.config, reg.byName = cols, nil, make(map[string]*Column, len(cols))
	for i := range cols {
		reg.byName[cols[i].Name] = &cols[i]
		if cols[i].Config {
			reg.config = append(reg.config, &cols[i])
		}
	}
}

// engineColumns are the columns of the registered engines' counters and options, as each
// engine declares them.
func engineColumns() []Column {
	var cs []Column
	for _, name := range engines.Names() {
		e, _ := engines.Lookup(name)
		if c, ok := e.(engines.Counted); ok {
			for _, k := range c.Counters() {
				col := valueCol(k.Name, k.Unit, k.Doc)
				col.Better, col.Engine, col.Owner = Better(k.Better), true, name
				cs = append(cs, col)
			}
		}
		if o, ok := e.(engines.Optioned); ok {
			for _, opt := range o.Options() {
				dflt := opt.Record("")
				col := settingCol(opt.Column, opt.ColumnUnit, opt.ColumnDoc, dflt, dflt == "0")
				col.Owner = name
				cs = append(cs, col)
			}
		}
	}
	return cs
}

// ColumnByName returns the column of that name.
func ColumnByName(name string) (*Column, bool) {
	reg.Lock()
	defer reg.Unlock()
	columnsLocked()
	c, ok := reg.byName[name]
	return c, ok
}

// ConfigColumns returns the columns that set up a run, in the order files are written in.
func ConfigColumns() []*Column {
	reg.Lock()
	defer reg.Unlock()
	columnsLocked()
	return reg.config
}

// Header returns the column names in the order files are written in.
func Header() []string {
	cols := Columns()
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.Name
	}
	return h
}

// declare adds a column a file declared that no other source has; it reports false when one
// of that name exists already with another meaning.
func declare(m Meaning) bool {
	reg.Lock()
	defer reg.Unlock()
	columnsLocked()
	if c, ok := reg.byName[m.Name]; ok {
		return c.Better == m.Better && c.Config == m.Config
	}
	reg.declared = append(reg.declared, extraCol(m.Name, m))
	rebuildLocked()
	return true
}

// firstSchema reports whether the column is one of the first header's, whose meaning every
// release knows; the others' meanings are written into the files (csv.go).
func firstSchema(name string) bool {
	for _, n := range firstOrder {
		if n == name {
			return true
		}
	}
	return false
}
