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

// WriteTable prints rows as a terminal table: throughput, lat (µs) mean and percentiles, CPU
// per request, page-cache residency at start→end, and errors (read errors + verify errors).
func WriteTable(w io.Writer, rows []Row) error {
	align := make([]tw.Align, len(TableHeader))
	for i := range align {
		align[i] = tw.AlignRight
		if i < 7 {
			align[i] = tw.AlignLeft
		}
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
	)
	t.Header(TableHeader)
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
