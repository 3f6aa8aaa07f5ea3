package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/memcg"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
)

// spec turns the options into the runs to make, or a usage error; changed tells which flags
// were given. With --suite the suite's defaults fill what the flags leave unset; with no flag
// that shapes a run the default suite runs; otherwise the flags describe one configuration, run
// through every --engine for --rounds rounds.
func (o *options) spec(changed func(string) bool) (*suites.Spec, error) {
	base := harness.Config{
		Workload: o.workload, BlockSize: int(o.bs), IODepth: o.iodepth, Jobs: o.jobs, Size: o.size,
		Runtime: o.runtime, Ops: int64(o.ops), Cache: o.cache, NoFadvise: o.fadvise == "none", Seed: o.seed,
		Options: o.engineOpts,
	}
	if o.verify == "full" {
		base.Verify = workloads.VerifyFull
	}
	base.Foreign = o.file != ""
	base.NrFiles = o.nrfiles
	if changed("file-service") {
		if o.nrfiles < 2 {
			return nil, usagef("--file-service: only with several files (--nrfiles N, or --file with a list)")
		}
		base.FileService = o.fileServ
	}
	if changed("random") {
		base.Random = o.random
	}
	if changed("cache-limit") {
		if o.cache == harness.CacheDirect {
			return nil, usagef("--cache-limit: --cache direct reads no page cache to limit")
		}
		if _, err := memcg.Check(); err != nil {
			return nil, usagef("--cache-limit: %v; or run under a limit instead: %s", err, memcg.Alternative)
		}
		base.CacheLimit = o.cacheLimit
	}
	suiteName := o.suite
	if suiteName == "" && !slices.ContainsFunc(shaping, changed) {
		suiteName = "default"
	}
	if o.maxSyncRegression >= 0 && suiteName != "syncfirst" && suiteName != "mixed" {
		return nil, usagef("--max-sync-regression: only with --suite syncfirst or --suite mixed")
	}
	if need := compare.MinSamples(0.05, true); o.maxSyncRegression >= 0 && suiteName == "mixed" && o.rounds < need {
		return nil, usagef("--max-sync-regression with --suite mixed: --rounds %d is too few for the signed-rank test at alpha 0.05 (the mixed suite's checks are by rounds); it needs at least %d", o.rounds, need)
	}
	if changed("gate-engines") && o.maxSyncRegression < 0 {
		return nil, usagef("--gate-engines: only with --max-sync-regression (it names the engines the gate judges)")
	}
	for _, f := range []string{"interleave", "duel-block", "pairs"} {
		if changed(f) && suiteName != "syncfirst" {
			return nil, usagef("--%s: only with --suite syncfirst (its sync-path checks are duels)", f)
		}
	}
	if need := compare.MinSamples(0.05, true); o.maxSyncRegression >= 0 && o.interleave == suites.InterleaveRounds && changed("rounds") && o.rounds < need {
		return nil, usagef("--max-sync-regression with --interleave rounds: --rounds %d is too few for the signed-rank test at alpha 0.05; it needs at least %d", o.rounds, need)
	}
	if changed("resident") && suiteName != "large" && !(suiteName == "" && o.cache == harness.CacheCold) {
		return nil, usagef("--resident: only with --cache cold or --suite large")
	}
	open := suiteName == "knee" || suiteName == "" && len(o.rates) > 0 // the open loop
	switch {
	case changed("rate") && suiteName != "" && suiteName != "knee":
		return nil, usagef("--rate: the %s suite runs the closed loop (each job keeps its requests in flight); the open loop is --suite knee or a run without --suite", suiteName)
	case changed("arrival") && !open:
		return nil, usagef("--arrival: only with --rate or --suite knee (it is how the open loop's requests arrive)")
	case changed("lat-target") && !open:
		return nil, usagef("--lat-target: only with --rate or --suite knee (it judges the open loop's latency from the intended time)")
	case len(o.rates) > 0 && changed("ops"):
		return nil, usagef("--ops: an open-loop run (--rate) is bounded by --runtime, not by a count (its requests come at their own times)")
	}
	var spec *suites.Spec
	if suiteName != "" {
		suite, err := suites.Lookup(suiteName)
		if err != nil {
			return nil, usagef("--suite: %v", err)
		}
		// A suite sets the shape of its runs itself: a flag it would ignore is refused, not
		// dropped silently.
		for _, f := range suiteSets {
			if changed(f) && !(suiteName == "knee" && (f == "rate" || f == "arrival")) {
				also := ""
				if suiteName == "knee" {
					also = "; knee also --rate, --arrival and --lat-target"
				}
				return nil, usagef("--%s: the %s suite sets it itself; leave it out, or run without --suite (suites take --engine, --size, --runtime, --warmup, --rounds, --seed, --verify, --fadvise and the engines' settings%s)", f, suiteName, also)
			}
		}
		so := suites.Options{Base: base, Resident: o.resident, ResidentSet: changed("resident"), Interleave: o.interleave, DuelBlock: o.duelBlock,
			Rates: o.rates, Arrival: o.arrival, LatTarget: o.latTarget}
		if changed("gate-engines") {
			so.GateEngines = o.gateEngines
		}
		if changed("engine") {
			names, err := engineList(o.engines)
			if err != nil {
				return nil, err
			}
			so.Engines = names
		}
		if changed("size") {
			so.Size = o.size
		}
		if changed("runtime") {
			so.Runtime = o.runtime
		}
		if o.warmupSet {
			so.Warmup = o.warmup
		}
		if changed("rounds") {
			so.Rounds = o.rounds
		}
		if spec, err = suite.Build(so); err != nil {
			return nil, usagef("--suite %s: %v", suiteName, err)
		}
		if err := checkGateEngines(so.GateEngines, spec); err != nil {
			return nil, err
		}
	} else {
		if o.ops > 0 && !changed("runtime") {
			base.Runtime = 0 // --ops alone bounds the run
		}
		base.Warmup = o.warmup
		if !o.warmupSet {
			base.Warmup = harness.DefaultWarmup(base.Runtime)
		}
		base.Resident = o.resident
		names, err := engineList(o.engines)
		if err != nil {
			return nil, err
		}
		spec = &suites.Spec{Name: "run", Rounds: o.rounds}
		rates := o.rates
		if len(rates) == 0 {
			rates = []float64{0} // the closed loop
		}
		if len(o.rates) > 0 && !changed("iodepth") {
			// One queue depth for every rate, enough for the highest: the concurrency limit is
			// the same at every point of the curve.
			base.IODepth = harness.OpenLoopDepth(slices.Max(o.rates), base.Jobs, base.BlockSize, base.Size)
		}
		for _, rate := range rates {
			for _, n := range names {
				c := base
				c.Engine, c.Rate, c.Arrival = n, rate, o.arrival
				if rate > 0 {
					c.LatTarget = o.latTarget
				}
				label := n
				if rate > 0 {
					label = fmt.Sprintf("%s at %s/s", n, results.FormatRate(rate))
				}
				spec.Arms = append(spec.Arms, suites.Arm{Label: label, Config: c})
			}
		}
	}
	// A setting that only one engine reads is refused when no engine of the run reads it.
	for _, f := range engineOptionFlags() {
		if changed(f.flag) && !slices.Contains(spec.Engines(), f.engine) {
			return nil, usagef("--%s: only the %s engine reads it, and this run has none (engines: %s)", f.flag, f.engine, strings.Join(spec.Engines(), ", "))
		}
	}
	// Every arm (and background load) is validated and resolved once, here, into its plan.
	// An engine the run did not name (all, a suite's default) that refuses the configuration
	// is left out, with why; one it named is an error that lists the engines that take it.
	implicit := !changed("engine") && suiteName != "" || len(o.engines) == 1 && o.engines[0] == "all"
	for i := 0; i < len(spec.Arms); i++ {
		a := &spec.Arms[i]
		for _, c := range []*harness.Config{&a.Config, backgroundConfig(&a.Config)} {
			if c == nil {
				continue
			}
			p, err := harness.NewPlan(*c)
			var ce *harness.CheckError
			switch {
			case errors.As(err, &ce) && implicit:
				spec.Drop(ce.Engine, err)
				i = -1 // the arms moved: start again
			case errors.As(err, &ce):
				return nil, usagef("--engine %s: %v%s", ce.Engine, ce.Err, accepting(*c))
			case errors.Is(err, engines.ErrUnknown):
				return nil, usagef("--engine: %v", err)
			case err != nil:
				return nil, usageError{flagError(err)}
			}
			if i < 0 {
				break
			}
			if c == &a.Config {
				a.Plan = p
			}
		}
	}
	if len(spec.Arms)+len(spec.Duels) == 0 {
		return nil, usagef("--engine: no available engine takes this configuration (%s)", skippedList(spec))
	}
	for _, d := range spec.Duels {
		for _, c := range []harness.Config{d.Config.A, d.Config.B} {
			if _, err := harness.NewPlan(c); err != nil {
				return nil, usageError{flagError(err)}
			}
		}
	}
	return spec, nil
}

