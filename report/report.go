// Package report draws aiobench's results for people: charts (gonum.org/v1/plot, as PNG and
// SVG) and one self-contained page, index.html, with the charts embedded as SVG, the summary
// table, the verdicts, the machine and the command lines. It reads what aiobench writes:
// results files, latency histograms (--hist) and comparison summaries (gate, ab, a suite's
// findings); the command's `report` subcommand and its --report flag call it. It measures
// nothing and changes no results file.
package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// A Chart is one figure of the report.
type Chart struct {
	Name    string // file name without extension, unique in the report
	Title   string
	Caption string // what it shows and where its data comes from
	Plot    *plot.Plot
	W, H    vg.Length
}

// Options shape a report.
type Options struct {
	Threshold float64 // the sync-path threshold drawn on the regression chart, e.g. 0.05
	Title     string  // the page's title; "" for one from the inputs
	// Incomplete, when not "", says why the run the page draws ended early.
	Incomplete string
}

// A Report is what Build makes of the inputs.
type Report struct {
	Charts   []*Chart
	Summary  []results.SummaryRow
	Verdicts []string
	Commands []string // the command lines of the results files
	Machines []string // their machine fingerprints
	Sources  []string // the files read
	Notes    []string // what the reader should know about how the charts were made
	Title    string
}

// Build turns the inputs into charts and the page's content.
func Build(in *Inputs, o Options) (*Report, error) {
	r := &Report{Title: o.Title, Verdicts: slices.Clone(in.Verdicts)}
	r.Sources = slices.Clone(in.Sources)
	for _, f := range append(slices.Clone(in.Files), in.Context...) {
		if !slices.Contains(r.Sources, f.Name) {
			r.Sources = append(r.Sources, f.Name)
		}
		r.Notes = append(r.Notes, f.Warnings...)
		for _, c := range f.Comments {
			if cmd, ok := strings.CutPrefix(c, "command: "); ok && !slices.Contains(r.Commands, cmd) {
				r.Commands = append(r.Commands, cmd)
			}
			if m, ok := strings.CutPrefix(c, "machine: "); ok && !slices.Contains(r.Machines, m) {
				r.Machines = append(r.Machines, m)
			}
		}
	}
	rows, tagged, hosts := rowsOf(in.Files)
	if tagged {
		r.Notes = append(r.Notes, "The results files share configurations: each file's rows are drawn and summarised apart, named by their file (file=…), not merged as rounds.")
	}
	hists := in.Hists
	if hosts > 1 {
		hists = tagHosts(hists)
		r.Notes = append(r.Notes, fmt.Sprintf("The files are from %d hosts (told apart by their fingerprints' CPU, CPUs, file system and device): each host's rows are summarised and drawn apart (host=…). A latency chart drawn from histograms adds a line per engine for all the hosts together, from their histograms added bucket by bucket: a fleet's percentiles are never an average of the hosts' percentiles.", hosts))
	}
	if o.Incomplete != "" {
		r.Notes = append([]string{"Incomplete: the run was " + o.Incomplete + "; the page shows the runs that finished, and no check was evaluated."}, r.Notes...)
	}
	if r.Title == "" {
		r.Title = "aiobench report"
	}
	if o.Incomplete != "" {
		r.Title += " (incomplete)"
	}
	r.Summary = results.Summarize(rows)

	cdfs, err := cdfCharts(rows, hists)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, cdfs...)
	depth, err := depthCharts(r.Summary)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, depth...)
	knee, err := kneeCharts(rows)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, knee...)
	timeline, err := timelineCharts(in.Log)
	if err != nil {
		return nil, err
	}
	r.Charts = append(r.Charts, timeline...)

	syncPath, other := splitChanges(in.Changes)
	if len(syncPath) == 0 {
		syncPath = syncPathFromRows(rows, o.Threshold)
		if len(syncPath) > 0 {
			r.Notes = append(r.Notes, "The sync-path chart is computed here from the results file's rows (each engine's cached reads against sync's, paired by round or duel session; signed-rank test), not taken from the run's own findings.")
		}
	}
	if len(in.Verdicts) == 0 { // say them as the run would have
		for _, c := range append(slices.Clone(syncPath), other...) {
			if v := Sentence(c, o.Threshold); v != "" {
				r.Verdicts = append(r.Verdicts, v)
			}
		}
		r.Verdicts = append(r.Verdicts, KneeSentences(rows)...)
		r.Verdicts = append(r.Verdicts, HitSentences(rows)...)
	}
	reg, err := forest("sync-path-regression", "Sync-path regression: a cached 4 KiB read's lat mean against sync's",
		"change of lat mean against sync (%, + is slower)",
		fmt.Sprintf("Each async engine's cached read against sync's: the estimate and its 95%% interval, coloured by verdict (blue PASS, red REGRESSION, orange INCONCLUSIVE); the dashed line is the threshold (%.3g%%): an interval wholly left of it passes. An interval marked cut reaches beyond the chart.", 100*o.Threshold),
		syncPath, o.Threshold, false)
	if err != nil {
		return nil, err
	}
	if reg != nil {
		r.Charts = append(r.Charts, reg)
	}
	// The other comparisons, a chart per kind and metric: a suite's interference checks (sync
	// under a load against alone), or a gate's or ab's candidate against baseline.
	type kind struct {
		interference bool
		metric       string
	}
	byKind := map[kind][]Change{}
	var kinds []kind
	for _, c := range other {
		k := kind{strings.HasPrefix(c.Label, interferencePrefix), c.Metric}
		if k.interference {
			c.Label = strings.TrimPrefix(c.Label, interferencePrefix+" ")
		}
		if _, ok := byKind[k]; !ok {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], c)
	}
	for _, k := range kinds {
		name, title := "change-"+slugOf(k.metric), "Change of "+k.metric+": candidate against baseline"
		caption := fmt.Sprintf("Every comparison of %s, candidate against baseline", k.metric)
		if k.interference {
			name, title = "interference-"+slugOf(k.metric), "Interference: sync's "+k.metric+" under a cold load, against sync alone"
			caption = fmt.Sprintf("Sync's %s with each engine's cold QD16 load beside it, against sync alone", k.metric)
		}
		caption += fmt.Sprintf(": the estimate and its 95%% interval, coloured by verdict (blue PASS, green IMPROVEMENT, red REGRESSION, orange INCONCLUSIVE); dashed lines at ±%.3g%%. An interval marked cut reaches beyond the chart.", 100*o.Threshold)
		ch, err := forest(name, title, "change (%)", caption, byKind[k], o.Threshold, true)
		if err != nil {
			return nil, err
		}
		r.Charts = append(r.Charts, ch)
	}
	return r, nil
}

