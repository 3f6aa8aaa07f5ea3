package retry

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
	"github.com/aiobench/aiobench/internal/fileio"
	"golang.org/x/sys/unix"
)

// The I/O of an attempt: the RWF_NOWAIT read, starting the I/O for what is missing (readahead
// in the device's chunks, leaving out a page the kernel already started), per-file facts, and
// the trace of attempts.

// maxReadahead is the most readahead(2) is asked for in one call.
const maxReadahead = 8 << 20

// pageSize is the unit of the page cache.
var pageSize = int64(os.Getpagesize())

// startProbes is how many of a file's first cold attempts are checked (see fileInfo.probe)
// before the engine relies on the kernel starting the first missing page's I/O.
const startProbes = 8

type fileInfo struct {
	size    int64
	raChunk int64
	// What a NOWAIT attempt that stops at a missing page does with that page here: it either
	// starts the page's I/O itself (as filemap_read does on Linux since 5.x, with
	// page_cache_sync_ra before it returns EAGAIN) or leaves it alone. Unknown until
	// startProbes cold attempts showed the page in the page cache right after they stopped
	// (cachestat(2)); one that did not, or no cachestat, settles it as "leaves it alone".
	kernelStarts tristate
	probes       int
	// residency tells, after a refusal, whether the refused page was cached (eagain_resident);
	// made at the file's first refusal, nil if it cannot be.
	residency *fileio.Residency
	noRes     bool
}

type tristate int8

const (
	unknown tristate = iota
	yes
	no
)

// attempt reads as much as it can without blocking. It returns true when the request is
// complete (all read, end of file, or an error in Request.Err), false when it must wait; then
// the I/O for the rest has been started.
func (r *reader) attempt(st *state) bool {
	req := st.req
	if st.fbDone { // a fallback read finished on a waiter
		st.done += st.fbN
		req.Err = st.fbErr
		st.fbDone, st.fbN, st.fbErr = false, 0, nil
		return true
	}
	if e := st.pageErr.Load(); e != 0 { // the device failed a page of this request
		req.Err = unix.Errno(e)
		r.traceAttempt(st, req.Offset+int64(st.done), 0, engines.OutcomeError)
		return true
	}
	if r.restart && st.done < len(req.Buf) {
		st.done = 0 // a retry without saved state reads the whole request again
	}
	for {
		buf := req.Buf[st.done:]
		off := req.Offset + int64(st.done)
		if len(buf) == 0 {
			return true
		}
		if !r.nowait {
			return false // arm a fallback read
		}
		st.attempts++
		r.stats.attempts++
		n, errno := fileio.ReadNowait(req.Fd, buf, off)
		switch {
		case errno == 0 && n == len(buf):
			st.done += n
			r.traceAttempt(st, off, n, engines.OutcomeFull)
			return true
		case errno == 0 && n > 0:
			st.done += n
			r.stats.shortReads++
			if r.file(req.Fd).size <= off+int64(n) {
				r.traceAttempt(st, off, n, engines.OutcomeEOF)
				return true
			}
			r.traceAttempt(st, off, n, engines.OutcomeShort)
			r.startIO(st)
			return false
		case errno == 0: // 0 bytes: end of file, or the Linux 5.9/5.10 bug (treated as EAGAIN)
			if r.file(req.Fd).size <= off {
				r.traceAttempt(st, off, 0, engines.OutcomeEOF)
				return true
			}
			fallthrough
		case errno == unix.EAGAIN:
			r.stats.eagain++
			r.countResidentRefusal(req.Fd, off)
			r.traceAttempt(st, off, 0, engines.OutcomeEAGAIN)
			r.startIO(st)
			return false
		case fileio.NowaitUnsupported(errno):
			// Counted once per reader in Fallbacks per request below; every later read of
			// this reader goes to the waiters as a blocking read.
			r.nowait = false
			st.attempts--
			r.stats.attempts--
			continue
		default:
			req.Err = errno
			r.traceAttempt(st, off, 0, engines.OutcomeError)
			return true
		}
	}
}

