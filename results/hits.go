package results

import (
	"math"
	"slices"

	"github.com/montanaflynn/stats"
)

// The RFC's promise where it matters: a cached read inside a mixed load (a partly resident
// file, the mixed suite) must cost what it costs through the reference engine (sync: a plain
// pread) at QD1 in the same mix. HitCosts compares every engine's hit latency with that; the
// open loop's rows compare hit p99 from the intended time with the reference's at the same
// offered rate.

// A HitCost is one engine's hits in one mix and loop against the reference's.
type HitCost struct {
	Engine, Variant string
	Resident        float64 // resident_target_pct of the mix
	BS, QD          int
	Rate            float64 // the open loop's offered rate; 0 for the closed loop
	Rounds          int
	// P50 and P99 are the median over rounds of the hits' lat p50 and p99 (open loop: from
	// the intended time, p99 only); Ref the reference's, at QD1 in the same mix (open loop: at
	// the same rate).
	P50, P99, RefP50, RefP99 float64
	// Lo and Hi are the lowest and highest per-round ratio of P50 to RefP50 (rounds paired
	// in order), when both have more than one round.
	Lo, Hi float64
}

// Ratio50 and Ratio99 are the hit latency's ratios to the reference's.
func (h *HitCost) Ratio50() float64 { return h.P50 / h.RefP50 }
func (h *HitCost) Ratio99() float64 { return h.P99 / h.RefP99 }

// HitCosts compares the hits of every partly resident row with the reference engine's, in the
// order the configurations first appear. Rows without hit latencies, duels and failed rows are
// left out; so is a configuration whose reference is missing.
func HitCosts(rows []Row) []HitCost {
	ref := ReferenceEngine()
	type key struct {
		mix           string
		engine, varnt string
		qd            int
		rate          float64
		resident      float64
		bs            int
	}
	groups := map[key][]*Row{}
	var order []key
	for i := range rows {
		r := &rows[i]
		if r.ResidentTarget <= 0 || r.Duel != "" || !r.Complete || r.Ops == 0 {
			continue
		}
		if _, ok := r.Values["lat_hit_p50_us"]; !ok {
			continue
		}
		bare := *r
		bare.Engine, bare.IODepth, bare.Rate = "", 0, 0
		k := key{mix: ConfigKey(&bare), engine: r.Engine, varnt: Variant(r), qd: r.IODepth, rate: r.Rate, resident: r.ResidentTarget, bs: r.BS}
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var out []HitCost
	for _, k := range order {
		if k.engine == ref && (k.rate > 0 || k.qd == 1) { // the reference itself; its QD16 is compared
			continue
		}
		refKey := key{mix: k.mix, engine: ref, qd: 1, resident: k.resident, bs: k.bs}
		if k.rate > 0 { // the open loop: the reference at the same rate and depth
			refKey.rate, refKey.qd = k.rate, k.qd
		}
		rs, refs := groups[k], groups[refKey]
		if len(refs) == 0 {
			continue
		}
		h := HitCost{Engine: k.engine, Variant: k.varnt, Resident: k.resident, BS: k.bs, QD: k.qd, Rate: k.rate, Rounds: len(rs)}
		p50, p99 := "lat_hit_p50_us", "lat_hit_p99_us"
		if k.rate > 0 {
			p50, p99 = "lat_intended_hit_p50_us", "lat_intended_hit_p99_us"
		}
		h.P50, h.RefP50 = hitMedian(rs, p50), hitMedian(refs, p50)
		h.P99, h.RefP99 = hitMedian(rs, p99), hitMedian(refs, p99)
		if n := min(len(rs), len(refs)); n > 1 {
			h.Lo, h.Hi = math.Inf(1), math.Inf(-1)
			for i := range n {
				q := rs[i].Values[p50] / refs[i].Values[p50]
				h.Lo, h.Hi = min(h.Lo, q), max(h.Hi, q)
			}
		}
		out = append(out, h)
	}
	return out
}

func hitMedian(rs []*Row, col string) float64 {
	v := make([]float64, 0, len(rs))
	for _, r := range rs {
		if x, ok := r.Values[col]; ok {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	slices.Sort(v)
	m, _ := stats.Median(v)
	return m
}
