package harness

import (
	"fmt"
	"math"
	"os"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/results"
)

// collect turns what the jobs and the phases recorded into the run's measurement.
func collect(s *runState, res *Result, m *results.Measurement) {
	m.Complete = !s.stop.Load()
	m.CacheDrops = s.drops
	m.Lat, m.Slat, m.Clat = newHist(), newHist(), newHist()
	var stats engines.Counters
	var end int64
	for _, j := range s.jobs {
		switch {
		case j.stats == nil:
		case stats == nil:
			stats = j.stats
		default:
			stats.Merge(j.stats)
		}
		d := j.d
		m.Ops += d.ops
		m.WarmupOps += d.warmupOps
		m.Bytes += d.bytes
		m.Errors += d.errors
		m.VerifyErrors += d.verifyErrors
		end = max(end, d.end)
		if j.failed != nil {
			m.Complete = false
		}
		if m.FirstError == "" && d.firstErr != nil {
			m.FirstError = d.firstErr.Error()
		}
		m.Lat.Merge(d.lat)
		m.Slat.Merge(d.slat)
		m.Clat.Merge(d.clat)
		if o := d.open; o != nil {
			m.Open = true
			if m.LatIntended == nil {
				m.LatIntended, m.Behind = newHist(), newHist()
			}
			m.LatIntended.Merge(d.latIntended)
			m.Behind.Merge(d.behind)
			m.OfferedIOPS += o.offered()
			m.BacklogMax = max(m.BacklogMax, int64(o.backlogMax))
			m.Dropped += o.dropped
			m.Admitted += o.admitted
			m.Unissued += int64(o.n)
		}
		if c := d.cacct; c != nil {
			if m.Classes == nil {
				m.Classes = &results.Classes{Mode: c.mode, LatHit: newHist(), LatMiss: newHist()}
				if c.latIntendedHit != nil {
					m.Classes.LatIntendedHit, m.Classes.LatIntendedMiss = newHist(), newHist()
				}
			}
			k := m.Classes
			k.Hits += c.hits
			k.Misses += c.misses
			k.Partials += c.partials
			for h := range c.halves {
				k.Halves[h].Hits += c.halves[h].hits
				k.Halves[h].Classified += c.halves[h].classified
			}
			k.LatHit.Merge(c.latHit)
			k.LatMiss.Merge(c.latMiss)
			if c.latIntendedHit != nil {
				k.LatIntendedHit.Merge(c.latIntendedHit)
				k.LatIntendedMiss.Merge(c.latIntendedMiss)
			}
		}
	}
	if !s.measuring.Load() {
		return // stopped before the measured phase began: nothing was measured
	}
	m.Measured = true
	m.ResidentStart = s.residentStart
	res.Warnings = append(res.Warnings, cacheWarnings(s, m)...)
	res.Warnings = append(res.Warnings, rateWarnings(s.cfg, m)...)
	if m.Ops == 0 && m.FirstError == "" {
		m.FirstError = errNoOps
	}
	if end > s.measureStart {
		m.ElapsedNS = end - s.measureStart - s.paused
	}
	m.CPUUserNS = usageNS(s.usage.Utime) - usageNS(s.startUsage.Utime)
	m.CPUSysNS = usageNS(s.usage.Stime) - usageNS(s.startUsage.Stime)
	m.CtxSw = (s.usage.Nvcsw + s.usage.Nivcsw) - (s.startUsage.Nvcsw + s.startUsage.Nivcsw)
	if stats != nil {
		m.Counters = stats.Values()
	}
	if s.dev != nil {
		d := s.devDelta
		m.Dev = &results.DevCounters{Name: s.dev.Name, Reads: d.Reads, ReadBytes: d.ReadSectors * 512,
			BusyNS: int64(d.IOTicks), QueueNS: int64(d.QueueTime), WallNS: s.endAt - s.measureStart - s.paused}
	}
	res.Warnings = append(res.Warnings, classWarnings(s.cfg, m)...)
}

