// Package syncread registers the "sync" engine (the folder is not named sync, which would shadow
// the standard library's package of that name): the cheapest correct synchronous read a Go
// program can make, on the job's own thread, and so the baseline of the sync-first rule: every
// engine that can serve a cached read inline should cost no more than this. Requests complete
// inside Submit, so iodepth above 1 changes nothing but the batch size.
//
// The read is pread(2) through the Go runtime's system-call path, which tells the scheduler
// the thread may block. The engine used to try preadv2(RWF_NOWAIT) first as a raw system call
// instead, to spare a cached read that hand-shake; since Go 1.26 the hand-shake costs less than
// the preadv2 form does (BenchmarkCachedRead: pread64 through the runtime against raw preadv2
// with RWF_NOWAIT on a cached 4 KiB block), and a plain pread was measured 3% faster on the
// whole cached read (README, Engines). That design stays as the nowait option, which the retry
// engine's fast path shares.
//
// The psync engine is the same plain pread(2), named as fio's psync.
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
	return "synchronous pread(2) on the job's thread (--sync-nowait: raw preadv2(RWF_NOWAIT) first); the sync-path baseline"
}

// Options declares the engine's one setting (engines.Optioned).
func (engine) Options() []engines.Option {
	return []engines.Option{{
		Name: "nowait", Kind: "on|off", Bare: "on",
		Help:   "sync: try a raw preadv2(RWF_NOWAIT) before the blocking pread (the engine's former design; slower on a cached read since Go 1.26)",
		Column: "sync_nowait", ColumnDoc: "1 when --sync-nowait tried a raw preadv2(RWF_NOWAIT) before each blocking pread, else 0",
		Parse: engines.ParseSwitch, Record: engines.RecordSwitch,
	}}
}

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	if cfg.Options["nowait"] != "on" {
		return engines.NewInlineReader(cfg.QueueDepth, pread), nil
	}
	r := &nowaitReader{nowait: !cfg.Direct}
	return engines.NewInlineReader(cfg.QueueDepth, r.read), nil
}

// pread reads req to completion through the runtime's system-call path.
func pread(req *engines.Request) { req.N, req.Err = fileio.Pread(req.Fd, req.Buf, req.Offset) }

// nowaitReader is the nowait option's state: whether RWF_NOWAIT is still worth trying.
type nowaitReader struct {
	nowait bool // false once RWF_NOWAIT proved unsupported, and for O_DIRECT
}

// read reads req to completion; it never allocates on success.
func (r *nowaitReader) read(req *engines.Request) {
	req.N, req.Err = r.readAt(req.Fd, req.Buf, req.Offset)
}

func (r *nowaitReader) readAt(fd int, buf []byte, off int64) (int, error) {
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
