package threadpool

import (
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Verified reads, buffered and O_DIRECT, one across end of file, through the conformance kit;
// the counters see every request (three rounds of four).
func TestReadsAndCounters(t *testing.T) {
	enginetest.ReadsAndEOF(t, "threadpool", []map[string]string{{"threads": "2"}}, func(t *testing.T, _ map[string]string, rd engines.Reader) {
		s := statsOf(rd).(*stats)
		if s.completed != 12 || s.queueWait.TotalCount() != 12 || s.handoff.TotalCount() != 12 || s.queuePeak < 1 {
			t.Errorf("stats: %+v", s)
		}
	})
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

func TestReapUntilBounded(t *testing.T) {
	enginetest.ReapUntilBounded(t, "threadpool", []map[string]string{{"threads": "4"}})
}
