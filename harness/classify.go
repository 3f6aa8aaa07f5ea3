package harness

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"os"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/workloads"
)

// Every request of a partly cached run is classified hit, miss or partial (a multi-page read
// that spans both), so that the cached read inside a mixed load is measured apart from the
// misses beside it. Two ways, chosen per run:
//
//   - bitmap: a cold run with --resident in perm order reads every block once per pass, and the
//     pages made resident are a function of the file's size, the share and the seed, re-made
//     at every pass. So a request's class is known in advance: a bit per page, built once (a
//     1 GiB file is 32 KiB of bits), looked up as the offset is chosen. No system call.
//   - sampled: where the class cannot be known in advance (a skewed or uniform order re-reads
//     blocks; a block smaller than a page shares its page with the next), a seeded sample of
//     requests, at a rate that keeps its cost under 1% (below), is asked of mincore(2) just before Submit —
//     outside the request's timed span, as the offset's choice is.
//
// Classified requests' latencies go into a histogram per class (and per class from the
// intended time in the open loop); the row's hit_pct is the hits' share of the classified.

// Request classes.
const (
	classNone    byte = iota // not classified (not sampled)
	classHit                 // every page resident
	classMiss                // no page resident
	classPartial             // some
)

// The sampled classifier keeps its cost under 1% of the run's time: a mincore call costs
// about 2 µs here (pagecache.BenchmarkMappingPages), a null-engine request 0.1 µs, a cold read
// 60 µs. So the gap between samples, in requests, is drawn from a seeded stream with a mean
// that adapts: after each sample the classifier compares the call's own time with the time
// since the previous sample and doubles the mean when the calls took more than 1% of it,
// halves it below 0.25%. A cold run is sampled every few requests, the null engine about one
// in 2000 (BenchmarkHarnessNullZipf against BenchmarkHarnessNullZipfUnclassified).
const (
	sampleFirst = 16      // the mean gap to start with
	sampleMax   = 1 << 20 // and the longest
)

// A classifier gives each request its class; one per job.
type classifier struct {
	bits      []uint64 // bitmap: a set bit per resident page
	pageShift uint
	m         *pagecache.Mapping // sampled: the file's (the first of several)
	maps      []*pagecache.Mapping
	cur       int    // with several files: the file of the request being classified
	gap       uint64 // requests to the next sample
	every     uint64 // the gaps' mean
	lastAt    int64  // the clock after the last sample
	rng       *rand.Rand
	mode      string // the row's class_mode
}

// noClasses turns classification off (the benchmarks measure what it costs).
var noClasses bool

// Classification modes (the class_mode column).
const (
	classModeBitmap  = "resident"
	classModeSampled = "sampled"
)

// newClassifier returns the job's classifier for cfg, or nil when its rows have no classes:
// a warm run in perm or seqread order (every read a hit), a cold run without --resident in
// perm order (every read a miss), --cache direct (no page cache).
func newClassifier(cfg *Config, fd int, job int) (*classifier, error) {
	if noClasses {
		return nil, nil
	}
	page := os.Getpagesize()
	order, _ := workloads.ParseOrder(cfg.Random)
	skewed := skewedOrder(cfg)
	perm := cfg.Workload == "randread" && (order == nil || order.Spec == workloads.RandomPerm)
	switch {
	case cfg.Cache == CacheDirect:
		return nil, nil
	case cfg.Cache == CacheCold && cfg.Resident > 0 && perm && cfg.BlockSize%page == 0:
		return &classifier{bits: residentBitmap(cfg.Size, cfg.Resident, cfg.Seed, page), pageShift: uint(bits.TrailingZeros(uint(page))), mode: classModeBitmap}, nil
	case skewed || cfg.Cache == CacheCold && cfg.Resident > 0:
		m, err := pagecache.Map(fd, cfg.Size, cfg.BlockSize)
		if err != nil {
			return nil, err
		}
		c := &classifier{m: m, every: sampleFirst, rng: rand.New(rand.NewPCG(cfg.Seed^0xc1a55, uint64(job))), mode: classModeSampled}
		c.gap = c.nextGap()
		return c, nil
	}
	return nil, nil
}

func (c *classifier) nextGap() uint64 { return 1 + c.rng.Uint64N(2*c.every-1) } // mean every

// skip says a sampled classifier's next request is not sampled, and counts it: small enough to
// be inlined, so that a request between samples costs a decrement (the driver calls classify
// only when skip says no).
func (c *classifier) skip() bool {
	if c.bits == nil && c.gap > 1 {
		c.gap--
		return true
	}
	return false
}

// classify returns the class of the n bytes at off.
func (c *classifier) classify(off int64, n int) byte {
	if c.bits != nil {
		return c.lookup(off, n)
	}
	if c.gap--; c.gap > 0 {
		return classNone
	}
	return c.sample(off, n)
}

