package suites

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aiobench/aiobench/compare"
	_ "github.com/aiobench/aiobench/engines/all"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/workloads"
)

// Arms run in alternating order (A B, then B A), warm-up rounds first and not kept.
func TestExecuteAlternates(t *testing.T) {
	ds, err := workloads.Layout(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	c := harness.Config{Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1, Size: 1 << 20, Ops: 10, Cache: harness.CacheWarm}
	a, b := c, c
	a.Engine, b.Engine = "sync", "null"
	s := &Spec{Arms: []Arm{{Label: "A", Config: a}, {Label: "B", Config: b}}, Rounds: 3, WarmupRounds: 1}
	var order []string
	out, err := s.Execute(context.Background(), ds, func(r *harness.Result, warmup bool) {
		order = append(order, r.Row.Engine+strconv.Itoa(r.Row.Round)+map[bool]string{true: "w"}[warmup])
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := out.Rows
	want := []string{"null0w", "sync0w", "sync1", "null1", "null2", "sync2", "sync3", "null3"}
	if !slices.Equal(order, want) || len(rows["A"]) != 3 || len(rows["B"]) != 3 || s.Len() != 8 {
		t.Errorf("order %v, want %v; rows %d %d", order, want, len(rows["A"]), len(rows["B"]))
	}
}

// syncfirst on small files: every arm and duel runs, the background load really runs beside the
// interference arm, and every check yields a verdict per metric: the duel's from its pairs, the
// interference's from two rounds (too few to decide).
func TestSyncfirstSmall(t *testing.T) {
	dir := t.TempDir()
	ds, err := workloads.Layout(dir, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	bg, err := workloads.LayoutFile(dir, 1, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	s, err := syncfirst(Options{Engines: []string{"sync", "retry"}, Size: 8 << 20, Runtime: 100 * time.Millisecond,
		Warmup: 20 * time.Millisecond, Rounds: 2, Background: bg, Base: harness.Config{Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Execute(context.Background(), ds, func(*harness.Result, bool) {})
	if err != nil {
		t.Fatal(err)
	}
	rows := out.Rows
	d := out.Duels["duel: retry vs sync"]
	if d == nil || len(d.Pairs) < compare.MinPairs || d.Rows[0].Engine != "sync" || d.Rows[1].Engine != "retry" || d.Rows[1].DuelBlocks != int64(len(d.Pairs)) {
		t.Fatalf("duel: %+v", d)
	}
	for _, label := range []string{"sync", "sync with retry load"} {
		if len(rows[label]) != 2 {
			t.Fatalf("arm %q: %d rows", label, len(rows[label]))
		}
		for _, r := range rows[label] {
			if r.Errors+r.VerifyErrors != 0 || r.Ops == 0 {
				t.Errorf("arm %q: %+v", label, r)
			}
		}
	}
	if r := rows["sync with retry load"][0]; r.Background != "retry" || r.BackgroundIOPS <= 0 {
		t.Errorf("no background load measured: %q %v", r.Background, r.BackgroundIOPS)
	}
	f, err := s.Evaluate(out, compare.Options{Threshold: 0.05, Alpha: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 4+2 {
		t.Fatalf("%d findings", len(f))
	}
	for _, x := range f {
		switch {
		case x.Check.Duel != "" && x.Metric.Name != "lat_p99_us":
			if x.Test != compare.TestBlocks || x.N1 < compare.MinPairs {
				t.Errorf("%s %s: %s by %s over %d pairs", x.Check.Name, x.Metric.Name, x.Verdict, x.Test, x.N1)
			}
		case x.Check.Duel == "":
			if x.Verdict != compare.Inconclusive || x.N1 != 2 { // 2 rounds are too few to decide
				t.Errorf("%s %s: %s n=%d", x.Check.Name, x.Metric.Name, x.Verdict, x.N1)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	if !slices.Equal(Names(), []string{"aiolat", "default", "knee", "large", "mixed", "syncfirst", "variations"}) {
		t.Errorf("Names() = %v", Names())
	}
	if _, err := Lookup("fast"); err == nil {
		t.Error("unknown suite accepted")
	}
	s, _ := large(Options{Engines: []string{"sync"}, Resident: 0.25})
	if len(s.Arms) != 2 || s.Arms[1].Config.Resident != 0.25 || s.Arms[1].Config.Ops != 1024 {
		t.Errorf("large: %+v", s.Arms)
	}
	if _, err := syncfirst(Options{Engines: []string{"sync", "psync"}}); err == nil {
		t.Error("syncfirst without an async engine accepted")
	}
}

// An explicit --resident 0% is 0, not "unset": the large suite's partly cached arms then start
// fully evicted.
func TestResidentZeroIsZero(t *testing.T) {
	s, err := large(Options{Engines: []string{"sync"}, Resident: 0, ResidentSet: true})
	if err != nil || s.Arms[1].Config.Resident != 0 {
		t.Errorf("resident %v, %v; want 0", s.Arms[1].Config.Resident, err)
	}
	if s, _ := large(Options{Engines: []string{"sync"}}); s.Arms[1].Config.Resident != 0.5 {
		t.Errorf("default resident %v, want 0.5", s.Arms[1].Config.Resident)
	}
}

// The sync-path gate judges, by default, the engines that declare an inline cached read (retry);
// the others' checks are reported; --gate-engines names them, or all.
func TestGatedByCapability(t *testing.T) {
	for _, tc := range []struct {
		gate []string
		want map[string]bool
	}{
		{nil, map[string]bool{"retry": true, "threadpool": false, "uring": false}},
		{[]string{"uring"}, map[string]bool{"retry": false, "threadpool": false, "uring": true}},
		{[]string{"all"}, map[string]bool{"retry": true, "threadpool": true, "uring": true}},
	} {
		s, err := syncfirst(Options{Engines: []string{"sync", "retry", "threadpool", "uring"}, GateEngines: tc.gate})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, c := range s.Checks {
			if c.SyncPath {
				got[c.Engine] = c.Gated
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("gate %v: gated %v, want %v", tc.gate, got, tc.want)
		}
	}
}

// Drop leaves an engine out of a suite whole (arms, duels, checks, loads), and says why.
func TestDrop(t *testing.T) {
	s, err := syncfirst(Options{Engines: []string{"sync", "retry", "threadpool"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Drop("retry", errors.New("not here"))
	for _, e := range s.Engines() {
		if e == "retry" {
			t.Errorf("retry still runs: %v", s.Engines())
		}
	}
	for _, c := range s.Checks {
		if c.Engine == "retry" {
			t.Errorf("check %s kept", c.Name)
		}
	}
	if len(s.Skipped) != 1 || s.Skipped[0].Name != "retry" || s.Skipped[0].Err.Error() != "not here" {
		t.Errorf("skipped %+v", s.Skipped)
	}
}
