package suites

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
)

// The built-in suites' builders (see the all table in suites.go).

func syncfirst(o Options) (*Spec, error) {
	ref := engines.ReferenceName()
	var async []string
	for _, e := range o.engines() {
		if eng, err := engines.Lookup(e); err == nil && !engines.IsSynchronous(eng) {
			async = append(async, e)
		}
	}
	if len(async) == 0 {
		return nil, fmt.Errorf("syncfirst needs an asynchronous engine (e.g. retry, threadpool); --engine named none")
	}
	base := o.config(256<<20, time.Second)
	s := &Spec{Name: "syncfirst", Rounds: or(o.Rounds, 10), WarmupRounds: 1, NeedsBackground: true}
	sync := base
	sync.Engine = ref
	s.Arms = append(s.Arms, Arm{Label: ref, Config: sync})
	for _, e := range async {
		c := base
		c.Engine = e
		check := Check{
			Name: "sync-path: " + e + " vs " + ref, Base: ref, Cand: e, Engine: e, SyncPath: true, Gated: o.gated(e),
			Metrics: []string{"iops", "lat_mean_us", "lat_p99_us", "cpu_us_per_op"},
		}
		switch o.Interleave {
		case "", InterleaveDuel:
			name := e + "-vs-" + ref // the rows' duel column
			check.Duel = "duel: " + e + " vs " + ref
			a, b := sync, c
			a.Duel, b.Duel = name, name
			s.Duels = append(s.Duels, DuelArm{Label: check.Duel, Config: harness.DuelConfig{
				A: a, B: b, BlockTime: o.DuelBlock, Runtime: DuelRuntime(base.Runtime), Warmup: base.Warmup, Seed: base.Seed,
			}})
		case InterleaveRounds:
			s.Arms = append(s.Arms, Arm{Label: e, Config: c})
		default:
			return nil, fmt.Errorf("interleave %q: accepted: %s", o.Interleave, strings.Join(InterleaveModes, ", "))
		}
		s.Checks = append(s.Checks, check)
	}
	for _, e := range async {
		c := sync
		bg := base
		bg.Engine, bg.Cache, bg.IODepth = e, harness.CacheCold, 16
		c.Background = &harness.Background{Config: bg, Dataset: o.Background}
		label := ref + " with " + e + " load"
		s.Arms = append(s.Arms, Arm{Label: label, Config: c})
		s.Checks = append(s.Checks, Check{
			Name: "interference: " + ref + " with " + e + " cold QD16 load vs alone", Base: ref, Cand: label, Engine: e,
			Metrics: []string{"lat_p50_us", "lat_p99_us"},
		})
	}
	return s, nil
}

// gated says whether a gate judges engine e's sync-path checks (Options.GateEngines).
func (o *Options) gated(e string) bool {
	switch {
	case len(o.GateEngines) == 1 && o.GateEngines[0] == "all":
		return true
	case o.GateEngines != nil:
		return slices.Contains(o.GateEngines, e)
	}
	eng, err := engines.Lookup(e)
	return err == nil && engines.ServesCachedReadInline(eng)
}

func aiolat(o Options) (*Spec, error) {
	base := o.config(1<<30, 5*time.Second)
	base.Cache = harness.CacheCold
	s := &Spec{Name: "aiolat", Rounds: or(o.Rounds, 1)}
	for _, qd := range []int{1, 4, 16, 32} {
		for _, v := range o.variants(base) {
			c := v.Config
			c.IODepth = qd
			s.Arms = append(s.Arms, Arm{Label: fmt.Sprintf("%s qd%d", v.Label, qd), Config: c})
		}
	}
	return s, nil
}

// variants returns base for each engine of the suite, and, for an engine with options a suite
// should sweep (engines.Option.Sweep: retry's notifiers), one arm per value that works here
// unless the option was given: the aiolat and large suites compare the variants.
func (o *Options) variants(base harness.Config) []Arm {
	var out []Arm
	for _, e := range o.engines() {
		c := base
		c.Engine = e
		arms := []Arm{{Label: e, Config: c}}
		eng, _ := engines.Lookup(e)
		if opts, ok := eng.(engines.Optioned); ok {
			for _, opt := range opts.Options() {
				key := e + "." + opt.Name
				if _, chosen := base.Options[key]; chosen || opt.Sweep == nil {
					continue
				}
				var swept []Arm
				for _, a := range arms {
					for _, v := range opt.Sweep() {
						sv := a.Config
						sv.Options = maps.Clone(a.Config.Options)
						if sv.Options == nil {
							sv.Options = map[string]string{}
						}
						sv.Options[key] = v
						swept = append(swept, Arm{Label: a.Label + "/" + v, Config: sv})
					}
				}
				arms = swept
			}
		}
		out = append(out, arms...)
	}
	return out
}

