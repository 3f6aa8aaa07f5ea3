package results

import (
	"fmt"
	"io"
	"strconv"

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

// newTable returns an ASCII table whose first left columns are left-aligned, the rest right.
func newTable(w io.Writer, header []string, left int) *tablewriter.Table {
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

// WriteTable prints rows as a terminal table: throughput, lat (µs) mean and percentiles, CPU
// per request, page-cache residency at start→end, and errors (read errors + verify errors).
// When any engine kept counters, a second table shows them.
func WriteTable(w io.Writer, rows []Row) error {
	t := newTable(w, TableHeader, 7)
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
	if err := t.Render(); err != nil {
		return err
	}
	return writeCounterTable(w, rows)
}

// counterTable lays out the engine-counter table: a column's counter, its label and format.
var counterTable = []struct {
	name, label string
	format      func(float64) string
}{
	{"attempts_per_op", "attempts/op", func(v float64) string { return fmt.Sprintf("%.2f", v) }},
	{"attempts_max", "max", count}, {"eagain", "eagain", count}, {"short_reads", "short", count},
	{"kicks", "kicks", count}, {"stale_kicks", "stale", count}, {"kicked_while_running", "kicked running", count},
	{"fallbacks", "fallbacks", count}, {"waiters_peak", "waiters peak", count},
	{"wait_to_retry_p50_us", "wait→retry p50", us}, {"wait_to_retry_p99_us", "p99", us},
	{"queue_wait_p50_us", "queue wait p50", us}, {"queue_wait_p99_us", "p99", us},
	{"handoff_p50_us", "handoff p50", us}, {"handoff_p99_us", "p99", us}, {"queue_peak", "queue peak", count},
}

func count(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// CounterHeader names the columns of the engine-counter table; times are in µs.
var CounterHeader = func() []string {
	h := []string{"engine", "round", "cache", "qd"}
	for _, c := range counterTable {
		h = append(h, c.label)
	}
	return h
}()

func hasCounters(r *Row) bool {
	for _, name := range []string{"attempts_per_op", "kicks", "fallbacks", "queue_wait_p50_us", "handoff_p50_us"} {
		if r.Counters[name] != 0 {
			return true
		}
	}
	return false
}

func writeCounterTable(w io.Writer, rows []Row) error {
	var t *tablewriter.Table
	for i := range rows {
		r := &rows[i]
		if !hasCounters(r) {
			continue
		}
		if t == nil {
			if _, err := fmt.Fprintln(w, "engine counters (µs):"); err != nil {
				return err
			}
			t = newTable(w, CounterHeader, 3)
		}
		cells := []string{r.Engine, strconv.Itoa(r.Round), r.Cache, strconv.Itoa(r.IODepth)}
		for _, c := range counterTable {
			cells = append(cells, c.format(r.Counters[c.name]))
		}
		if err := t.Append(cells); err != nil {
			return err
		}
	}
	if t == nil {
		return nil
	}
	return t.Render()
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
