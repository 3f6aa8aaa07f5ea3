package retry

import (
	"testing"
	"time"

	"github.com/aiobench/aiobench/engines"
)

// The wait queue hands waits out oldest first, also across growth beyond its first capacity.
func TestWaitQueueOrder(t *testing.T) {
	q := newWaitQueue(2, 0)
	for _, n := range []int{1, 2, 3, 7} {
		for i := range n {
			q.push(wait{gen: uint32(i)})
		}
		for i := range n {
			w, ok := q.tryPop()
			if !ok || w.gen != uint32(i) {
				t.Fatalf("%d pushed: pop %d = %d, %v", n, i, w.gen, ok)
			}
		}
		if _, ok := q.tryPop(); ok {
			t.Fatalf("%d pushed: more popped", n)
		}
	}
	// Interleaved, so that head wraps around before the ring grows.
	q.push(wait{gen: 1})
	q.push(wait{gen: 2})
	q.tryPop()
	q.push(wait{gen: 3})
	q.push(wait{gen: 4})
	for want := uint32(2); want <= 4; want++ {
		if w, _ := q.tryPop(); w.gen != want {
			t.Fatalf("after wrap: got %d, want %d", w.gen, want)
		}
	}
}

// A waiter asleep on an empty queue wakes for a push, and returns false once it is closed.
func TestWaitQueueSleepPushClose(t *testing.T) {
	q := newWaitQueue(1, 0)
	got := make(chan uint32)
	go func() {
		for {
			w, ok := q.pop()
			if !ok {
				close(got)
				return
			}
			got <- w.gen
		}
	}()
	time.Sleep(10 * time.Millisecond) // let it sleep
	q.push(wait{gen: 9})
	if g := <-got; g != 9 {
		t.Fatalf("popped %d, want 9", g)
	}
	time.Sleep(10 * time.Millisecond)
	q.close()
	if _, open := <-got; open {
		t.Fatal("pop returned a wait after close")
	}
}

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
		if got := waiterSpin(engines.Config{QueueDepth: tc.qd, WaiterSpin: tc.spin}); got != tc.want {
			t.Errorf("QD%d, WaiterSpin %v: %v, want %v", tc.qd, tc.spin, got, tc.want)
		}
	}
}
