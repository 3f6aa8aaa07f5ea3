package results

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/aiobench/aiobench/internal/units"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// TableHeader names the columns of the terminal table; latencies are in µs.
var TableHeader = []string{
	"engine", "round", "workload", "bs", "qd", "jobs", "cache",
	"IOPS", "MiB/s", "lat mean", "p50", "p99", "p99.9", "max",
	"CPU µs/op", "resident %", "errors",
}

// NewTable returns an ASCII table, as aiobench prints every table, whose first left columns are left-aligned, the rest right.
func NewTable(w io.Writer, header []string, left int) *tablewriter.Table {
	align := make([]tw.Align, len(header))
	for i := range align {
		align[i] = tw.AlignRight
		if i < left {
			align[i] = tw.AlignLeft
		}
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
	)
	t.Header(header)
	return t
}

// WriteTable prints rows as a terminal table (WriteRounds), then the engines' counters
// (WriteCounters).
func WriteTable(w io.Writer, rows []Row) error {
	if err := WriteRounds(w, rows); err != nil {
		return err
	}
	return WriteCounters(w, rows)
}

// WriteRounds prints rows as a terminal table, one per round: throughput, lat (µs) mean and
// percentiles, CPU per request, page-cache residency at start→end, and errors (read errors +
// verify errors).
func WriteRounds(w io.Writer, rows []Row) error {
	t := NewTable(w, TableHeader, 7)
	for i := range rows {
		r := &rows[i]
		errs := strconv.FormatInt(r.Errors+r.VerifyErrors, 10)
		if !r.Complete {
			errs += " (incomplete)"
		}
		if err := t.Append([]string{
			r.Engine, strconv.Itoa(r.Round), r.Workload, sizeString(r.BS), strconv.Itoa(r.IODepth),
			strconv.Itoa(r.Jobs), r.Cache,
			fmt.Sprintf("%.0f", r.IOPS), fmt.Sprintf("%.1f", r.MiBs),
			us(r.LatMean), us(r.LatP50), us(r.LatP99), us(r.LatP999), us(r.LatMax),
			fmt.Sprintf("%.2f", r.CPUPerOp),
			fmt.Sprintf("%.0f→%.0f", r.ResidentStart, r.ResidentEnd),
			errs,
		}); err != nil {
			return err
		}
	}
	return t.Render()
}

// WriteCounterMedians prints the engines' counters as WriteCounters does, but one line per
// configuration and engine setting: the median over its rounds (rounds says how many).
func WriteCounterMedians(w io.Writer, rows []Row) error {
	type group struct {
		row  Row
		vals map[string][]float64
	}
	var order []*group
	groups := map[string]*group{}
	for i := range rows {
		r := &rows[i]
		if !hasCounters(r) || r.Duel != "" || !r.Complete || r.Ops == 0 {
			continue // as the summary: a failed or interrupted run is no round of figures
		}
		k := ConfigKey(r) + "|" + r.Engine + "|" + Variant(r)
		g := groups[k]
		if g == nil {
			row := *r // its configuration, which tells it apart from the others
			row.Round, row.Values = 0, map[string]float64{}
			g = &group{row: row, vals: map[string][]float64{}}
			groups[k] = g
			order = append(order, g)
		}
		g.row.Round++ // the rounds
		for _, c := range counterColumns() {
			g.vals[c.Name] = append(g.vals[c.Name], r.Values[c.Name])
		}
	}
	med := make([]Row, len(order))
	for i, g := range order {
		for name, vs := range g.vals {
			g.row.Values[name] = spreadOf(vs).Median
		}
		med[i] = g.row
	}
	return writeCounters(w, med, "rounds")
}

// WriteCounters prints the engines' counters: one table per engine that kept any, with
// only the counters that are not 0 in some row of it, in schema order (µs where the column's
// unit says so).
func WriteCounters(w io.Writer, rows []Row) error { return writeCounters(w, rows, "round") }

func writeCounters(w io.Writer, rows []Row, round string) error {
	var engines []string
	for i := range rows {
		if hasCounters(&rows[i]) && !slices.Contains(engines, rows[i].Engine) {
			engines = append(engines, rows[i].Engine)
		}
	}
	for _, e := range engines {
		var cols []*Column
		for _, c := range counterColumns() {
			for j := range rows {
				if rows[j].Engine == e && rows[j].Values[c.Name] != 0 {
					cols = append(cols, c)
					break
				}
			}
		}
		if len(cols) == 0 {
			continue
		}
		// Rows told apart as the summary tells them: the block size, and every other setting
		// that differs among them (a suite of several sizes and residencies, variations).
		var mine []Row
		for i := range rows {
			if rows[i].Engine == e {
				mine = append(mine, rows[i])
			}
		}
		distinct := Distinct(mine, append(engineSettings(), "duel")...)
		header := []string{"engine", round, "bs", "cache", "qd"}
		for _, c := range cols {
			header = append(header, c.Name)
		}
		if _, err := fmt.Fprintf(w, "%s counters:\n", e); err != nil {
			return err
		}
		t := NewTable(w, header, 3)
		for i := range rows {
			r := &rows[i]
			if r.Engine != e {
				continue
			}
			name := r.Engine
			if v := Variant(r); v != "" {
				name += " " + v
			}
			if d := Describe(r, distinct); d != "" {
				name += " " + d
			}
			cells := []string{name, strconv.Itoa(r.Round), units.FormatSize(int64(r.BS)), r.Cache, strconv.Itoa(r.IODepth)}
			for _, c := range cols {
				cells = append(cells, formatCounter(r.Values[c.Name]))
			}
			if err := t.Append(cells); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
			return err
		}
	}
	return nil
}

// counterColumns are the engines' counters, in the order files are written in.
func counterColumns() []*Column {
	var cs []*Column
	cols := Columns()
	for i := range cols {
		if cols[i].Engine && !cols[i].Config {
			cs = append(cs, &cols[i])
		}
	}
	return cs
}

// hasCounters reports whether r has a value of an engine's counter that is not 0.
func hasCounters(r *Row) bool {
	for _, c := range counterColumns() {
		if r.Values[c.Name] != 0 {
			return true
		}
	}
	return false
}

// formatCounter shows a whole count as one, anything else with three significant figures.
func formatCounter(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// us formats microseconds with three significant figures at most below 100.
func us(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func sizeString(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "M"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "k"
	}
	return strconv.Itoa(n)
}
