package report

import (
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/results"
)

// rowsOf returns the files' rows. Rows of more than one host (results.HostOf: files from a
// fleet) are tagged with their host, as a setting "host", so that the summary and the charts
// keep the hosts apart; where two files of one host have rows of one configuration and engine
// (two runs to compare, not one run's rounds), every row is tagged with its file's name too.
func rowsOf(files []*results.File) (rows []results.Row, tagged bool, hosts int) {
	seen := map[string]bool{}
	for _, f := range files {
		for j := range f.Rows {
			seen[results.HostOf(f.Rows[j].Machine)] = true
		}
	}
	hosts = len(seen)
	owner := map[string]int{}
	for i, f := range files {
		for j := range f.Rows {
			r := &f.Rows[j]
			k := results.HostOf(r.Machine) + "|" + results.ConfigKey(r) + "|" + r.Engine + "|" + results.Variant(r)
			if o, ok := owner[k]; ok && o != i {
				tagged = true
			}
			owner[k] = i
		}
	}
	for _, f := range files {
		for _, r := range f.Rows {
			if tagged || hosts > 1 {
				settings := maps.Clone(r.Settings)
				if settings == nil {
					settings = map[string]string{}
				}
				if tagged {
					settings["file"] = filepath.Base(f.Name)
				}
				if hosts > 1 {
					settings[hostSetting] = results.HostOf(r.Machine)
				}
				r.Settings = settings
			}
			rows = append(rows, r)
		}
	}
	return rows, tagged, hosts
}

// hostSetting names the setting that tells hosts apart in a report of several.
const hostSetting = "host"

// tagHosts tags every histogram with its host, as rowsOf tags the rows.
func tagHosts(hs []results.Hist) []results.Hist {
	out := make([]results.Hist, len(hs))
	for i, h := range hs {
		settings := maps.Clone(h.Row.Settings)
		if settings == nil {
			settings = map[string]string{}
		}
		settings[hostSetting] = results.HostOf(h.Row.Machine)
		h.Row.Settings = settings
		out[i] = h
	}
	return out
}

// syncPathFromRows compares each engine's cached (warm) rows with sync's on the same
// configuration (and file, when rowsOf tagged them), paired by round (or, for a duel's rows, by
// session): lat mean, lower is better.
func syncPathFromRows(rows []results.Row, threshold float64) []Change {
	type key struct{ group, engine, file, host string }
	byRound := map[key]map[int]float64{}
	var order []key
	for i := range rows {
		r := &rows[i]
		if r.Cache != "warm" || r.Background != "" || !r.Complete || r.Errors+r.VerifyErrors > 0 || r.Ops == 0 {
			continue
		}
		file, host := r.Settings["file"], r.Settings[hostSetting]
		own := *r
		own.Settings = maps.Clone(r.Settings)
		delete(own.Settings, "file")
		delete(own.Settings, hostSetting)
		g := r.Duel
		if g == "" {
			g = results.ConfigKey(r)
		}
		name := r.Engine
		if v := results.Variant(&own); v != "" {
			name += " " + v
		}
		k := key{g, name, file, host} // each file's and host's engines against its own sync
		if byRound[k] == nil {
			byRound[k] = map[int]float64{}
			order = append(order, k)
		}
		byRound[k][r.Round] = r.LatMean
	}
	var cs []Change
	ref := results.ReferenceEngine()
	for _, k := range order {
		base := byRound[key{k.group, ref, k.file, k.host}]
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
		var where []string
		if k.file != "" {
			where = append(where, k.file)
		}
		if k.host != "" {
			where = append(where, hostSetting+"="+k.host)
		}
		if len(where) > 0 {
			label += " (" + strings.Join(where, ", ") + ")"
		}
		res := compare.Paired(b, c, compare.LowerIsBetter, compare.Options{Threshold: threshold, Alpha: 0.05})
		cs = append(cs, Change{Label: label, Metric: "lat_mean_us", Change: res.Change,
			Lo: res.Lo, Hi: res.Hi, Verdict: string(res.Verdict), Baseline: res.Baseline, Cand: res.Candidate, SyncPath: true, FromResultsFile: true})
	}
	return cs
}

// fleetLines are, where a chart's lines are several hosts' (host=…), one line per engine for
// all of them together: their histograms added, bucket by bucket, so that its percentiles are
// the fleet's requests' own.
func fleetLines(names []string, hists map[string][]*results.Hist) []series {
	type fleet struct {
		hosts int
		hs    []*results.Hist
	}
	var order []string
	byBase := map[string]*fleet{}
	for _, n := range names {
		hs := hists[n]
		if len(hs) == 0 {
			continue
		}
		r := hs[0].Row
		if r.Settings[hostSetting] == "" {
			return nil
		}
		r.Settings = maps.Clone(r.Settings)
		delete(r.Settings, hostSetting)
		base := lineName(&r)
		f := byBase[base]
		if f == nil {
			f = &fleet{}
			byBase[base] = f
			order = append(order, base)
		}
		f.hosts++
		f.hs = append(f.hs, hs...)
	}
	var out []series
	for _, base := range order {
		if f := byBase[base]; f.hosts > 1 {
			out = append(out, fromBuckets(fmt.Sprintf("%s, all %d hosts (histograms added)", base, f.hosts), f.hs))
		}
	}
	return out
}
