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

// MetricByName returns the metric for a results column, its direction as the schema states it
// (results.Column.Better); a column that is not a metric is an error.
func MetricByName(name string) (Metric, error) {
	c, ok := results.ColumnByName(name)
	if !ok || !c.IsMetric() {
		return Metric{}, fmt.Errorf("%q is not a metric (e.g. %s, mib_s, lat_mean_us, lat_p999_us, cpu_us_per_op)", name, strings.Join(DefaultMetrics, ", "))
	}
	if c.Better == results.BetterHigher {
		return Metric{name, HigherIsBetter}, nil
	}
	return Metric{name, LowerIsBetter}, nil
}

// A Line is one configuration's comparison of one metric.
type Line struct {
	Key    results.Key
	Label  string // names the comparison in tables
	Metric Metric
	Result
}

// A JSONLine is a comparison as the JSON documents have it (--format json): numbers as numbers,
// an interval's unbounded end as null.
type JSONLine struct {
	Configuration string   `json:"configuration"`
	Metric        string   `json:"metric,omitempty"`
	Baseline      *float64 `json:"baseline"`
	Candidate     *float64 `json:"candidate"`
	Change        *float64 `json:"change"`
	Lo            *float64 `json:"lo"`
	Hi            *float64 `json:"hi"`
	P             *float64 `json:"p"`
	N             string   `json:"n"`
	Paired        bool     `json:"paired"`
	Verdict       Verdict  `json:"verdict"`
	Note          string   `json:"note,omitempty"`
	Test          string   `json:"test,omitempty"`
}

// JSON returns the line for a JSON document.
func (l *Line) JSON() JSONLine {
	f := l.fields(false)
	num := func(x float64) *float64 {
		if !finite(x) {
			return nil
		}
		return &x
	}
	j := JSONLine{Configuration: f[0], Metric: l.Metric.Name, N: f[7], Paired: l.Paired, Verdict: l.Verdict, Note: l.Note, Test: l.Test}
	if l.Verdict != Missing && l.Verdict != New {
		j.Baseline, j.Candidate, j.Change, j.Lo, j.Hi, j.P = num(l.Baseline), num(l.Candidate), num(l.Change), num(l.Lo), num(l.Hi), num(l.P)
	}
	return j
}

// NotGated is the note of a comparison that is reported but does not fail a gate (a sync-path
// check of an engine the syncfirst gate does not judge).
const NotGated = "reported, not gated"

// LoadNote is the note of a comparison made beside a background load that ran at iops: the
// loads of different engines run at their own rates, so their verdicts are not alike.
func LoadNote(iops float64) string { return fmt.Sprintf("load %.0f IOPS", iops) }

// LoadOf returns the load's IOPS a note carries (LoadNote), false when it carries none.
func LoadOf(note string) (float64, bool) {
	for _, part := range strings.Split(note, "; ") {
		var v float64
		if n, err := fmt.Sscanf(part, "load %g IOPS", &v); n == 1 && err == nil {
			return v, true
		}
	}
	return 0, false
}

// ErrNothingInCommon is returned when two files share no configuration.
var ErrNothingInCommon = errors.New("no configuration in common")

// Files compares candidate against baseline: rows are matched by configuration (every column
// that sets up a run), each side's rows of a configuration (its rounds) are one sample, and each
// metric is compared in its direction (Independent). Rows of failed runs (complete=false,
// errors or verify_errors) are left out and counted in the note; a configuration whose
// candidate rows all failed where the baseline's did not is FAILED. A configuration of the
// baseline that the candidate lacks is MISSING; one only in the candidate is NEW. Both files
// must share at least one configuration.
func Files(base, cand *results.File, metrics []Metric, o Options) ([]Line, error) {
	for _, f := range []*results.File{base, cand} {
		for _, m := range metrics {
			if !f.Has(m.Name) {
				return nil, fmt.Errorf("%s: no column %s", f.Name, m.Name)
			}
		}
	}
	bs, cs := group(base), group(cand)
	all := keys(bs)
	for k := range cs {
		if _, ok := bs[k]; !ok {
			all = append(all, k)
		}
	}
	label := labels(all)
	var lines []Line
	common := 0
	for _, k := range keys(bs) {
		crows, ok := cs[k]
		if !ok {
			lines = append(lines, Line{Key: k, Label: label[k], Result: Result{Verdict: Missing,
				Note: fmt.Sprintf("in %s, not in %s: the candidate did not run it", base.Name, cand.Name)}})
			continue
		}
		common++
		bgood, bfailed := usable(base, bs[k])
		cgood, cfailed := usable(cand, crows)
		for _, m := range metrics {
			col, _ := results.ColumnByName(m.Name)
			r := Independent(values(bgood, col), values(cgood, col), m.Dir, o)
			if cfailed > 0 && len(cgood) < MinSamples(o.Alpha, false) && bfailed == 0 {
				r.Verdict = Failed
				r.Note = fmt.Sprintf("%d of %d candidate runs failed, no baseline run did", cfailed, len(crows))
			} else if bfailed+cfailed > 0 {
				r.Note = strings.TrimPrefix(r.Note+fmt.Sprintf("; failed runs left out: %d baseline, %d candidate", bfailed, cfailed), "; ")
			}
			lines = append(lines, Line{Key: k, Label: label[k], Metric: m, Result: r})
		}
	}
	if common == 0 {
		return nil, fmt.Errorf("%s and %s: %w (they differ in %s)", base.Name, cand.Name, ErrNothingInCommon, differences(base, cand))
	}
	for _, k := range keys(cs) {
		if _, ok := bs[k]; !ok {
			lines = append(lines, Line{Key: k, Label: label[k], Result: Result{Verdict: New,
				Note: fmt.Sprintf("only in %s: nothing to compare it with", cand.Name)}})
		}
	}
	return lines, nil
}

