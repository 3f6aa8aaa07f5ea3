package results

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/engines"
	// The engines aiobench ships: the schema's engine columns come from their declarations.
	_ "github.com/aiobench/aiobench/engines/all"
)

// probeEngine declares a counter and an option, and is registered by this test alone.
type probeEngine struct{}

func (probeEngine) Open(engines.Config) (engines.Reader, error) { return nil, nil }
func (probeEngine) Counters() []engines.Counter {
	return []engines.Counter{{Name: "zz_probe_count", Label: "probes", Better: "lower", Doc: "a test counter"}}
}
func (probeEngine) Options() []engines.Option {
	return []engines.Option{{Name: "mode", Column: "zz_probe_mode", ColumnDoc: "a test option",
		Parse: func(s string) (string, error) { return s, nil }, Record: func(v string) string { return v }}}
}

// An engine's counters and options are columns as soon as it registers, with the meaning it
// declares, after the columns of the first schema, written and read by name; nothing but the
// engine's own declaration is needed.
func TestEngineColumnsFromDeclarations(t *testing.T) {
	n := len(Columns())
	engines.Register("zzprobe", probeEngine{})
	t.Cleanup(func() { engines.Unregister("zzprobe") })
	cols := Columns()
	if len(cols) != n+2 || cols[n].Name != "zz_probe_count" || cols[n+1].Name != "zz_probe_mode" {
		t.Fatalf("after registering: %d columns (was %d), last %q", len(cols), n, cols[len(cols)-1].Name)
	}
	if c := cols[n]; c.Better != BetterLower || !c.Engine || c.Config {
		t.Errorf("counter column: %+v", c)
	}
	if c := cols[n+1]; !c.Config || !c.Engine {
		t.Errorf("option column: %+v", c)
	}
	if c, _ := ColumnByName("eagain"); c.Better != BetterLower || !c.Engine {
		t.Errorf("retry's eagain: %+v", c)
	}
	var buf bytes.Buffer
	rows := []Row{{Engine: "zzprobe", Workload: "randread", Cache: "warm", Values: map[string]float64{"zz_probe_count": 7}, Settings: map[string]string{"zz_probe_mode": "fast"}}}
	if err := Write(&buf, []string{MagicComment}, rows); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`# column {"name":"zz_probe_count","better":"lower","numeric":true,"doc":"a test counter"}`)) {
		t.Errorf("no meaning line for the new counter:\n%s", buf.String())
	}
	f, err := Read(&buf, "r.csv")
	if err != nil || f.Rows[0].Values["zz_probe_count"] != 7 || f.Rows[0].Settings["zz_probe_mode"] != "fast" {
		t.Errorf("read back: %v %+v", err, f.Rows)
	}
}

// A file the previous release wrote (before the engines declared their own columns) reads
// whole: every column known, the engines' counters by name, and it writes back the header it
// had, its columns in their places, with the columns added since after them.
func TestPreviousReleaseReads(t *testing.T) {
	f, err := ReadFile("testdata/previous-release.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 0 || len(f.Rows) != 3 {
		t.Fatalf("%d rows, warnings %q", len(f.Rows), f.Warnings)
	}
	for _, r := range f.Rows {
		if r.Ops == 0 || r.IOPS == 0 || !r.Complete || len(r.Extra) != 0 {
			t.Errorf("%s: ops %d iops %v complete %v extra %v", r.Engine, r.Ops, r.IOPS, r.Complete, r.Extra)
		}
	}
	if retry := f.Rows[1]; retry.Engine != "retry" || retry.Values["attempts_per_op"] != 1 {
		t.Errorf("retry's counters: %+v", retry.Values)
	}
	if u := f.Rows[2]; u.Engine != "uring" || u.Values["uring_enters_per_op"] == 0 {
		t.Errorf("uring's counters: %+v", u.Values)
	}
	var buf bytes.Buffer
	if err := Write(&buf, nil, f.Rows); err != nil {
		t.Fatal(err)
	}
	var header string
	for _, l := range strings.Split(buf.String(), "\n") {
		if !strings.HasPrefix(l, "#") {
			header = l
			break
		}
	}
	if want := strings.Join(f.Columns, ","); !strings.HasPrefix(header, want) {
		t.Errorf("header written back:\n %s\nread:\n %s", header, want)
	}
}

// A figure nobody measured is written empty, not 0, read back as unmeasured, and has no value:
// a duel arm's residency and context switches, another engine's counters, the latency of a run
// that completed nothing.
func TestUnmeasuredIsEmpty(t *testing.T) {
	s := Setup{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm"}
	arm := Build(&s, &Measurement{Measured: true, Complete: true, Ops: 10, ElapsedNS: 1e6, CtxSw: -1}, &Labels{Duel: "x"})
	none := Build(&s, &Measurement{Measured: true, Resident: true}, &Labels{})
	for _, tc := range []struct {
		row   Row
		empty []string
		set   []string
	}{
		{arm, []string{"resident_start_pct", "resident_end_pct", "ctxsw", "eagain", "background_iops", "dev_reads"}, []string{"iops", "ops"}},
		{none, []string{"lat_p50_us", "lat_mean_us", "cpu_us_per_op", "eagain"}, []string{"ops", "resident_end_pct", "cpu_user_s"}},
	} {
		var buf bytes.Buffer
		if err := Write(&buf, nil, []Row{tc.row}); err != nil {
			t.Fatal(err)
		}
		f, err := Read(&buf, "r.csv")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range tc.empty {
			c, _ := ColumnByName(name)
			if v := c.Get(&f.Rows[0]); v != "" {
				t.Errorf("%s: %q, want empty", name, v)
			}
			if _, ok := c.Value(&f.Rows[0]); ok {
				t.Errorf("%s: has a value", name)
			}
		}
		for _, name := range tc.set {
			c, _ := ColumnByName(name)
			if _, ok := c.Value(&f.Rows[0]); !ok {
				t.Errorf("%s: no value", name)
			}
		}
	}
}
