package report

import (
	"maps"
	"path/filepath"
	"strings"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/results"
)

// rowsOf returns the files' rows. Where two files have rows of one configuration and engine
// (two runs to compare, not one run's rounds), every row is tagged with its file's name, as a
// setting "file", so that the summary and the charts keep them apart.
func rowsOf(files []*results.File) (rows []results.Row, tagged bool) {
	owner := map[string]int{}
	for i, f := range files {
		for j := range f.Rows {
			r := &f.Rows[j]
			k := results.ConfigKey(r) + "|" + r.Engine + "|" + results.Variant(r)
			if o, ok := owner[k]; ok && o != i {
				tagged = true
			}
			owner[k] = i
		}
	}
	for _, f := range files {
		for _, r := range f.Rows {
			if tagged {
				settings := map[string]string{"file": filepath.Base(f.Name)}
				for k, v := range r.Settings {
					settings[k] = v
				}
				r.Settings = settings
			}
			rows = append(rows, r)
		}
	}
	return rows, tagged
}

// syncPathFromRows compares each engine's cached (warm) rows with sync's on the same
// configuration (and file, when rowsOf tagged them), paired by round (or, for a duel's rows, by
// session): lat mean, lower is better.
func syncPathFromRows(rows []results.Row, threshold float64) []Change {
	type key struct{ group, engine string }
	byRound := map[key]map[int]float64{}
	var order []key
	for i := range rows {
		r := &rows[i]
		if r.Cache != "warm" || r.Background != "" || !r.Complete || r.Errors+r.VerifyErrors > 0 || r.Ops == 0 {
			continue
		}
		file := r.Settings["file"]
		own := *r
		own.Settings = maps.Clone(r.Settings)
		delete(own.Settings, "file")
		g := r.Duel
		if g == "" {
			g = results.ConfigKey(r)
		}
		name := r.Engine
		if v := results.Variant(&own); v != "" {
			name += " " + v
		}
		if file != "" {
			g += "|file=" + file
		}
		k := key{g, name}
		if byRound[k] == nil {
			byRound[k] = map[int]float64{}
			order = append(order, k)
		}
		byRound[k][r.Round] = r.LatMean
	}
	var cs []Change
	ref := results.ReferenceEngine()
	for _, k := range order {
		base := byRound[key{k.group, ref}]
		if k.engine == ref || base == nil {
			continue
		}
		var b, c []float64
		for round, v := range byRound[k] {
			if bv, ok := base[round]; ok {
				b, c = append(b, bv), append(c, v)
			}
		}
		if len(b) == 0 {
			continue
		}
		label := syncPathPrefix + " " + k.engine + " vs " + ref
		if _, file, ok := strings.Cut(k.group, "|file="); ok {
			label += " (" + file + ")"
		}
		res := compare.Paired(b, c, compare.LowerIsBetter, compare.Options{Threshold: threshold, Alpha: 0.05})
		cs = append(cs, Change{Label: label, Metric: "lat_mean_us", Change: res.Change,
			Lo: res.Lo, Hi: res.Hi, Verdict: string(res.Verdict), Baseline: res.Baseline, Cand: res.Candidate, SyncPath: true, FromResultsFile: true})
	}
	return cs
}
