package retry

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
)

// The RFC's other two decisions as options: a retry after a short read starts where the read
// stopped (keep, the default) or at the request's start (restart); the data is right whatever
// the variation, and under random eviction at any depth.
func TestVariations(t *testing.T) {
	const mib = 1 << 20
	f, fd := file(t, 4*mib)
	for _, tc := range []struct {
		name    string
		opts    map[string]string
		restart bool
	}{
		{"keep first", map[string]string{}, false},
		{"restart", map[string]string{"progress": ProgressRestart}, true},
		{"wait range", map[string]string{"wait": WaitRange}, false},
		{"restart range", map[string]string{"progress": ProgressRestart, "wait": WaitRange}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const at = mib
			evict(t, fd, 4*mib)
			warm(t, f, at, mib/2) // the first half cached: the first attempt is short
			var trace bytes.Buffer
			tr := engines.NewTrace(&trace)
			rd := open(t, engines.Config{QueueDepth: 1, Trace: tr, Options: tc.opts})
			req := &engines.Request{Fd: fd, Offset: at, Buf: make([]byte, mib), ID: 7}
			if err := rd.Submit([]*engines.Request{req}); err != nil {
				t.Fatal(err)
			}
			if done, err := rd.Reap(nil, 1); err != nil || len(done) != 1 {
				t.Fatalf("Reap = %v, %v", done, err)
			}
			verify(t, req, mib)
			rd.Close()
			tr.Flush()
			lines := strings.Split(strings.TrimSpace(trace.String()), "\n")[1:]
			if len(lines) < 2 {
				t.Fatalf("%d attempts for a half-cached read", len(lines))
			}
			second := strings.Split(lines[1], ",")
			want := itoa(at + mib/2)
			if tc.restart {
				want = itoa(at)
			}
			if second[2] != want {
				t.Errorf("second attempt at %s, want %s (%v)", second[2], want, lines)
			}
		})
	}
	for _, o := range []map[string]string{{"progress": ProgressRestart}, {"wait": WaitRange}, {"progress": ProgressRestart, "wait": WaitRange, "notifier": NotifyWaiters}} {
		enginetest.Stress(t, "retry", engines.Config{Options: o}, 2000, []int{1, 16})
	}
}
