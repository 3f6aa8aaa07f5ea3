package syncread

import (
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/engines/enginetest"
	"github.com/aiobench/aiobench/workloads"
)

// The sync engine reads real files: full reads verify, a read across the end of the file
// completes short with no error, a bad descriptor fails the request, not the engine; and a
// cached read allocates nothing.
func TestSyncReads(t *testing.T) {
	for _, o := range []map[string]string{nil, {"nowait": "on"}} {
		t.Run(enginetest.Name(o), func(t *testing.T) { syncReads(t, o) })
	}
}

func syncReads(t *testing.T, o map[string]string) {
	_, fd := enginetest.File(t, 64<<10)
	rd, err := engine{}.Open(engines.Config{QueueDepth: 3, Options: o})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	reqs := []*engines.Request{
		{Fd: fd, Offset: 8192, Buf: make([]byte, 4096)},
		{Fd: fd, Offset: 62 << 10, Buf: make([]byte, 4096)}, // crosses EOF by 2 KiB
		{Fd: -1, Offset: 0, Buf: make([]byte, 4096)},
	}
	if err := rd.Submit(reqs); err != nil {
		t.Fatal(err)
	}
	done, err := rd.Reap(nil, 3)
	if err != nil || len(done) != 3 {
		t.Fatalf("Reap = %d, %v", len(done), err)
	}
	if r := reqs[0]; r.N != 4096 || r.Err != nil || workloads.Verify(r.Buf, 0, r.Offset, workloads.VerifyFull) >= 0 {
		t.Errorf("full read: n=%d err=%v", r.N, r.Err)
	}
	if r := reqs[1]; r.N != 2048 || r.Err != nil || workloads.Verify(r.Buf[:2048], 0, r.Offset, workloads.VerifyFull) >= 0 {
		t.Errorf("read across EOF: n=%d err=%v, want 2048 and nil", r.N, r.Err)
	}
	if r := reqs[2]; r.Err == nil {
		t.Error("read of fd -1 did not fail")
	}

	one := reqs[:1]
	dst := make([]*engines.Request, 0, 3)
	allocs := testing.AllocsPerRun(1000, func() {
		one[0].Reset()
		_ = rd.Submit(one)
		dst, _ = rd.Reap(dst[:0], 1)
	})
	if allocs != 0 {
		t.Errorf("cached read allocates %v times per request", allocs)
	}
}
