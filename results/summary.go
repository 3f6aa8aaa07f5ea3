package results

import (
	"slices"
	"strings"

	"github.com/aiobench/aiobench/engines"
	"github.com/montanaflynn/stats"
)

// The run summary: what a reader wants first. One line per configuration and engine over its
// rounds (the median, with the lowest and highest round), and how it compares with the sync
// engine on the same configuration: for a cached (warm) read the sync-path cost (lat mean
// against sync's, the figure the syncfirst suite gates on), for a cold or direct read the
// speed-up (IOPS against sync's).

// A Spread is a metric over rounds: the median and the range.
type Spread struct{ Median, Lo, Hi float64 }

func spreadOf(v []float64) Spread {
	if len(v) == 0 {
		return Spread{}
	}
	m, _ := stats.Median(v)
	return Spread{m, slices.Min(v), slices.Max(v)}
}

// A SummaryRow is one configuration and engine over its rounds.
type SummaryRow struct {
	Engine, Variant               string // Variant: the engine's settings that differ, e.g. "notifier=uring"
	Setup                         string // the other configuration columns that differ between rows, e.g. "resident_target_pct=25%"
	Workload, Cache               string
	Background                    string // the engine of a load run beside it (the syncfirst suite's interference)
	BS, QD, Jobs, Rounds          int
	Rate                          float64 // the open loop's asked rate, 0 for the closed loop
	IOPS, LatMean, LatP50, LatP99 Spread
	LatIntendedP99                Spread // the open loop's p99 from the intended time
	CPUPerOp, MiBs                Spread
	// VsSync compares with sync on the same configuration: for a warm row the change of lat
	// mean in percent (+ is slower), otherwise IOPS as a multiple of sync's. HasSync is false
	// when no sync row shares the configuration (or this is sync).
	VsSync  float64
	HasSync bool
	// Knee and SyncKnee are, for an open-loop row, its configuration's knee (Knees) and sync's
	// on the same configuration (nil without one).
	Knee, SyncKnee *Knee
	// InSpread says the rounds' ranges of the compared figure overlap with the reference's:
	// the change is inside this run's own noise.
	InSpread bool
	Errors   int64

	openConfig string // open loop: ConfigKey without the rate (Knee.config)
	config     int    // the configuration's place in the rows, for the order
	alone      int    // the place of the same configuration without the background load
}

// Warm reports whether the row is a cached read, compared with sync by its cost.
func (s *SummaryRow) Warm() bool { return s.Cache == "warm" }

// Name is the engine with its variant and its background load, e.g. "retry notifier=uring",
// "sync under a uring load".
func (s *SummaryRow) Name() string {
	n := s.Engine
	if s.Variant != "" {
		n += " " + s.Variant
	}
	if s.Setup != "" {
		n += " " + s.Setup
	}
	if s.Background != "" {
		n += " under a " + s.Background + " load"
	}
	return n
}