// splitChanges separates the sync-path checks' headline lines (lat mean) from every other
// comparison; other metrics of sync-path checks are left to the tables.
func splitChanges(cs []Change) (syncPath, other []Change) {
	for _, c := range cs {
		switch {
		case c.SyncPath && c.Metric == "lat_mean_us":
			syncPath = append(syncPath, c)
		case !c.SyncPath:
			other = append(other, c)
		}
	}
	return syncPath, other
}

// cdfCharts draw a CDF chart per configuration (not duel rows), from histograms where the run
// wrote them, else from the rows' percentiles. An open-loop configuration's chart is of the
// latency from the intended time, from its histograms only (its rows' percentiles of it are
// too few to draw; the knee chart shows them).
func cdfCharts(rows []results.Row, hists []results.Hist) ([]*Chart, error) {
	type group struct {
		label string
		open  bool // the open loop: drawn from intended-time histograms
		names []string
		rows  map[string][]*results.Row
		hists map[string][]*results.Hist
		// classes are a partly cached configuration's hit and miss histograms, by engine
		// name and class ("uring hit").
		classes map[string][]*results.Hist
	}
	var groups []*group
	byKey := map[string]*group{}
	// A run beside a background load is drawn with the same configuration alone: sync's
	// latency alone and under each load, on one chart.
	name := lineName
	key := func(r *results.Row) string {
		alone := *r
		alone.Background = ""
		return results.ConfigKey(&alone)
	}
	for i := range rows {
		r := &rows[i]
		if r.Duel != "" || !r.Complete || r.Ops == 0 {
			continue
		}
		k := key(r)
		g := byKey[k]
		if g == nil {
			label := configLabel(r.Workload, r.BS, r.IODepth, r.Jobs, r.Cache)
			if r.ResidentTarget > 0 {
				label += fmt.Sprintf(", %.0f%% resident", r.ResidentTarget)
			}
			if r.Rate > 0 {
				label += " at " + results.FormatRate(r.Rate) + " reads/s offered, latency from the intended time"
			}
			g = &group{label: label, open: r.Rate > 0, rows: map[string][]*results.Row{}, hists: map[string][]*results.Hist{}, classes: map[string][]*results.Hist{}}
			byKey[k] = g
			groups = append(groups, g)
		}
		n := name(r)
		if _, ok := g.rows[n]; !ok {
			g.names = append(g.names, n)
		}
		g.rows[n] = append(g.rows[n], r)
	}
	for i := range hists {
		h := &hists[i]
		if c := h.Of(); c == results.LatHit || c == results.LatMiss {
			if g := byKey[key(&h.Row)]; g != nil {
				if _, ok := g.rows[name(&h.Row)]; ok {
					g.classes[name(&h.Row)+" "+c] = append(g.classes[name(&h.Row)+" "+c], h)
				}
			}
			continue
		}
		if g := byKey[key(&h.Row)]; g != nil && g.open == (h.Of() == results.LatIntended) {
			if _, ok := g.rows[name(&h.Row)]; ok {
				g.hists[name(&h.Row)] = append(g.hists[name(&h.Row)], h)
			}
		}
	}
	var charts []*Chart
	for _, g := range groups {
		// The reference (sync) first, as in the summary.
		ref := results.ReferenceEngine()
		slices.SortStableFunc(g.names, func(a, b string) int { return b2i(a != ref) - b2i(b != ref) })
		var ss []series
		fromHist := true
		for _, n := range g.names {
			if len(g.hists[n]) > 0 {
				ss = append(ss, fromBuckets(n, g.hists[n]))
			} else {
				fromHist = false
			}
		}
		if fromHist {
			ss = append(ss, fleetLines(g.names, g.hists)...)
		}
		if !fromHist && g.open {
			continue
		}
		if !fromHist { // all lines of a chart are drawn the same way
			ss = ss[:0]
			for _, n := range g.names {
				ss = append(ss, fromPercentiles(n, g.rows[n]))
			}
		}
		c, err := cdfChart("cdf-"+slugOf(g.label), g.label, ss, fromHist)
		if err != nil {
			return nil, err
		}
		if c != nil {
			charts = append(charts, c)
		}
		// A partly cached configuration: its hits and misses, every engine on one chart.
		var cs []series
		for _, n := range g.names {
			for _, class := range []string{results.LatHit, results.LatMiss} {
				if hs := g.classes[n+" "+class]; len(hs) > 0 {
					cs = append(cs, fromBuckets(n+" "+class, hs))
				}
			}
		}
		if len(cs) > 0 {
			label := g.label + ", hits and misses (lat)"
			c, err := cdfChart("cdf-"+slugOf(label), label, cs, true)
			if err != nil {
				return nil, err
			}
			if c != nil {
				charts = append(charts, c)
			}
		}
	}
	return charts, nil
}

// lineName names a row's line on a latency chart: its engine, its own settings, its load.
func lineName(r *results.Row) string {
	n := r.Engine
	if v := results.Variant(r); v != "" {
		n += " " + v
	}
	if r.Background != "" {
		n += " under a " + r.Background + " load"
	}
	return n
}

// newPlot is plot.New with every text in Liberation Sans (gonum's default is the serif).
func newPlot() *plot.Plot {
	p := plot.New()
	for _, f := range []*font.Font{&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font,
		&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font} {
		f.Variant = "Sans"
	}
	return p
}

// configLabel names a configuration as people say it: "randread 4k QD1 warm" (qd 0: left out).
func configLabel(workload string, bs, qd, jobs int, cache string) string {
	s := workload + " " + units.FormatSize(int64(bs))
	if qd > 0 {
		s += fmt.Sprintf(" QD%d", qd)
	}
	if jobs > 1 {
		s += fmt.Sprintf(" ×%d jobs", jobs)
	}
	return s + " " + cache
}

// slugOf makes a file name part of s: lower case letters, digits and dashes.
func slugOf(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
