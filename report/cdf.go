package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/aiobench/aiobench/results"
	"github.com/montanaflynn/stats"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Latency CDFs, one chart per configuration with a line per engine. The fraction axis is
// stretched towards the tail (its distance to 1 on a log scale, as HdrHistogram's percentile
// plots), so that p99 and p99.9 are as far apart as p50 and p90; p50, p99 and p99.9 are marked.

// marks are the quantiles marked on every line.
var marks = []struct {
	q     float64
	name  string
	glyph draw.GlyphDrawer
}{
	{0.5, "p50", draw.CircleGlyph{}},
	{0.99, "p99", draw.PyramidGlyph{}},
	{0.999, "p99.9", draw.BoxGlyph{}},
}

// topQ is where the fraction axis ends: the last 1/100,000 of a distribution is not drawn.
const topQ = 0.99999

// tailScale places a fraction q at -log10(1-q).
type tailScale struct{}

func (tailScale) Normalize(min, max, x float64) float64 {
	f := func(q float64) float64 { return -math.Log10(1 - math.Min(q, topQ)) }
	return (f(x) - f(min)) / (f(max) - f(min))
}

var tailTicks = plot.ConstantTicks{
	{Value: 0, Label: "0%"}, {Value: 0.5, Label: "50%"}, {Value: 0.9, Label: "90%"},
	{Value: 0.99, Label: "99%"}, {Value: 0.999, Label: "99.9%"}, {Value: 0.9999, Label: "99.99%"},
}

// A series is one engine's latency distribution on one configuration: points (µs, fraction).
type series struct {
	name  string
	pts   plotter.XYs
	at    [3]float64 // latency at marks, µs
	count int64      // requests (0 when drawn from percentiles)
}

// fromBuckets merges histogram buckets (of every round) into a CDF.
func fromBuckets(name string, hs []*results.Hist) series {
	merged := map[[2]int64]int64{}
	for _, h := range hs {
		for _, b := range h.Buckets {
			merged[[2]int64{b.Lo, b.Hi}] += b.Count
		}
	}
	keys := make([][2]int64, 0, len(merged))
	var total int64
	for k, n := range merged {
		keys = append(keys, k)
		total += n
	}
	slices.SortFunc(keys, func(a, b [2]int64) int { return int(a[0] - b[0]) })
	s := series{name: name, count: total}
	if total == 0 {
		return s
	}
	s.pts = append(s.pts, plotter.XY{X: float64(keys[0][0]) / 1e3, Y: 0})
	var cum int64
	next := 0
	for _, k := range keys {
		cum += merged[k]
		q := float64(cum) / float64(total)
		for next < len(marks) && q >= marks[next].q {
			s.at[next] = float64(k[1]) / 1e3
			next++
		}
		s.pts = append(s.pts, plotter.XY{X: float64(k[1]) / 1e3, Y: math.Min(q, topQ)})
		if q >= topQ {
			break
		}
	}
	s.pts = thin(s.pts)
	return s
}

