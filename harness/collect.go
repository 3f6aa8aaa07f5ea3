package harness

import (
	"fmt"
	"math"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/results"
	"golang.org/x/sys/unix"
)

// collect turns what the jobs and the phases recorded into the row.
func collect(s *runState, res *Result) {
	row := &res.Row
	cfg := s.cfg
	row.Complete = !s.stop.Load()
	row.CacheDrops = s.drops
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
		row.Ops += j.ops
		row.WarmupOps += j.warmupOps
		row.Bytes += j.bytes
		row.Errors += j.errors
		row.VerifyErrors += j.verifyErrors
		end = max(end, j.end)
		if j.failed != nil {
			row.Complete = false
		}
		if row.FirstError == "" && j.firstErr != nil {
			row.FirstError = j.firstErr.Error()
		}
		res.Lat.Merge(j.lat)
		res.Slat.Merge(j.slat)
		res.Clat.Merge(j.clat)
	}
	if !s.measuring.Load() {
		return // stopped before the measured phase began: nothing was measured
	}
	row.ResidentStart = s.residentStart
	switch {
	case cfg.Cache == CacheWarm && row.ResidentStart < warmResidentMin:
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: asked for a warm cache but only %.1f%% of the file is resident when timing starts (memory pressure?)", cfg.Engine, row.ResidentStart))
	case cfg.Cache != CacheWarm && math.Abs(row.ResidentStart-row.ResidentTarget) > coldResidentMax+5*min(cfg.Resident, 0.2):
		res.Warnings = append(res.Warnings, fmt.Sprintf("%s: asked for a %s cache with %.0f%% resident but %.1f%% of the file is when timing starts (mapped or locked by another process?)", cfg.Engine, cfg.Cache, row.ResidentTarget, row.ResidentStart))
	}
	if row.Ops == 0 && row.FirstError == "" {
		row.FirstError = errNoOps
	}
	if end > s.measureStart {
		row.Elapsed = float64(end-s.measureStart-s.paused) / 1e9
	}
	fillStats(row, res, &s.startUsage, &s.usage)
	if stats != nil {
		fillEngineStats(row, s.eng, stats)
	}
	if s.dev != nil {
		d := s.devDelta
		row.DevKnown = true
		row.DevReads, row.DevReadBytes = d.Reads, d.ReadSectors*512
		if row.Ops > 0 {
			row.DevReadsPerOp = float64(d.Reads) / float64(row.Ops)
		}
		if wall := s.endAt - s.measureStart - s.paused; wall > 0 {
			row.DevUtil = 100 * float64(d.IOTicks) / float64(wall)
			row.DevAqu = float64(d.QueueTime) / float64(wall)
		}
	}
}

func fillStats(row *results.Row, res *Result, start, end *unix.Rusage) {
	if row.Elapsed > 0 {
		row.IOPS = float64(row.Ops) / row.Elapsed
		row.MiBs = float64(row.Bytes) / row.Elapsed / (1 << 20)
	}
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	row.LatMean = res.Lat.Mean() / 1e3
	row.LatMin = us(res.Lat.Min())
	row.LatP50 = us(res.Lat.ValueAtQuantile(50)) // hdrhistogram takes percentiles, 0–100
	row.LatP90 = us(res.Lat.ValueAtQuantile(90))
	row.LatP99 = us(res.Lat.ValueAtQuantile(99))
	row.LatP999 = us(res.Lat.ValueAtQuantile(99.9))
	row.LatMax = us(res.Lat.Max())
	row.SlatP50 = us(res.Slat.ValueAtQuantile(50))
	row.SlatP99 = us(res.Slat.ValueAtQuantile(99))
	row.ClatP50 = us(res.Clat.ValueAtQuantile(50))
	row.ClatP99 = us(res.Clat.ValueAtQuantile(99))
	tv := func(t unix.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	row.CPUUser = tv(end.Utime) - tv(start.Utime)
	row.CPUSys = tv(end.Stime) - tv(start.Stime)
	if row.Ops > 0 {
		row.CPUPerOp = (row.CPUUser + row.CPUSys) / float64(row.Ops) * 1e6
	}
	row.CtxSw = (end.Nvcsw + end.Nivcsw) - (start.Nvcsw + start.Nivcsw)
	if row.CPUUser < 0 || row.CPUSys < 0 || row.CtxSw < 0 {
		// Stopped before the measured phase began: nothing was measured.
		row.CPUUser, row.CPUSys, row.CPUPerOp, row.CtxSw = 0, 0, 0, 0
	}
}

// fillEngineStats puts the engine's counters in the row by the names the engine declares; the
// harness knows none of them.
func fillEngineStats(row *results.Row, eng engines.Engine, s engines.Counters) {
	c, ok := eng.(engines.Counted)
	if !ok {
		return
	}
	decl, vals := c.Counters(), s.Values()
	row.Counters = make(map[string]float64, len(decl))
	for i := range min(len(decl), len(vals)) {
		row.Counters[decl[i].Name] = vals[i]
	}
}

// Hist returns the run's latency histogram (lat) as a results.Hist: its non-empty buckets, with
// the row's configuration and round.
func (r *Result) Hist() results.Hist {
	h := results.Hist{Row: r.Row}
	if r.Lat == nil {
		return h
	}
	for _, b := range r.Lat.Distribution() {
		if b.Count > 0 {
			h.Buckets = append(h.Buckets, results.Bucket{Lo: b.From, Hi: b.To, Count: b.Count})
		}
	}
	return h
}
