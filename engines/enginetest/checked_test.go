package enginetest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/engines"
)

// fakeReader completes every request inside Submit with n bytes (n < 0: the whole buffer), and
// can be told to misbehave.
type fakeReader struct {
	q       *engines.InlineQueue
	n       int
	dropOne bool // Reap loses the first completed request
	twice   bool // Reap hands the first one back twice
}

func (f *fakeReader) Submit(reqs []*engines.Request) error {
	for _, r := range reqs {
		r.N = len(r.Buf)
		if f.n >= 0 {
			r.N = f.n
		}
		f.q.Complete(r)
	}
	return nil
}

func (f *fakeReader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	from := len(dst)
	dst, err := f.q.Reap(dst, min)
	switch {
	case f.dropOne && len(dst) > from:
		dst = append(dst[:from], dst[from+1:]...)
	case f.twice && len(dst) > from:
		dst = append(dst, dst[from])
	}
	return dst, err
}

func (f *fakeReader) Close() error { return nil }

// Each breach of the contract, by the caller or by the engine, is reported with what it was;
// a Reader used as the contract says reports nothing.
func TestCheckedCatchesBreaches(t *testing.T) {
	req := func() *engines.Request { return &engines.Request{Buf: make([]byte, 8)} }
	for _, tc := range []struct {
		name string
		fake fakeReader
		use  func(rd engines.Reader)
		want string // "" for no breach
	}{
		{"the contract kept", fakeReader{n: -1}, func(rd engines.Reader) {
			a, b := req(), req()
			rd.Submit([]*engines.Request{a, b})
			rd.Reap(nil, 2)
			a.Reset()
			rd.Submit([]*engines.Request{a})
			rd.Reap(nil, 0)
			rd.Close()
		}, ""},
		{"over the queue depth", fakeReader{n: -1}, func(rd engines.Reader) {
			rd.Submit([]*engines.Request{req(), req(), req()})
		}, "above the queue depth 2"},
		{"Reap waits for more than are in flight", fakeReader{n: -1}, func(rd engines.Reader) {
			rd.Submit([]*engines.Request{req()})
			rd.Reap(nil, 2)
		}, "Reap(min 2) with 1 in flight"},
		{"submitted again before it was reaped", fakeReader{n: -1}, func(rd engines.Reader) {
			a := req()
			rd.Submit([]*engines.Request{a})
			a.Reset()
			rd.Submit([]*engines.Request{a})
		}, "submitted again before it was reaped"},
		{"submitted without Reset", fakeReader{n: -1}, func(rd engines.Reader) {
			a := req()
			rd.Submit([]*engines.Request{a})
			rd.Reap(nil, 1)
			rd.Submit([]*engines.Request{a})
		}, "without Reset"},
		{"after Close", fakeReader{n: -1}, func(rd engines.Reader) {
			rd.Close()
			rd.Submit([]*engines.Request{req()})
		}, "Submit after Close"},
		{"Close twice", fakeReader{n: -1}, func(rd engines.Reader) {
			rd.Close()
			rd.Close()
		}, "Close after Close"},
		{"from another thread", fakeReader{n: -1}, func(rd engines.Reader) {
			rd.Submit([]*engines.Request{req()})
			done := make(chan struct{})
			go func() {
				runtime.LockOSThread() // a thread of its own, never the test's
				defer close(done)
				rd.Reap(nil, 1)
			}()
			<-done
		}, "on thread"},
		{"the engine returns fewer than min", fakeReader{n: -1, dropOne: true}, func(rd engines.Reader) {
			rd.Submit([]*engines.Request{req()})
			rd.Reap(nil, 1)
		}, "returned 0 requests"},
		{"the engine hands a request back twice", fakeReader{n: -1, twice: true}, func(rd engines.Reader) {
			rd.Submit([]*engines.Request{req()})
			rd.Reap(nil, 1)
		}, "which was not in flight"},
		{"the engine claims more bytes than the buffer", fakeReader{n: 9}, func(rd engines.Reader) {
			rd.Submit([]*engines.Request{req()})
			rd.Reap(nil, 1)
		}, "n=9 of a 8-byte buffer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			Lock(t) // the driving thread is the subtest's own
			var got []string
			f := tc.fake
			f.q = engines.NewInlineQueue(2)
			rd := Checked(&f, 2, func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) })
			tc.use(rd)
			msg := strings.Join(got, "; ")
			switch {
			case tc.want == "" && len(got) > 0:
				t.Errorf("breaches reported: %s", msg)
			case tc.want != "" && !strings.Contains(msg, tc.want):
				t.Errorf("reported %q; want %q", msg, tc.want)
			}
		})
	}
}
