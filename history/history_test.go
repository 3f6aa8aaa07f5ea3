package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/aiobench/aiobench/engines/all" // the reference engine, sync
	"github.com/aiobench/aiobench/results"
)

// writeRun writes a results file as a run would: per engine, rounds rows of one configuration
// on one machine, its IOPS given (lat from it), complete and without errors.
func writeRun(t testing.TB, path string, m results.Machine, rounds int, iops map[string]float64) {
	t.Helper()
	var rows []results.Row
	for round := 1; round <= rounds; round++ {
		for _, e := range []string{"sync", "uring"} {
			v, ok := iops[e]
			if !ok {
				continue
			}
			rows = append(rows, results.Row{Engine: e, Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: round,
				Ops: 1000, Bytes: 4096000, Elapsed: 1000 / v, IOPS: v, LatMean: 1e6 / v, LatP50: 1e6 / v, LatP99: 2e6 / v,
				Complete: true, Machine: m, Size: 1 << 20, Verify: "cheap", Seed: 1})
		}
	}
	if err := results.WriteFile(path, []string{"command: aiobench (test)"}, rows); err != nil {
		t.Fatal(err)
	}
}

var testMachine = results.Machine{Kernel: "6.18", FSType: "ext4", Device: "vda", CPUModel: "test cpu", NCPU: 2, GoVersion: "go1.26", Version: "test"}

func open(t testing.TB, target string) *DB {
	t.Helper()
	h, err := Open(context.Background(), target, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// addAndCheck is the history's whole path on h: a second add of a file adds nothing; 40
// commits with uring's IOPS down 5% from commit 30 give that change point, named by its first
// commit and judged a regression; sync's flat series and uring's ratio to it say what they
// should.
func addAndCheck(t *testing.T, h *DB) {
	ctx := context.Background()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		p := filepath.Join(dir, fmt.Sprintf("c%02d.csv", i))
		u := 50000 * (1 + 0.004*rng.NormFloat64())
		if i >= 30 {
			u *= 0.95
		}
		writeRun(t, p, testMachine, 3, map[string]float64{"sync": 40000 * (1 + 0.004*rng.NormFloat64()), "uring": u})
		added, err := h.Add(ctx, Commit{SHA: fmt.Sprintf("sha%02d", i), Branch: "main"}, p)
		if err != nil {
			t.Fatal(err)
		}
		if added[0].Rows != 6 || added[0].Points == 0 || added[0].Already != "" {
			t.Fatalf("add %d: %+v", i, added[0])
		}
	}
	again, err := h.Add(ctx, Commit{SHA: "other"}, filepath.Join(dir, "c05.csv"))
	if err != nil || again[0].Already != "sha05" || again[0].Rows != 0 {
		t.Fatalf("a second add of one file: %+v, %v", again, err)
	}
	runs, rows, commits, err := h.Counts(ctx)
	if err != nil || runs != 40 || rows != 240 || commits != 40 {
		t.Fatalf("counts: %d runs %d rows %d commits, %v", runs, rows, commits, err)
	}
	series, err := h.Series(ctx, Filter{Metrics: []string{"iops", "iops/sync"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Finding{}
	for _, f := range Check(series, CheckOptions{Threshold: 0.01}) {
		got[f.Series.Engine+" "+f.Series.Metric] = f
		if len(f.Series.Values) != 40 || f.Series.Host != "test cpu/2cpu/ext4/vda" {
			t.Errorf("%s: %d values, host %q", f.Series.Name(), len(f.Series.Values), f.Series.Host)
		}
	}
	for name, wantRegression := range map[string]bool{"uring iops": true, "uring iops/sync": true, "sync iops": false} {
		f, ok := got[name]
		switch {
		case !ok:
			t.Errorf("no series %s (have %v)", name, len(got))
		case wantRegression && (len(f.Changes) != 1 || f.Series.Commits[f.Changes[0].Index] != "sha30" || !f.Regression):
			t.Errorf("%s: changes %+v regression %v; want one at sha30", name, f.Changes, f.Regression)
		case wantRegression && (f.Changes[0].Rel() > -0.04 || f.Changes[0].Hi > -0.04):
			t.Errorf("%s: change %.3f [%.3f, %.3f], want about −5%%", name, f.Changes[0].Rel(), f.Changes[0].Lo, f.Changes[0].Hi)
		case !wantRegression && (len(f.Changes) != 0 || f.Regression):
			t.Errorf("%s: changes %+v in a flat series", name, f.Changes)
		}
	}
	// The regression accepted: judged only from a later commit on, it no longer fails.
	for _, f := range Check(series, CheckOptions{Threshold: 0.01, Since: "sha35"}) {
		if f.Regression {
			t.Errorf("%s: a regression before --since", f.Series.Name())
		}
	}
}

func TestSQLite(t *testing.T) {
	addAndCheck(t, open(t, filepath.Join(t.TempDir(), "history.db")))
}

// PostgreSQL, against the server .ci/run starts (AIOBENCH_TEST_POSTGRES, a URL of a database
// the test may fill): the same paths as SQLite's, after dropping what an earlier run left.
func TestPostgres(t *testing.T) {
	url := os.Getenv("AIOBENCH_TEST_POSTGRES")
	if url == "" {
		t.Skip("AIOBENCH_TEST_POSTGRES is not set: no PostgreSQL server to test against (.ci/run starts one)")
	}
	h := open(t, url)
	ctx := context.Background()
	for _, q := range []string{`DROP TABLE IF EXISTS aiobench_hists, aiobench_points, aiobench_rows, aiobench_runs, aiobench_meta CASCADE`} {
		if _, err := h.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
	h = open(t, url)
	addAndCheck(t, h)
	fleetPath(t, h)
}

// What is not an aiobench history is refused and left as it was: a text file, an empty
// file, another program's SQLite database, a missing directory.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("someone's notes\n"), 0o644)
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	other := filepath.Join(dir, "other.db")
	h := open(t, other)
	h.db.Exec(`DROP TABLE aiobench_points; DROP TABLE aiobench_rows; DROP TABLE aiobench_runs; DROP TABLE aiobench_meta`)
	h.db.Exec(`CREATE TABLE theirs (x INTEGER)`)
	h.Close()
	before, _ := os.ReadFile(other)
	for _, p := range []string{text, empty, other, filepath.Join(dir, "missing", "h.db")} {
		if _, err := Open(context.Background(), p, true); err == nil {
			t.Errorf("%s: opened", p)
		}
	}
	if b, _ := os.ReadFile(text); string(b) != "someone's notes\n" {
		t.Error("the text file changed")
	}
	if after, _ := os.ReadFile(other); string(after) != string(before) {
		t.Error("the other database changed")
	}
}

// A ratio to sync pairs the rounds, as the suites do: the median of the rounds' ratios, not
// the ratio of the medians; failed rows give nothing.
func TestPointsPairRounds(t *testing.T) {
	var rows []results.Row
	for i, v := range [][2]float64{{100, 40}, {200, 150}, {300, 160}, {500, 1}} {
		for j, e := range []string{"sync", "uring"} {
			rows = append(rows, results.Row{Engine: e, Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "cold", Round: i + 1,
				Ops: 10, IOPS: v[j], Complete: i < 3, Machine: testMachine})
		}
	}
	for _, p := range points(rows) {
		want := map[string]float64{"sync iops": 200, "uring iops": 150, "uring iops/sync": 160.0 / 300}[p.engine+" "+p.metric]
		if want != 0 && p.value != want {
			t.Errorf("%s %s = %v, want %v", p.engine, p.metric, p.value, want)
		}
	}
}