func large(o Options) (*Spec, error) {
	base := o.config(1<<30, 5*time.Second)
	base.BlockSize, base.IODepth, base.Cache = 1<<20, 4, harness.CacheCold
	resident := 0.5
	if o.ResidentSet || o.Resident > 0 {
		resident = o.Resident
	}
	s := &Spec{Name: "large", Rounds: or(o.Rounds, 1)}
	for _, v := range o.variants(base) {
		s.Arms = append(s.Arms, Arm{Label: v.Label + " cold", Config: v.Config})
	}
	for _, v := range o.variants(base) {
		c := v.Config
		c.Resident = resident
		// One pass over the file: the partly cached state is set once, at the start.
		c.Runtime, c.Ops, c.Warmup = 0, c.Size/int64(c.BlockSize), 0
		s.Arms = append(s.Arms, Arm{Label: fmt.Sprintf("%s %.0f%% resident", v.Label, 100*resident), Config: c})
	}
	return s, nil
}

// variations compares an engine's design decisions (options that declare Variations) with its
// defaults: large reads (256 KiB and 1 MiB, QD4) of a cold file and of a half-resident one, one
// arm per decision's other value and one with all of them, beside the default and the
// reference engine. Each arm's counters (attempts, device reads, CPU) and latency are the
// answer: what the variation costs against the default.
func variations(o Options) (*Spec, error) {
	base := o.config(1<<30, 3*time.Second)
	base.IODepth, base.Cache = 4, harness.CacheCold
	s := &Spec{Name: "variations", Rounds: or(o.Rounds, 3)} // one round of one pass is noisy: three
	var arms []Arm
	for _, e := range o.engines() {
		eng, _ := engines.Lookup(e)
		opts, _ := eng.(engines.Optioned)
		if opts == nil {
			continue
		}
		all := map[string]string{}
		var mine []Arm
		for _, opt := range opts.Options() {
			for _, v := range opt.Variations {
				mine = append(mine, Arm{Label: fmt.Sprintf("%s %s=%s", e, opt.Name, v), Config: harness.Config{Engine: e, Options: map[string]string{e + "." + opt.Name: v}}})
				all[e+"."+opt.Name] = v
			}
		}
		if len(mine) == 0 {
			continue
		}
		arms = append(arms, Arm{Label: e, Config: harness.Config{Engine: e}})
		arms = append(arms, mine...)
		if len(mine) > 1 {
			arms = append(arms, Arm{Label: e + " all variations", Config: harness.Config{Engine: e, Options: all}})
		}
	}
	if len(arms) == 0 {
		return nil, fmt.Errorf("none of the engines %v declares design variations", o.engines())
	}
	if ref := engines.ReferenceName(); ref != "" {
		arms = append([]Arm{{Label: ref, Config: harness.Config{Engine: ref}}}, arms...)
	}
	for _, bs := range []int{256 << 10, 1 << 20} {
		for _, resident := range []float64{0, 0.5} {
			for _, a := range arms {
				c := base
				c.BlockSize, c.Engine, c.Resident = bs, a.Config.Engine, resident
				c.Options = maps.Clone(base.Options)
				if c.Options == nil {
					c.Options = map[string]string{}
				}
				maps.Copy(c.Options, a.Config.Options)
				label := fmt.Sprintf("%s %dk cold", a.Label, bs>>10)
				if resident > 0 {
					// One pass over the file: the partly cached state is set once, as in large.
					c.Runtime, c.Ops, c.Warmup = 0, c.Size/int64(c.BlockSize), 0
					label = fmt.Sprintf("%s %dk %.0f%% resident", a.Label, bs>>10, 100*resident)
				}
				s.Arms = append(s.Arms, Arm{Label: label, Config: c})
			}
		}
	}
	return s, nil
}

// mixedRate is the mixed suite's offered rate for its open-loop runs: at half misses, 2.5k
// misses/s, which every engine's cold path completes here (the knee suite's cold runs at 2.5k
// and 5k reads/s completed their arrivals through every engine).
const mixedRate = 5000

