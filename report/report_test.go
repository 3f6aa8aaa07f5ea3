package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/results"
)

// The fixtures in testdata are real aiobench output: aiolat.csv (the aiolat suite, sync and
// uring, 2 rounds, no --hist), cold.csv with cold.hist.csv (QD4 cold reads with their
// histograms), warm.csv (sync and retry on a warm file, 6 rounds) and gate.csv (a gate summary
// of warm.csv against a second run).

// svgText returns the text of every <text> element of an SVG, after checking it parses as XML.
func svgText(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	var texts []string
	in := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return texts
		}
		if err != nil {
			t.Fatalf("%s is not valid SVG: %v", path, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			in = tok.Name.Local == "text"
		case xml.CharData:
			if in {
				texts = append(texts, strings.TrimSpace(string(tok)))
			}
		case xml.EndElement:
			in = false
		}
	}
}

func TestChartsFromGoldenFiles(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inputs []string
		// charts: every chart's name and texts its SVG must show.
		charts map[string][]string
		never  map[string][]string
	}{
		{"aiolat without histograms", []string{"aiolat.csv"}, map[string][]string{
			"cdf-randread-4k-qd1-cold":    {"Latency CDF: randread 4k QD1 cold", "(percentiles from the results file only: run with --hist for the distribution)", "sync", "uring", "p50", "p99", "p99.9", "99.9%"},
			"cdf-randread-4k-qd32-cold":   {"sync", "uring"},
			"depth-iops-randread-4k-cold": {"IOPS against iodepth: randread 4k cold", "iodepth (requests in flight per job)", "1", "4", "16", "32", "sync", "uring"},
			"depth-p99-randread-4k-cold":  {"lat p99 against iodepth: randread 4k cold", "lat p99 (µs, log scale)"},
			"cdf-randread-4k-qd4-cold":    {"Latency CDF: randread 4k QD4 cold"},
			"cdf-randread-4k-qd16-cold":   nil,
		}, nil},
		{"cold with histograms", []string{"cold.csv", "cold.hist.csv"}, map[string][]string{
			"cdf-randread-4k-qd4-cold": {"Latency CDF: randread 4k QD4 cold", "sync", "uring", "p50", "p99", "p99.9", "latency (µs, log scale)"},
		}, map[string][]string{"cdf-randread-4k-qd4-cold": {"(percentiles from the results file only: run with --hist for the distribution)"}}},
		{"sync path from a results file's rounds", []string{"warm.csv"}, map[string][]string{
			"cdf-randread-4k-qd1-warm": {"sync", "retry"},
			"sync-path-regression":     {"Sync-path regression: a cached 4 KiB read's lat mean against sync's", "change of lat mean against sync (%, + is slower)", "+5% threshold", "sync-path: retry vs sync — "},
		}, nil},
		{"gate summary", []string{"gate.csv"}, map[string][]string{
			"change-iops":       {"Change of iops: candidate against baseline", "-5%", "+5%"},
			"change-lat-p50-us": {"Change of lat_p50_us: candidate against baseline"},
			"change-lat-p99-us": {"Change of lat_p99_us: candidate against baseline"},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, dir, written := drawFixtures(t, tc.inputs...)
			var names []string
			for _, c := range r.Charts {
				names = append(names, c.Name)
			}
			for name, want := range tc.charts {
				if !slices.Contains(names, name) {
					t.Errorf("no chart %s (charts: %v)", name, names)
					continue
				}
				checkPNG(t, filepath.Join(dir, name+".png"))
				texts := strings.Join(svgText(t, filepath.Join(dir, name+".svg")), "\n")
				for _, w := range want {
					if !strings.Contains(texts, w) {
						t.Errorf("%s.svg lacks the text %q; it has:\n%s", name, w, texts)
					}
				}
				for _, w := range tc.never[name] {
					if strings.Contains(texts, w) {
						t.Errorf("%s.svg has the text %q", name, w)
					}
				}
			}
			if len(names) != len(tc.charts) {
				t.Errorf("charts %v, want %d", names, len(tc.charts))
			}
			if len(written) != 2*len(names)+1 || filepath.Base(written[len(written)-1]) != "index.html" {
				t.Errorf("written %v", written)
			}
		})
	}
}

