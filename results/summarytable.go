package results

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The summary as a table: its columns for the rows it has, and each row's cells.

// SummaryHeader names the summary table's columns; latencies in µs. A summary of reads of
// 64 KiB or more adds MiB/s after IOPS, one with open-loop rows the asked rate after cache and
// the p99 from the intended time after p99 (SummaryTable).
var SummaryHeader = []string{"engine", "workload", "bs", "qd", "cache", "rounds", "IOPS", "lat mean", "p99", "CPU µs/op", "vs sync"}

// largeBS is the request size from which the summary shows MiB/s too.
const largeBS = 64 << 10

// SummaryNote says how to read the summary table.
const SummaryNote = "median over rounds [lowest–highest]; latencies in µs; vs sync: a cached read's lat mean against sync's (+ is slower), otherwise IOPS as a multiple of sync's; ≈: the rounds' ranges overlap with sync's, the change is within this run's own noise"

// OpenLoopNote says how to read the summary's open-loop rows; it follows SummaryNote when
// there are some.
const OpenLoopNote = "open loop (rate): IOPS completed at the asked rate; p99 int.: from each request's intended time, what the application waits; vs sync: the knee, the highest rate whose p99 int. stays under lat_target_us (≥: not reached at the rates tried; <: over it at the lowest), and sync's"

// HasOpenLoop reports whether the summary has open-loop rows.
func HasOpenLoop(sum []SummaryRow) bool {
	return slices.ContainsFunc(sum, func(s SummaryRow) bool { return s.Rate > 0 })
}

// SummaryTable returns the summary's header and its rows' cells.
func SummaryTable(sum []SummaryRow) (header []string, cells [][]string) {
	mib := slices.ContainsFunc(sum, func(s SummaryRow) bool { return s.BS >= largeBS })
	open := HasOpenLoop(sum)
	header = slices.Clone(SummaryHeader)
	if mib {
		header = slices.Insert(header, 7, "MiB/s")
	}
	if open {
		header = slices.Insert(header, slices.Index(header, "p99")+1, "p99 int.")
		header = slices.Insert(header, slices.Index(header, "cache")+1, "rate")
	}
	for i := range sum {
		cells = append(cells, summaryCells(&sum[i], mib, open))
	}
	return header, cells
}

// summaryCells formats one summary row, with MiB/s and the open loop's columns when the table
// has them.
func summaryCells(s *SummaryRow, mib, open bool) []string {
	vs := ""
	switch {
	case s.Rate > 0:
		vs = kneeCell(s)
	case !s.HasSync:
	case s.Warm():
		vs = fmt.Sprintf("%+.1f%% lat", s.VsSync)
	default:
		vs = fmt.Sprintf("%.2f× IOPS", s.VsSync)
	}
	if s.InSpread {
		vs += " ≈"
	}
	iops := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	cpu := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	c := []string{s.Name(), s.Workload, sizeString(s.BS), strconv.Itoa(s.QD), s.Cache}
	if open {
		r := ""
		if s.Rate > 0 {
			r = FormatRate(s.Rate)
		}
		c = append(c, r)
	}
	c = append(c, strconv.Itoa(s.Rounds), textSpread(s.IOPS, iops))
	if mib {
		m := ""
		if s.BS >= largeBS {
			m = textSpread(s.MiBs, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) })
		}
		c = append(c, m)
	}
	c = append(c, textSpread(s.LatMean, us), textSpread(s.LatP99, us))
	if open {
		p := ""
		if s.Rate > 0 {
			p = textSpread(s.LatIntendedP99, us)
		}
		c = append(c, p)
	}
	return append(c, textSpread(s.CPUPerOp, cpu), vs)
}

// kneeCell is an open-loop row's vs sync: its knee and sync's, e.g. "knee 40k (sync 20k)".
func kneeCell(s *SummaryRow) string {
	if s.Knee == nil {
		return ""
	}
	v := "knee " + KneeText(s.Knee)
	if s.SyncKnee != nil {
		v += " (sync " + KneeText(s.SyncKnee) + ")"
	}
	return v
}

// KneeText says a knee in a few characters: "40k", "≥80k" (every rate tried was under the
// target), "<10k" (the lowest was over it).
func KneeText(k *Knee) string {
	switch {
	case !k.Reached():
		return "≥" + FormatRate(k.Knee)
	case k.Knee == 0:
		return "<" + FormatRate(k.Over)
	}
	return FormatRate(k.Knee)
}

// FormatRate writes reads per second as --rate takes them: 500, 40k, 1.5M.
func FormatRate(v float64) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch {
	case v >= 1e6 && math.Round(v/1e4) == v/1e4:
		return f(v/1e6) + "M"
	case v >= 1e3 && math.Round(v/10) == v/10:
		return f(v/1e3) + "k"
	}
	return f(math.Round(v))
}

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
	header, cells := SummaryTable(sum)
	t := NewTable(w, header, 5)
	for _, c := range cells {
		if err := t.Append(c); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(w, "summary: "+SummaryNote); err != nil {
		return err
	}
	if HasOpenLoop(sum) {
		if _, err := fmt.Fprintln(w, "summary: "+OpenLoopNote); err != nil {
			return err
		}
	}
	return t.Render()
}

// WriteSummaryMarkdown prints the summary as a GitHub-flavoured markdown table.
func WriteSummaryMarkdown(w io.Writer, rows []Row) error {
	sum := Summarize(rows)
	header, cells := SummaryTable(sum)
	var b strings.Builder
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, c := range cells {
		b.WriteString("| " + strings.Join(c, " | ") + " |\n")
	}
	b.WriteString("\n" + strings.ToUpper(SummaryNote[:1]) + SummaryNote[1:] + ".\n")
	if HasOpenLoop(sum) {
		b.WriteString("\n" + strings.ToUpper(OpenLoopNote[:1]) + OpenLoopNote[1:] + ".\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
