// Package suites defines aiobench's named sets of runs (--suite): each a list of arms (one run
// configuration each), run in rounds with the arms in alternating order (A B, then B A), and the
// checks that compare arms round by round. syncfirst measures what each asynchronous engine costs
// the sync path; aiolat draws the aio latency curve; large exercises partial progress with 1 MiB
// reads; knee finds each engine's highest offered rate under a latency target (the open loop);
// default is the short suite aiobench runs with no flags.
package suites

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// Options are the settings a suite is built from. Zero fields take the suite's defaults.
type Options struct {
	Engines     []string // engines to include; empty: every available engine but null
	Size        int64
	Runtime     time.Duration
	Warmup      time.Duration
	Rounds      int
	Resident    float64 // large: share of the file resident in the partly cached runs
	ResidentSet bool    // Resident was given (0 is then 0, not the default)
	// Interleave says how the syncfirst suite compares an engine's cached read with sync's:
	// InterleaveDuel (the default, for "") or InterleaveRounds.
	Interleave string
	DuelBlock  time.Duration // work per duel block; 0: harness.DefaultBlockTime
	// GateEngines are the engines whose sync-path checks a gate judges; nil: those that declare
	// an inline cached read (engines.InlineCachedRead), ["all"]: every asynchronous engine.
	GateEngines []string
	Base        harness.Config
	// Background is the data file of the syncfirst interference load (file 1 in --dir).
	Background *workloads.Dataset
	// Rates are the knee suite's offered rates (reads/s); nil: its own, per cache state.
	// Arrival and LatTarget set its arrival process and the target its knees are judged
	// against ("" and 0: harness's defaults).
	Rates     []float64
	Arrival   string
	LatTarget time.Duration
}

// An Arm is one run configuration of a suite, named for its checks. Plan, when set, is the
// configuration validated and resolved once (harness.NewPlan); Execute makes it otherwise.
type Arm struct {
	Label  string
	Config harness.Config
	Plan   *harness.Plan
}

// How sync-path checks interleave their two arms.
const (
	InterleaveDuel   = "duel"   // both arms on one thread, alternating blocks of about 1 ms
	InterleaveRounds = "rounds" // each arm a whole run per round, the rounds in ABBA order
)

// InterleaveModes lists the accepted Options.Interleave values, the default first.
var InterleaveModes = []string{InterleaveDuel, InterleaveRounds}

// A Check compares two arms: round by round (paired), or block by block in a duel.
type Check struct {
	Name     string
	Base     string // arm labels
	Cand     string
	Duel     string // when set, the label of the duel whose pairs decide the check
	Metrics  []string
	SyncPath bool // a sync-path regression check: gated by --max-sync-regression
	// Gated says a sync-path check's REGRESSION fails the gate; otherwise it is reported only
	// (Options.GateEngines; by default the engines that serve a cached read inline).
	Gated  bool
	Engine string // the engine whose cost it measures
}

// A Spec is a built suite.
type Spec struct {
	Name  string
	Arms  []Arm
	Duels []DuelArm // run before the rounds
	// Duelist, when set, runs the duels in sessions of fresh processes instead of in this one.
	Duelist      Duelist
	Rounds       int // measured rounds
	WarmupRounds int // rounds run first and discarded
	Checks       []Check
	// NeedsBackground says the suite reads a second data file of Size bytes.
	NeedsBackground bool
	// Skipped are the engines left out of it, with why (Drop).
	Skipped []UnavailableEngine
}

// A Suite builds a Spec from Options.
type Suite struct {
	Name  string
	Doc   string
	Build func(o Options) (*Spec, error)
}