// drawFixtures builds the report of the named files of testdata and writes it into a temporary
// directory.
func drawFixtures(t *testing.T, names ...string) (r *Report, dir string, written []string) {
	t.Helper()
	var paths []string
	for _, p := range names {
		paths = append(paths, filepath.Join("testdata", p))
	}
	in, err := Load(paths)
	if err != nil {
		t.Fatal(err)
	}
	if r, err = Build(in, Options{Threshold: 0.05}); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	if written, err = r.Write(dir); err != nil {
		t.Fatal(err)
	}
	return r, dir, written
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width < 300 || cfg.Height < 100 {
		t.Errorf("%s: not a chart-sized PNG: %+v %v", path, cfg, err)
	}
}

func TestLoadRefusesOtherFiles(t *testing.T) {
	other := filepath.Join(t.TempDir(), "notes.csv")
	os.WriteFile(other, []byte("a,b\n1,2\n"), 0o644)
	_, err := Load([]string{other})
	if err == nil || !strings.Contains(err.Error(), "not a file aiobench report reads") || !strings.Contains(err.Error(), "latency histograms (--hist)") {
		t.Errorf("Load(other file) = %v", err)
	}
	if _, err := Load([]string{filepath.Join("testdata", "cold.hist.csv")}); err == nil {
		t.Error("Load(histograms only) succeeded; a report needs rows or comparisons")
	}
}

func TestCheckDir(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	foreign := filepath.Join(root, "foreign")
	earlier := filepath.Join(root, "earlier")
	for _, d := range []string{empty, foreign, earlier} {
		os.Mkdir(d, 0o755)
	}
	os.WriteFile(filepath.Join(foreign, "index.html"), []byte("<html>mine</html>"), 0o644)
	os.WriteFile(filepath.Join(earlier, "index.html"), []byte("<!DOCTYPE html>\n"+Marker+"\n"), 0o644)
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		dir  string
		want string // "" for accepted
	}{
		{filepath.Join(root, "new"), ""},
		{empty, ""},
		{earlier, ""},
		{foreign, "holds no aiobench report"},
		{file, "not a directory"},
		{filepath.Join(root, "no", "such"), "parent directory"},
	} {
		err := CheckDir(tc.dir)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckDir(%s) = %v, want %q", tc.dir, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "new")); err == nil {
		t.Error("CheckDir created the directory")
	}
}

// Odd values draw a page, not a panic: comparisons without an estimate or with unbounded
// intervals, rows whose latencies are zero.
func TestBuildOddValues(t *testing.T) {
	zero := results.Row{Engine: "null", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Round: 1, Ops: 10, Complete: true}
	in := &Inputs{
		Files: []*results.File{{Name: "z.csv", Rows: []results.Row{zero}}},
		Changes: []Change{
			{Label: "sync-path: retry vs sync", Metric: "lat_mean_us", Change: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Verdict: "INCONCLUSIVE", SyncPath: true},
			{Label: "sync-path: uring vs sync", Metric: "lat_mean_us", Change: 0.5, Lo: math.Inf(-1), Hi: math.Inf(1), Verdict: "INCONCLUSIVE", SyncPath: true},
			{Label: "a", Metric: "iops", Change: math.Inf(1), Lo: 0, Hi: math.Inf(1), Verdict: "IMPROVEMENT"},
		},
	}
	r, err := Build(in, Options{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range r.Charts {
		names = append(names, c.Name)
	}
	if !slices.Equal(names, []string{"sync-path-regression", "change-iops"}) {
		t.Errorf("charts %v (a CDF of zero latencies has nothing to draw on a log axis)", names)
	}
}

// Degenerate axes draw: zero latencies (the null engine rounds to 0 µs) leave the log-scale
// p99 chart without that line, one p99 at every depth and one latency for every request get a
// range around it.
func TestDegenerateAxes(t *testing.T) {
	row := func(qd int) results.Row {
		return results.Row{Engine: "null", Workload: "randread", BS: 4096, IODepth: qd, Jobs: 1, Cache: "warm", Round: 1, Ops: 10, Complete: true, IOPS: 1e6}
	}
	same := func(qd int) results.Row { r := row(qd); r.Engine, r.LatP99 = "sync", 0.5; return r } // one p99 at every depth
	one := results.Hist{Row: row(1), Buckets: []results.Bucket{{Lo: 1000, Hi: 1000, Count: 10}}}  // every request alike
	r, err := Build(&Inputs{Files: []*results.File{{Name: "z.csv", Rows: []results.Row{row(1), row(4), same(1), same(4)}}}, Hists: []results.Hist{one}}, Options{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Write(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
