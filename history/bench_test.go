package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/aiobench/aiobench/results"
)

// Adding a results file of 1,000 rows (250 configurations, two engines, two rounds) to a new
// SQLite history; the target is under a second.
func BenchmarkAdd1000Rows(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "r.csv")
	var rows []results.Row
	for c := range 250 {
		for round := 1; round <= 2; round++ {
			for _, e := range []string{"sync", "uring"} {
				rows = append(rows, results.Row{Engine: e, Workload: "randread", BS: 4096 * (1 + c%4), IODepth: 1 + c/4, Jobs: 1, Cache: "warm", Round: round,
					Ops: 1000, IOPS: 40000, LatMean: 25, LatP50: 24, LatP99: 40, Complete: true, Machine: testMachine, Size: 1 << 20, Seed: 1})
			}
		}
	}
	if err := results.WriteFile(path, nil, rows); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		h := open(b, filepath.Join(dir, fmt.Sprintf("h%d.db", i)))
		if a, err := h.Add(context.Background(), Commit{SHA: "x"}, path); err != nil || a[0].Rows != 1000 {
			b.Fatal(a, err)
		}
	}
}

// Checking a history of 10,000 runs (commits), each with two engines' four metrics and
// uring's four ratios to sync: reading every series and finding its change points. The
// issue's target is under 2 s.
func BenchmarkCheck10000Runs(b *testing.B) {
	h := open(b, filepath.Join(b.TempDir(), "h.db"))
	ctx := context.Background()
	tx, _ := h.db.BeginTx(ctx, nil)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range 10000 {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO aiobench_runs (commit_sha, position, branch, host, machine, source, digest, added_utc, columns, comments)
			VALUES (?, ?, '', 'h', '', '', ?, '', '[]', '[]') RETURNING id`, fmt.Sprint(i), i+1, fmt.Sprint(i)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		for _, e := range []string{"sync", "uring"} {
			for _, m := range []string{"iops", "lat_p50_us", "lat_p99_us", "lat_mean_us", "iops/sync", "lat_p50_us/sync", "lat_p99_us/sync", "lat_mean_us/sync"} {
				if e == "sync" && len(m) > 11 || e == "sync" && m == "iops/sync" {
					continue
				}
				v := 100 * (1 + 0.004*rng.NormFloat64())
				if i > 7000 {
					v *= 1.02
				}
				tx.ExecContext(ctx, `INSERT INTO aiobench_points VALUES (?, 'h', 'c', ?, ?, 'higher', ?)`, id, e, m, v)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		series, err := h.Series(ctx, Filter{})
		if err != nil || len(series) != 12 || len(series[0].Values) != 10000 {
			b.Fatal(len(series), err)
		}
		for _, f := range Check(series, CheckOptions{Threshold: 0.01}) {
			if len(f.Changes) == 0 {
				b.Fatalf("%s: no change point", f.Series.Name())
			}
		}
	}
}
