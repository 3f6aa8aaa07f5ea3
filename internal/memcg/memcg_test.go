package memcg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/pagecache"
)

// A group limits the page cache of what the process reads while in it, the process goes back
// where it was, and the group is removed.
func TestGroupLimitsThePageCache(t *testing.T) {
	if _, err := Check(); err != nil {
		t.Skipf("no memory cgroup here: %v", err)
	}
	const size, limit = 128 << 20, 32 << 20
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	before, _ := os.ReadFile("/proc/self/cgroup")
	g, err := New(limit)
	if err != nil {
		t.Fatal(err)
	}
	dir := g.dir
	defer g.Remove()
	if err := pagecache.Evict(fd, size); err != nil {
		t.Fatal(err)
	}
	if err := g.Enter(); err != nil {
		t.Fatal(err)
	}
	if in, _ := os.ReadFile("/proc/self/cgroup"); !strings.Contains(string(in), filepath.Base(dir)) {
		t.Errorf("not in the group after Enter: %s", in)
	}
	if err := pagecache.Warm(fd, size); err != nil {
		t.Fatal(err)
	}
	res, err := pagecache.Residency(fd, size)
	if err != nil {
		t.Fatal(err)
	}
	if got := res / 100 * size; got > limit {
		t.Errorf("%.0f MiB of the file resident under a %d MiB limit", got/(1<<20), limit>>20)
	}
	if u, err := g.Usage(); err != nil || u > limit {
		t.Errorf("usage %d (%v) over the limit %d", u, err, limit)
	}
	t.Logf("%s: %.1f%% of %d MiB resident under %d MiB", g.Version(), res, size>>20, limit>>20)
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile("/proc/self/cgroup"); string(after) != string(before) {
		t.Errorf("cgroups after Remove:\n%s\nbefore:\n%s", after, before)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after Remove (%v)", dir, err)
	}
}
