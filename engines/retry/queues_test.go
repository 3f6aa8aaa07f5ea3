package retry

import (
	"testing"
	"time"

	"github.com/aiobench/aiobench/engines"
)

// The ready list gives back what was pushed, oldest first, and can take a state again once
// it was taken.
func TestReadyListOrder(t *testing.T) {
	var l readyList
	sts := []*state{{}, {}, {}}
	for _, st := range sts {
		l.push(st)
	}
	i := 0
	for st := l.takeAll(); st != nil; st = st.next {
		if st != sts[i] {
			t.Fatalf("item %d out of order", i)
		}
		i++
	}
	if i != 3 || !l.empty() {
		t.Fatalf("took %d, empty %v", i, l.empty())
	}
	l.push(sts[1])
	if st := l.takeAll(); st != sts[1] || st.next != nil {
		t.Fatal("a state pushed again is not taken alone")
	}
}

// How long an idle waiter polls: the default from SpinQueueDepth up, none below it, none when
// asked, else as asked.
func TestWaiterSpin(t *testing.T) {
	for _, tc := range []struct {
		qd   int
		spin time.Duration
		want time.Duration
	}{
		{16, 0, DefaultWaiterSpin},
		{SpinQueueDepth, 0, DefaultWaiterSpin},
		{SpinQueueDepth - 1, 0, 0},
		{1, 0, 0},
		{16, -1, 0},
		{1, 20 * time.Microsecond, 20 * time.Microsecond},
		{16, 200 * time.Microsecond, 200 * time.Microsecond},
	} {
		opts := map[string]string{}
		switch {
		case tc.spin < 0:
			opts["waiter-spin"] = "off"
		case tc.spin > 0:
			opts["waiter-spin"] = tc.spin.String()
		}
		if got := waiterSpin(engines.Config{QueueDepth: tc.qd, Options: opts}); got != tc.want {
			t.Errorf("QD%d, WaiterSpin %v: %v, want %v", tc.qd, tc.spin, got, tc.want)
		}
	}
}