// checkGateEngines refuses a --gate-engines name that the suite has no sync-path check of.
func checkGateEngines(names []string, spec *suites.Spec) error {
	if len(names) == 1 && names[0] == "all" {
		return nil
	}
	var have []string
	for _, c := range spec.Checks {
		if c.SyncPath {
			have = append(have, c.Engine)
		}
	}
	for _, n := range names {
		if !slices.Contains(have, n) {
			return usagef("--gate-engines: %s has no sync-path check in this run (accepted: %s, or all)", n, strings.Join(have, ", "))
		}
	}
	return nil
}

// accepting names, for an engine that refuses c, the engines that take c's configuration; ""
// when what it refuses is one of its own options (an unknown notifier), which the others
// would ignore.
func accepting(c harness.Config) string {
	own := c
	own.Options = maps.Clone(c.Options)
	maps.DeleteFunc(own.Options, func(k, _ string) bool { return strings.HasPrefix(k, c.Engine+".") })
	if _, err := harness.NewPlan(own); err == nil {
		return "" // the engine takes the configuration, not its option
	}
	names := suites.Accepting(c)
	if len(names) == 0 {
		return " (no engine takes this configuration)"
	}
	return " (engines that take this configuration: " + strings.Join(names, ", ") + ")"
}

// skippedList says which engines a spec left out and why.
func skippedList(spec *suites.Spec) string {
	var b []string
	for _, u := range spec.Skipped {
		b = append(b, u.Name+": "+u.Err.Error())
	}
	return strings.Join(b, "; ")
}

