package results

import (
	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// One row builder. The harness returns what a run was set up as (Setup) and what it measured
// (Measurement); the caller's labels say which round, duel and machine it belongs to; Build
// turns them into the Row, each column by its own declaration (schema.go). Nothing else sets a
// row's fields but the CSV reader.

// Setup is what a run was asked to be: its configuration columns.
type Setup struct {
	Engine, Workload string
	BS, IODepth      int
	Jobs             int
	Cache            string
	Size             int64
	Verify, Fadvise  string
	Random           string // randread's order spec, empty for other workloads
	Seed             uint64
	ResidentTarget   float64 // percent
	Rate             float64 // the open loop's asked reads per second, 0 for the closed loop
	CacheLimit       int64   // bytes of the memory cgroup the run read in (--cache-limit), 0: none
	NrFiles          int     // data files the requests were shared out over (--nrfiles), 1 for one
	FileService      string  // how the requests went to several files (--file-service); "" for one
	Arrival          string
	LatTarget        float64 // µs: the open loop's latency target (--lat-target), 0 for the closed loop
	Background       string  // the background load's engine, empty when none
	// Settings are the engines' options given, by column name, as recorded.
	Settings map[string]string
}

// Labels place a row among others: its round (or session), the duel it is an arm of, when it
// started and the machine it ran on.
type Labels struct {
	Round      int
	Duel       string
	StartedUTC string
	Machine    Machine
}

// A Measurement is what the harness measured in one run, or over one duel arm's blocks.
// Durations are in nanoseconds, latencies recorded in nanoseconds.
type Measurement struct {
	// Measured says the measured phase began: without it only the counts and the error are
	// figures (CPU, residency and device counters were never read).
	Measured   bool
	Complete   bool
	FirstError string

	Ops, Bytes, Errors, VerifyErrors, WarmupOps int64
	ElapsedNS                                   int64
	Lat, Slat, Clat                             *hdrhistogram.Histogram
	// LatMeanNS, when above 0, is a mean latency measured otherwise than by Lat: a duel
	// arm's, by Little's law over its blocks (the figure its pairs compare).
	LatMeanNS float64

	CPUUserNS, CPUSysNS, CtxSw int64 // CtxSw < 0: not measured
	// Resident says the residency was measured (not for a duel arm's blocks).
	Resident                   bool
	ResidentStart, ResidentEnd float64 // percent
	CacheDrops                 int64
	Dev                        *DevCounters // nil when the data file has no block device
	// Counters are the engine's own counters by name (engines.Counted).
	Counters      map[string]float64
	GOMAXPROCS    int
	HasBackground bool // a background load ran beside the run
	// Warnings say what the figures must be read with (a cache that left the state asked for,
	// no device counters).
	Warnings       []string
	BackgroundIOPS float64
	DuelBlocks     int64

	// The open loop's (Open): latency from each request's intended time, how far behind the
	// schedule its submission came, the achieved schedule, the longest queue of due requests,
	// the arrivals dropped beyond it, admitted in the measured phase, and left unissued.
	Open                bool
	LatIntended, Behind *hdrhistogram.Histogram
	OfferedIOPS         float64
	BacklogMax, Dropped int64
	Admitted, Unissued  int64

	// Target is what was read: its kind, file system, the mount options that change reads,
	// the device's scheduler and readahead.
	Target TargetInfo

	// Classes are the per-class figures of a partly cached run; nil when it was not
	// classified (harness: classify.go).
	Classes *Classes
}

// Classes counts a run's classified requests and keeps their latencies per class.
type Classes struct {
	Mode                            string // resident or sampled
	Hits, Misses, Partials          int64
	LatHit, LatMiss                 *hdrhistogram.Histogram
	LatIntendedHit, LatIntendedMiss *hdrhistogram.Histogram // the open loop's; nil otherwise
	// The halves of the measured phase: classified requests and hits in each (0s when the
	// run was not bounded by time).
	Halves [2]struct{ Hits, Classified int64 }
}

// Classified is how many requests have a class.
func (c *Classes) Classified() int64 { return c.Hits + c.Misses + c.Partials }

// HitShare is the hits' share of the classified requests (0–1).
func (c *Classes) HitShare() float64 { return float64(c.Hits) / float64(max(c.Classified(), 1)) }

// MissShare is the misses' share, partial requests counted by half.
func (c *Classes) MissShare() float64 {
	return (float64(c.Misses) + float64(c.Partials)/2) / float64(max(c.Classified(), 1))
}

// classified says the run's requests were classified and some were; hitsKnown and missesKnown
// that there are latencies of that class.
func classified(m *Measurement) bool {
	return m.Classes != nil && m.completed() && m.Classes.Classified() > 0
}
func hitsKnown(m *Measurement) bool   { return classified(m) && m.Classes.Hits > 0 }
func missesKnown(m *Measurement) bool { return classified(m) && m.Classes.Misses > 0 }
func openHits(m *Measurement) bool    { return hitsKnown(m) && m.Classes.LatIntendedHit != nil }
func openMisses(m *Measurement) bool  { return missesKnown(m) && m.Classes.LatIntendedMiss != nil }

// DevCounters are the block device's own counters over the measured phase.
type DevCounters struct {
	Name             string
	Reads, ReadBytes int64
	BusyNS, QueueNS  int64 // io_ticks and time_in_queue
	WallNS           int64 // the phase's wall time they cover
}

// Build returns the row of a run: every column from its own declaration, then the engine's
// counters by name.
func Build(s *Setup, m *Measurement, l *Labels) Row {
	var r Row
	for _, c := range Columns() {
		if c.build != nil {
			c.build(&r, s, m, l)
		}
	}
	for k, v := range m.Counters {
		r.setValue(k, v)
	}
	return r
}

// The measured figures, as the columns take them.

// measured says the measured phase began: there is a time, a CPU reading.
func (m *Measurement) measured() bool { return m.Measured }

// open says the run was open loop; openCompleted that it completed requests too.
func open(m *Measurement) bool          { return m.Open && m.Measured }
func openCompleted(m *Measurement) bool { return m.Open && m.completed() }

// completed says requests completed in the measured phase: there are latencies.
func (m *Measurement) completed() bool { return m.Measured && m.Ops > 0 }

func (m *Measurement) elapsed() float64 { return float64(m.ElapsedNS) / 1e9 }

func (m *Measurement) perSecond(n int64) float64 {
	if m.ElapsedNS <= 0 {
		return 0
	}
	return float64(n) / m.elapsed()
}

// pct is a latency percentile (0–100) in µs, 0 for no histogram.
func pct(h *hdrhistogram.Histogram, q float64) float64 {
	if h == nil {
		return 0
	}
	return float64(h.ValueAtQuantile(q)) / 1e3
}

// hmin and hmax are a histogram's least and greatest latency in µs, 0 for no histogram.
func hmin(h *hdrhistogram.Histogram) float64 {
	if h == nil {
		return 0
	}
	return float64(h.Min()) / 1e3
}

func hmax(h *hdrhistogram.Histogram) float64 {
	if h == nil {
		return 0
	}
	return float64(h.Max()) / 1e3
}

func (m *Measurement) latMean() float64 {
	switch {
	case m.LatMeanNS > 0:
		return m.LatMeanNS / 1e3
	case m.Lat == nil:
		return 0
	}
	return m.Lat.Mean() / 1e3
}

// cpu is user or system CPU in seconds; 0 when the measured phase never began.
func (m *Measurement) cpu(ns int64) float64 {
	if !m.Measured || ns < 0 {
		return 0
	}
	return float64(ns) / 1e9
}

func (m *Measurement) cpuPerOp() float64 {
	if m.Ops == 0 {
		return 0
	}
	return (m.cpu(m.CPUUserNS) + m.cpu(m.CPUSysNS)) / float64(m.Ops) * 1e6
}

func (m *Measurement) ctxsw() int64 {
	if !m.Measured || m.CtxSw < 0 {
		return 0
	}
	return m.CtxSw
}

func (m *Measurement) devShare(ns int64) float64 {
	if m.Dev.WallNS <= 0 {
		return 0
	}
	return float64(ns) / float64(m.Dev.WallNS)
}

func (m *Measurement) devPerOp() float64 {
	if m.Ops == 0 {
		return 0
	}
	return float64(m.Dev.Reads) / float64(m.Ops)
}

// TargetInfo describes what a run read (the target columns).
type TargetInfo struct {
	Kind      string // data (aiobench's file), file, device, loop
	FS        string // the file system holding it; empty for a device read raw
	MountOpts string // ro, noatime, relatime, nodiratime, dax of its mount
	Scheduler string // its device's I/O scheduler; empty when it has no block device
	// ReadAheadKB is its device's read_ahead_kb, -1 when unknown.
	ReadAheadKB int64
}

func readAheadKnown(m *Measurement) bool { return m.Target.ReadAheadKB >= 0 && m.Target.Kind != "" }
