package harness

import (
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/diskstats"
	"github.com/aiobench/aiobench/results"
)

// The time series (Config.Log): what each run did in each interval of its measured phase. It
// costs the run loop nothing per request: a job notices an interval's end at the clock reading
// it takes before a batch anyway (the boundary is folded into its publication time, so the
// loop makes no new comparison) and then records its interval: requests, bytes, and snapshots of
// its latency histograms, whose difference from the previous interval's a goroutine works out. A goroutine of the run reads the file's
// residency and the device's counters at the same boundaries. Intervals are in measured time:
// the pauses of a cold run's passes are left out, as from elapsed_s.

// A TimeLog collects the time series of every run it is given to (Config.Log). It is safe for
// concurrent use.
type TimeLog struct {
	mu  sync.Mutex
	ivs []results.Interval
}

// Intervals returns every run's intervals so far, in the order the runs ended (none for a nil
// TimeLog).
func (l *TimeLog) Intervals() []results.Interval {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ivs)
}

func (l *TimeLog) add(ivs []results.Interval) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ivs = append(l.ivs, ivs...)
}

// DefaultLogInterval is the length of a time series' interval when none is given.
const DefaultLogInterval = time.Second

// runLog gathers one run's intervals from its jobs and its ticker.
type runLog struct {
	every  int64 // ns of measured time per interval
	mu     sync.Mutex
	ivs    map[int]*interval
	paused atomic.Int64   // ns of pauses in the measured phase so far (the ticker's view)
	adding sync.WaitGroup // the jobs' intervals still being added (jobSnap)
	stop   chan struct{}
	done   chan struct{}
}

type interval struct {
	results.Interval
	lat, intended    *hdrhistogram.Histogram // intended: open loop only
	hits, classified int64                   // the classified requests' counts
}

func newRunLog(every time.Duration) *runLog {
	return &runLog{every: int64(max(every, time.Millisecond)), ivs: map[int]*interval{}}
}

// at returns interval k, made when first asked for.
func (l *runLog) at(k int) *interval {
	iv := l.ivs[k]
	if iv == nil {
		iv = &interval{lat: newHist()}
		l.ivs[k] = iv
	}
	return iv
}

// job adds a job's requests of interval k, which ended at end (s of measured time), their
// latencies and, open loop, their intended-time latencies.
func (l *runLog) job(k int, ops, bytes int64, lat, intended *hdrhistogram.Histogram, end float64, cls classCounts) {
	l.mu.Lock()
	defer l.mu.Unlock()
	iv := l.at(k)
	iv.hits += cls.hits
	iv.classified += cls.classified
	iv.Ops += ops
	iv.Bytes += bytes
	iv.End = max(iv.End, end)
	if lat != nil {
		iv.lat.Merge(lat)
	}
	if intended != nil {
		if iv.intended == nil {
			iv.intended = newHist()
		}
		iv.intended.Merge(intended)
	}
}

// A snap is a job's histograms at an interval's end, and at the previous one's.
type snap struct {
	lat, prevLat, intended, prevIntended *hdrhistogram.Snapshot
	cls                                  classCounts // in the interval
}

// classCounts are an interval's classified requests and the hits among them.
type classCounts struct{ hits, classified int64 }

// jobSnap adds a job's interval k as job does, from its histograms' snapshots: it runs on its own
// goroutine, so that the job's thread only takes the snapshots (a copy of the counts, tens of
// µs) and not the difference and merge (hundreds of µs, which an open-loop schedule would feel).
func (l *runLog) jobSnap(k int, ops, bytes int64, s snap, end float64) {
	l.adding.Add(1)
	go func() {
		defer l.adding.Done()
		var intended *hdrhistogram.Histogram
		if s.intended != nil {
			intended = since(s.intended, s.prevIntended)
		}
		l.job(k, ops, bytes, since(s.lat, s.prevLat), intended, end, s.cls)
	}()
}

// since returns the histogram of what was recorded between two snapshots of one histogram (prev
// nil: since it was made).
func since(cur, prev *hdrhistogram.Snapshot) *hdrhistogram.Histogram {
	diff := make([]int64, len(cur.Counts))
	for i, c := range cur.Counts {
		diff[i] = c
		if prev != nil && i < len(prev.Counts) {
			diff[i] -= prev.Counts[i]
		}
	}
	return hdrhistogram.Import(&hdrhistogram.Snapshot{LowestTrackableValue: cur.LowestTrackableValue,
		HighestTrackableValue: cur.HighestTrackableValue, SignificantFigures: cur.SignificantFigures, Counts: diff})
}

// reading adds the ticker's readings at the end of interval k.
func (l *runLog) reading(k int, resident float64, hasResident bool, devReads int64, hasDev bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	iv := l.at(k)
	iv.Resident, iv.HasResident = resident, hasResident
	iv.DevReads, iv.HasDev = devReads, hasDev
}

// last gives the run's last interval, which no tick ended, the residency at the run's end.
func (l *runLog) last(resident float64) {
	l.adding.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ivs) == 0 {
		return
	}
	if iv := l.ivs[slices.Max(slices.Collect(maps.Keys(l.ivs)))]; !iv.HasResident {
		iv.Resident, iv.HasResident = resident, true
	}
}

