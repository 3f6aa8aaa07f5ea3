// Package syncread registers the "sync" engine (the folder is not named sync, which would shadow
// the standard library's package of that name): the cheapest correct synchronous read a Go program
// can make, on the job's own thread. It first tries preadv2(RWF_NOWAIT) as a raw system call,
// which the page cache either serves at once or refuses with EAGAIN, and reads whatever is
// left with a blocking pread(2) that the Go scheduler knows about (see internal/fileio). It is
// the baseline of the sync-first rule: every engine that can serve a cached read inline should
// cost no more than this. Requests complete inside Submit, so iodepth above 1 changes nothing
// but the batch size. With O_DIRECT, and where RWF_NOWAIT is not supported, it is plain pread.
//
// The psync engine is the plain pread(2) without the RWF_NOWAIT attempt, as fio's psync.
package syncread

import (
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/fileio"
	"golang.org/x/sys/unix"
)

func init() { engines.Register("sync", engine{}) }

type engine struct{}

// CompletesInline declares the engine synchronous (engines.Synchronous).
func (engine) CompletesInline() {}

// ComparedAgainst declares the engine the reference every other is compared with
// (engines.Reference).
func (engine) ComparedAgainst() {}

func (engine) Describe() string {
	return "synchronous read on the job's thread: raw preadv2(RWF_NOWAIT), then blocking pread(2); the sync-path baseline"
}

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	r := &reader{nowait: !cfg.Direct}
	return engines.NewInlineReader(cfg.QueueDepth, r.read), nil
}

// reader is one Reader's state: whether RWF_NOWAIT is still worth trying.
type reader struct {
	nowait bool // false once RWF_NOWAIT proved unsupported, and for O_DIRECT
}

// read reads req to completion; it never allocates on success.
func (r *reader) read(req *engines.Request) {
	req.N, req.Err = r.readAt(req.Fd, req.Buf, req.Offset)
}

func (r *reader) readAt(fd int, buf []byte, off int64) (int, error) {
	done := 0
	if r.nowait {
		n, errno := fileio.ReadNowait(fd, buf, off)
		switch {
		case errno == 0 && n == len(buf):
			return n, nil
		case errno == 0:
			done = n // the cached prefix; 0 may be EOF or the 5.9/5.10 NOWAIT bug: pread tells
		case fileio.NowaitUnsupported(errno):
			r.nowait = false
		case errno != unix.EAGAIN: // EAGAIN: not cached; read it blocking
			return 0, errno
		}
	}
	n, err := fileio.Pread(fd, buf[done:], off+int64(done))
	return done + n, err
}
