package report

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"github.com/aiobench/aiobench/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// The open loop's charts and sentences: for each configuration run at several offered rates,
// the latency from the intended time (p50 and p99) against the rate, a line per engine, with
// the target the knee is judged against (results.Knees).

// KneeSentence says one engine's knee in plain words, against sync's when ref is not nil.
func KneeSentence(k *results.Knee, ref *results.Knee) string {
	name := k.Engine
	if k.Variant != "" {
		name += " " + k.Variant
	}
	target := usText(k.Target)
	who := fmt.Sprintf("%s (%s)", name, configLabel(k.Workload, k.BS, k.QD, k.Jobs, k.Cache))
	var s string
	switch {
	case !k.Reached():
		last := k.Points[len(k.Points)-1]
		s = fmt.Sprintf("%s: p99 from the intended time stays under %s at every rate tried, up to %s reads/s (%s there): the knee lies beyond",
			who, target, results.FormatRate(last.Rate), usText(last.P99))
	case k.Knee == 0:
		s = fmt.Sprintf("%s: p99 from the intended time is over %s already at the lowest rate tried, %s reads/s (%s)",
			who, target, results.FormatRate(k.Over), overText(k))
	default:
		s = fmt.Sprintf("%s: p99 from the intended time stays under %s up to %s reads/s offered (at %s: %s)",
			who, target, results.FormatRate(k.Knee), results.FormatRate(k.Over), overText(k))
	}
	if ref != nil {
		s += "; sync's knee " + results.KneeText(ref)
		if k.Reached() && ref.Reached() && k.Knee > 0 && ref.Knee > 0 {
			s += fmt.Sprintf(", %.2g× it", k.Knee/ref.Knee)
		}
	}
	return s
}

// overText says what happened at the first rate over the target: its p99, and that the engine
// did not keep up when it did not.
func overText(k *results.Knee) string {
	for _, p := range k.Points {
		if p.Rate != k.Over {
			continue
		}
		s := usText(p.P99)
		if p.P99 <= k.Target { // under the target, but it fell behind
			s = fmt.Sprintf("it completed only %s of %s reads/s", results.FormatRate(math.Round(p.IOPS)), results.FormatRate(math.Round(p.Offered)))
		}
		return s
	}
	return ""
}

// usText writes a latency in µs as people read it: 850 µs, 1 ms, 3.2 ms.
func usText(us float64) string {
	if us >= 1000 {
		return fmt.Sprintf("%.3g ms", us/1000)
	}
	return fmt.Sprintf("%.3g µs", us)
}

// KneeSentences are the sentences of every knee in rows, in order.
func KneeSentences(rows []results.Row) []string {
	knees := results.Knees(rows)
	var out []string
	for i := range knees {
		out = append(out, KneeSentence(&knees[i], knees[i].Reference(knees)))
	}
	return out
}

// kneeCharts draw, for every configuration with open-loop rows, the latency from the intended
// time against the offered rate: p99 solid and p50 dashed, a colour per engine, the target a
// grey line.
func kneeCharts(rows []results.Row) ([]*Chart, error) {
	knees := results.Knees(rows)
	type family struct {
		label  string
		target float64
		knees  []*results.Knee
	}
	var fams []*family
	byLabel := map[string]*family{}
	for i := range knees {
		k := &knees[i]
		label := configLabel(k.Workload, k.BS, k.QD, k.Jobs, k.Cache)
		f := byLabel[label]
		if f == nil {
			f = &family{label: label, target: k.Target}
			byLabel[label] = f
			fams = append(fams, f)
		}
		f.knees = append(f.knees, k)
	}
	var charts []*Chart
	for _, f := range fams {
		ref := results.ReferenceEngine()
		slices.SortStableFunc(f.knees, func(a, b *results.Knee) int { return b2i(a.Engine != ref) - b2i(b.Engine != ref) })
		p := newPlot()
		p.Title.Text = "Latency from the intended time against offered rate: " + f.label
		p.X.Label.Text = "offered rate (reads/s, log scale)"
		p.Y.Label.Text = "latency from the intended time (µs, log scale)"
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
		p.Legend.Top, p.Legend.Left = true, true
		p.Add(plotter.NewGrid())
		xmin, xmax := math.Inf(1), math.Inf(-1)
		ymin, ymax := f.target, f.target
		for i, k := range f.knees {
			name := k.Engine
			if k.Variant != "" {
				name += " " + k.Variant
			}
			var p50, p99 plotter.XYs
			for _, pt := range k.Points {
				if pt.P50 > 0 {
					p50 = append(p50, plotter.XY{X: pt.Rate, Y: pt.P50})
				}
				if pt.P99 > 0 {
					p99 = append(p99, plotter.XY{X: pt.Rate, Y: pt.P99})
				}
				xmin, xmax = math.Min(xmin, pt.Rate), math.Max(xmax, pt.Rate)
				ymin, ymax = math.Min(ymin, math.Max(pt.P50, 1e-3)), math.Max(ymax, pt.P99)
			}
			for _, line := range []struct {
				pts    plotter.XYs
				what   string
				dashes []vg.Length
			}{{p99, "p99", nil}, {p50, "p50", plotutil.Dashes(2)}} {
				if len(line.pts) == 0 {
					continue
				}
				l, s, err := plotter.NewLinePoints(line.pts)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", f.label, name, err)
				}
				l.Color, l.Width, l.Dashes = lineColor(i), vg.Points(1.5), line.dashes
				s.Color, s.Shape = lineColor(i), plotutil.Shape(i)
				p.Add(l, s)
				p.Legend.Add(name+" "+line.what, l, s)
			}
		}
		if math.IsInf(xmin, 1) {
			continue
		}
		if xmin == xmax {
			xmin, xmax = xmin/2, xmax*2
		}
		target, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: f.target}, {X: xmax, Y: f.target}})
		if err != nil {
			return nil, err
		}
		target.Color, target.Width, target.Dashes = grey, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(target)
		p.Legend.Add("target "+usText(f.target), target)
		p.X.Min, p.X.Max = xmin/1.1, xmax*1.1
		p.Y.Min, p.Y.Max = ymin/1.5, ymax*1.5
		charts = append(charts, &Chart{
			Name:  "knee-" + slugOf(f.label),
			Title: p.Title.Text,
			Caption: fmt.Sprintf("The open loop on %s: each engine's p99 (solid) and p50 (dashed) latency from the intended time — what the application waits, time behind schedule included — at each offered rate, medians over rounds. The grey line is the target (%s): an engine's knee is the highest rate whose p99 stays under it while it keeps up.",
				f.label, usText(f.target)),
			Plot: p, W: 7 * vg.Inch, H: 4.5 * vg.Inch,
		})
	}
	return charts, nil
}

// grey draws the target.
var grey = color.RGBA{0x70, 0x70, 0x70, 0xff}