// classWarnings cross-check the classes against the device: the pages the device read per
// request should be the misses' share of the pages a request reads (partial requests counted
// by half), within 0.05 of a request's pages. More says the classes missed reads (another
// reader of the device, readahead); fewer that "misses" were served from the cache.
func classWarnings(cfg *Config, m *results.Measurement) []string {
	c := m.Classes
	if c == nil || m.Ops == 0 || c.Classified() == 0 {
		return nil
	}
	var w []string
	if a, b := c.Halves[0], c.Halves[1]; a.Classified >= 100 && b.Classified >= 100 {
		h0, h1 := 100*float64(a.Hits)/float64(a.Classified), 100*float64(b.Hits)/float64(b.Classified)
		if math.Abs(h1-h0) > 5 {
			w = append(w, fmt.Sprintf("%s: the hit ratio moved from %.1f%% in the first half of the measured phase to %.1f%% in the second: the cache was still filling or draining, and hit_pct is the whole phase's (a longer --warmup, or --cache-limit for a steady one)", cfg.Engine, h0, h1))
		}
	}
	if m.Dev == nil {
		return w
	}
	page := float64(os.Getpagesize())
	pages := math.Ceil(float64(cfg.BlockSize) / page)
	got := float64(m.Dev.ReadBytes) / page / float64(m.Ops)
	want := c.MissShare() * pages
	if math.Abs(got-want) <= 0.05*pages {
		return w
	}
	return append(w, fmt.Sprintf("%s: the device read %.2f pages per request where the classes (%.1f%% misses of %.0f pages) say %.2f: the hit and miss figures may not be what they say (another reader of the device, readahead?)",
		cfg.Engine, got, 100*c.MissShare(), pages, want))
}

// cacheWarnings say where the file's cache state departed from the one asked for: when timing
// started, and by the end of the run (a warm file evicted under memory pressure while it ran; a
// cold one holding more than the run itself read since its last eviction).
func cacheWarnings(s *runState, m *results.Measurement) []string {
	cfg := s.cfg
	target := 100 * cfg.Resident
	var w []string
	switch {
	case cfg.Cache == CacheWarm && m.ResidentStart < warmResidentMin && cfg.CacheLimit == 0: // under a limit, the kernel decides
		w = append(w, fmt.Sprintf("%s: asked for a warm cache but only %.1f%% of the file is resident when timing starts (memory pressure?)", cfg.Engine, m.ResidentStart))
	case cfg.Cache != CacheWarm && math.Abs(m.ResidentStart-target) > coldResidentMax+5*min(cfg.Resident, 0.2):
		w = append(w, fmt.Sprintf("%s: asked for a %s cache with %.0f%% resident but %.1f%% of the file is when timing starts (mapped or locked by another process?)", cfg.Engine, cfg.Cache, target, m.ResidentStart))
	}
	var read int64
	for _, j := range s.jobs {
		read += j.d.sinceEvict
	}
	expected := min(100, target+100*float64(read)/float64(cfg.Size*int64(max(cfg.NrFiles, 1)))) // residency is the files' mean
	switch {
	case cfg.Cache == CacheWarm && m.ResidentEnd < warmResidentMin && cfg.CacheLimit == 0:
		w = append(w, fmt.Sprintf("%s: asked for a warm cache but only %.1f%% of the file is resident at the end of the run: it was evicted while the run read it (memory pressure?), and the later reads were not warm", cfg.Engine, m.ResidentEnd))
	case cfg.Cache == CacheCold && cfg.Workload == "randread" && !cfg.NoFadvise && m.ResidentEnd > expected+coldResidentMax:
		// Random reads carry no readahead (POSIX_FADV_RANDOM): what is resident is what was read.
		w = append(w, fmt.Sprintf("%s: asked for a cold cache but %.1f%% of the file is resident at the end of the run, more than the %.1f%% it read since the last eviction (another reader of the file?)", cfg.Engine, m.ResidentEnd, expected))
	}
	return w
}

// Hists returns the run's latency histograms as results.Hist, with the row's configuration and
// round: lat, and for an open-loop run the latency from the intended time; those with no
// request are left out.
func (r *Result) Hists() []results.Hist {
	var out []results.Hist
	for _, x := range []struct {
		h   *hdrhistogram.Histogram
		lat string
	}{{r.Lat, results.LatService}, {r.LatIntended, results.LatIntended}, {r.LatHit, results.LatHit}, {r.LatMiss, results.LatMiss}} {
		if x.h == nil {
			continue
		}
		h := results.Hist{Row: r.Row, Latency: x.lat}
		for _, b := range x.h.Distribution() {
			if b.Count > 0 {
				h.Buckets = append(h.Buckets, results.Bucket{Lo: b.From, Hi: b.To, Count: b.Count})
			}
		}
		if len(h.Buckets) > 0 {
			out = append(out, h)
		}
	}
	return out
}
