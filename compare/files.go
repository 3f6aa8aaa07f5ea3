package compare

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/results"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// A Metric is a numeric results column and the direction in which it is better.
type Metric struct {
	Name string
	Dir  Direction
}

// DefaultMetrics are what the gate compares unless told otherwise.
var DefaultMetrics = []string{"iops", "lat_p50_us", "lat_p99_us"}

// MetricByName returns the metric for a results column. Throughput columns are better higher;
// latencies, CPU, context switches and retry effort are better lower.
func MetricByName(name string) (Metric, error) {
	c, ok := results.ColumnByName(name)
	if !ok || !c.Numeric() || slices.Contains(results.KeyColumns, name) || name == "round" || name == "seed" || name == "ncpu" || name == "gomaxprocs" || name == "size" {
		return Metric{}, fmt.Errorf("%q is not a metric (e.g. %s, mib_s, lat_mean_us, lat_p999_us, cpu_us_per_op)", name, strings.Join(DefaultMetrics, ", "))
	}
	switch name {
	case "iops", "mib_s", "ops", "bytes":
		return Metric{name, HigherIsBetter}, nil
	}
	return Metric{name, LowerIsBetter}, nil
}

// A Line is one configuration's comparison of one metric.
type Line struct {
	Key    results.Key
	Label  string // names the comparison instead of Key when set
	Metric Metric
	Result
}

// ErrNothingInCommon is returned when two files share no configuration.
var ErrNothingInCommon = errors.New("no configuration in common")

// Files compares candidate against baseline: rows are matched by configuration (engine,
// workload, bs, iodepth, jobs, cache), each side's rows of a configuration (its rounds) are one
// sample, and each metric is compared in its direction (Independent).
func Files(base, cand *results.File, metrics []Metric, o Options) ([]Line, error) {
	for _, f := range []*results.File{base, cand} {
		for _, m := range metrics {
			if !f.Has(m.Name) {
				return nil, fmt.Errorf("%s: no column %s", f.Name, m.Name)
			}
		}
	}
	bs, cs := group(base), group(cand)
	var lines []Line
	for _, k := range keys(bs) {
		crows, ok := cs[k]
		if !ok {
			continue
		}
		for _, m := range metrics {
			col, _ := results.ColumnByName(m.Name)
			r := Independent(values(bs[k], col), values(crows, col), m.Dir, o)
			lines = append(lines, Line{Key: k, Metric: m, Result: r})
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s and %s: %w (configurations are engine, workload, bs, iodepth, jobs, cache)", base.Name, cand.Name, ErrNothingInCommon)
	}
	return lines, nil
}

func group(f *results.File) map[results.Key][]results.Row {
	g := map[results.Key][]results.Row{}
	for _, r := range f.Rows {
		g[r.Key()] = append(g[r.Key()], r)
	}
	return g
}

func keys(g map[results.Key][]results.Row) []results.Key {
	ks := make([]results.Key, 0, len(g))
	for k := range g {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b results.Key) int { return strings.Compare(KeyString(a), KeyString(b)) })
	return ks
}

func values(rows []results.Row, col *results.Column) []float64 {
	v := make([]float64, 0, len(rows))
	for i := range rows {
		x, _ := strconv.ParseFloat(col.Get(&rows[i]), 64)
		v = append(v, x)
	}
	return v
}

// KeyString formats a configuration for tables.
func KeyString(k results.Key) string {
	s := fmt.Sprintf("%s %s bs=%d qd=%d jobs=%d %s", k.Engine, k.Workload, k.BS, k.IODepth, k.Jobs, k.Cache)
	if k.ResidentTarget > 0 {
		s += fmt.Sprintf(" resident=%g%%", k.ResidentTarget)
	}
	if k.Background != "" {
		s += " background=" + k.Background
	}
	return s
}

// MachineWarnings describes how the machines of two files differ (compared on their first rows).
func MachineWarnings(base, cand *results.File) []string {
	if len(base.Rows) == 0 || len(cand.Rows) == 0 {
		return nil
	}
	a, b := base.Rows[0].Machine, cand.Rows[0].Machine
	var w []string
	for _, d := range []struct{ col, what, x, y string }{
		{"kernel", "kernel", a.Kernel, b.Kernel}, {"fs_type", "file system", a.FSType, b.FSType},
		{"device", "device", a.Device, b.Device}, {"cpu_model", "CPU", a.CPUModel, b.CPUModel},
		{"ncpu", "CPU count", strconv.Itoa(a.NCPU), strconv.Itoa(b.NCPU)},
	} {
		if base.Has(d.col) && cand.Has(d.col) && d.x != d.y {
			w = append(w, fmt.Sprintf("the files come from different machines: %s %q in %s, %q in %s", d.what, d.x, base.Name, d.y, cand.Name))
		}
	}
	return w
}

// Header names the columns of a comparison table and summary file.
var Header = []string{"configuration", "metric", "baseline", "candidate", "change", "interval", "p", "n", "verdict", "note"}

func (l *Line) cells() []string {
	pct := func(x float64) string {
		if math.IsInf(x, 0) {
			return fmt.Sprintf("%v", x)
		}
		return fmt.Sprintf("%+.1f%%", 100*x)
	}
	what := l.Label
	if what == "" {
		what = KeyString(l.Key)
	}
	return []string{
		what, l.Metric.Name, num(l.Baseline), num(l.Candidate), pct(l.Change),
		"[" + pct(l.Lo) + ", " + pct(l.Hi) + "]", fmt.Sprintf("%.3g", l.P),
		fmt.Sprintf("%d+%d", l.N1, l.N2), string(l.Verdict), l.Note,
	}
}

func num(x float64) string {
	switch a := math.Abs(x); {
	case a >= 1000:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 3, 64)
}

// WriteTable prints lines as a terminal table ("table") or a Markdown table ("markdown", for a
// pull-request comment).
func WriteTable(w io.Writer, lines []Line, format string) error {
	var r tw.Renderer = renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})
	if format == "markdown" {
		r = renderer.NewMarkdown()
	}
	t := tablewriter.NewTable(w, tablewriter.WithRenderer(r), tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft), tablewriter.WithRowAlignment(tw.AlignLeft))
	t.Header(Header)
	for i := range lines {
		if err := t.Append(lines[i].cells()); err != nil {
			return err
		}
	}
	return t.Render()
}

// WriteCSV writes lines as CSV with Header.
func WriteCSV(w io.Writer, lines []Line) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header); err != nil {
		return err
	}
	for i := range lines {
		if err := cw.Write(lines[i].cells()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
