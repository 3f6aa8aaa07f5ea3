package handoff

import (
	"sync"
	"testing"
	"time"
)

// The queue hands items out oldest first, also across growth beyond its first capacity and
// after its head has wrapped around.
func TestQueueOrder(t *testing.T) {
	q := NewQueue[int](2, 0, 0)
	for _, n := range []int{1, 2, 3, 7} {
		for i := range n {
			q.Push(i)
		}
		for i := range n {
			v, ok := q.TryPop()
			if !ok || v != i {
				t.Fatalf("%d pushed: pop %d = %d, %v", n, i, v, ok)
			}
		}
		if _, ok := q.TryPop(); ok {
			t.Fatalf("%d pushed: more popped", n)
		}
	}
	q.Push(1)
	q.Push(2)
	q.TryPop()
	q.Push(3)
	q.Push(4)
	q.Push(5) // grows with head in the middle
	if got := q.Drain(nil); len(got) != 4 || got[0] != 2 || got[3] != 5 || q.Len() != 0 {
		t.Fatalf("after wrap and growth: drained %v, %d left", got, q.Len())
	}
}

// A consumer asleep on an empty queue wakes for a push, and returns false once it is closed;
// with a spin, it takes the push while polling.
func TestQueueSleepPushClose(t *testing.T) {
	for _, spin := range []time.Duration{0, time.Second} {
		q := NewQueue[int](1, spin, 1)
		got := make(chan int)
		go func() {
			for {
				v, ok := q.Pop()
				if !ok {
					close(got)
					return
				}
				got <- v
			}
		}()
		time.Sleep(10 * time.Millisecond) // let it sleep, or poll
		q.Push(9)
		if g := <-got; g != 9 {
			t.Fatalf("spin %v: popped %d, want 9", spin, g)
		}
		time.Sleep(10 * time.Millisecond)
		q.Close()
		select {
		case _, open := <-got:
			if open {
				t.Fatalf("spin %v: Pop returned an item after Close", spin)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("spin %v: a polling consumer did not see Close", spin)
		}
	}
}

// Many producers and consumers, one of them allowed to poll: every item is taken exactly once.
func TestQueueManyProducersConsumers(t *testing.T) {
	q := NewQueue[int](4, 100*time.Microsecond, 1)
	const producers, per = 4, 20000
	seen := make([]int, producers*per)
	var mu sync.Mutex
	var consumers sync.WaitGroup
	for range 3 {
		consumers.Add(1)
		go func() {
			defer consumers.Done()
			for {
				v, ok := q.Pop()
				if !ok {
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	var prod sync.WaitGroup
	for p := range producers {
		prod.Add(1)
		go func() {
			defer prod.Done()
			for i := range per {
				q.Push(p*per + i)
			}
		}()
	}
	prod.Wait()
	for q.Len() > 0 {
		time.Sleep(time.Millisecond)
	}
	q.Close()
	consumers.Wait()
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("item %d taken %d times", v, n)
		}
	}
}