// thin drops the points of a CDF that lie within a small step of the last point kept, in both
// of the chart's scales (log latency, tail-stretched fraction): a histogram has thousands of
// buckets, a chart's line needs a few hundred points. The first and last points stay.
func thin(pts plotter.XYs) plotter.XYs {
	const step = 0.004 // under a pixel: of a decade of latency, and of a "nine" of the fraction
	tail := func(q float64) float64 { return -math.Log10(1 - math.Min(q, topQ)) }
	out := pts[:0:0]
	for i, p := range pts {
		if i > 0 && i < len(pts)-1 {
			last := out[len(out)-1]
			if math.Abs(math.Log10(p.X/last.X)) < step && math.Abs(tail(p.Y)-tail(last.Y)) < step {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// fromPercentiles draws what a results file has: the medians over rounds of min, p50, p90,
// p99, p99.9 and max.
func fromPercentiles(name string, rows []*results.Row) series {
	med := func(f func(*results.Row) float64) float64 {
		v := make([]float64, len(rows))
		for i, r := range rows {
			v[i] = f(r)
		}
		m, _ := stats.Median(v)
		return m
	}
	s := series{name: name}
	s.pts = plotter.XYs{
		{X: med(func(r *results.Row) float64 { return r.LatMin }), Y: 0},
		{X: med(func(r *results.Row) float64 { return r.LatP50 }), Y: 0.5},
		{X: med(func(r *results.Row) float64 { return r.LatP90 }), Y: 0.9},
		{X: med(func(r *results.Row) float64 { return r.LatP99 }), Y: 0.99},
		{X: med(func(r *results.Row) float64 { return r.LatP999 }), Y: 0.999},
		{X: med(func(r *results.Row) float64 { return r.LatMax }), Y: topQ},
	}
	s.at = [3]float64{s.pts[1].X, s.pts[3].X, s.pts[4].X}
	return s
}

// legendCorner picks top left or bottom right for a legend of entries lines: the corner whose
// box (about 40% of the width, 5% of the height an entry) holds fewer of the lines' points.
func legendCorner(ss []series, xmin, xmax float64, entries int) (top, left bool) {
	w, h := 0.4, math.Min(0.05*float64(entries), 0.9)
	var topLeft, bottomRight int
	for _, s := range ss {
		for _, xy := range s.pts {
			if !(xy.X > 0) {
				continue
			}
			x := math.Log(xy.X/xmin) / math.Log(xmax/xmin)
			y := tailScale{}.Normalize(0, topQ, xy.Y)
			if x < w && y > 1-h {
				topLeft++
			}
			if x > 1-w && y < h {
				bottomRight++
			}
		}
	}
	return topLeft <= bottomRight, topLeft <= bottomRight
}

// cdfChart draws the series of one configuration; nil when none has a point to draw.
func cdfChart(name, config string, ss []series, fromHist bool) (*Chart, error) {
	p := newPlot()
	p.Title.Text = "Latency CDF: " + config
	p.X.Label.Text = "latency (µs, log scale)"
	p.Y.Label.Text = "requests done within (tail-stretched)"
	if !fromHist {
		p.Title.Text += "\n(percentiles from the results file only: run with --hist for the distribution)"
	}
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Scale = tailScale{}
	p.Y.Tick.Marker = tailTicks
	p.Y.Min, p.Y.Max = 0, topQ
	p.Add(plotter.NewGrid())
	drawn := 0
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for i, s := range ss {
		// A log axis takes no zero, and a line no NaN.
		pts := slices.DeleteFunc(slices.Clone(s.pts), func(xy plotter.XY) bool { return !(xy.X > 0) || math.IsNaN(xy.Y) || math.IsInf(xy.X, 0) })
		if len(pts) == 0 {
			continue
		}
		drawn++
		for _, xy := range pts {
			xmin, xmax = math.Min(xmin, xy.X), math.Max(xmax, xy.X)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		l.Color, l.Dashes = lineColor(i), lineDashes(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.name, l)
		for m, mark := range marks {
			if !(s.at[m] > 0) {
				continue
			}
			sc, err := plotter.NewScatter(plotter.XYs{{X: s.at[m], Y: mark.q}})
			if err != nil {
				return nil, err
			}
			sc.Color, sc.Shape, sc.Radius = lineColor(i), mark.glyph, vg.Points(3.5)
			p.Add(sc)
		}
	}
	if drawn == 0 {
		return nil, nil // nothing to draw on a log axis
	}
	if xmin == xmax { // every request alike: a log axis needs a range around it
		xmin, xmax = xmin/2, xmax*2
	}
	p.X.Min, p.X.Max = xmin, xmax
	// The legend goes in the corner the lines leave emptier: a CDF rises on the left and ends top
	// right, so top left or bottom right.
	p.Legend.Top, p.Legend.Left = legendCorner(ss, xmin, xmax, drawn+len(marks))
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(4), -vg.Points(4)
	if !p.Legend.Left {
		p.Legend.XOffs, p.Legend.YOffs = -vg.Points(4), vg.Points(4)
	}
	// The marks' legend: one entry per quantile, in black.
	for _, mark := range marks {
		sc, _ := plotter.NewScatter(plotter.XYs{})
		sc.Color, sc.Shape, sc.Radius = color.Black, mark.glyph, vg.Points(3.5)
		p.Legend.Add(mark.name, sc)
	}
	caption := fmt.Sprintf("Latency (submission to completion) of every request of %s, one line per engine; the vertical axis is stretched towards the tail so p99 and p99.9 stand apart. Marks: ● p50, ▲ p99, ■ p99.9.", config)
	if fromHist {
		caption += " From the full histograms (--hist), rounds merged."
	} else {
		caption += " Drawn through the results file's percentiles (min, p50, p90, p99, p99.9, max; medians over rounds): the run had no --hist."
	}
	return &Chart{Name: name, Title: "Latency CDF: " + config, Caption: caption, Plot: p, W: 7 * vg.Inch, H: 4.5 * vg.Inch}, nil
}
