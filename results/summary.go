package results

import (
	"fmt"
	"io"
	"slices"
	"strconv"
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
	Workload, Cache               string
	Background                    string // the engine of a load run beside it (the syncfirst suite's interference)
	BS, QD, Jobs, Rounds          int
	IOPS, LatMean, LatP50, LatP99 Spread
	CPUPerOp                      Spread
	// VsSync compares with sync on the same configuration: for a warm row the change of lat
	// mean in percent (+ is slower), otherwise IOPS as a multiple of sync's. HasSync is false
	// when no sync row shares the configuration (or this is sync).
	VsSync  float64
	HasSync bool
	Errors  int64

	config int // the configuration's place in the rows, for the order
	alone  int // the place of the same configuration without the background load
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
		s                         SummaryRow
		iops, mean, p50, p99, cpu []float64
	}
	var order []string
	groups := map[string]*group{}
	configs := map[string]int{}
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
			g = &group{s: SummaryRow{Engine: r.Engine, Variant: Variant(r), Workload: r.Workload, Cache: r.Cache, Background: r.Background, BS: r.BS, QD: r.IODepth, Jobs: r.Jobs, config: configs[c], alone: configs[ConfigKey(&noLoad)]}}
			groups[k] = g
			order = append(order, k)
		}
		g.s.Errors += r.Errors + r.VerifyErrors
		if !r.Complete || r.Ops == 0 {
			continue
		}
		g.s.Rounds++
		g.iops, g.mean, g.p50 = append(g.iops, r.IOPS), append(g.mean, r.LatMean), append(g.p50, r.LatP50)
		g.p99, g.cpu = append(g.p99, r.LatP99), append(g.cpu, r.CPUPerOp)
	}
	out := make([]SummaryRow, 0, len(order))
	for _, k := range order {
		g := groups[k]
		g.s.IOPS, g.s.LatMean, g.s.LatP50 = spreadOf(g.iops), spreadOf(g.mean), spreadOf(g.p50)
		g.s.LatP99, g.s.CPUPerOp = spreadOf(g.p99), spreadOf(g.cpu)
		out = append(out, g.s)
	}
	ref := ReferenceEngine()
	slices.SortStableFunc(out, func(a, b SummaryRow) int {
		if a.config != b.config {
			return a.config - b.config
		}
		return b2i(a.Engine != ref || a.Variant != "") - b2i(b.Engine != ref || b.Variant != "")
	})
	for i := range out {
		s := &out[i]
		if s.Engine == ref && s.Background == "" || s.Rounds == 0 {
			continue
		}
		if b := reference(out, s, ref); b != nil {
			s.HasSync = true
			if s.Warm() {
				s.VsSync = 100 * (s.LatMean.Median/b.LatMean.Median - 1)
			} else {
				s.VsSync = s.IOPS.Median / b.IOPS.Median
			}
		}
	}
	return out
}

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

// SummaryHeader names the columns of the summary table; latencies in µs.
var SummaryHeader = []string{"engine", "workload", "bs", "qd", "cache", "rounds", "IOPS", "lat mean", "p99", "CPU µs/op", "vs sync"}

// summaryCells formats one summary row; spread says how a Spread is shown.
func summaryCells(s *SummaryRow, spread func(Spread, func(float64) string) string) []string {
	vs := ""
	switch {
	case !s.HasSync:
	case s.Warm():
		vs = fmt.Sprintf("%+.1f%% lat", s.VsSync)
	default:
		vs = fmt.Sprintf("%.2f× IOPS", s.VsSync)
	}
	iops := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	cpu := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	return []string{s.Name(), s.Workload, sizeString(s.BS), strconv.Itoa(s.QD), s.Cache, strconv.Itoa(s.Rounds),
		spread(s.IOPS, iops), spread(s.LatMean, us), spread(s.LatP99, us), spread(s.CPUPerOp, cpu), vs}
}

// SummaryCells formats one summary row as the summary table shows it (SummaryHeader).
func SummaryCells(s *SummaryRow) []string { return summaryCells(s, textSpread) }

// SummaryNote says how to read the summary table.
const SummaryNote = "median over rounds [lowest–highest]; latencies in µs; vs sync: a cached read's lat mean against sync's (+ is slower), otherwise IOPS as a multiple of sync's"

// textSpread shows the median, and the range when rounds differ.
func textSpread(s Spread, f func(float64) string) string {
	if s.Lo == s.Hi {
		return f(s.Median)
	}
	return fmt.Sprintf("%s [%s–%s]", f(s.Median), f(s.Lo), f(s.Hi))
}

// WriteSummary prints the summary table: medians over rounds with their range, and the
// comparison with sync.
func WriteSummary(w io.Writer, rows []Row) error {
	sum := Summarize(rows)
	t := newTable(w, SummaryHeader, 5)
	for i := range sum {
		if err := t.Append(summaryCells(&sum[i], textSpread)); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(w, "summary: median over rounds [lowest–highest]; vs sync: a cached read's lat mean against sync's (+ is slower), otherwise IOPS as a multiple of sync's"); err != nil {
		return err
	}
	return t.Render()
}

// WriteSummaryMarkdown prints the summary as a GitHub-flavoured markdown table.
func WriteSummaryMarkdown(w io.Writer, rows []Row) error {
	sum := Summarize(rows)
	var b strings.Builder
	b.WriteString("| " + strings.Join(SummaryHeader, " | ") + " |\n|")
	for range SummaryHeader {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for i := range sum {
		b.WriteString("| " + strings.Join(summaryCells(&sum[i], textSpread), " | ") + " |\n")
	}
	b.WriteString("\nMedian over rounds [lowest–highest]; latencies in µs. vs sync: a cached read's lat mean against sync's (+ is slower), otherwise IOPS as a multiple of sync's.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