var all = []*Suite{
	{"syncfirst", "sync-path regression of every async engine (cached 4k reads at QD1 through it vs the sync engine) and interference (sync lat with its cold QD16 load beside)", syncfirst},
	{"aiolat", "the aio latency curve: cold random 4k reads at iodepth 1, 4, 16 and 32 through every engine", aiolat},
	{"large", "1 MiB random reads at QD4, cold and partly cached (--resident, default 50%), where partial progress matters", large},
	{"knee", "the open loop's knee: every engine at rising offered rates (--rate to choose them), cold and warm 4k random reads; per engine the highest rate whose p99 from the intended time stays under --lat-target (default 1 ms)", knee},
	{"variations", "an engine's design decisions against its defaults (retry: --retry-progress, --retry-wait; the RFC's questions): 256 KiB and 1 MiB reads at QD4, cold and half resident", variations},
	{"mixed", "the cached read inside a mixed load: a cold 1 GiB file 50, 90 and 99% resident, every engine at QD1, QD16 and 5k reads/s offered; hits and misses measured apart", mixed},
	{"default", "the short suite aiobench runs with no flags: warm and cold 4k random reads at QD1 through every engine", defaultSuite},
}

// Lookup returns the named suite; an unknown name lists the known ones.
func Lookup(name string) (*Suite, error) {
	for _, s := range all {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unknown suite %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Names returns the suite names, sorted.
func Names() []string {
	var n []string
	for _, s := range all {
		n = append(n, s.Name)
	}
	sort.Strings(n)
	return n
}

func (o *Options) engines() []string {
	if len(o.Engines) > 0 {
		return o.Engines
	}
	return Available()
}

func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// config is the base configuration with the suite's defaults for what the options leave unset.
func (o *Options) config(size int64, runtime time.Duration) harness.Config {
	c := o.Base
	c.Size = or(o.Size, size)
	c.Runtime = or(o.Runtime, runtime)
	c.Warmup = o.Warmup
	if o.Warmup == 0 {
		c.Warmup = harness.DefaultWarmup(c.Runtime)
	}
	c.Workload, c.BlockSize, c.IODepth, c.Jobs = "randread", 4096, 1, 1
	c.Cache = harness.CacheWarm
	return c
}

// Len is the number of runs the spec makes, warm-up rounds included; a duel counts as one.
func (s *Spec) Len() int { return len(s.Duels) + len(s.Arms)*(s.Rounds+s.WarmupRounds) }

// UsesCache reports whether any arm, duel or background load runs with that cache state.
func (s *Spec) UsesCache(cache string) bool {
	for _, a := range s.Arms {
		if a.Config.Cache == cache || a.Config.Background != nil && a.Config.Background.Config.Cache == cache {
			return true
		}
	}
	for _, d := range s.Duels {
		if d.Config.A.Cache == cache {
			return true
		}
	}
	return false
}

// Engines returns every engine the spec runs: arms, duels and background loads.
func (s *Spec) Engines() []string {
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, a := range s.Arms {
		add(a.Config.Engine)
		if a.Config.Background != nil {
			add(a.Config.Background.Config.Engine)
		}
	}
	for _, d := range s.Duels {
		add(d.Config.A.Engine)
		add(d.Config.B.Engine)
	}
	return names
}

// MaxSize is the largest data file any arm reads.
func (s *Spec) MaxSize() int64 {
	var m int64
	for _, a := range s.Arms {
		m = max(m, a.Config.Size)
	}
	return m
}

// Execute runs the spec on ds: its duels first (each arm's row is passed to each), then the
// warm-up rounds (their results are passed to each with warmup true and are not kept), then the
// measured rounds, arms in the given order in odd rounds and reversed in even ones. It returns
// every measured row by arm label, in round order, and each duel's result by label.
func (s *Spec) Execute(ctx context.Context, ds *workloads.Dataset, each func(r *harness.Result, warmup bool)) (*Outcome, error) {
	out := &Outcome{Rows: map[string][]results.Row{}, Duels: map[string]*harness.DuelResult{}, Remote: map[string]*RemoteDuel{}}
	for _, d := range s.Duels {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if s.Duelist != nil {
			rd, err := s.Duelist(ctx, d)
			if err != nil {
				return out, fmt.Errorf("%s: %w", d.Label, err)
			}
			out.Remote[d.Label] = rd
			for i := range rd.Rows {
				for j := range rd.Rows[i] {
					each(&harness.Result{Row: rd.Rows[i][j]}, false)
				}
			}
			continue
		}
		res, err := harness.Duel(ctx, d.Config, ds)
		if err != nil {
			return out, fmt.Errorf("%s: %w", d.Label, err)
		}
		out.Duels[d.Label] = res
		for i := range res.Rows {
			each(&harness.Result{Row: res.Rows[i], Warnings: res.Warnings}, false)
		}
	}
	rows := out.Rows
	for r := 1 - s.WarmupRounds; r <= s.Rounds; r++ {
		arms := slices.Clone(s.Arms)
		if r%2 == 0 {
			slices.Reverse(arms)
		}
		for _, a := range arms {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			plan := a.Plan
			if plan == nil {
				var err error
				if plan, err = harness.NewPlan(a.Config); err != nil {
					return out, fmt.Errorf("%s: %w", a.Label, err)
				}
			}
			res, err := plan.WithRound(max(r, 0)).Run(ctx, ds)
			if res != nil {
				each(res, r < 1)
				if r >= 1 {
					rows[a.Label] = append(rows[a.Label], res.Row)
				}
			}
			if err != nil {
				return out, fmt.Errorf("%s round %d: %w", a.Label, r, err)
			}
		}
	}
	return out, nil
}

// A Finding is one metric of one check.
type Finding struct {
	Check Check
	compare.Line
}

// Evaluate runs the spec's checks on what Execute measured: a duel's pairs (compare.Interleaved)
// or, per round, the candidate arm against the base arm (compare.Paired).
func (s *Spec) Evaluate(out *Outcome, o compare.Options) ([]Finding, error) {
	var found []Finding
	for _, c := range s.Checks {
		for _, name := range c.Metrics {
			m, err := compare.MetricByName(name)
			if err != nil {
				return nil, err
			}
			var r compare.Result
			if c.Duel != "" {
				d, rd := out.Duels[c.Duel], out.Remote[c.Duel]
				switch {
				case rd != nil:
					r = compareRemote(rd, name, m.Dir, o)
				case d != nil:
					r = CompareDuel(d, name, m.Dir, o)
				default:
					continue
				}
			} else {
				base, cand := out.Rows[c.Base], out.Rows[c.Cand]
				n := min(len(base), len(cand))
				col, _ := results.ColumnByName(name)
				b, k := make([]float64, n), make([]float64, n)
				for i := range n {
					b[i], k[i] = value(col, &base[i]), value(col, &cand[i])
				}
				r = compare.Paired(b, k, m.Dir, o)
			}
			if c.SyncPath && !c.Gated {
				r.Note = join(r.Note, compare.NotGated)
			}
			if iops, ok := loadIOPS(out.Rows[c.Cand]); ok && c.Duel == "" {
				r.Note = join(r.Note, compare.LoadNote(iops))
			}
			found = append(found, Finding{Check: c, Line: compare.Line{Label: c.Name, Metric: m, Result: r}})
		}
	}
	return found, nil
}

// loadIOPS is the median IOPS of the background load beside rows, false when none ran.
func loadIOPS(rows []results.Row) (float64, bool) {
	var v []float64
	for i := range rows {
		if rows[i].Background != "" && rows[i].BackgroundIOPS > 0 {
			v = append(v, rows[i].BackgroundIOPS)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	return (v[(len(v)-1)/2] + v[len(v)/2]) / 2, true
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// value is the column's value in r, NaN when r did not measure it (a paired comparison leaves
// such a pair out).
func value(c *results.Column, r *results.Row) float64 {
	if v, ok := c.Value(r); ok {
		return v
	}
	return math.NaN()
}
