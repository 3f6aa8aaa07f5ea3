package engines_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/engines"
	_ "github.com/aiobench/aiobench/engines/null"
	_ "github.com/aiobench/aiobench/engines/psync"
	_ "github.com/aiobench/aiobench/engines/retry"
	_ "github.com/aiobench/aiobench/engines/syncread"
	_ "github.com/aiobench/aiobench/engines/threadpool"
)

type fake struct{}

func (fake) Open(engines.Config) (engines.Reader, error) { return nil, nil }

func TestRegisterMisuse(t *testing.T) {
	for name, f := range map[string]func(){
		"nil":       func() { engines.Register("nilengine", nil) },
		"empty":     func() { engines.Register("", fake{}) },
		"comma":     func() { engines.Register("a,b", fake{}) },
		"duplicate": func() { engines.Register("sync", fake{}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestLookup(t *testing.T) {
	if _, err := engines.Lookup("sync"); err != nil {
		t.Fatal(err)
	}
	_, err := engines.Lookup("nope")
	if !errors.Is(err, engines.ErrUnknown) || !strings.Contains(err.Error(), `"nope" (known: null, psync, retry, sync, threadpool;`) {
		t.Errorf("Lookup(nope) = %v; want ErrUnknown listing the sorted names", err)
	}
	names := engines.Names()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("Names() not sorted: %v", names)
		}
	}
}

func TestInlineQueue(t *testing.T) {
	q := engines.NewInlineQueue(2)
	a, b := &engines.Request{}, &engines.Request{}
	q.Complete(a)
	q.Complete(b)
	if !a.Inline || !b.Inline {
		t.Error("Complete did not mark requests inline")
	}
	got, err := q.Reap(make([]*engines.Request, 0, 2), 1)
	if err != nil || len(got) != 2 || got[0] != a || got[1] != b || q.Len() != 0 {
		t.Errorf("Reap = %v, %v; len after %d", got, err, q.Len())
	}
}

// Capabilities are declared by the engines, not inferred from names: sync, psync and null
// complete inline; retry and threadpool do not; null moves no data.
func TestCapabilitiesDeclared(t *testing.T) {
	for name, want := range map[string]bool{"sync": true, "psync": true, "null": true, "retry": false, "threadpool": false} {
		e, err := engines.Lookup(name)
		if err != nil {
			t.Skipf("engine %s not linked into this test: %v", name, err)
		}
		if got := engines.IsSynchronous(e); got != want {
			t.Errorf("%s: synchronous %v, want %v", name, got, want)
		}
	}
}
