package retry

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/pagecache"
)

// Reads of 1 MiB with different parts cached all complete with verified data, each with the
// attempt pattern its cache state implies. The state is what mincore says after the warming
// read, not what the test asked for: the page cache may hold a large folio, which warms the
// pages before the read range too (the intended outcome is logged when the two differ).
func TestPartialCache(t *testing.T) {
	const mib = 1 << 20
	f, fd := file(t, 4*mib)
	for _, tc := range []struct {
		name     string
		warm     [][2]int64 // ranges made resident, relative to the read
		first    string     // outcome of the first attempt
		firstLen int        // bytes it read
	}{
		{"first half resident", [][2]int64{{0, mib / 2}}, engines.OutcomeShort, mib / 2},
		{"only the middle resident", [][2]int64{{mib / 4, mib / 2}}, engines.OutcomeEAGAIN, 0},
		{"only the tail resident", [][2]int64{{mib - mib/4, mib / 4}}, engines.OutcomeEAGAIN, 0},
		{"none resident", nil, engines.OutcomeEAGAIN, 0},
		{"all resident", [][2]int64{{0, mib}}, engines.OutcomeFull, mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const at = mib
			evict(t, fd, 4*mib)
			for _, w := range tc.warm {
				warm(t, f, at+w[0], w[1])
			}
			if n := residentPrefix(t, fd, at, mib); n != tc.firstLen {
				want := map[bool]string{true: engines.OutcomeFull, false: engines.OutcomeShort}[n == mib]
				if n == 0 {
					want = engines.OutcomeEAGAIN
				}
				t.Logf("%d bytes resident from the start of the read after warming (a large folio): expecting %s with %d bytes, not %s with %d", n, want, n, tc.first, tc.firstLen)
				tc.first, tc.firstLen = want, n
			}
			var trace bytes.Buffer
			tr := engines.NewTrace(&trace)
			rd := open(t, engines.Config{QueueDepth: 1, Trace: tr})
			req := &engines.Request{Fd: fd, Offset: at, Buf: make([]byte, mib), ID: 42}
			if err := rd.Submit([]*engines.Request{req}); err != nil {
				t.Fatal(err)
			}
			done, err := rd.Reap(nil, 1)
			if err != nil || len(done) != 1 {
				t.Fatalf("Reap = %v, %v", done, err)
			}
			verify(t, req, mib)
			s := counts(rd)
			rd.Close()
			tr.Flush()
			lines := strings.Split(strings.TrimSpace(trace.String()), "\n")[1:]
			first := strings.Split(lines[0], ",")
			last := strings.Split(lines[len(lines)-1], ",")
			if first[0] != "42" || first[1] != "1" || first[2] != "1048576" || first[5] != tc.first || first[3] != itoa(tc.firstLen) {
				t.Errorf("first attempt %v; want outcome %s with %d bytes", first, tc.first, tc.firstLen)
			}
			if last[5] != engines.OutcomeFull && last[5] != engines.OutcomeShort {
				t.Errorf("last attempt %v", last)
			}
			if len(lines) != int(s.attempts) {
				t.Errorf("%d trace lines, %d attempts", len(lines), s.attempts)
			}
			if tc.first == engines.OutcomeFull {
				if s.attempts != 1 || !req.Inline {
					t.Errorf("a resident read took %d attempts (inline %v)", s.attempts, req.Inline)
				}
			} else if s.attempts < 2 || s.kicks < 1 || req.Inline && s.whileRunning == 0 {
				// Inline only if the page came while the first retry still ran (a kick while running).
				t.Errorf("a partly cold read: %d attempts, %d kicks (%d while running), inline %v", s.attempts, s.kicks, s.whileRunning, req.Inline)
			}
		})
	}
}

// residentPrefix is how many bytes of [off, off+n) are resident from off on, page by page.
func residentPrefix(t *testing.T, fd int, off int64, n int) int {
	t.Helper()
	for p := 0; p < n; p += 4096 {
		res, err := pagecache.RangeResidency(fd, off+int64(p), 4096)
		if err != nil {
			t.Fatal(err)
		}
		if res < 1 {
			return p
		}
	}
	return n
}
