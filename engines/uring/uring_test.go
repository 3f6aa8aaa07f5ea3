package uring

import (
	"strings"
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// available skips, saying why, where io_uring does not work.
func available(t *testing.T) {
	t.Helper()
	if err := (engine{}).Probe(); err != nil {
		t.Skipf("uring unavailable here: %v", err)
	}
}

// variants are the option sets the tests run with.
var variants = []map[string]string{
	{},
	{"async": "on"},
	{"fixed-files": "on", "fixed-buffers": "on"},
	{"sqpoll": "10ms"},
	{"entries": "64"},
}

func TestReadsShortReadsAndEOF(t *testing.T) {
	available(t)
	enginetest.ReadsAndEOF(t, "uring", variants, func(t *testing.T, o map[string]string, rd engines.Reader) {
		s := statsOf(rd).(*stats)
		if s.completed != 12 || s.enters == 0 || s.enters > 2*12 {
			t.Errorf("stats: %+v", s)
		}
		if o["fixed-buffers"] == "on" && (s.bufRegs != 4 || s.unfixed != 0) {
			t.Errorf("fixed buffers: %d registered (want 4: each request's once), %d reads without", s.bufRegs, s.unfixed)
		}
	})
}

func TestReadErrorIsCompletedAsFailed(t *testing.T) {
	available(t)
	enginetest.FailedRead(t, "uring")
}

func TestCloseWithRequestsInFlight(t *testing.T) {
	available(t)
	enginetest.CloseInFlight(t, "uring", variants)
}

func TestRefusesTooFewEntries(t *testing.T) {
	err := engine{}.Check(engines.Config{QueueDepth: 16, Options: map[string]string{"entries": "8"}})
	if err == nil || !strings.Contains(err.Error(), "accepted") {
		t.Fatalf("Check(entries 8 < iodepth 16) = %v", err)
	}
}

func TestStress(t *testing.T) {
	available(t)
	ops := 200_000
	if testing.Short() {
		ops = 20_000
	}
	for _, c := range []engines.Config{{}, {Options: map[string]string{"async": "on"}},
		{Options: map[string]string{"fixed-buffers": "on", "fixed-files": "on"}}, {Direct: true}} {
		t.Run(enginetest.Name(c.Options)+map[bool]string{true: ",direct"}[c.Direct], func(t *testing.T) {
			enginetest.Stress(t, "uring", c, ops/4, []int{1, 4, 16, 32})
		})
	}
}

// statsOf is the counters of rd, through the contract checker that wraps it.
func statsOf(rd engines.Reader) engines.Counters {
	sr, _ := engines.Ability[engines.StatsReader](rd)
	return sr.Stats()
}

func TestReapUntilBounded(t *testing.T) {
	enginetest.ReapUntilBounded(t, "uring", []map[string]string{{}})
}
