package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/history"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
)

// Files from two hosts — here two runs whose data directories are on two file systems (ext4
// or whatever holds the temporary directory, and tmpfs), so their fingerprints differ as two
// machines' do — are reported with the hosts apart: a summary row per host and engine, each
// compared with its own host's sync, and every latency chart adds a line per engine for both
// hosts with their histograms added. history add keeps them apart too, a series per host, and
// makes the fleet's series from both hosts' histograms.
func TestFleetReportAndHistory(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "aiobench-fleet-")
	if err != nil {
		t.Skipf("no tmpfs at /dev/shm for a second host: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(shm) })
	dir := t.TempDir()
	var files []string
	for name, data := range map[string]string{"a": dir, "b": shm} {
		out, hist := filepath.Join(dir, name+".csv"), filepath.Join(dir, name+".hist.csv")
		if _, stderr, code := call("--engine", "sync,uring", "--size", "8M", "--runtime", "100ms", "--rounds", "2", "--dir", data, "--output", out, "--hist", hist, "-q"); code != 0 {
			t.Fatalf("run on %s: exit %d: %s", data, code, stderr)
		}
		files = append(files, out, hist)
	}
	a, _ := results.ReadFile(files[0])
	b, _ := results.ReadFile(files[2])
	if results.HostOf(a.Rows[0].Machine) == results.HostOf(b.Rows[0].Machine) {
		t.Skip("the temporary directory is on tmpfs too: the two runs' fingerprints do not differ")
	}
	in, err := report.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(in, report.Options{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "from 2 hosts") {
		t.Errorf("notes: %q", r.Notes)
	}
	hosts := map[string]int{}
	for _, s := range r.Summary {
		if !strings.Contains(s.Variant, "host=") || s.Engine == "uring" && !s.HasSync {
			t.Errorf("summary row %s %q: no host, or not compared with its host's sync", s.Engine, s.Variant)
		}
		hosts[s.Variant]++
	}
	if len(hosts) != 2 {
		t.Errorf("summary rows by host: %v", hosts)
	}
	if v := strings.Join(r.Verdicts, "\n"); strings.Count(v, "uring") < 2 || strings.Count(v, "host=") < 2 {
		t.Errorf("want uring's sync-path verdict on each host, against its own sync:\n%s", v)
	}
	out := filepath.Join(dir, "report")
	if _, stderr, code := call(append([]string{"report", "--out", out}, files...)...); code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	page, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !strings.Contains(string(page), "all 2 hosts (histograms added)") {
		t.Error("the page has no line of both hosts' histograms added")
	}
	db := filepath.Join(dir, "h.db")
	if _, stderr, code := call(append([]string{"history", "add", "--commit", "c1", "--db", db}, files...)...); code != 0 {
		t.Fatalf("history add: exit %d: %s", code, stderr)
	}
	if out, _, code := call("history", "show", "--db", db, "--host", history.FleetHost); code != 0 || strings.Count(out, "lat_p99_us") != 2 {
		t.Errorf("history show of the fleet: exit %d; want lat_p99_us of sync and uring:\n%s", code, out)
	}
	stdout, _, _ := call("history", "show", "--db", db, "--metrics", "iops")
	for _, f := range []string{files[0], files[2]} {
		rf, _ := results.ReadFile(f)
		if host := results.HostOf(rf.Rows[0].Machine); !strings.Contains(stdout, host) {
			t.Errorf("history show has no series of host %s:\n%s", host, stdout)
		}
	}
}