// intervals returns the run's intervals in order, labelled with its row.
func (l *runLog) intervals(row results.Row) []results.Interval {
	l.adding.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []results.Interval
	every := float64(l.every) / 1e9
	for _, k := range slices.Sorted(maps.Keys(l.ivs)) {
		iv := l.ivs[k]
		iv.Row = row
		start := float64(k) * every
		iv.End = max(iv.End, start)
		if iv.End <= start || iv.End > start+every { // a whole interval, or one nobody ended
			iv.End = start + every
		}
		iv.Length = iv.End - start
		if iv.Ops > 0 {
			iv.P50, iv.P99, iv.Max = float64(iv.lat.ValueAtQuantile(50))/1e3, float64(iv.lat.ValueAtQuantile(99))/1e3, float64(iv.lat.Max())/1e3
			if iv.intended != nil {
				iv.IntendedP50, iv.IntendedP99 = float64(iv.intended.ValueAtQuantile(50))/1e3, float64(iv.intended.ValueAtQuantile(99))/1e3
				iv.HasIntended = true
			}
		}
		if iv.classified > 0 {
			iv.HitPct, iv.HasHit = 100*float64(iv.hits)/float64(iv.classified), true
		}
		out = append(out, iv.Interval)
	}
	return out
}

// tick reads the file's residency and the device's reads at the end of every interval until
// stopped: a goroutine of the run, started at the gate with what it needs of the run's state
// then (the gate's clock, the device and its counters), which it shares with nothing else.
func tick(l *runLog, measureStart int64, ctls []int, size int64, dev *diskstats.Device, prev diskstats.Stat) {
	defer close(l.done)
	for k := 0; ; k++ {
		end := measureStart + l.paused.Load() + int64(k+1)*l.every
		select {
		case <-l.stop:
			return
		case <-time.After(time.Duration(end - clock.Now())):
		}
		if now := clock.Now(); now < measureStart+l.paused.Load()+int64(k+1)*l.every {
			k-- // a pause moved the boundary: wait again for this interval's end
			continue
		}
		r, err := residency(ctls, size)
		var reads int64
		hasDev := false
		if dev != nil {
			if st, err := dev.Read(); err == nil {
				reads, hasDev, prev = st.Reads-prev.Reads, true, st
			}
		}
		l.reading(k, r, err == nil, reads, hasDev)
	}
}

// The job's side.

// logState is a driver's place in its run's time series.
type logState struct {
	log           *runLog
	base          int64                  // clock reading of measured time 0: the gate, plus the pauses so far
	k             int                    // the interval in progress
	next          int64                  // clock reading at which it ends
	ops, bytes    int64                  // the driver's counts at its start
	cls           classCounts            // and its classified requests' counts
	prev, prevInt *hdrhistogram.Snapshot // its latency histograms then (intended: open loop)
}

// setLogClock places the driver's time series after the gate or a pause (with every job
// parked).
func (d *driver) setLogClock(measureStart, paused int64) {
	if d.tl.log == nil || !d.measuring {
		return
	}
	d.tl.base = measureStart + paused
	d.tl.next = d.tl.base + int64(d.tl.k+1)*d.tl.log.every
	d.nextPublish = min(d.nextPublish, d.tl.next)
}

// logIntervals records the intervals that ended by now: those it skipped (a stall) empty, the
// last with the requests completed since the previous one.
func (d *driver) logIntervals(now int64) {
	l := d.tl.log
	for now >= d.tl.next+l.every {
		l.job(d.tl.k, 0, 0, nil, nil, 0, classCounts{})
		d.tl.k++
		d.tl.next += l.every
	}
	d.logInterval(float64(d.tl.next-d.tl.base) / 1e9)
	d.tl.k++
	d.tl.next += l.every
}

// logInterval records the driver's interval in progress, ended at end (s of measured time).
func (d *driver) logInterval(end float64) {
	s := snap{lat: d.lat.Export(), prevLat: d.tl.prev}
	d.tl.prev = s.lat
	if d.open != nil {
		s.intended, s.prevIntended = d.latIntended.Export(), d.tl.prevInt
		d.tl.prevInt = s.intended
	}
	if c := d.cacct; c != nil {
		now := classCounts{hits: c.hits, classified: c.hits + c.misses + c.partials}
		s.cls = classCounts{hits: now.hits - d.tl.cls.hits, classified: now.classified - d.tl.cls.classified}
		d.tl.cls = now
	}
	d.tl.log.jobSnap(d.tl.k, d.ops-d.tl.ops, d.bytes-d.tl.bytes, s, end)
	d.tl.ops, d.tl.bytes = d.ops, d.bytes
}

// endLog records the interval in progress when the driver's measured phase has ended.
func (d *driver) endLog() {
	if d.tl.log == nil || !d.measuring {
		return
	}
	end := math.Max(0, float64(d.end-d.tl.base)/1e9)
	if start := float64(d.tl.k) * float64(d.tl.log.every) / 1e9; end <= start+1e-9 && d.ops == d.tl.ops {
		return // the phase ended on the boundary: nothing of this interval happened
	}
	d.logInterval(end)
}
