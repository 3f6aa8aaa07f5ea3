package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/aiobench/aiobench/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// timelineCharts draw, from a time series (--log), IOPS and lat p99 over each run's measured
// time, for every configuration: a line per run (engine, round), so that a stall or a cache
// that drains mid-run is seen and not averaged away.
func timelineCharts(ivs []results.Interval) ([]*Chart, error) {
	type family struct {
		label string
		runs  []string
		iops  map[string]plotter.XYs
		p99   map[string]plotter.XYs
	}
	var fams []*family
	byKey := map[string]*family{}
	for i := range ivs {
		iv := &ivs[i]
		r := &iv.Row
		k := results.ConfigKey(r)
		f := byKey[k]
		if f == nil {
			f = &family{label: configLabel(r.Workload, r.BS, r.IODepth, r.Jobs, r.Cache), iops: map[string]plotter.XYs{}, p99: map[string]plotter.XYs{}}
			byKey[k] = f
			fams = append(fams, f)
		}
		name := r.Engine
		if v := results.Variant(r); v != "" {
			name += " " + v
		}
		name += " r" + strconv.Itoa(r.Round)
		if _, ok := f.iops[name]; !ok {
			f.runs = append(f.runs, name)
		}
		f.iops[name] = append(f.iops[name], plotter.XY{X: iv.End, Y: iv.IOPS()})
		if iv.Ops > 0 && iv.P99 > 0 {
			f.p99[name] = append(f.p99[name], plotter.XY{X: iv.End, Y: iv.P99})
		}
	}
	var charts []*Chart
	for _, f := range fams {
		for _, m := range []struct {
			what, unit, slug string
			lines            map[string]plotter.XYs
			log              bool
		}{{"IOPS", "IOPS in the interval", "iops", f.iops, false}, {"lat p99", "lat p99 in the interval (µs, log scale)", "p99", f.p99, true}} {
			p := newPlot()
			p.Title.Text = m.what + " over time: " + f.label
			p.X.Label.Text = "measured time (s; eviction pauses left out), at each interval's end"
			p.Y.Label.Text = m.unit
			if m.log {
				p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
			} else {
				p.Y.Min = 0
			}
			p.Legend.Top = true
			p.Add(plotter.NewGrid())
			drawn, ymin, ymax := 0, math.Inf(1), math.Inf(-1)
			for i, name := range f.runs {
				pts := m.lines[name]
				if len(pts) == 0 {
					continue
				}
				slices.SortFunc(pts, func(a, b plotter.XY) int { return cmpFloat(a.X, b.X) })
				for _, xy := range pts {
					ymin, ymax = math.Min(ymin, xy.Y), math.Max(ymax, xy.Y)
				}
				l, s, err := plotter.NewLinePoints(pts)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", f.label, name, err)
				}
				l.Color, l.Width, l.Dashes = lineColor(i), vg.Points(1.2), lineDashes(i)
				s.Color, s.Radius = lineColor(i), vg.Points(1.5)
				p.Add(l, s)
				p.Legend.Add(name, l)
				drawn++
			}
			if drawn == 0 {
				continue
			}
			if m.log && ymin == ymax {
				p.Y.Min, p.Y.Max = ymin/2, ymax*2
			}
			charts = append(charts, &Chart{
				Name:    "time-" + m.slug + "-" + slugOf(f.label),
				Title:   p.Title.Text,
				Caption: fmt.Sprintf("%s of %s in each interval of the time series (--log), a line per run: a dip is a stall or a cache that drained, seen where it happened.", m.what, f.label),
				Plot:    p, W: 7 * vg.Inch, H: 4 * vg.Inch,
			})
		}
	}
	return charts, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
