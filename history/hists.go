package history

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/results"
)

// FleetHost is the host of the series a history derives from every host's latency histograms
// of a commit added together: a fleet's percentiles, never an average of its hosts'.
const FleetHost = "all hosts (histograms added)"

// HistMetrics are the fleet series' metrics, each a quantile of the added histograms.
var HistMetrics = map[string]float64{"lat_p50_us": 0.5, "lat_p99_us": 0.99}

// addHist adds a latency histogram file (--hist): its service-latency buckets per
// configuration and engine, its rounds added.
func (h *DB) addHist(ctx context.Context, c Commit, path, digest string, data []byte) (Added, error) {
	a := Added{Path: path}
	hs, err := results.ReadHists(bytes.NewReader(data), path)
	if err != nil {
		return a, err
	}
	if len(hs) == 0 {
		return a, fmt.Errorf("no histograms")
	}
	type key struct {
		config, engine string
		lo, hi         int64
	}
	sums := map[key]int64{}
	var order []key
	for i := range hs {
		hist := &hs[i]
		if hist.Of() != results.LatService {
			continue
		}
		k := key{config: results.ConfigKey(&hist.Row), engine: engineName(&hist.Row)}
		for _, b := range hist.Buckets {
			k.lo, k.hi = b.Lo, b.Hi
			if _, ok := sums[k]; !ok {
				order = append(order, k)
			}
			sums[k] += b.Count
		}
	}
	host := c.Host
	if host == "" {
		host = results.HostOf(hs[0].Row.Machine)
	}
	comments, _ := json.Marshal([]string{"histograms"})
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return a, err
	}
	defer tx.Rollback()
	id, err := h.insertRun(ctx, tx, c, host, sysinfo.String(hs[0].Row.Machine), path, digest, "[]", string(comments))
	if err != nil {
		return a, err
	}
	stmt, err := tx.PrepareContext(ctx, h.q(`INSERT INTO aiobench_hists (run_id, config, engine, lo, hi, count) VALUES (?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return a, err
	}
	defer stmt.Close()
	for _, k := range order {
		if _, err := stmt.ExecContext(ctx, id, k.config, k.engine, k.lo, k.hi, sums[k]); err != nil {
			return a, err
		}
	}
	if err := tx.Commit(); err != nil {
		return a, err
	}
	a.Rows, a.Points = len(hs), len(order)
	return a, nil
}

// fleetSeries are the series of FleetHost: per configuration, engine and commit, the
// quantiles of every host's histograms of that commit added bucket by bucket.
func (h *DB) fleetSeries(ctx context.Context, metrics []string) ([]*Series, error) {
	var want []string
	for _, m := range metricsOr(metrics) {
		if _, ok := HistMetrics[m]; ok {
			want = append(want, m)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	rows, err := h.db.QueryContext(ctx, `SELECT h.config, h.engine, r.position, r.commit_sha, h.hi, sum(h.count)
		FROM aiobench_hists h JOIN aiobench_runs r ON r.id = h.run_id
		GROUP BY h.config, h.engine, r.position, r.commit_sha, h.hi
		ORDER BY h.config, h.engine, r.position, h.hi`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type bucket struct{ hi, n int64 }
	var out []*Series
	bySeries := map[string]*Series{}
	var cur []bucket
	var curKey string
	var curPos int64 = -1
	flush := func() {
		if len(cur) == 0 {
			return
		}
		var total int64
		for _, b := range cur {
			total += b.n
		}
		for _, m := range want {
			s := bySeries[curKey+"\x00"+m]
			var cum int64
			for _, b := range cur {
				if cum += b.n; float64(cum) >= HistMetrics[m]*float64(total) {
					s.Values = append(s.Values, float64(b.hi)/1e3)
					break
				}
			}
		}
		cur = cur[:0]
	}
	for rows.Next() {
		var config, engine, commit string
		var pos, hi, n int64
		if err := rows.Scan(&config, &engine, &pos, &commit, &hi, &n); err != nil {
			return nil, err
		}
		k := config + "\x00" + engine
		if k != curKey || pos != curPos {
			flush()
			curKey, curPos = k, pos
			for _, m := range want {
				s := bySeries[k+"\x00"+m]
				if s == nil {
					s = &Series{Host: FleetHost, Config: config, Engine: engine, Metric: m, Better: results.BetterLower}
					bySeries[k+"\x00"+m] = s
					out = append(out, s)
				}
				s.Commits = append(s.Commits, commit)
			}
		}
		cur = append(cur, bucket{hi, n})
	}
	flush()
	return out, rows.Err()
}

// metricsOr is metrics, or every metric for none.
func metricsOr(metrics []string) []string {
	if len(metrics) == 0 {
		return Metrics
	}
	return metrics
}
