package history

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aiobench/aiobench/history/changepoint"
	"github.com/aiobench/aiobench/results"
	"github.com/montanaflynn/stats"
)

// A Series is one metric of one engine on one configuration and host, over commits.
type Series struct {
	Host, Config, Engine, Metric string
	Better                       results.Better
	Commits                      []string  // in the history's order
	Values                       []float64 // per commit: the median of its files' values
}

// Name is how the series is shown: host, configuration label, engine and metric.
func (s *Series) Name() string {
	return fmt.Sprintf("%s · %s · %s · %s", s.Host, ConfigLabel(s.Config), s.Engine, s.Metric)
}

// ConfigLabel is a configuration key's short form: workload, bs, iodepth, jobs and cache,
// then every other setting whose value is not empty or zero.
func ConfigLabel(config string) string {
	k := results.Key(config)
	parts := []string{k.Value("workload"), "bs=" + k.Value("bs"), "qd=" + k.Value("iodepth"), "jobs=" + k.Value("jobs"), k.Value("cache")}
	for _, c := range results.ConfigColumns() {
		switch c.Name {
		case "workload", "bs", "iodepth", "jobs", "cache", "engine", "size", "seed", "verify", "fadvise":
			continue
		}
		if v := k.Value(c.Name); v != "" && v != "0" {
			parts = append(parts, c.Name+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// Filter chooses series: by metric (none: all) and host ("": all).
type Filter struct {
	Metrics []string
	Host    string
}

// Series reads the series the filter chooses, each in commit order.
func (h *DB) Series(ctx context.Context, f Filter) ([]*Series, error) {
	query := `SELECT p.host, p.config, p.engine, p.metric, p.better, r.position, r.commit_sha, p.value
		FROM aiobench_points p JOIN aiobench_runs r ON r.id = p.run_id`
	var where []string
	var args []any
	if len(f.Metrics) > 0 {
		where = append(where, "p.metric IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Metrics)), ",")+")")
		for _, m := range f.Metrics {
			args = append(args, m)
		}
	}
	if f.Host != "" {
		where = append(where, "p.host = ?")
		args = append(args, f.Host)
	}
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY p.host, p.config, p.engine, p.metric, r.position"
	rows, err := h.db.QueryContext(ctx, h.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", h.Target, err)
	}
	defer rows.Close()
	var out []*Series
	var cur *Series
	var pending []float64 // the current commit's values
	var lastPos int64 = -1
	flush := func() {
		if cur != nil && len(pending) > 0 {
			m, _ := stats.Median(pending)
			cur.Values = append(cur.Values, m)
			pending = pending[:0]
		}
	}
	for rows.Next() {
		var s Series
		var better, commit string
		var pos int64
		var v float64
		if err := rows.Scan(&s.Host, &s.Config, &s.Engine, &s.Metric, &better, &pos, &commit, &v); err != nil {
			return nil, err
		}
		if cur == nil || cur.Host != s.Host || cur.Config != s.Config || cur.Engine != s.Engine || cur.Metric != s.Metric {
			flush()
			s.Better = results.Better(better)
			cur, lastPos = &s, -1
			out = append(out, cur)
		}
		if pos != lastPos {
			flush()
			cur.Commits = append(cur.Commits, commit)
			lastPos = pos
		}
		pending = append(pending, v)
	}
	flush()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if f.Host == "" || f.Host == FleetHost {
		fleet, err := h.fleetSeries(ctx, f.Metrics)
		if err != nil {
			return nil, fmt.Errorf("history %s: %w", h.Target, err)
		}
		out = append(out, fleet...)
	}
	return out, nil
}

// Counts says how much the history holds: results files (runs), rows and commits.
func (h *DB) Counts(ctx context.Context) (runs, rows, commits int, err error) {
	err = h.db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT commit_sha) FROM aiobench_runs`).Scan(&runs, &commits)
	if err == nil {
		err = h.db.QueryRowContext(ctx, `SELECT count(*) FROM aiobench_rows`).Scan(&rows)
	}
	return
}

// ShortSHA is a commit's first 10 characters, as git abbreviates it.
func ShortSHA(sha string) string {
	if len(sha) > 10 {
		return sha[:10]
	}
	return sha
}

// A Finding is a series' change points and the verdict on its latest one.
type Finding struct {
	Series  *Series
	Changes []changepoint.Change
	// Regression is true when the latest change point (at or after Since) makes the metric
	// worse by more than the threshold.
	Regression bool
}

// Verdict names change point i of the finding: "change", "latest change", or "REGRESSION" for
// the latest one when it regressed beyond the threshold.
func (f *Finding) Verdict(i int) string {
	switch {
	case i < len(f.Changes)-1:
		return "change"
	case f.Regression:
		return "REGRESSION"
	}
	return "latest change"
}

// CheckOptions shape a check.
type CheckOptions struct {
	changepoint.Options
	Threshold float64 // a worsening beyond this (0.01: 1%) at the latest change point is a regression
	Since     string  // only change points from this commit on judge; "" for all
}

// Check finds each series' change points and judges its latest one.
func Check(series []*Series, o CheckOptions) []Finding {
	var out []Finding
	for _, s := range series {
		f := Finding{Series: s, Changes: changepoint.Find(s.Values, o.Options)}
		if n := len(f.Changes); n > 0 {
			last := f.Changes[n-1]
			since := 0
			if o.Since != "" {
				since = slices.Index(s.Commits, o.Since)
				if since < 0 {
					since = len(s.Commits) // the series never had that commit: judge nothing older
				}
			}
			worse := last.Rel()
			if s.Better == results.BetterHigher {
				worse = -worse
			}
			f.Regression = last.Index >= since && worse > o.Threshold
		}
		out = append(out, f)
	}
	return out
}