// lookup is the bitmap's class of a request.
func (c *classifier) lookup(off int64, n int) byte {
	first, last := uint64(off)>>c.pageShift, uint64(off+int64(n)-1)>>c.pageShift
	if first == last {
		return classHit + 1 - byte(c.bits[first>>6]>>(first&63)&1) // 1 → hit, 0 → miss
	}
	set := 0
	for p := first; p <= last; p++ {
		set += int(c.bits[p>>6] >> (p & 63) & 1)
	}
	return classOf(set, int(last-first+1))
}

// sample asks mincore for a request's class, adapts the sampling rate and draws the next gap.
func (c *classifier) sample(off int64, n int) byte {
	t0 := clock.Now()
	m := c.m
	if c.maps != nil {
		m = c.maps[c.cur]
	}
	res, total, err := m.Pages(off, n)
	t1 := clock.Now()
	if c.lastAt > 0 {
		switch cost, span := t1-t0, t1-c.lastAt; {
		case span < 100*cost:
			c.every = min(2*c.every, sampleMax)
		case span > 400*cost && c.every > 1:
			c.every /= 2
		}
	}
	c.lastAt = t1
	c.gap = c.nextGap()
	if err != nil {
		return classNone
	}
	return classOf(res, total)
}

func classOf(resident, total int) byte {
	switch resident {
	case total:
		return classHit
	case 0:
		return classMiss
	}
	return classPartial
}

func (c *classifier) close() error {
	if c == nil {
		return nil
	}
	err := c.m.Close()
	for _, m := range c.maps[min(1, len(c.maps)):] {
		err = errors.Join(err, m.Close())
	}
	return err
}

// classAcct is what the driver counts per class in the measured phase.
type classAcct struct {
	mode                   string
	hits, misses, partials int64
	// The halves of the measured phase (a run bounded by time): mid is the clock reading
	// between them, 0 when unknown; halves[h] counts each half's classified requests and hits.
	mid                             int64
	halves                          [2]classCounts
	latHit, latMiss                 *hdrhistogram.Histogram
	latIntendedHit, latIntendedMiss *hdrhistogram.Histogram // the open loop's
}

func newClassAcct(mode string, open bool) *classAcct {
	a := &classAcct{mode: mode, latHit: newHist(), latMiss: newHist()}
	if open {
		a.latIntendedHit, a.latIntendedMiss = newHist(), newHist()
	}
	return a
}

// count adds one measured request of class k with its latency (and, open loop, its latency
// from the intended time; -1 otherwise).
func (a *classAcct) count(k byte, t, lat, intended int64) {
	if k != classNone && a.mid > 0 {
		h := &a.halves[0]
		if t >= a.mid {
			h = &a.halves[1]
		}
		h.classified++
		if k == classHit {
			h.hits++
		}
	}
	switch k {
	case classHit:
		a.hits++
		engines.Record(a.latHit, lat)
		if intended >= 0 {
			engines.Record(a.latIntendedHit, intended)
		}
	case classMiss:
		a.misses++
		engines.Record(a.latMiss, lat)
		if intended >= 0 {
			engines.Record(a.latIntendedMiss, intended)
		}
	case classPartial:
		a.partials++
	}
}

// scattered calls f with every range --resident P makes resident: in each 1 MiB of the file, a
// contiguous run of P of it at a seeded page-aligned place. warmScattered reads them; the
// bitmap classifier marks them.
func scattered(size int64, share float64, seed uint64, f func(off, n int64) error) error {
	const block = 1 << 20
	rng := rand.New(rand.NewPCG(seed, 0x7e5))
	for b := int64(0); b < size; b += block {
		n := min(block, size-b)
		l := int64(share*float64(n)) &^ 4095
		if l == 0 {
			continue
		}
		off := b + rng.Int64N((n-l)/4096+1)*4096
		if err := f(off, l); err != nil {
			return err
		}
	}
	return nil
}

// residentBitmap is the bitmap of the pages scattered makes resident.
func residentBitmap(size int64, share float64, seed uint64, page int) []uint64 {
	pages := (size + int64(page) - 1) / int64(page)
	b := make([]uint64, (pages+63)/64)
	_ = scattered(size, share, seed, func(off, n int64) error {
		for p := off / int64(page); p < (off+n+int64(page)-1)/int64(page); p++ {
			b[p>>6] |= 1 << (p & 63)
		}
		return nil
	})
	return b
}

// skewedOrder says the run reads in a skewed order (zipf, pareto, zoned). Its cold runs are
// evicted when timing starts and never again: a pass over the file means nothing to draws that
// come back to the hot blocks, and the cache filling with them as the run goes is what such a
// run measures (hit_pct, and in the time series hit_pct per interval).
func skewedOrder(cfg *Config) bool {
	if cfg.Workload != "randread" {
		return false
	}
	o, err := workloads.ParseOrder(cfg.Random)
	return err == nil && o.Skewed()
}
