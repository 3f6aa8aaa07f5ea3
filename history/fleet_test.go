package history

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/results"
)

// Two hosts' histogram files under one commit give the fleet series: their buckets added, so
// that with one host's 100 requests at 10 µs and the other's 100 at 1 ms the fleet's p50 is
// 10 µs and its p99 1 ms (averaging the hosts' percentiles would say 505 µs for both).
func TestFleetSeriesAddHistograms(t *testing.T) {
	fleetPath(t, open(t, filepath.Join(t.TempDir(), "h.db")))
}

func fleetPath(t *testing.T, h *DB) {
	dir := t.TempDir()
	ctx := context.Background()
	for i, ns := range []int64{10_000, 1_000_000} {
		m := testMachine
		m.Device = "disk" + strconv.Itoa(i)
		p := filepath.Join(dir, "h"+strconv.Itoa(i)+".csv")
		hist := results.Hist{Buckets: []results.Bucket{{Lo: ns, Hi: ns, Count: 100}}}
		hist.Row = results.Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: 1, Size: 1 << 20, Seed: 1}
		if err := results.WriteHistFile(p, []string{"machine: " + sysinfo.String(m)}, []results.Hist{hist}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.Add(ctx, Commit{SHA: "c1"}, p); err != nil {
			t.Fatal(err)
		}
	}
	series, err := h.Series(ctx, Filter{Host: FleetHost})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range series {
		if len(s.Values) != 1 || s.Commits[0] != "c1" || s.Engine != "sync" {
			t.Fatalf("fleet series %s: %v %v", s.Name(), s.Commits, s.Values)
		}
		got[s.Metric] = s.Values[0]
	}
	if got["lat_p50_us"] != 10 || got["lat_p99_us"] != 1000 {
		t.Errorf("fleet p50 %v µs, p99 %v µs; want 10 and 1000", got["lat_p50_us"], got["lat_p99_us"])
	}
}

// A history of the first schema is migrated to this build's, its data kept; one of a newer
// schema is refused untouched.
func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	h := open(t, path)
	ctx := context.Background()
	// Back to version 1: drop what later migrations made.
	for _, q := range []string{`DROP TABLE aiobench_hists`, `UPDATE aiobench_meta SET value = '1' WHERE key = 'schema_version'`,
		`INSERT INTO aiobench_runs (commit_sha, position, branch, host, machine, source, digest, added_utc, columns, comments) VALUES ('old', 1, '', 'h', '', '', 'd', '', '[]', '[]')`} {
		if _, err := h.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
	h = open(t, path)
	if v, err := h.version(ctx); err != nil || v != Version || Version < 2 {
		t.Fatalf("version %d, %v; want %d", v, err, Version)
	}
	if runs, _, _, err := h.Counts(ctx); err != nil || runs != 1 {
		t.Errorf("after the migration: %d runs, %v", runs, err)
	}
	if _, err := h.db.ExecContext(ctx, `SELECT count(*) FROM aiobench_hists`); err != nil {
		t.Errorf("no hists table: %v", err)
	}
	h.db.ExecContext(ctx, `UPDATE aiobench_meta SET value = '99' WHERE key = 'schema_version'`)
	h.Close()
	if _, err := Open(ctx, path, true); err == nil {
		t.Error("a newer schema opened")
	}
}
