package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"github.com/aiobench/aiobench/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// depthCharts draw, for every configuration run at more than one iodepth (the aiolat suite's
// curve), IOPS and lat p99 against iodepth, a line per engine: medians over rounds.
func depthCharts(sum []results.SummaryRow) ([]*Chart, error) {
	type family struct {
		label  string
		depths []int
		lines  map[string]plotter.XYs // engine → (qd, iops)
		p99    map[string]plotter.XYs
		order  []string
	}
	var fams []*family
	byKey := map[string]*family{}
	for i := range sum {
		s := &sum[i]
		if s.Rate > 0 {
			continue // the open loop's curve is against the rate (kneeCharts)
		}
		k := fmt.Sprintf("%s|%d|%d|%s", s.Workload, s.BS, s.Jobs, s.Cache)
		f := byKey[k]
		if f == nil {
			f = &family{label: configLabel(s.Workload, s.BS, 0, s.Jobs, s.Cache), lines: map[string]plotter.XYs{}, p99: map[string]plotter.XYs{}}
			byKey[k] = f
			fams = append(fams, f)
		}
		if !slices.Contains(f.depths, s.QD) {
			f.depths = append(f.depths, s.QD)
		}
		n := s.Name()
		if _, ok := f.lines[n]; !ok {
			f.order = append(f.order, n)
		}
		f.lines[n] = append(f.lines[n], plotter.XY{X: float64(s.QD), Y: s.IOPS.Median})
		f.p99[n] = append(f.p99[n], plotter.XY{X: float64(s.QD), Y: s.LatP99.Median})
	}
	var charts []*Chart
	for _, f := range fams {
		if len(f.depths) < 2 {
			continue
		}
		slices.Sort(f.depths)
		var ticks plot.ConstantTicks
		for _, d := range f.depths {
			ticks = append(ticks, plot.Tick{Value: float64(d), Label: strconv.Itoa(d)})
		}
		for _, m := range []struct {
			what, unit string
			lines      map[string]plotter.XYs
			log        bool
		}{{"IOPS", "IOPS", f.lines, false}, {"lat p99", "lat p99 (µs, log scale)", f.p99, true}} {
			p := newPlot()
			p.Title.Text = m.what + " against iodepth: " + f.label
			p.X.Label.Text = "iodepth (requests in flight per job)"
			p.Y.Label.Text = m.unit
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, ticks
			if m.log {
				p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
			} else {
				p.Y.Min = 0
			}
			p.Legend.Top, p.Legend.Left = true, true
			p.Add(plotter.NewGrid())
			drawn := 0
			ymin, ymax := math.Inf(1), math.Inf(-1)
			for i, name := range f.order {
				pts := m.lines[name]
				if m.log { // a log axis takes no zero
					pts = slices.DeleteFunc(slices.Clone(pts), func(xy plotter.XY) bool { return !(xy.Y > 0) })
				}
				if len(pts) == 0 {
					continue
				}
				drawn++
				for _, xy := range pts {
					ymin, ymax = math.Min(ymin, xy.Y), math.Max(ymax, xy.Y)
				}
				slices.SortFunc(pts, func(a, b plotter.XY) int { return int(a.X - b.X) })
				l, s, err := plotter.NewLinePoints(pts)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", f.label, name, err)
				}
				l.Color, l.Width, l.Dashes = lineColor(i), vg.Points(1.5), lineDashes(i)
				s.Color, s.Shape = lineColor(i), plotutil.Shape(i)
				p.Add(l, s)
				p.Legend.Add(name, l, s)
			}
			if drawn == 0 {
				continue // an empty log axis cannot be drawn
			}
			if m.log && ymin == ymax { // one value: a log axis needs a range around it
				p.Y.Min, p.Y.Max = ymin/2, ymax*2
			}
			slug := "iops"
			if m.log {
				slug = "p99"
			}
			charts = append(charts, &Chart{
				Name:    "depth-" + slug + "-" + slugOf(f.label),
				Title:   p.Title.Text,
				Caption: fmt.Sprintf("%s of %s at each iodepth, a line per engine: the median over rounds.", m.what, f.label),
				Plot:    p, W: 7 * vg.Inch, H: 4.5 * vg.Inch,
			})
		}
	}
	return charts, nil
}

// palette tells up to ten lines apart (Tableau 10); beyond ten, lines are also dashed.
var palette = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// lineColor is the i-th series' colour.
func lineColor(i int) color.Color { return palette[i%len(palette)] }

// lineDashes is the i-th series' dash pattern: solid for the first ten.
func lineDashes(i int) []vg.Length {
	if i < len(palette) {
		return nil
	}
	return plotutil.Dashes(1 + (i/len(palette)-1)%4)
}

// verdictColors colour a change by its verdict.
var verdictColors = map[string]color.Color{
	"PASS":         color.RGBA{R: 0x2b, G: 0x6c, B: 0xb0, A: 0xff},
	"IMPROVEMENT":  color.RGBA{R: 0x2e, G: 0x8b, B: 0x3e, A: 0xff},
	"REGRESSION":   color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
	"FAILED":       color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
	"INCONCLUSIVE": color.RGBA{R: 0xd0, G: 0x80, B: 0x00, A: 0xff},
}

