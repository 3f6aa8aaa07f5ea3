package history

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/results"
	"github.com/montanaflynn/stats"
)

// Metrics are the metrics whose series a results file adds: the gate's, and the sync-path's
// lat_mean_us. Each has a relative series too, "METRIC/REF": the engine's value over the
// reference engine's (results.ReferenceEngine) in the same file and configuration, which cancels the
// drift that absolute figures show from one process or day to the next.
var Metrics = append(slices.Clone(compare.DefaultMetrics), "lat_mean_us")

// A Commit labels the files of one history add.
type Commit struct {
	SHA    string
	Branch string
	// Host names the machine; "" takes a name from the rows' fingerprint (CPU, CPUs, file
	// system and device), so that hosts stay apart by what they are.
	Host string
}

// Added says what one file's add did.
type Added struct {
	Path   string
	Rows   int
	Points int
	// Already is the commit under which the same file (by its digest) was added before;
	// then nothing was added.
	Already string
}

// Add adds results files to the history under commit, each in its own transaction: every row
// whole, and the series points derived from the rows that completed without errors. A file
// already in the history (the same bytes) adds nothing and says so.
func (h *DB) Add(ctx context.Context, c Commit, paths ...string) ([]Added, error) {
	var out []Added
	for _, p := range paths {
		a, err := h.add(ctx, c, p)
		if err != nil {
			return out, fmt.Errorf("history add %s: %w", p, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func (h *DB) add(ctx context.Context, c Commit, path string) (Added, error) {
	a := Added{Path: path}
	data, err := os.ReadFile(path)
	if err != nil {
		return a, err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	if err := h.db.QueryRowContext(ctx, h.q(`SELECT commit_sha FROM aiobench_runs WHERE digest = ?`), digest).Scan(&a.Already); err == nil {
		return a, nil
	}
	if results.LooksLikeHist(path) {
		return h.addHist(ctx, c, path, digest, data)
	}
	f, err := results.ReadFile(path)
	if err != nil {
		return a, err
	}
	if len(f.Rows) == 0 {
		return a, fmt.Errorf("no rows")
	}
	cols := make([]*results.Column, len(f.Columns))
	var meanings []results.Meaning
	for i, name := range f.Columns {
		cols[i], _ = results.ColumnByName(name)
		if cols[i] != nil {
			meanings = append(meanings, cols[i].Meaning())
		}
	}
	colsJSON, _ := json.Marshal(meanings)
	comments, _ := json.Marshal(f.Comments)
	machine := sysinfo.String(f.Rows[0].Machine)
	host := c.Host
	if host == "" {
		host = results.HostOf(f.Rows[0].Machine)
	}
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return a, err
	}
	defer tx.Rollback()
	id, err := h.insertRun(ctx, tx, c, host, machine, path, digest, string(colsJSON), string(comments))
	if err != nil {
		return a, err
	}
	rowStmt, err := tx.PrepareContext(ctx, h.q(`INSERT INTO aiobench_rows (run_id, idx, data) VALUES (?, ?, ?)`))
	if err != nil {
		return a, err
	}
	defer rowStmt.Close()
	for i := range f.Rows {
		m := make(map[string]string, len(cols))
		for j, col := range cols {
			if col != nil {
				m[f.Columns[j]] = col.Get(&f.Rows[i])
			}
		}
		b, _ := json.Marshal(m)
		if _, err := rowStmt.ExecContext(ctx, id, i, string(b)); err != nil {
			return a, err
		}
	}
	pts := points(f.Rows)
	ptStmt, err := tx.PrepareContext(ctx, h.q(`INSERT INTO aiobench_points (run_id, host, config, engine, metric, better, value) VALUES (?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return a, err
	}
	defer ptStmt.Close()
	for _, p := range pts {
		if _, err := ptStmt.ExecContext(ctx, id, host, p.config, p.engine, p.metric, p.better, p.value); err != nil {
			return a, err
		}
	}
	if err := tx.Commit(); err != nil {
		return a, err
	}
	a.Rows, a.Points = len(f.Rows), len(pts)
	return a, nil
}

// insertRun records one file added under c, at its commit's position: where the commit first
// came into the history (series are in that order).
func (h *DB) insertRun(ctx context.Context, tx *sql.Tx, c Commit, host, machine, path, digest, columns, comments string) (int64, error) {
	var pos int64
	if err := tx.QueryRowContext(ctx, h.q(`SELECT min(position) FROM aiobench_runs WHERE commit_sha = ?`), c.SHA).Scan(nullable{&pos}); err != nil {
		return 0, err
	}
	if pos == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(position), 0) + 1 FROM aiobench_runs`).Scan(&pos); err != nil {
			return 0, err
		}
	}
	var id int64
	err := tx.QueryRowContext(ctx, h.q(`INSERT INTO aiobench_runs (commit_sha, position, branch, host, machine, source, digest, added_utc, columns, comments)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		c.SHA, pos, c.Branch, host, machine, path, digest, time.Now().UTC().Format(time.RFC3339), columns, comments).Scan(&id)
	return id, err
}

// nullable scans an SQL NULL as 0.
type nullable struct{ v *int64 }

func (n nullable) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		*n.v = 0
	case int64:
		*n.v = x
	default:
		return fmt.Errorf("position: %T", src)
	}
	return nil
}

// engineName names a row's engine in a series: an engine's own settings make a series of
// their own.
func engineName(r *results.Row) string {
	if v := results.Variant(r); v != "" {
		return r.Engine + " " + v
	}
	return r.Engine
}

type point struct {
	config, engine, metric, better string
	value                          float64
}

// points derives a file's series values: per configuration (its key without the engine),
// engine and metric, the median over the rows (rounds) that completed without errors; and
// each engine's ratio to the reference engine: the median of the rounds' ratios, round by
// round (a duel's sessions, a run's alternating rounds: paired, as the suites compare them),
// or, where no round pairs up, the ratio of the medians.
func points(rows []results.Row) []point {
	type key struct{ config, engine, metric string }
	vals := map[key][]float64{}
	byRound := map[key]map[int]float64{}
	var order []key
	for i := range rows {
		r := &rows[i]
		if !r.Complete || r.Errors > 0 || r.VerifyErrors > 0 || r.Ops == 0 {
			continue // a failed run is not a measurement
		}
		for _, m := range Metrics {
			c, _ := results.ColumnByName(m)
			v, ok := c.Value(r)
			if !ok {
				continue
			}
			k := key{results.ConfigKey(r), engineName(r), m}
			if _, seen := vals[k]; !seen {
				order = append(order, k)
			}
			vals[k] = append(vals[k], v)
			if byRound[k] == nil {
				byRound[k] = map[int]float64{}
			}
			byRound[k][r.Round] = v
		}
	}
	var out []point
	ref := results.ReferenceEngine()
	for _, k := range order {
		c, _ := results.ColumnByName(k.metric)
		med, _ := stats.Median(vals[k])
		out = append(out, point{k.config, k.engine, k.metric, string(c.Better), med})
		if ref == "" || k.engine == ref {
			continue
		}
		rk := key{k.config, ref, k.metric} // the reference engine's rows of the same configuration
		if _, ok := vals[rk]; !ok {
			continue
		}
		var ratios []float64
		for round, v := range byRound[k] {
			if rv, ok := byRound[rk][round]; ok && rv > 0 {
				ratios = append(ratios, v/rv)
			}
		}
		if rv, _ := stats.Median(vals[rk]); len(ratios) == 0 && rv > 0 {
			ratios = []float64{med / rv}
		}
		if len(ratios) > 0 {
			r, _ := stats.Median(ratios)
			out = append(out, point{k.config, k.engine, k.metric + "/" + ref, string(c.Better), r})
		}
	}
	return out
}
