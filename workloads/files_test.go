package workloads

import "testing"

// Round robin sends the requests to the files in turn, each file's own pattern covering the
// job's share of it once per pass, and the pass starts at file 0's wrap; random (the default)
// is the workload's pattern over the files end to end.
func TestFiles(t *testing.T) {
	const files, perFile, bs = 3, 64 << 10, 4096
	blocks := perFile / bs
	for _, tc := range []struct {
		workload, random, service string
		inTurn                    bool
	}{
		{"randread", "", ServiceRoundRobin, true},
		{"randread", "uniform", ServiceRoundRobin, true},
		{"seqread", "", ServiceRoundRobin, true},
		{"randread", "", ServiceRandom, false},
		{"seqread", "", "", false},
	} {
		w, _ := Lookup(tc.workload)
		for job := range 2 {
			p := Files(w, PatternConfig{BlockSize: bs, Job: job, Jobs: 2, Seed: 7, Random: tc.random}, files, perFile, tc.service)
			share := files * blocks / 2
			seen := map[int64]int{}
			for i := range 3 * share {
				off, wrapped := p.Next()
				if f := int(off / perFile); tc.inTurn && f != i%files {
					t.Fatalf("%+v: request %d went to file %d", tc, i, f)
				}
				if want := i > 0 && i%share == 0; wrapped != want && (tc.random == "" || tc.workload == "seqread") {
					t.Fatalf("%+v job %d: request %d wrapped %v", tc, job, i, wrapped)
				}
				if off < 0 || off >= files*perFile || off%bs != 0 {
					t.Fatalf("%+v: offset %d", tc, off)
				}
				if i < share {
					seen[off]++
				}
			}
			if tc.random == "" && len(seen) != share { // perm and seqread: every block of the share once
				t.Errorf("%+v job %d: %d distinct blocks in a pass of %d", tc, job, len(seen), share)
			}
		}
	}
	w, _ := Lookup("randread")
	p := Files(w, PatternConfig{BlockSize: bs, Jobs: 1, Seed: 1}, files, perFile, ServiceRoundRobin)
	if n := testing.AllocsPerRun(10000, func() { p.Next() }); n != 0 {
		t.Errorf("%v allocations per request", n)
	}
}