// mixed is the cached read inside a mixed load: a cold 1 GiB file with 50, 90 and 99% of it
// resident (in perm order, so every request's class is known: class_mode resident), every
// engine, the closed loop at QD1 and QD16 and the open loop at mixedRate; the rows' hit and
// miss latencies are the answer.
func mixed(o Options) (*Spec, error) {
	base := o.config(1<<30, 2*time.Second)
	base.Cache = harness.CacheCold
	s := &Spec{Name: "mixed", Rounds: or(o.Rounds, 1)}
	ref := engines.ReferenceName()
	es := o.engines()
	if !slices.Contains(es, ref) { // every check is against it
		es = append([]string{ref}, es...)
	}
	for _, share := range []float64{0.5, 0.9, 0.99} {
		// The checks, by rounds: every other engine's hits against the reference's at QD1 in
		// the same mix (the RFC's promise, gated as syncfirst's sync path is: Gated by
		// default for the engines that serve a cached read inline), and at QD16 (reported).
		refArm := fmt.Sprintf("%s %.0f%% resident QD1", ref, 100*share)
		for _, qd := range []int{1, 16} {
			for _, e := range es {
				if e == ref && qd == 1 {
					continue
				}
				s.Checks = append(s.Checks, Check{
					Name: fmt.Sprintf("mixed hit: %s QD%d vs %s QD1, %.0f%% resident", e, qd, ref, 100*share),
					Base: refArm, Cand: fmt.Sprintf("%s %.0f%% resident QD%d", e, 100*share, qd), Engine: e,
					SyncPath: qd == 1, Gated: qd == 1 && o.gated(e), Metrics: []string{"lat_hit_p50_us", "lat_hit_p99_us"},
				})
			}
		}
		for _, qd := range []int{1, 16} {
			for _, e := range es {
				c := base
				c.Engine, c.Resident, c.IODepth = e, share, qd
				s.Arms = append(s.Arms, Arm{Label: fmt.Sprintf("%s %.0f%% resident QD%d", e, 100*share, qd), Config: c})
			}
		}
		for _, e := range es {
			c := base
			c.Engine, c.Resident, c.Rate = e, share, mixedRate
			c.IODepth = harness.OpenLoopDepth(mixedRate, c.Jobs, c.BlockSize, c.Size)
			s.Arms = append(s.Arms, Arm{Label: fmt.Sprintf("%s %.0f%% resident %s/s", e, 100*share, results.FormatRate(mixedRate)), Config: c})
		}
	}
	return s, nil
}

func defaultSuite(o Options) (*Spec, error) {
	base := o.config(256<<20, 3*time.Second) // about a minute with four engines
	s := &Spec{Name: "default", Rounds: or(o.Rounds, 2)}
	for _, cache := range []string{harness.CacheWarm, harness.CacheCold} {
		for _, e := range o.engines() {
			c := base
			c.Engine, c.Cache = e, cache
			s.Arms = append(s.Arms, Arm{Label: e + " " + cache, Config: c})
		}
	}
	return s, nil
}

// The knee suite's offered rates when --rate gives none: for cold reads, from well under what
// one synchronous reader reaches to about what this class of disk does at depth (a virtio or
// NVMe SSD, 60–80k random 4 KiB IOPS); for warm ones, up to about what one thread can issue.
var (
	kneeColdRates = []float64{2500, 5000, 10000, 20000, 40000, 60000}
	kneeWarmRates = []float64{50000, 100000, 200000, 400000}
)

func knee(o Options) (*Spec, error) {
	// Three rounds of 1 s rather than one of 3 s: a knee is decided by one p99 per rate, and
	// this kind of disk stalls for tens of milliseconds now and then (a cold uring run at 2.5k/s
	// read a service p99 of 20 ms in one round and 0.18 ms in the next); the median of three
	// rounds is not moved by one such stall.
	base := o.config(1<<30, time.Second)
	base.Arrival, base.LatTarget = o.Arrival, o.LatTarget
	s := &Spec{Name: "knee", Rounds: or(o.Rounds, 3)}
	for _, cache := range []string{harness.CacheCold, harness.CacheWarm} {
		rates := o.Rates
		if len(rates) == 0 {
			rates = kneeColdRates
			if cache == harness.CacheWarm {
				rates = kneeWarmRates
			}
		}
		c := base
		c.Cache = cache
		// One queue depth for the whole curve, enough for its highest rate: the engines'
		// concurrency limit is the same at every point of it.
		c.IODepth = harness.OpenLoopDepth(slices.Max(rates), c.Jobs, c.BlockSize, c.Size)
		for _, rate := range rates {
			for _, e := range o.engines() {
				a := c
				a.Engine, a.Rate = e, rate
				s.Arms = append(s.Arms, Arm{Label: fmt.Sprintf("%s %s %s/s", e, cache, results.FormatRate(rate)), Config: a})
			}
		}
	}
	return s, nil
}
