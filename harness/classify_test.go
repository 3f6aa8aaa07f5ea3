package harness

import (
	"cmp"
	"context"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aiobench/aiobench/internal/memcg"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// The bitmap is what warmScattered makes resident: after a cold eviction and the scattered
// warm-up, every page's bit says whether mincore finds it resident.
func TestResidentBitmapIsTheCache(t *testing.T) {
	const size = 16 << 20
	ds := layout(t, size)
	f, err := os.Open(ds.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	page := os.Getpagesize()
	for _, share := range []float64{0.1, 0.5, 0.9} {
		if err := pagecache.Evict(fd, size); err != nil {
			t.Fatal(err)
		}
		if err := warmScattered(fd, size, share, 42); err != nil {
			t.Fatal(err)
		}
		bits := residentBitmap(size, share, 42, page)
		m, err := pagecache.Map(fd, size, page)
		if err != nil {
			t.Fatal(err)
		}
		wrong := 0
		for p := int64(0); p < size/int64(page); p++ {
			res, _, err := m.Pages(p*int64(page), page)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(bits[p>>6] >> (p & 63) & 1); res != want {
				wrong++
			}
		}
		m.Close()
		if wrong > 0 {
			t.Errorf("share %.1f: %d pages where the bitmap and mincore differ", share, wrong)
		}
	}
}

// A partly cached run's requests are classified: with --resident in perm order every request
// (class_mode resident), and its hit share is the resident share within a point, the classes'
// histograms holding every classified request; in a skewed order a sample of them (sampled).
// A warm run in perm order and a direct one have no classes.
func TestClassesInRows(t *testing.T) {
	ds := layout(t, 16<<20)
	for _, c := range []struct {
		name string
		cfg  Config
		mode string
		hit  float64 // expected hit_pct; < 0: not checked
	}{
		{"resident 30%", Config{Engine: "sync", Cache: CacheCold, Resident: 0.3}, classModeBitmap, 30},
		{"resident 90% QD8", Config{Engine: "sync", Cache: CacheCold, Resident: 0.9, IODepth: 8}, classModeBitmap, 90},
		{"64k resident 50%", Config{Engine: "sync", Cache: CacheCold, Resident: 0.5, BlockSize: 64 << 10}, classModeBitmap, -1},
		{"zipf warm", Config{Engine: "sync", Cache: CacheWarm, Random: "zipf:0.99"}, classModeSampled, 100},
		{"uniform resident", Config{Engine: "sync", Cache: CacheCold, Resident: 0.5, Random: "uniform"}, classModeSampled, -1},
		{"warm perm", Config{Engine: "sync", Cache: CacheWarm}, "", -1},
		{"direct", Config{Engine: "sync", Cache: CacheDirect}, "", -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Runtime = 300 * time.Millisecond
			res := run(t, c.cfg, ds)
			r := &res.Row
			if r.ClassMode != c.mode {
				t.Fatalf("class_mode %q, want %q", r.ClassMode, c.mode)
			}
			if c.mode == "" {
				if _, ok := r.Values["hit_pct"]; ok {
					t.Errorf("hit_pct %v in a row without classes", r.Values["hit_pct"])
				}
				return
			}
			classified := value(t, r, "classified")
			if c.mode == classModeBitmap && classified != float64(r.Ops) {
				t.Errorf("classified %v of %d requests", classified, r.Ops)
			}
			if c.mode == classModeSampled && !(classified > 0 && classified < float64(r.Ops)) {
				t.Errorf("sampled %v of %d requests", classified, r.Ops)
			}
			// The classified requests are a random sample of the blocks: within 1 point, or 4
			// standard errors of a sample that small (a loaded machine runs few requests).
			p := c.hit / 100
			tol := 100 * max(0.01, 4*math.Sqrt(p*(1-p)/classified))
			if hit := value(t, r, "hit_pct"); c.hit >= 0 && math.Abs(hit-c.hit) > tol && !(c.mode == classModeSampled && math.Abs(hit-c.hit) <= 5) {
				t.Errorf("hit_pct %.2f, want %.0f within %.1f", hit, c.hit, tol)
			}
			var classHists int64
			for _, h := range res.Hists() {
				if h.Of() == results.LatHit || h.Of() == results.LatMiss {
					classHists += h.Count()
				}
			}
			if partial := r.Values["partial_pct"] / 100 * classified; math.Abs(float64(classHists)-(classified-partial)) > 0.5 {
				t.Errorf("the hit and miss histograms hold %d requests, the classes %.0f", classHists, classified-partial)
			}
			t.Logf("%s: %v classified of %d, hit %.2f%%, partial %v%%", c.name, classified, r.Ops, r.Values["hit_pct"], r.Values["partial_pct"])
		})
	}
}

// Under --cache-limit the kernel's reclaim sets the hit ratio: a warm file in zipf order keeps
// no more of the file than the limit, the row records the limit, and the cgroup is gone after.
func TestCacheLimit(t *testing.T) {
	if _, err := memcg.Check(); err != nil {
		t.Skipf("no memory cgroup here: %v", err)
	}
	const size, limit = 64 << 20, 16 << 20
	ds := layout(t, size)
	res := run(t, Config{Engine: "sync", Cache: CacheWarm, Random: "zipf:0.99", CacheLimit: limit, Runtime: 300 * time.Millisecond}, ds)
	r := &res.Row
	if r.CacheLimit != limit {
		t.Errorf("cache_limit %d, want %d", r.CacheLimit, limit)
	}
	if got := r.ResidentEnd / 100 * size; got > limit {
		t.Errorf("%.1f MiB resident at the end under a %d MiB limit", got/(1<<20), limit>>20)
	}
	if hit := value(t, r, "hit_pct"); hit >= 100 {
		t.Errorf("hit_pct %v: a quarter of the file cannot hold every read", hit)
	}
	if own, _ := os.ReadFile("/proc/self/cgroup"); strings.Contains(string(own), "aiobench-") {
		t.Errorf("still in the run's cgroup: %s", own)
	}
	t.Logf("resident %.1f%%, hit %.1f%%, warnings %q", r.ResidentEnd, r.Values["hit_pct"], res.Warnings)
}

// Several data files (NrFiles): the requests are shared out over all of them, every read
// verified against its own file's content, and a partly resident run's classes hold across
// the files (every file made resident alike).
func TestNrFiles(t *testing.T) {
	dir := t.TempDir()
	var ds *workloads.Dataset
	for i := range 3 {
		f, err := workloads.LayoutFile(dir, i, 4<<20)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			ds = f
		} else {
			ds.More = append(ds.More, f)
		}
	}
	for _, c := range []Config{
		{Engine: "sync", Cache: CacheWarm},
		{Engine: "sync", Cache: CacheCold, IODepth: 4},
		{Engine: "sync", Cache: CacheCold, Resident: 0.5},
		{Engine: "sync", Cache: CacheCold, IODepth: 4, FileService: workloads.ServiceRoundRobin},
		{Engine: "sync", Cache: CacheWarm, Workload: "seqread", FileService: workloads.ServiceRoundRobin},
	} {
		c.NrFiles, c.Runtime = 3, 200*time.Millisecond
		res := run(t, c, ds)
		r := &res.Row
		if r.Ops == 0 || r.VerifyErrors != 0 || r.Errors != 0 || r.NrFiles != 3 || r.FileService != cmp.Or(c.FileService, workloads.ServiceRandom) {
			t.Errorf("%s %s: ops %d verify errors %d errors %d nrfiles %d file_service %q", c.Cache, c.FileService, r.Ops, r.VerifyErrors, r.Errors, r.NrFiles, r.FileService)
		}
		if c.Resident > 0 {
			if hit := value(t, r, "hit_pct"); math.Abs(hit-50) > 100*4*math.Sqrt(0.25/float64(r.Ops))+1 {
				t.Errorf("hit_pct %.1f over three half-resident files", hit)
			}
		}
	}
	if _, err := Run(context.Background(), Config{Engine: "sync", Workload: "randread", BlockSize: 4096, IODepth: 1, Jobs: 1, Size: 4 << 20,
		Runtime: 100 * time.Millisecond, Cache: CacheWarm, NrFiles: 2}, ds); err == nil {
		t.Error("a configuration of 2 files ran on a dataset of 3")
	}
}
