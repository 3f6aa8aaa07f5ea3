package results

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestHistRoundTrip(t *testing.T) {
	hs := []Hist{
		{Row: Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Size: 1 << 20, Round: 1},
			Buckets: []Bucket{{700, 700, 3}, {701, 701, 90}, {1000, 1001, 7}}},
		{Row: Row{Engine: "retry", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Size: 1 << 20, Round: 1,
			Settings: map[string]string{"notifier": "uring"}}, Buckets: []Bucket{{800, 800, 100}}},
		{Row: Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 1, Jobs: 1, Cache: "warm", Size: 1 << 20, Round: 2},
			Buckets: []Bucket{{650, 650, 100}}},
		// An open-loop run: its two histograms, one after the other.
		{Row: Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 32, Jobs: 1, Cache: "warm", Size: 1 << 20, Round: 1, Rate: 1000, Arrival: "poisson"},
			Latency: LatService, Buckets: []Bucket{{650, 650, 100}}},
		{Row: Row{Engine: "sync", Workload: "randread", BS: 4096, IODepth: 32, Jobs: 1, Cache: "warm", Size: 1 << 20, Round: 1, Rate: 1000, Arrival: "poisson"},
			Latency: LatIntended, Buckets: []Bucket{{700, 700, 90}, {2000, 2001, 10}}},
	}
	var b bytes.Buffer
	if err := WriteHists(&b, []string{"command: aiobench --hist h.csv"}, hs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "# "+HistMagic+"\n# command: aiobench --hist h.csv\nengine,") {
		t.Errorf("head:\n%s", b.String()[:120])
	}
	got, err := ReadHists(&b, "h.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(hs) {
		t.Fatalf("%d histograms back, want %d", len(got), len(hs))
	}
	for i := range hs {
		if got[i].Row.Key() != hs[i].Row.Key() || got[i].Row.Round != hs[i].Row.Round || got[i].Of() != hs[i].Of() || !reflect.DeepEqual(got[i].Buckets, hs[i].Buckets) {
			t.Errorf("histogram %d: got %+v %v, want %+v %v", i, got[i].Row.Key(), got[i].Buckets, hs[i].Row.Key(), hs[i].Buckets)
		}
	}
	if got[0].Count() != 100 {
		t.Errorf("count %d", got[0].Count())
	}
}

// A file written before the latency column holds lat histograms.
func TestReadHistsWithoutLatency(t *testing.T) {
	old := "# " + HistMagic + "\nengine,workload,bs,iodepth,jobs,cache,round,lo_ns,hi_ns,count\nsync,randread,4096,1,1,warm,1,700,700,5\n"
	got, err := ReadHists(strings.NewReader(old), "old.csv")
	if err != nil || len(got) != 1 || got[0].Of() != LatService || got[0].Count() != 5 {
		t.Fatalf("%+v, %v", got, err)
	}
}

func TestReadHistsRefuses(t *testing.T) {
	header := strings.Join(histHeader(), ",")
	line := func(count string) string {
		cells := make([]string, len(histHeader()))
		cells[0], cells[len(cells)-5], cells[len(cells)-4], cells[len(cells)-3], cells[len(cells)-2], cells[len(cells)-1] = "sync", "1", "700", "700", count, "lat"
		return strings.Join(cells, ",")
	}
	for _, tc := range []struct{ name, data, want string }{
		{"no header", "", "no header line"},
		{"no bucket columns", "engine,round\nsync,1\n", "missing column lo_ns"},
		{"negative count", header + "\n" + line("-1") + "\n", `count "-1" is not a count`},
		{"not a number", header + "\n" + line("many") + "\n", `count "many" is not a count`},
		{"unknown latency", header + "\n" + strings.TrimSuffix(line("1"), "lat") + "wall\n", `latency "wall": accepted: lat, intended`},
	} {
		_, err := ReadHists(strings.NewReader(tc.data), "h.csv")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "h.csv") {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestLooksLikeHist(t *testing.T) {
	dir := t.TempDir()
	h, r := filepath.Join(dir, "h.csv"), filepath.Join(dir, "r.csv")
	if err := WriteHistFile(h, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(r, []string{MagicComment}, nil); err != nil {
		t.Fatal(err)
	}
	if !LooksLikeHist(h) || LooksLikeHist(r) || LooksLikeResults(h) || !LooksLikeResults(r) {
		t.Errorf("hist: %v/%v, results: %v/%v", LooksLikeHist(h), LooksLikeResults(h), LooksLikeHist(r), LooksLikeResults(r))
	}
}
