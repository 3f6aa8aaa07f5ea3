package harness

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aiobench/aiobench/pagecache"
)

// A run whose file leaves the cache state asked for while it runs says so, in its warnings and
// its row: a warm file evicted by someone else mid-run, a cold one read whole by someone else.
func TestCacheStateDepartsDuringTheRun(t *testing.T) {
	ds := layout(t, 64<<20) // more blocks than a cold run reads in 300 ms: no new pass evicts it
	f, err := os.Open(ds.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	for _, tc := range []struct {
		cache, want string
		meddle      func(stop <-chan struct{}) error // runs beside the run until stop
		hook        func(string)                     // afterJobs
	}{
		{cache: CacheWarm, want: "resident at the end of the run", meddle: func(stop <-chan struct{}) error {
			for { // evicted over and over, as memory pressure would, until the run is over
				if err := pagecache.Evict(fd, ds.Size); err != nil {
					return err
				}
				select {
				case <-stop:
					return nil
				case <-time.After(time.Millisecond):
				}
			}
		}},
		// Another reader reads the whole file as the run ends (once it is warm, a run would race
		// through its pass and evict it again).
		{cache: CacheCold, want: "more than the", hook: func(string) {
			if err := pagecache.Warm(fd, ds.Size); err != nil {
				t.Error(err)
			}
		}},
	} {
		stop, done := make(chan struct{}), make(chan error, 1)
		if tc.meddle == nil {
			tc.meddle = func(<-chan struct{}) error { return nil }
		}
		go func() { done <- tc.meddle(stop) }()
		afterJobs = tc.hook
		res := run(t, Config{Engine: "psync", Cache: tc.cache, Runtime: 300 * time.Millisecond, Warmup: 20 * time.Millisecond}, ds)
		afterJobs = nil
		close(stop)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(res.Warnings, "|"), tc.want) || !strings.Contains(res.Row.Warnings, tc.want) {
			t.Errorf("%s: warnings %q, row %q; want one with %q", tc.cache, res.Warnings, res.Row.Warnings, tc.want)
		}
	}
}

// A run left alone gives no such warning.
func TestCacheStateKept(t *testing.T) {
	ds := layout(t, 8<<20)
	for _, cache := range []string{CacheWarm, CacheCold} {
		res := run(t, Config{Engine: "sync", Cache: cache, Runtime: 100 * time.Millisecond, Warmup: 10 * time.Millisecond}, ds)
		if strings.Contains(res.Row.Warnings, "cache") {
			t.Errorf("%s: %q", cache, res.Row.Warnings)
		}
	}
}
