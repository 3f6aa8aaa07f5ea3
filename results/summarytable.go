package results

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The summary as a table: its columns for the rows it has, and each row's cells.

// SummaryHeader names the summary table's columns; latencies in µs. A summary of reads of
// 64 KiB or more adds MiB/s after IOPS (SummaryTable).
var SummaryHeader = []string{"engine", "workload", "bs", "qd", "cache", "rounds", "IOPS", "lat mean", "p99", "CPU µs/op", "vs sync"}

// largeBS is the request size from which the summary shows MiB/s too.
const largeBS = 64 << 10

// SummaryNote says how to read the summary table.
const SummaryNote = "median over rounds [lowest–highest]; latencies in µs; vs sync: a cached read's lat mean against sync's (+ is slower), otherwise IOPS as a multiple of sync's; ≈: the rounds' ranges overlap with sync's, the change is within this run's own noise"

// SummaryTable returns the summary's header and its rows' cells.
func SummaryTable(sum []SummaryRow) (header []string, cells [][]string) {
	mib := slices.ContainsFunc(sum, func(s SummaryRow) bool { return s.BS >= largeBS })
	header = SummaryHeader
	if mib {
		header = slices.Insert(slices.Clone(SummaryHeader), 7, "MiB/s")
	}
	for i := range sum {
		cells = append(cells, summaryCells(&sum[i], mib))
	}
	return header, cells
}

// summaryCells formats one summary row, with MiB/s when the table has it.
func summaryCells(s *SummaryRow, mib bool) []string {
	vs := ""
	switch {
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
	c := []string{s.Name(), s.Workload, sizeString(s.BS), strconv.Itoa(s.QD), s.Cache, strconv.Itoa(s.Rounds),
		textSpread(s.IOPS, iops)}
	if mib {
		m := ""
		if s.BS >= largeBS {
			m = textSpread(s.MiBs, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) })
		}
		c = append(c, m)
	}
	return append(c, textSpread(s.LatMean, us), textSpread(s.LatP99, us), textSpread(s.CPUPerOp, cpu), vs)
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
	header, cells := SummaryTable(Summarize(rows))
	t := newTable(w, header, 5)
	for _, c := range cells {
		if err := t.Append(c); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintln(w, "summary: "+SummaryNote); err != nil {
		return err
	}
	return t.Render()
}

// WriteSummaryMarkdown prints the summary as a GitHub-flavoured markdown table.
func WriteSummaryMarkdown(w io.Writer, rows []Row) error {
	header, cells := SummaryTable(Summarize(rows))
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
	_, err := io.WriteString(w, b.String())
	return err
}