// Summarize groups rows by configuration and engine: configurations in the order they first
// appear, sync first in each (the reference), then the other engines as they first appear. Rows
// of duels and failed rows are left out of the figures (their errors are counted).
func Summarize(rows []Row) []SummaryRow {
	type group struct {
		s                                    SummaryRow
		iops, mean, p50, p99, cpu, mib, ip99 []float64
	}
	var order []string
	groups := map[string]*group{}
	configs := map[string]int{}
	var shown []Row
	for i := range rows {
		if rows[i].Duel == "" {
			shown = append(shown, rows[i])
		}
	}
	distinct := Distinct(shown, append(engineSettings(), "background", "duel", "rate")...)
	for i := range rows {
		r := &rows[i]
		if r.Duel != "" {
			continue
		}
		c := ConfigKey(r)
		noLoad := *r
		noLoad.Background = ""
		for _, k := range []string{ConfigKey(&noLoad), c} {
			if _, ok := configs[k]; !ok {
				configs[k] = len(configs)
			}
		}
		k := c + "|" + r.Engine + "|" + Variant(r)
		g := groups[k]
		if g == nil {
			g = &group{s: SummaryRow{Engine: r.Engine, Variant: Variant(r), Setup: Describe(r, distinct), Workload: r.Workload, Cache: r.Cache, Background: r.Background, BS: r.BS, QD: r.IODepth, Jobs: r.Jobs, Rate: r.Rate, config: configs[c], alone: configs[ConfigKey(&noLoad)]}}
			if r.Rate > 0 {
				bare := *r
				bare.Rate = 0
				g.s.openConfig = ConfigKey(&bare)
			}
			groups[k] = g
			order = append(order, k)
		}
		g.s.Errors += r.Errors + r.VerifyErrors
		if !r.Complete || r.Ops == 0 {
			continue
		}
		g.s.Rounds++
		g.iops, g.mean, g.p50 = append(g.iops, r.IOPS), append(g.mean, r.LatMean), append(g.p50, r.LatP50)
		g.p99, g.cpu, g.mib = append(g.p99, r.LatP99), append(g.cpu, r.CPUPerOp), append(g.mib, r.MiBs)
		if v, ok := r.Values["lat_intended_p99_us"]; ok && r.Rate > 0 {
			g.ip99 = append(g.ip99, v)
		}
	}
	out := make([]SummaryRow, 0, len(order))
	for _, k := range order {
		g := groups[k]
		g.s.IOPS, g.s.LatMean, g.s.LatP50 = spreadOf(g.iops), spreadOf(g.mean), spreadOf(g.p50)
		g.s.LatP99, g.s.CPUPerOp, g.s.MiBs = spreadOf(g.p99), spreadOf(g.cpu), spreadOf(g.mib)
		g.s.LatIntendedP99 = spreadOf(g.ip99)
		out = append(out, g.s)
	}
	knees := Knees(rows)
	ref := ReferenceEngine()
	slices.SortStableFunc(out, func(a, b SummaryRow) int {
		if a.config != b.config {
			return a.config - b.config
		}
		return b2i(a.Engine != ref || a.Variant != "") - b2i(b.Engine != ref || b.Variant != "")
	})
	for i := range out {
		s := &out[i]
		if s.Rate > 0 { // the open loop compares knees, over the rates of the configuration
			s.Knee = kneeOf(knees, s)
			if s.Knee != nil {
				s.SyncKnee = s.Knee.Reference(knees)
			}
			s.HasSync = s.SyncKnee != nil
			continue
		}
		if s.Engine == ref && s.Background == "" || s.Rounds == 0 {
			continue
		}
		if b := reference(out, s, ref); b != nil {
			s.HasSync = true
			if s.Warm() {
				s.VsSync = 100 * (s.LatMean.Median/b.LatMean.Median - 1)
				s.InSpread = overlap(s.LatMean, b.LatMean)
			} else {
				s.VsSync = s.IOPS.Median / b.IOPS.Median
				s.InSpread = overlap(s.IOPS, b.IOPS)
			}
			s.InSpread = s.InSpread && s.Rounds > 1 && b.Rounds > 1
		}
	}
	return out
}

// kneeOf is the knee whose curve s is a point of.
func kneeOf(knees []Knee, s *SummaryRow) *Knee {
	for i := range knees {
		k := &knees[i]
		if k.Engine == s.Engine && k.Variant == s.Variant && k.config == s.openConfig {
			return k
		}
	}
	return nil
}

// overlap reports whether two ranges over rounds overlap.
func overlap(a, b Spread) bool { return a.Lo <= b.Hi && b.Lo <= a.Hi }

// reference is the sync row s is compared with: sync on s's configuration (for sync under a
// load, sync alone) with the same settings (settings given for a run are recorded on every
// engine's rows, and a report tags each file's rows), else with none, else the only one there
// is; nil when there is none.
func reference(out []SummaryRow, s *SummaryRow, ref string) *SummaryRow {
	var same, bare, only *SummaryRow
	n := 0
	config := s.config
	if s.Engine == ref {
		config = s.alone
	}
	for j := range out {
		b := &out[j]
		if b.Engine != ref || b.Rounds == 0 || b.config != config || b == s {
			continue
		}
		n++
		only = b
		switch b.Variant {
		case s.Variant:
			same = b
		case "":
			bare = b
		}
	}
	switch {
	case same != nil:
		return same
	case bare != nil:
		return bare
	case n == 1:
		return only
	}
	return nil
}

// ReferenceEngine is the engine every other is compared with (engines.Reference: sync).
func ReferenceEngine() string { return engines.ReferenceName() }

// Variant names the engine settings a row was run with, sorted, e.g. "notifier=uring".
func Variant(r *Row) string {
	var v []string
	for k, val := range r.Settings {
		if val != "" && val != "0" {
			v = append(v, k+"="+val)
		}
	}
	slices.Sort(v)
	return strings.Join(v, ",")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