func backgroundConfig(c *harness.Config) *harness.Config {
	if c.Background == nil {
		return nil
	}
	return &c.Background.Config
}

// flagError rewrites a configuration error to name the flag it blames.
func flagError(err error) error {
	var ce *harness.ConfigError
	switch {
	case !errors.As(err, &ce):
		return err
	case ce.Field == "":
		return errors.New(ce.Msg)
	}
	return fmt.Errorf("--%s: %s", ce.Field, ce.Msg)
}

// suiteSets are the flags that shape a run which every suite sets itself.
var suiteSets = []string{"workload", "bs", "iodepth", "jobs", "ops", "cache", "random", "rate", "arrival"}

func engineList(names []string) ([]string, error) {
	if len(names) == 1 && names[0] == "all" {
		return suites.Available(), nil
	}
	seen := map[string]bool{}
	for _, n := range names {
		switch n {
		case "":
			return nil, usagef("--engine: an empty name in the list (names are separated by single commas, e.g. sync,retry)")
		case "all":
			return nil, usagef("--engine: all stands alone (it already means every available engine but null); name engines, or all")
		}
		e, err := engines.Lookup(n)
		if err != nil {
			return nil, usagef("--engine: unknown engine %q (known: %s, or all)", n, strings.Join(engines.Names(), ", "))
		}
		if err := engines.Available(e); err != nil {
			return nil, usagef("--engine: engine %s is not available here: %v", n, err)
		}
		if seen[n] {
			return nil, usagef("--engine: %s is named twice", n)
		}
		seen[n] = true
	}
	return names, nil
}
