// Package results is aiobench's data model on disk: the Row that one measured run produces, the
// CSV schema it is written in (a contract: columns are added, never renamed), and the reader and
// writer for those files. The harness produces Rows, the command prints and writes them, and
// comparisons read them back.
//
// A file starts with `#` comment lines (the command line and the machine fingerprint), then a
// header line, then one row per measured run. Readers find columns by name and ignore columns
// they do not know, so files written by newer versions stay readable.
package results

import (
	"fmt"
	"strings"

	"github.com/aiobench/aiobench/internal/sysinfo"
)

// A Row is one measured run of one engine in one round. Latencies are in microseconds, CPU
// times in seconds, sizes in bytes; the schema in schema.go documents every field. Build makes
// a row from what the harness measured; the CSV reader fills one from a file.
type Row struct {
	Engine   string
	Workload string
	BS       int
	IODepth  int
	Jobs     int
	Cache    string
	Round    int

	Ops     int64
	Bytes   int64
	Errors  int64
	Elapsed float64 // seconds
	IOPS    float64
	MiBs    float64

	LatMean, LatP50, LatP90, LatP99, LatP999, LatMax float64
	SlatP50, ClatP50                                 float64

	CPUUser, CPUSys, CPUPerOp float64
	CtxSw                     int64

	ResidentStart, ResidentEnd float64
	VerifyErrors               int64
	Complete                   bool

	Machine
	StartedUTC string
	Seed       uint64

	// Columns added after the first schema.
	Size       int64
	Verify     string
	Fadvise    string
	LatMin     float64
	SlatP99    float64
	ClatP99    float64
	CacheDrops int64
	FirstError string

	// Values are the figures kept by column name rather than in a field of their own: the
	// engine's counters (an engine declares them) and measured figures declared without a
	// field; absent for a row that has none (written as 0).
	Values map[string]float64

	GOMAXPROCS int

	ResidentTarget float64 // percent asked for by a partly cached run
	CacheLimit     int64   // bytes: the memory cgroup the run read in (--cache-limit), 0: none
	NrFiles        int     // data files the requests were shared out over (--nrfiles)
	FileService    string  // how the requests went to several files (--file-service)
	Background     string  // engine of the background load, empty when none
	BackgroundIOPS float64

	// Settings are the engines' options asked for (engines.Option), by column name; an absent
	// one reads as its column's default (0 or empty: the engine's default).
	Settings map[string]string

	Random    string // randread's order (perm or uniform), empty for other workloads
	WarmupOps int64  // requests completed with verified data in the warm-up

	// The block device's own counters over the measured phase (/sys/block/<dev>/stat); empty
	// in the CSV when DevKnown is false (no block device under the data file).
	DevKnown      bool
	DevName       string
	DevReads      int64
	DevReadBytes  int64
	DevReadsPerOp float64
	DevUtil       float64 // percent
	DevAqu        float64

	// DuelBlocks is the number of blocks this arm ran in the measured phase of a duel (two
	// arms interleaved in short blocks on one thread), 0 for an ordinary run.
	DuelBlocks int64
	// Duel names the duel this row is an arm of ("retry-vs-sync", "ab"), empty for an ordinary
	// run: a duel's rows are measured from blocks and never pooled with runs' rows.
	Duel string
	// Warnings are what the run's figures must be read with, "; "-separated.
	Warnings string
	// Rate and Arrival set up an open-loop run (reads per second asked, the arrival process).
	Rate    float64
	Arrival string
	// ClassMode is how requests were classified hit or miss: resident (known in advance),
	// sampled (mincore on a sample), empty (not classified).
	ClassMode string
	// What was read (TargetInfo).
	Target, FS, MountOpts, Scheduler string
	// LatTarget (µs) is the latency from the intended time an open-loop row's knee is judged
	// against (Knees); 0 for the closed loop.
	LatTarget float64

	// Extra holds the values of columns this build does not know, by name, as they were read,
	// so that a file read and written back keeps every column it had.
	Extra map[string]string
	// Unmeasured names the figures nobody measured for this row (a duel arm's residency, the
	// latency of a run that completed nothing): written empty, never as 0.
	Unmeasured map[string]bool
}

// unmeasured marks the named figure as not measured.
func (r *Row) unmeasured(name string) {
	if r.Unmeasured == nil {
		r.Unmeasured = map[string]bool{}
	}
	r.Unmeasured[name] = true
}

// setValue keeps v under name in r.Values.
func (r *Row) setValue(name string, v float64) {
	if r.Values == nil {
		r.Values = map[string]float64{}
	}
	r.Values[name] = v
}

// Machine is the fingerprint of where a run happened (internal/sysinfo reads it); two files
// from different machines are not comparable without a warning.
type Machine = sysinfo.Fingerprint

// HostOf names the machine a row ran on by its fingerprint's hardware: CPU model, CPUs, the
// data directory's file system and device. Kernel, Go and aiobench versions are left out: they
// change along a history, and a change they make is a change of the host's figures, not
// another host. Reports and histories keep hosts apart by it.
func HostOf(m Machine) string {
	return fmt.Sprintf("%s/%dcpu/%s/%s", m.CPUModel, m.NCPU, m.FSType, strings.TrimPrefix(m.Device, "/dev/"))
}

// Key is the configuration that identifies comparable rows across files and rounds: the values
// of every column that sets up a run (declared config), by name. Files that lack a column (older
// versions) read it as zero or empty on both sides.
type Key string

// Key returns the row's configuration.
func (r *Row) Key() Key {
	var b []byte
	for i, c := range ConfigColumns() {
		if i > 0 {
			b = append(b, keySep)
		}
		b = append(b, c.Name...)
		b = append(b, '=')
		b = append(b, c.Get(r)...)
	}
	return Key(b)
}

// ConfigKey is what rows of one configuration share whatever the engine: the Key without the
// engine and the engines' own settings. The summary compares engines within it.
func ConfigKey(r *Row) string {
	var b []byte
	for _, c := range ConfigColumns() {
		if c.Engine || c.Name == "engine" {
			continue
		}
		b = append(b, c.Name...)
		b = append(b, '=')
		b = append(b, c.Get(r)...)
		b = append(b, keySep)
	}
	return string(b)
}

// keySep separates a Key's name=value pairs: a control character no value holds.
const keySep = '\x1f'

// Value returns the value of the named column in k, or "".
func (k Key) Value(name string) string {
	for _, kv := range strings.Split(string(k), string(keySep)) {
		if n, v, _ := strings.Cut(kv, "="); n == name {
			return v
		}
	}
	return ""
}
