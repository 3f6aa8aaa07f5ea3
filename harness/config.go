// Package harness is aiobench's run loop: it prepares the page-cache state a run asks for,
// drives one engine Reader per job over a workload's offsets, times every request, verifies
// every read against the layout, and turns what happened into a results.Row. It owns no globals,
// so the command, the tests and `go test -bench` all run it in-process.
package harness

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/workloads"
)

// Cache states a run can ask for.
const (
	CacheWarm   = "warm"   // the file is read in first; residency checked near 100%
	CacheCold   = "cold"   // the file is evicted first (and again on every pass); residency checked near 0%
	CacheDirect = "direct" // O_DIRECT with aligned buffers: the page cache is bypassed
)

// CacheModes lists the accepted cache states.
var CacheModes = []string{CacheWarm, CacheCold, CacheDirect}

// Config describes one measured run of one engine. It is plain data: it travels whole to a
// process that serves an arm (JSON, package ab), except for the fields tagged "-", which are
// this process's own (a trace to write, a progress display, a data file already laid out).
type Config struct {
	Engine    string `json:"engine"`
	Workload  string `json:"workload"`
	BlockSize int    `json:"bs"`      // bytes per request
	IODepth   int    `json:"iodepth"` // requests in flight per job
	Jobs      int    `json:"jobs"`    // jobs, each on its own locked OS thread
	Size      int64  `json:"size"`    // bytes of the data file to use

	// A run ends when Runtime has passed or Ops requests have completed, whichever comes
	// first; at least one of them must be set. Ops counts all jobs together.
	Runtime time.Duration `json:"runtime"`
	Ops     int64         `json:"ops"`
	// Warmup runs before the measured phase; its requests are verified and their errors
	// counted, but they are not timed.
	Warmup time.Duration `json:"warmup"`
	// Rate, when above 0, runs the open loop: reads per second for the whole run, shared out
	// among the jobs, each request issued at an intended time the Arrival process (ArrivalModes;
	// "" for poisson) fixes in advance, up to IODepth in flight per job.
	Rate    float64 `json:"rate"`
	Arrival string  `json:"arrival"`
	// LatTarget is the latency from the intended time an open-loop run is judged against
	// (results.Knees: its knee); it does not change the run. 0: DefaultLatTarget.
	LatTarget time.Duration `json:"lat_target"`

	Cache     string               `json:"cache"`
	Random    string               `json:"random"` // randread's order: a --random spec (workloads.ParseOrder), "" for the default
	NoFadvise bool                 `json:"no_fadvise"`
	Verify    workloads.VerifyMode `json:"verify"`
	Seed      uint64               `json:"seed"`
	// Round and Duel label the run's row: its round (or a duel's session) and the duel it is
	// an arm of ("" for an ordinary run).
	Round int    `json:"round"`
	Duel  string `json:"duel"`

	// Options are engines' own options (engines.Option), by "engine.option" name, in canonical
	// form; a run passes its engine the ones that are its own. Trace receives every read
	// attempt of engines that trace.
	Options map[string]string `json:"options"`
	Trace   *engines.Trace    `json:"-"`
	// Live, when set, shows the run's progress to another goroutine (a progress display).
	Live *Live `json:"-"`
	// Log, when set, receives the run's time series: what it did in each LogInterval of its
	// measured phase (DefaultLogInterval when 0).
	Log         *TimeLog      `json:"-"`
	LogInterval time.Duration `json:"log_interval"`

	// Resident, for a cold run, is the share of the file (0 to 1) made resident again after
	// the eviction, in scattered ranges (a different part of every MiB): a partly cached file.
	// At each new pass over the file it is evicted and the same share made resident again.
	Resident float64 `json:"resident"`

	// CacheLimit, when above 0, runs the run in a memory cgroup of that many bytes (the whole
	// process: its own memory, a few MiB, and the page cache it reads in), so that the
	// kernel's reclaim sets how much of the file stays cached (internal/memcg).
	CacheLimit int64 `json:"cache_limit"`

	// Foreign says the data is not aiobench's (--file: an existing file or a block device,
	// workloads.Dataset.Foreign): never written (no fdatasync before an eviction either), its
	// reads not verified. A run refuses a dataset that disagrees.
	Foreign bool `json:"foreign"`

	// NrFiles, above 1, shares the requests out over that many data files (the dataset's
	// More), each of Size bytes, as fio's nrfiles does: the pattern runs over all their blocks
	// end to end, so a random order picks a file at random (fio's file_service_type=random)
	// and each job opens every file.
	NrFiles int `json:"nrfiles"`
	// FileService, with several files, is how the requests go to them (fio's
	// file_service_type): workloads.ServiceRandom ("" too) or workloads.ServiceRoundRobin.
	FileService string `json:"file_service"`

	// Background, when set, is a second run of another engine over another data file that
	// goes on for the whole of this run (started before its warm-up, stopped after it); only
	// this run's own jobs are measured. It is the interference load of the syncfirst suite.
	Background *Background `json:"background"`
}

