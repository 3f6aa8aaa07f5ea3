package results

import (
	"maps"
	"math"
	"slices"

	"github.com/montanaflynn/stats"
)

// The open loop's answer (--rate with a list, the knee suite): for each configuration and
// engine, the highest offered rate at which the latency from the intended time stays under a
// target — the searching fio's latency_target does over the queue depth, done over the arrival
// rate, which is the open-loop form. A rate counts as under the target when the median over its
// rounds of lat_intended_p99_us is at most lat_target_us and the engine kept up with it (it
// completed at least 97% of what arrived: an engine that falls behind leaves requests unissued
// whose latencies are in no figure). The knee is the highest rate tried below the first one
// that is not under the target.

// keptUpShare is the least share of the arrivals an engine must complete for a rate to count
// as sustained.
const keptUpShare = 0.97

// A KneePoint is one offered rate of a knee's curve, the medians over its rounds.
type KneePoint struct {
	Rate, Offered, IOPS float64 // asked, achieved schedule, completed per second
	P50, P99            float64 // µs, from the intended time
	Rounds              int
	Under               bool // under the target and kept up
}

// A Knee is one configuration and engine's curve over the rates it ran at.
type Knee struct {
	Engine, Variant, Workload, Cache string
	BS, QD, Jobs                     int
	Target                           float64     // µs
	Points                           []KneePoint // by rate, ascending
	// Knee is the highest rate under the target below the first that is not (0: the lowest
	// rate tried was already over it); Over that first rate (0: every rate was under it, the
	// knee lies beyond the rates tried).
	Knee, Over float64
	config     string // ConfigKey without the rate: what Reference matches
}

// Reached says the curve crossed the target within the rates tried.
func (k *Knee) Reached() bool { return k.Over > 0 }

// Knees finds the knee of every open-loop configuration and engine in rows, in the order they
// first appear. Rows of duels and failed rows are left out.
func Knees(rows []Row) []Knee {
	type group struct {
		k     Knee
		rates map[float64][]*Row
	}
	var order []string
	groups := map[string]*group{}
	for i := range rows {
		r := &rows[i]
		if r.Rate <= 0 || r.Duel != "" || !r.Complete || r.Ops == 0 {
			continue
		}
		bare := *r
		bare.Rate = 0
		config := ConfigKey(&bare)
		key := config + "|" + r.Engine + "|" + Variant(r)
		g := groups[key]
		if g == nil {
			g = &group{k: Knee{Engine: r.Engine, Variant: Variant(r), Workload: r.Workload, Cache: r.Cache, BS: r.BS, QD: r.IODepth,
				Jobs: r.Jobs, Target: r.LatTarget, config: config}, rates: map[float64][]*Row{}}
			groups[key] = g
			order = append(order, key)
		}
		if g.k.Target <= 0 {
			g.k.Target = r.LatTarget
		}
		g.rates[r.Rate] = append(g.rates[r.Rate], r)
	}
	out := make([]Knee, 0, len(order))
	for _, key := range order {
		g := groups[key]
		k := g.k
		if k.Target <= 0 {
			k.Target = 1000
		}
		for _, rate := range slices.Sorted(maps.Keys(g.rates)) {
			rs := g.rates[rate]
			p := KneePoint{Rate: rate, Rounds: len(rs),
				Offered: medianOf(rs, func(r *Row) float64 { return r.Values["offered_iops"] }),
				IOPS:    medianOf(rs, func(r *Row) float64 { return r.IOPS }),
				P50:     medianOf(rs, func(r *Row) float64 { return r.Values["lat_intended_p50_us"] }),
				P99:     medianOf(rs, func(r *Row) float64 { return r.Values["lat_intended_p99_us"] }),
			}
			p.Under = p.P99 <= k.Target && p.IOPS >= keptUpShare*p.Offered
			k.Points = append(k.Points, p)
		}
		for _, p := range k.Points {
			if !p.Under {
				k.Over = p.Rate
				break
			}
			k.Knee = p.Rate
		}
		out = append(out, k)
	}
	return out
}

// Reference returns the knee of the reference engine (sync) on k's configuration, nil when
// there is none (or k is sync's).
func (k *Knee) Reference(all []Knee) *Knee {
	ref := ReferenceEngine()
	if k.Engine == ref {
		return nil
	}
	var bare *Knee
	for i := range all {
		o := &all[i]
		if o.Engine != ref || o.config != k.config {
			continue
		}
		if o.Variant == k.Variant {
			return o
		}
		if o.Variant == "" {
			bare = o
		}
	}
	return bare
}

func medianOf(rs []*Row, f func(*Row) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	m, err := stats.Median(v)
	if err != nil {
		return math.NaN()
	}
	return m
}
