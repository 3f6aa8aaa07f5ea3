package suites

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
)

// The built-in suites' builders (see the all table in suites.go).

func syncfirst(o Options) (*Spec, error) {
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
	sync.Engine = "sync"
	s.Arms = append(s.Arms, Arm{Label: "sync", Config: sync})
	for _, e := range async {
		c := base
		c.Engine = e
		check := Check{
			Name: "sync-path: " + e + " vs sync", Base: "sync", Cand: e, Engine: e, SyncPath: true,
			Metrics: []string{"iops", "lat_mean_us", "lat_p99_us", "cpu_us_per_op"},
		}
		switch o.Interleave {
		case "", InterleaveDuel:
			check.Duel = "duel: " + e + " vs sync"
			s.Duels = append(s.Duels, DuelArm{Label: check.Duel, Config: harness.DuelConfig{
				A: sync, B: c, BlockTime: o.DuelBlock, Runtime: DuelRuntime(base.Runtime), Warmup: base.Warmup, Seed: base.Seed,
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
		label := "sync with " + e + " load"
		s.Arms = append(s.Arms, Arm{Label: label, Config: c})
		s.Checks = append(s.Checks, Check{
			Name: "interference: sync with " + e + " cold QD16 load vs alone", Base: "sync", Cand: label, Engine: e,
			Metrics: []string{"lat_p50_us", "lat_p99_us"},
		})
	}
	return s, nil
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

// variants returns base for each engine of the suite, and for retry one per notifier (the
// waiter threads, the reaper, and io_uring where it works) unless --retry-notifier chose one:
// the aiolat and large suites compare how the retry engine learns a page is ready.
func (o *Options) variants(base harness.Config) []Arm {
	var out []Arm
	for _, e := range o.engines() {
		c := base
		c.Engine = e
		if _, chosen := base.Options["retry.notifier"]; e != "retry" || chosen {
			out = append(out, Arm{Label: e, Config: c})
			continue
		}
		for _, n := range []string{"waiters", "reaper", "uring"} {
			if eng, err := engines.Lookup("uring"); n == "uring" && (err != nil || engines.Available(eng) != nil) {
				continue
			}
			v := c
			v.Options = maps.Clone(base.Options)
			if v.Options == nil {
				v.Options = map[string]string{}
			}
			v.Options["retry.notifier"] = n
			out = append(out, Arm{Label: "retry/" + n, Config: v})
		}
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
