package retry

import (
	"testing"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/fileio"
	"github.com/aiobench/aiobench/pagecache"
	"golang.org/x/sys/unix"
)

// Why a cached read is refused. A file's first quarter is read sequentially with readahead, which
// leaves pages beyond the last read cached with the readahead marker; the file is read again
// page by page: first with raw
// RWF_NOWAIT reads and mincore beside them, then, after the same preparation, through the retry
// engine. Every EAGAIN whose page mincore finds resident and up to date is the kernel refusing a
// cached read; the engine counts those as eagain_resident, and its count is never more than
// its EAGAINs. The figures are the kernel's (logged, and in the README); what the test holds is
// that the engine reads every page correctly and counts consistently with the raw reads.
func TestEAGAINResident(t *testing.T) {
	const size = 128 << 20 // read_ahead_kb is 8 MiB on this project's VM: room beyond the windows
	f, fd := file(t, size)
	page := int64(unix.Getpagesize())
	prepare := func() {
		evict(t, fd, size)
		if r, _ := pagecache.Residency(fd, size); r > 1 {
			t.Fatalf("%.1f%% resident after eviction", r)
		}
		if err := pagecache.Advise(fd, pagecache.AdviceSequential); err != nil {
			t.Fatal(err)
		}
		// The first quarter only, in small reads: readahead runs ahead of them, and the pages
		// it brought in beyond the last read keep their marker (the next read would have
		// triggered the next window there).
		buf := make([]byte, 16<<10)
		for off := int64(0); off < size/4; off += int64(len(buf)) {
			if _, err := f.ReadAt(buf, off); err != nil {
				t.Fatal(err)
			}
		}
		if err := pagecache.Advise(fd, pagecache.AdviceRandom); err != nil {
			t.Fatal(err)
		}
	}

	prepare()
	before, err := pagecache.Residency(fd, size)
	if err != nil {
		t.Fatal(err)
	}
	res, err := fileio.NewResidency(fd, size)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var rawEAGAIN, rawResident int
	buf := make([]byte, page)
	for off := int64(0); off < size; off += page {
		if _, errno := fileio.ReadNowait(fd, buf, off); errno == unix.EAGAIN {
			rawEAGAIN++
			if ok, err := res.Resident(off); err == nil && ok {
				rawResident++
			}
		}
	}

	prepare()
	rd := open(t, engines.Config{QueueDepth: 1})
	defer rd.Close()
	req := &engines.Request{Fd: fd, Buf: make([]byte, page)}
	var dst []*engines.Request
	for off := int64(0); off < size; off += page {
		req.Reset()
		req.Offset = off
		if err := rd.Submit([]*engines.Request{req}); err != nil {
			t.Fatal(err)
		}
		if dst, err = rd.Reap(dst[:0], 1); err != nil || len(dst) != 1 {
			t.Fatalf("Reap = %d, %v", len(dst), err)
		}
		verify(t, req, int(page))
	}
	s := counts(rd)
	if s.eagainResident > s.eagain {
		t.Errorf("eagain_resident %d above eagain %d", s.eagainResident, s.eagain)
	}
	t.Logf("%d pages, the first quarter read sequentially (%.1f%% of the file resident then), then every page by RWF_NOWAIT: raw reads %d EAGAIN, %d of them on a resident page; the engine %d EAGAIN, eagain_resident %d",
		size/page, before, rawEAGAIN, rawResident, s.eagain, s.eagainResident)
}