// Background is a load run beside a measured run.
type Background struct {
	Config  Config             `json:"config"`
	Dataset *workloads.Dataset `json:"-"`
}

// engineConfig is what the job's engine is opened with.
func (c *Config) engineConfig() engines.Config {
	return engines.Config{QueueDepth: c.IODepth, Direct: c.Cache == CacheDirect, Options: c.EngineOptions(), Trace: c.Trace}
}

// EngineOptions returns the options of c's engine, by their own names.
func (c *Config) EngineOptions() map[string]string {
	var own map[string]string
	for k, v := range c.Options {
		if name, ok := strings.CutPrefix(k, c.Engine+"."); ok {
			if own == nil {
				own = map[string]string{}
			}
			own[name] = v
		}
	}
	return own
}

// DefaultWarmup is the warm-up for a time-bounded run: a tenth of the runtime, at most 1s.
func DefaultWarmup(runtime time.Duration) time.Duration {
	return min(runtime/10, time.Second)
}

// ErrConfig is wrapped by every error Validate returns.
var ErrConfig = errors.New("invalid configuration")

// A ConfigError is a configuration Validate refuses. Field names the setting to blame by the
// name the command's flags use (bs, size, iodepth, jobs, ops, cache, random, workload), or is
// empty when the message names several; Msg says what is wrong and what is accepted. The
// command maps Field to its flag without reading the message.
type ConfigError struct {
	Field, Msg string
}

// fieldNames are the settings a ConfigError may blame.
var fieldNames = []string{"bs", "size", "iodepth", "jobs", "ops", "cache", "random", "workload", "rate", "arrival"}

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return ErrConfig.Error() + ": " + e.Msg
	}
	return ErrConfig.Error() + ": " + e.Field + " " + e.Msg
}

func (e *ConfigError) Unwrap() error { return ErrConfig }

// Validate checks c without touching any file. Its errors name the setting and what is
// accepted.
func (c *Config) Validate() error {
	wl, err := workloads.Lookup(c.Workload)
	if err != nil {
		return &ConfigError{Field: "workload", Msg: err.Error()}
	}
	return c.validate(wl)
}

