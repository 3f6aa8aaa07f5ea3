package results

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func sampleRows() []Row {
	r := Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: 1,
		Ops: 1000, Bytes: 4096000, Elapsed: 1.5, IOPS: 666.6666666666666, LatP50: 3.25, Complete: true,
		Machine: Machine{Kernel: "6.18", FSType: "ext4", CPUModel: "a, \"quoted\" cpu", NCPU: 2},
		Seed:    1<<63 + 5, FirstError: "read 4096 bytes at 0: input/output error"}
	r2 := r
	r2.Engine, r2.Round, r2.Complete = "null", 2, false
	return []Row{r, r2}
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	rows := sampleRows()
	if err := Write(&buf, []string{MagicComment + " v1", "command: aiobench --x"}, rows); err != nil {
		t.Fatal(err)
	}
	f, err := Read(&buf, "r.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Rows, rows) || !slices.Equal(f.Comments, []string{MagicComment + " v1", "command: aiobench --x"}) {
		t.Errorf("round trip:\n got %+v %q\nwant %+v", f.Rows, f.Comments, rows)
	}
	if !slices.Equal(f.Columns, Header()) {
		t.Error("columns differ from the header")
	}
}

// The schema is a contract: these names, in this order, start every file.
func TestSchemaContract(t *testing.T) {
	want := strings.Split("engine,workload,bs,iodepth,jobs,cache,round,ops,bytes,errors,elapsed_s,iops,mib_s,lat_mean_us,lat_p50_us,lat_p90_us,lat_p99_us,lat_p999_us,lat_max_us,slat_p50_us,clat_p50_us,cpu_user_s,cpu_sys_s,cpu_us_per_op,ctxsw,resident_start_pct,resident_end_pct,verify_errors,complete,kernel,fs_type,device,cpu_model,ncpu,go_version,aiobench_version,started_utc,seed", ",")
	if got := Header()[:len(want)]; !slices.Equal(got, want) {
		t.Errorf("schema changed:\n got %v\nwant %v", got, want)
	}
	seen := map[string]bool{}
	for _, c := range Columns() {
		if seen[c.Name] || c.Doc == "" {
			t.Errorf("column %q: duplicate or undocumented", c.Name)
		}
		seen[c.Name] = true
	}
}

