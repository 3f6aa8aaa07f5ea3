package threadpool

import (
	"os"
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"github.com/aiobench/aiobench/workloads"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestReadsAndCounters(t *testing.T) {
	ds, err := workloads.Layout(t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(ds.Path)
	defer f.Close()
	rd, err := engine{}.Open(engines.Config{QueueDepth: 4, Options: map[string]string{"threads": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	reqs := make([]*engines.Request, 4)
	for i := range reqs {
		reqs[i] = &engines.Request{Fd: int(f.Fd()), Offset: int64(i) * 8192, Buf: make([]byte, 8192)}
	}
	reqs[3].Offset = 1<<20 - 4096 // crosses EOF
	if err := rd.Submit(reqs); err != nil {
		t.Fatal(err)
	}
	done, err := rd.Reap(nil, 4)
	if err != nil || len(done) != 4 {
		t.Fatalf("Reap = %d, %v", len(done), err)
	}
	for _, r := range reqs {
		want := len(r.Buf)
		if r == reqs[3] {
			want = 4096
		}
		if r.Err != nil || r.N != want || r.Inline || workloads.Verify(r.Buf[:r.N], 0, r.Offset, workloads.VerifyFull) >= 0 {
			t.Errorf("request at %d: n=%d err=%v inline=%v", r.Offset, r.N, r.Err, r.Inline)
		}
	}
	s := statsOf(rd).(*stats)
	if s.completed != 4 || s.queueWait.TotalCount() != 4 || s.handoff.TotalCount() != 4 || s.queuePeak < 1 {
		t.Errorf("stats: %+v", s)
	}
	if err := rd.Close(); err != nil {
		t.Fatal(err)
	}
}

// Close with cold reads in flight waits for them and leaves no thread behind (goleak checks),
// twenty times over.
func TestCloseWithRequestsInFlight(t *testing.T) {
	sets := make([]map[string]string, 20)
	for i := range sets {
		sets[i] = map[string]string{"threads": "3"}
	}
	enginetest.CloseInFlight(t, "threadpool", sets)
}

func TestStress(t *testing.T) {
	ops := 200_000
	if testing.Short() {
		ops = 20_000
	}
	enginetest.Stress(t, "threadpool", engines.Config{Options: map[string]string{"threads": "8"}}, ops, []int{1, 4, 16, 32})
}

// statsOf is the counters of rd, through the contract checker that wraps it.
func statsOf(rd engines.Reader) engines.Counters {
	sr, _ := engines.Ability[engines.StatsReader](rd)
	return sr.Stats()
}