// validate is Validate with the workload already looked up.
func (c *Config) validate(wl *workloads.Workload) error {
	// bad blames the setting named by the message's first word when it is a field's name.
	bad := func(format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if field, rest, ok := strings.Cut(msg, " "); ok && slices.Contains(fieldNames, field) {
			return &ConfigError{Field: field, Msg: rest}
		}
		return &ConfigError{Msg: msg}
	}
	switch {
	case c.Random != "" && !wl.Ordered:
		return bad("random %q: only randread takes an order (--random), %s reads in its own order", c.Random, c.Workload)
	}
	if c.Random != "" {
		if _, err := workloads.ParseOrder(c.Random); err != nil {
			return &ConfigError{Field: "random", Msg: err.Error()}
		}
	}
	switch {
	case c.BlockSize <= 0 || c.BlockSize%512 != 0:
		return bad("bs %d: must be a positive multiple of 512 (e.g. 4k, 64k, 1M)", c.BlockSize)
	case c.Cache == CacheDirect && c.BlockSize&(c.BlockSize-1) != 0:
		return bad("bs %d: --cache direct needs a power of two of at least 512 (e.g. 4k, 1M)", c.BlockSize)
	case c.Size <= 0:
		return bad("size %d: must be positive (e.g. 1G)", c.Size)
	case c.Size%512 != 0:
		return bad("size %d: must be a multiple of 512", c.Size)
	case int64(c.BlockSize) > c.Size:
		return bad("bs %s is larger than size %s", units.FormatSize(int64(c.BlockSize)), units.FormatSize(c.Size))
	case c.IODepth <= 0:
		return bad("iodepth %d: must be at least 1", c.IODepth)
	case c.Jobs <= 0:
		return bad("jobs %d: must be at least 1", c.Jobs)
	case c.Runtime < 0 || c.Ops < 0 || c.Warmup < 0:
		return bad("runtime, ops and warmup must not be negative")
	case c.Runtime == 0 && c.Ops == 0:
		return bad("a run needs a runtime or an ops bound")
	case c.Ops > 0 && c.Ops < int64(c.Jobs):
		return bad("ops %d is fewer than jobs %d: every job needs at least one request (raise --ops or lower --jobs)", c.Ops, c.Jobs)
	case int64(c.Jobs) > workloads.Blocks(c.Size, c.BlockSize):
		return bad("jobs %d: more than the %d blocks of bs %s in size %s; every job needs a block of its own", c.Jobs, workloads.Blocks(c.Size, c.BlockSize), units.FormatSize(int64(c.BlockSize)), units.FormatSize(c.Size))
	case int64(c.IODepth) > workloads.Blocks(c.Size, c.BlockSize):
		return bad("iodepth %d: more than the %d blocks of bs %s in size %s (lower --iodepth or raise --size)", c.IODepth, workloads.Blocks(c.Size, c.BlockSize), units.FormatSize(int64(c.BlockSize)), units.FormatSize(c.Size))
	case c.Resident < 0 || c.Resident > 1:
		return bad("resident %v: must be between 0 and 1", c.Resident)
	case c.NrFiles < 0:
		return bad("nrfiles %d: must be at least 1", c.NrFiles)
	case c.FileService != "" && !slices.Contains(workloads.FileServices, c.FileService):
		return bad("file-service %q: accepted: %s", c.FileService, strings.Join(workloads.FileServices, ", "))
	case c.FileService != "" && c.NrFiles < 2:
		return bad("file-service: only with several files (nrfiles above 1)")
	case c.CacheLimit < 0:
		return bad("cache-limit %d: must be above 0", c.CacheLimit)
	case c.CacheLimit > 0 && c.Cache == CacheDirect:
		return bad("cache-limit: --cache direct reads no page cache to limit")
	case c.Resident > 0 && c.Cache != CacheCold:
		return bad("resident: a partly cached file needs --cache cold")
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return bad("rate %v: must be a number of reads per second above 0", c.Rate)
	case c.Rate > 0 && c.Ops > 0:
		return bad("rate: an open-loop run is bounded by --runtime, not by --ops (its requests come at their own times)")
	case c.LatTarget < 0:
		return bad("lat-target %v: must be above 0", c.LatTarget)
	case c.Arrival != "" && c.Rate == 0:
		return bad("arrival %q: only with --rate (it is how the open loop's requests arrive)", c.Arrival)
	case c.Arrival != "" && !slices.Contains(ArrivalModes, c.Arrival):
		return bad("arrival %q: accepted: %s", c.Arrival, strings.Join(ArrivalModes, ", "))
	}
	switch c.Cache {
	case CacheWarm, CacheCold, CacheDirect:
	default:
		return bad("cache %q: accepted: warm, cold, direct", c.Cache)
	}
	return nil
}