func TestReadTolerates(t *testing.T) {
	for name, in := range map[string]string{
		"extra and reordered columns": "# c\nnote,cache,jobs,iodepth,bs,workload,engine,iops\nx,warm,1,1,4096,randread,sync,10.5\n",
		"CRLF and BOM":                "\xef\xbb\xbf# c\r\nengine,workload,bs,iodepth,jobs,cache,iops\r\nsync,randread,4096,1,1,warm,10.5\r\n",
	} {
		f, err := Read(strings.NewReader(in), "f.csv")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Rows) != 1 || f.Rows[0].IOPS != 10.5 || f.Rows[0].Engine != "sync" || !f.Has("iops") || f.Has("lat_p99_us") {
			t.Errorf("%s: rows %+v", name, f.Rows)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "f.csv: no header line"},
		{"only comments", "# a\n# b\n", "f.csv: no header line"},
		{"missing columns", "engine,bs\nsync,4096\n", "f.csv:1: missing column(s) workload, iodepth, jobs, cache"},
		{"non-numeric", "engine,workload,bs,iodepth,jobs,cache\nsync,randread,4k,1,1,warm\n", `f.csv:2: column bs: "4k": invalid syntax`},
		{"ragged", "# x\nengine,workload,bs,iodepth,jobs,cache\nsync,randread,4096,1,1\n", "f.csv:3: 5 fields, the header has 6"},
		{"duplicate column", "engine,engine,workload,bs,iodepth,jobs,cache\n", `f.csv:1: column "engine" appears twice`},
	} {
		_, err := Read(strings.NewReader(tc.in), "f.csv")
		var pe *ParseError
		if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: Read error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleRows()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"| engine |", "CPU µs/op", "| sync ", "0 (incomplete)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

var update = flag.Bool("update", false, "rewrite README.md's schema table")

// The README documents the schema: its table is WriteSchemaMarkdown's output, between markers.
func TestREADMESchema(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte("<!-- schema:start"))
	end := bytes.Index(readme, []byte("<!-- schema:end -->"))
	if start < 0 || end < start {
		t.Fatal("README.md lacks the schema markers")
	}
	start += bytes.IndexByte(readme[start:], '\n') + 1
	var buf bytes.Buffer
	WriteSchemaMarkdown(&buf)
	if *update {
		out := append(append(append([]byte(nil), readme[:start]...), buf.Bytes()...), readme[end:]...)
		if err := os.WriteFile("../README.md", out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(readme[start:end], buf.Bytes()) {
		t.Errorf("README.md's schema table is out of date (go test ./results -update):\n%s", buf.String())
	}
}

// The benchmark format is what golang.org/x/perf/benchfmt (and so benchstat) reads.
func TestBenchfmt(t *testing.T) {
	var buf bytes.Buffer
	rows := sampleRows()
	rows[1].Ops, rows[1].Background = 500, "retry"
	if err := WriteBenchfmt(&buf, rows); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "bench.txt")
	var names []string
	units := map[string]string{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			names = append(names, string(rec.Name.Full()))
			if len(rec.Values) != 1+len(benchUnits) || rec.Iters != 1000 && rec.Iters != 500 {
				t.Errorf("result %s: %d values, %d iters", rec.Name, len(rec.Values), rec.Iters)
			}
		case *benchfmt.UnitMetadata:
			units[rec.OrigUnit] = rec.Value
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"Read/engine=sync/workload=randread/bs=4096/iodepth=1/jobs=1/cache=warm", "Read/engine=null/workload=randread/bs=4096/iodepth=1/jobs=1/cache=warm/background=retry"}
	if !slices.Equal(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
	if units["iops"] != "higher" || units["lat-p99-us"] != "lower" {
		t.Errorf("unit metadata %v", units)
	}
}

// Every column is documented, the configuration columns include the six a file must have,
// and the declarations say which way the metrics go.
func TestColumnMeanings(t *testing.T) {
	for _, c := range Columns() {
		if c.Doc == "" {
			t.Errorf("column %s is undocumented", c.Name)
		}
		if c.IsMetric() && !c.Numeric() {
			t.Errorf("text column %s is a metric", c.Name)
		}
	}
	for _, k := range KeyColumns {
		if c, _ := ColumnByName(k); !c.Config {
			t.Errorf("key column %s is not a configuration column", k)
		}
	}
	for name, want := range map[string]Better{"background_iops": BetterHigher, "iops": BetterHigher, "lat_p99_us": BetterLower, "elapsed_s": BetterNone, "bs": BetterNone} {
		if c, _ := ColumnByName(name); c.Better != want {
			t.Errorf("%s is better %q, want %q", name, c.Better, want)
		}
	}
}

// A configuration key keeps every setting apart, spaces in values included, and gives each back.
func TestKeyValues(t *testing.T) {
	r := Row{Engine: "sync", Workload: "randread", BS: 4096, Duel: "a b", Settings: map[string]string{"notifier": "waiters"}}
	k := r.Key()
	for name, want := range map[string]string{"engine": "sync", "bs": "4096", "duel": "a b", "notifier": "waiters", "background": ""} {
		if got := k.Value(name); got != want {
			t.Errorf("Value(%s) = %q, want %q", name, got, want)
		}
	}
	o := r
	o.Settings = map[string]string{"notifier": "waiters", "threads": "3"}
	if o.Key() == k {
		t.Error("rows with different threads share a key")
	}
}

// A column this build does not know is kept, read and written back; with the meaning its
// file declares it is compared by it (a metric) or keeps rows apart (a configuration), without
// one it is kept and said to be compared by nothing.
func TestUnknownColumnsKept(t *testing.T) {
	in := "# " + MagicComment + "\n" +
		"# column {\"name\":\"zz_new_p9999_us\",\"unit\":\"µs\",\"better\":\"lower\",\"numeric\":true,\"doc\":\"a newer build's\"}\n" +
		"# column {\"name\":\"zz_new_mode\",\"config\":true,\"numeric\":false,\"doc\":\"a newer setting\"}\n" +
		"engine,workload,bs,iodepth,jobs,cache,zz_new_p9999_us,zz_new_mode,zz_mystery\n" +
		"sync,randread,4096,1,1,warm,12.5,fast,x\n" +
		"sync,randread,4096,1,1,warm,13,slow,y\n"
	f, err := Read(strings.NewReader(in), "new.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) != 1 || !strings.Contains(f.Warnings[0], "zz_mystery") || !strings.Contains(f.Warnings[0], "compared by nothing") {
		t.Errorf("warnings %q", f.Warnings)
	}
	c, ok := ColumnByName("zz_new_p9999_us")
	if !ok || c.Better != BetterLower || !c.Numeric() || c.Get(&f.Rows[0]) != "12.5" {
		t.Fatalf("declared metric: %+v, %v", c, ok)
	}
	if f.Rows[0].Key() == f.Rows[1].Key() {
		t.Error("rows that differ in a declared configuration column share a key")
	}
	var buf bytes.Buffer
	if err := Write(&buf, []string{MagicComment}, f.Rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`# column {"name":"zz_new_p9999_us","unit":"µs","better":"lower","numeric":true`, ",zz_mystery\n", ",fast,x\n", ",slow,y\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("written back without %q:\n%s", want, out)
		}
	}
	again, err := Read(strings.NewReader(out), "again.csv")
	if err != nil || again.Rows[1].Extra["zz_mystery"] != "y" || again.Rows[1].Extra["zz_new_mode"] != "slow" {
		t.Errorf("read again: %v %+v", err, again.Rows)
	}
}
