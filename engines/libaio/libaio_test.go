package libaio

import (
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func available(t *testing.T) {
	t.Helper()
	if err := (engine{}).Probe(); err != nil {
		t.Skipf("libaio unavailable here: %v", err)
	}
}

func TestReadsShortReadsAndEOF(t *testing.T) {
	available(t)
	enginetest.ReadsAndEOF(t, "libaio", []map[string]string{{}}, func(t *testing.T, _ map[string]string, rd engines.Reader) {
		s := statsOf(rd).(*stats)
		// 12 reads in 3 batches, two per io_submit; the one crossing EOF is submitted again once for its rest.
		if s.completed != 12 || s.submits < 6 || s.submits > 9 || s.resubmits != 3 {
			t.Errorf("stats: %+v", s)
		}
	})
}

func TestReadErrorIsCompletedAsFailed(t *testing.T) {
	available(t)
	enginetest.FailedRead(t, "libaio")
}

func TestCloseWithRequestsInFlight(t *testing.T) {
	available(t)
	enginetest.CloseInFlight(t, "libaio", []map[string]string{{}})
}

func TestStress(t *testing.T) {
	available(t)
	ops := 200_000
	if testing.Short() {
		ops = 20_000
	}
	for _, direct := range []bool{false, true} {
		t.Run(map[bool]string{false: "buffered", true: "direct"}[direct], func(t *testing.T) {
			enginetest.Stress(t, "libaio", engines.Config{Direct: direct}, ops/2, []int{1, 4, 16, 32})
		})
	}
}

// statsOf is the counters of rd, through the contract checker that wraps it.
func statsOf(rd engines.Reader) engines.Counters {
	sr, _ := engines.Ability[engines.StatsReader](rd)
	return sr.Stats()
}

func TestReapUntilBounded(t *testing.T) {
	enginetest.ReapUntilBounded(t, "libaio", []map[string]string{{}})
}