// countResidentRefusal asks, right after a NOWAIT read at off was refused, whether the page was
// in the page cache and up to date all the same (mincore: a page the refusal's own readahead
// just started is not up to date): eagain_resident. It is the refusal's path, never the fast
// path: one mincore call per EAGAIN.
func (r *reader) countResidentRefusal(fd int, off int64) {
	fi := r.file(fd)
	if fi.residency == nil && !fi.noRes {
		var err error
		if fi.residency, err = fileio.NewResidency(fd, fi.size); err != nil {
			fi.noRes = true
		}
	}
	if fi.residency == nil {
		return
	}
	if res, err := fi.residency.Resident(off); err == nil && res {
		r.stats.eagainResident++
	}
}

// startIO starts the I/O for the request's missing range without waiting for it, after an
// attempt stopped at its first byte: readahead(2) in chunks no larger than the device's
// read_ahead_kb. A range already started is started again only if the last wait brought no
// progress (its pages may have been evicted meanwhile).
//
// The first missing page is left out where the kernel's NOWAIT read starts that page's I/O
// itself (fileInfo.kernelStarts): readahead(2) would find it in the page cache and do nothing
// but cost a system call, which at 4 KiB cold reads is a tenth of the submitting thread's
// time. The waiter's blocking read of that page would start its I/O in any case.
func (r *reader) startIO(st *state) {
	req := st.req
	fi := r.file(req.Fd)
	from := req.Offset + int64(st.done)
	end := req.Offset + int64(len(req.Buf))
	switch {
	case st.raEnd > from && st.done > st.progress:
		from = st.raEnd
	case fi.kernelStarts == yes:
		from = from&^(pageSize-1) + pageSize
	case fi.kernelStarts == unknown && st.attempts == 1:
		// Only a request's first attempt can tell: a later one may find the page that its
		// own readahead started.
		fi.probe(req.Fd, from)
	}
	for off := from; off < end; off += fi.raChunk {
		// readahead only queues the I/O; an error (EINVAL on a file it cannot serve) just
		// means the waiter's blocking read will do the work.
		r.stats.readaheads++
		_, _, _ = unix.Syscall(unix.SYS_READAHEAD, uintptr(req.Fd), uintptr(off), uintptr(min(fi.raChunk, end-off)))
	}
	st.raEnd = max(st.raEnd, end)
}

// probe looks, right after a NOWAIT attempt stopped at off, whether the page at off is in the
// page cache: then the attempt itself started its I/O. cachestat(2) (Linux 6.5) counts a page
// whose read is in flight, where mincore(2) would not.
func (fi *fileInfo) probe(fd int, off int64) {
	var cs unix.Cachestat_t
	rng := unix.CachestatRange{Off: uint64(off &^ (pageSize - 1)), Len: uint64(pageSize)}
	if unix.Cachestat(uint(fd), &rng, &cs, 0) != nil || cs.Cache == 0 {
		fi.kernelStarts = no
		return
	}
	if fi.probes++; fi.probes == startProbes {
		fi.kernelStarts = yes
	}
}

func (r *reader) traceAttempt(st *state, off int64, n int, outcome string) {
	if r.trace != nil {
		r.trace.Attempt(st.req.ID, st.attempts, off, n, clock.Now()-st.submitted, outcome)
	}
}

// file returns what the engine needs to know of fd: its size (for end of file) and the
// readahead chunk of its device. It is looked up once per descriptor, off the fast path.
func (r *reader) file(fd int) *fileInfo {
	if fi, ok := r.files[fd]; ok {
		return fi
	}
	fi := &fileInfo{size: 1<<63 - 1, raChunk: 128 << 10}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil {
		fi.size = st.Size
		if kb := readAheadKB(st.Dev); kb > 0 {
			fi.raChunk = min(kb<<10, maxReadahead)
		}
	}
	r.files[fd] = fi
	return fi
}

// readAheadKB reads the read_ahead_kb of the block device dev (or of the disk a partition is
// on); 0 when it cannot be read.
func readAheadKB(dev uint64) int64 {
	base := fmt.Sprintf("/sys/dev/block/%d:%d/", unix.Major(dev), unix.Minor(dev))
	for _, p := range []string{base + "queue/read_ahead_kb", base + "../queue/read_ahead_kb", base + "bdi/read_ahead_kb"} {
		if b, err := os.ReadFile(p); err == nil {
			if kb, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && kb > 0 {
				return kb
			}
		}
	}
	return 0
}