// usable returns the rows of runs that completed without errors, and how many were left out.
func usable(f *results.File, rows []results.Row) ([]results.Row, int) {
	good := rows[:0:0]
	for _, r := range rows {
		if (f.Has("complete") && !r.Complete) || r.Errors > 0 || r.VerifyErrors > 0 {
			continue
		}
		good = append(good, r)
	}
	return good, len(rows) - len(good)
}

// differences names the configuration columns whose values two files do not share, with each
// side's values: "cache: warm vs cold".
func differences(base, cand *results.File) string {
	var out []string
	for _, c := range results.ConfigColumns() {
		b, k := valuesOf(base, c), valuesOf(cand, c)
		if !slices.Equal(b, k) {
			out = append(out, fmt.Sprintf("%s: %s vs %s", c.Name, strings.Join(b, "/"), strings.Join(k, "/")))
		}
	}
	if len(out) == 0 {
		return "no configuration column (their rows failed?)"
	}
	return strings.Join(out, "; ")
}

// valuesOf is the sorted set of a column's values in a file's rows ("" shown as "-").
func valuesOf(f *results.File, c *results.Column) []string {
	var v []string
	for i := range f.Rows {
		x := c.Get(&f.Rows[i])
		if x == "" {
			x = "-"
		}
		if !slices.Contains(v, x) {
			v = append(v, x)
		}
	}
	slices.Sort(v)
	return v
}

func group(f *results.File) map[results.Key][]results.Row {
	g := map[results.Key][]results.Row{}
	for i := range f.Rows {
		k := f.Rows[i].Key()
		g[k] = append(g[k], f.Rows[i])
	}
	return g
}

func keys(g map[results.Key][]results.Row) []results.Key {
	ks := make([]results.Key, 0, len(g))
	for k := range g {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// values are the column's measured values in rows; a row that did not measure it (empty) gives
// none.
func values(rows []results.Row, col *results.Column) []float64 {
	v := make([]float64, 0, len(rows))
	for i := range rows {
		if x, ok := col.Value(&rows[i]); ok {
			v = append(v, x)
		}
	}
	return v
}

// KeyString formats a configuration for tables: engine, workload, bs, iodepth, jobs and cache,
// and the resident share, background engine and duel where set.
func KeyString(k results.Key) string {
	s := fmt.Sprintf("%s %s bs=%s qd=%s jobs=%s %s", k.Value("engine"), k.Value("workload"), k.Value("bs"),
		k.Value("iodepth"), k.Value("jobs"), k.Value("cache"))
	if v := k.Value("resident_target_pct"); v != "" && v != "0" {
		s += " resident=" + v + "%"
	}
	if v := k.Value("background"); v != "" {
		s += " background=" + v
	}
	if v := k.Value("duel"); v != "" {
		s += " duel=" + v
	}
	return s
}

// labels names each configuration for a table: KeyString, and where two configurations would
// read the same, the other settings in which they differ.
func labels(ks []results.Key) map[results.Key]string {
	out := make(map[results.Key]string, len(ks))
	same := map[string][]results.Key{}
	for _, k := range ks {
		same[KeyString(k)] = append(same[KeyString(k)], k)
	}
	for short, group := range same {
		for _, k := range group {
			out[k] = short
			if len(group) == 1 {
				continue
			}
			for _, c := range results.ConfigColumns() {
				for _, o := range group {
					if o.Value(c.Name) != k.Value(c.Name) {
						out[k] += " " + c.Name + "=" + k.Value(c.Name)
						break
					}
				}
			}
		}
	}
	return out
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
// Columns are added at the end, never renamed: scripts read summaries.
var Header = []string{"configuration", "metric", "baseline", "candidate", "change", "interval", "p", "n", "verdict", "note", "test"}

// cells are the line's fields as the summary CSV has them: each side's own median.
func (l *Line) cells() []string { return l.fields(false) }

// fields formats the line. In a table, a paired comparison's candidate is the figure its
// change puts it at, baseline × (1 + change), so that the row reads true at a glance (the
// sides' own medians need not agree with the median of the pairs' ratios); the note gives the
// candidate's own median. n counts pairs for a paired test.
func (l *Line) fields(table bool) []string {
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
	if l.Verdict == Missing || l.Verdict == New {
		return []string{what, "", "", "", "", "", "", "", string(l.Verdict), l.Note, ""}
	}
	cand, n, note := num(l.Candidate), fmt.Sprintf("%d+%d", l.N1, l.N2), l.Note
	if l.Paired {
		n = fmt.Sprintf("%d pairs", l.N1)
		if table && finite(l.Change) && l.Baseline != 0 {
			cand = num(l.Baseline * (1 + l.Change))
			note = join(note, "paired: candidate = baseline × (1 + change); its own median "+num(l.Candidate))
		}
	}
	return []string{
		what, l.Metric.Name, num(l.Baseline), cand, pct(l.Change),
		"[" + pct(l.Lo) + ", " + pct(l.Hi) + "]", fmt.Sprintf("%.3g", l.P),
		n, string(l.Verdict), note, l.Test,
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
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
		if err := t.Append(lines[i].fields(true)); err != nil {
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
