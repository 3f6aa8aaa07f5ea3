package report

import (
	"fmt"
	"image/color"

	"github.com/aiobench/aiobench/history"
	"github.com/aiobench/aiobench/results"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A HistorySeries is what a history chart draws: one series' values over commits, and its
// change points with the segments' means (aiobench history check).
type HistorySeries struct {
	Name    string    // the series, as history names it (the page's heading)
	Short   string    // the chart's own title: engine and metric ("" for Name)
	Unit    string    // the metric's unit, for the axis
	Commits []string  // in the history's order
	Values  []float64 // one per commit
	Changes []int     // indexes of the first commit after each change point
	Failing bool      // its latest change point is a regression
}

// HistoryChart draws a series over commits: its values as points, each segment between change
// points as its mean, and a vertical line at each change point labelled with its first commit.
func HistoryChart(s HistorySeries) (*Chart, error) {
	p := newPlot()
	p.Title.Text = s.Name
	if s.Short != "" {
		p.Title.Text = s.Short
	}
	p.X.Min, p.X.Max = -0.5, float64(len(s.Values))-0.5 // room for the first and last points
	p.X.Label.Text = "commit (in the history's order)"
	p.Y.Label.Text = s.Unit
	pts := make(plotter.XYs, len(s.Values))
	for i, v := range s.Values {
		pts[i] = plotter.XY{X: float64(i), Y: v}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Radius = vg.Points(1.5)
	sc.GlyphStyle.Color = lineColor(0)
	p.Add(sc)
	cuts := append(append([]int{0}, s.Changes...), len(s.Values))
	lo, hi := minMax(s.Values)
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		var m float64
		for _, v := range s.Values[a:b] {
			m += v
		}
		m /= float64(b - a)
		l, err := plotter.NewLine(plotter.XYs{{X: float64(a), Y: m}, {X: float64(b - 1), Y: m}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = color.Black, vg.Points(1.5)
		p.Add(l)
	}
	for _, c := range s.Changes {
		l, err := plotter.NewLine(plotter.XYs{{X: float64(c) - 0.5, Y: lo}, {X: float64(c) - 0.5, Y: hi}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Dashes = color.RGBA{R: 200, A: 255}, []vg.Length{vg.Points(3), vg.Points(2)}
		p.Add(l)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: float64(c), Y: hi}}, Labels: []string{history.ShortSHA(s.Commits[c])}})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font.Variant = "Sans"
		}
		p.Add(lb)
	}
	p.X.Tick.Marker = plot.DefaultTicks{}
	caption := fmt.Sprintf("%d commits; %d change point(s): the dashed lines, each labelled with the first commit after it; black: each segment's mean.", len(s.Values), len(s.Changes))
	if s.Failing {
		caption += " Its latest change point is a REGRESSION beyond the threshold."
	}
	return &Chart{Name: "history-" + slugOf(s.Name), Title: s.Name, Caption: caption, Plot: p, W: 7 * vg.Inch, H: 3 * vg.Inch}, nil
}

func minMax(xs []float64) (float64, float64) {
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// HistoryFigures are a history check's charts, one per series, and its sentences, one per
// change point, naming the first commit after it, the change, its interval and p-value, and
// whether it is the latest change or a REGRESSION.
func HistoryFigures(findings []history.Finding) ([]*Chart, []string, error) {
	var charts []*Chart
	var verdicts []string
	for _, fd := range findings {
		s := fd.Series
		hs := HistorySeries{Name: s.Name(), Short: s.Engine + " · " + s.Metric + " over commits", Commits: s.Commits, Values: s.Values, Failing: fd.Regression, Unit: s.Metric}
		if c, ok := results.ColumnByName(s.Metric); ok && c.Unit != "" {
			hs.Unit = s.Metric + " (" + c.Unit + ")"
		}
		for i := range fd.Changes {
			c := &fd.Changes[i]
			hs.Changes = append(hs.Changes, c.Index)
			verdicts = append(verdicts, fmt.Sprintf("%s: %s at %s, %+.2f%% [%+.2f%%, %+.2f%%], p %.2g", s.Name(), fd.Verdict(i), history.ShortSHA(s.Commits[c.Index]), 100*c.Rel(), 100*c.Lo, 100*c.Hi, c.P))
		}
		c, err := HistoryChart(hs)
		if err != nil {
			return nil, nil, err
		}
		charts = append(charts, c)
	}
	return charts, verdicts, nil
}

// HistoryReport is the page of a history check: a chart per series, the verdicts, the source.
func HistoryReport(title, source string, verdicts []string, charts []*Chart) *Report {
	return &Report{Title: title, Charts: charts, Verdicts: verdicts, Sources: []string{source}}
}