// forest draws changes as points with their 95% intervals, one line each labelled with its
// verdict, with a vertical line at 0 and, when threshold > 0, at +threshold (and -threshold when
// both). The axis spans the estimates and thresholds and as much again on each side; an interval
// reaching further is cut at the edge, and its label says so.
func forest(name, title, xlabel, caption string, cs []Change, threshold float64, both bool) (*Chart, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	// The axis: every estimate, zero and the threshold lines, widened on each side by that span
	// again for the intervals; an interval reaching further is cut at the edge, and says so.
	lo, hi := math.Min(0, -threshold), threshold
	for _, c := range cs {
		if finite(c.Change) {
			lo, hi = math.Min(lo, c.Change), math.Max(hi, c.Change)
		}
	}
	span := math.Max(hi-lo, 0.01)
	lo, hi = lo-span, hi+span
	ilo, ihi := math.Inf(1), math.Inf(-1)
	for _, c := range cs {
		if !math.IsNaN(c.Lo) && !math.IsNaN(c.Hi) {
			ilo, ihi = math.Min(ilo, c.Lo), math.Max(ihi, c.Hi)
		}
	}
	pad := 0.05 * span
	lo, hi = math.Max(lo, math.Min(ilo, math.Min(0, -threshold))-pad), math.Min(hi, math.Max(ihi, threshold)+pad)
	clamp := func(v float64) float64 { return math.Max(lo, math.Min(hi, v)) }

	p := newPlot()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.X.Min, p.X.Max = 100*lo, 100*hi
	p.Add(plotter.NewGrid())
	labels := make([]string, len(cs))
	for i, c := range cs {
		// Top to bottom in the order given.
		y := float64(len(cs) - 1 - i)
		labels[len(cs)-1-i] = c.Label
		labels[len(cs)-1-i] += " — " + c.Verdict
		if !finite(c.Change) || math.IsNaN(c.Lo) || math.IsNaN(c.Hi) {
			labels[len(cs)-1-i] += " (no estimate)"
			continue
		}
		switch {
		case math.IsInf(c.Lo, 0) || math.IsInf(c.Hi, 0) || c.Lo <= -1:
			labels[len(cs)-1-i] += " (interval unbounded)"
		case c.Lo < lo || c.Hi > hi:
			labels[len(cs)-1-i] += " (interval cut)"
		}
		col := verdictColors[c.Verdict]
		if col == nil {
			col = color.Gray{Y: 0x60}
		}
		bar, err := plotter.NewLine(plotter.XYs{{X: 100 * clamp(c.Lo), Y: y}, {X: 100 * clamp(c.Hi), Y: y}})
		if err != nil {
			return nil, err
		}
		bar.Color, bar.Width = col, vg.Points(2)
		pt, err := plotter.NewScatter(plotter.XYs{{X: 100 * clamp(c.Change), Y: y}})
		if err != nil {
			return nil, err
		}
		pt.Color, pt.Shape, pt.Radius = col, draw.CircleGlyph{}, vg.Points(4)
		p.Add(bar, pt)
	}
	p.NominalY(labels...)
	top := float64(len(cs)) - 0.5
	p.Y.Max = top + 0.6 // room for the threshold's label
	vline := func(x float64, dashed bool) error {
		l, err := plotter.NewLine(plotter.XYs{{X: 100 * x, Y: -0.5}, {X: 100 * x, Y: top}})
		if err != nil {
			return err
		}
		l.Color = color.Gray{Y: 0x40}
		if dashed {
			l.Color, l.Dashes = verdictColors["REGRESSION"], []vg.Length{vg.Points(4), vg.Points(3)}
			// Say what the line is at its top.
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: 100 * x, Y: top}}, Labels: []string{thresholdLabel(x, both, 2*threshold < 0.08*(hi-lo))}})
			if err != nil {
				return err
			}
			for i := range lb.TextStyle {
				lb.TextStyle[i].Color, lb.TextStyle[i].Font.Variant = l.Color, "Sans"
				lb.TextStyle[i].XAlign, lb.TextStyle[i].YAlign = text.XCenter, text.YBottom
			}
			p.Add(lb)
		}
		p.Add(l)
		return nil
	}
	if err := vline(0, false); err != nil {
		return nil, err
	}
	if threshold > 0 {
		if err := vline(threshold, true); err != nil {
			return nil, err
		}
		if both {
			if err := vline(-threshold, true); err != nil {
				return nil, err
			}
		}
	}
	h := vg.Length(1.6+0.32*float64(len(cs))) * vg.Inch
	return &Chart{Name: name, Title: title, Caption: caption, Plot: p, W: 8 * vg.Inch, H: h}, nil
}

func finite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

// thresholdLabel names a threshold line: "+5% threshold", or on a two-sided chart "+5%" and
// "-5%", or when the two lines are too close to tell apart, "±5%" on the upper one only.
func thresholdLabel(x float64, both, close bool) string {
	switch {
	case !both:
		return fmt.Sprintf("%+.3g%% threshold", 100*x)
	case close && x > 0:
		return fmt.Sprintf("±%.3g%%", 100*x)
	case close:
		return ""
	}
	return fmt.Sprintf("%+.3g%%", 100*x)
}
