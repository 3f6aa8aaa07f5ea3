// Package sync registers the "sync" engine: a blocking pread(2) on the caller's goroutine, the
// way fio's psync engine reads. It is the baseline of the sync-first rule: every engine that can
// serve a cached read inline should cost no more than this. Requests complete inside Submit, so
// iodepth above 1 changes nothing but the batch size.
package sync

import (
	"github.com/aiobench/aiobench/engines"
	"golang.org/x/sys/unix"
)

func init() { engines.Register("sync", engine{}) }

type engine struct{}

func (engine) Describe() string { return "pread(2) on the job's thread; the sync-path baseline" }

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	return &reader{q: engines.NewInlineQueue(cfg.QueueDepth)}, nil
}

type reader struct{ q *engines.InlineQueue }

var _ engines.Reader = (*reader)(nil)

// Submit reads every request to completion before returning; it never allocates on success.
func (r *reader) Submit(reqs []*engines.Request) error {
	for _, req := range reqs {
		req.N, req.Err = Pread(req.Fd, req.Buf, req.Offset)
		r.q.Complete(req)
	}
	return nil
}

func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	return r.q.Reap(dst, min)
}

func (r *reader) Close() error { return nil }

// Pread reads len(buf) bytes at off, retrying short reads and EINTR, and stops early only at end
// of file or on an error. It is the blocking read other engines fall back to.
func Pread(fd int, buf []byte, off int64) (int, error) {
	done := 0
	for done < len(buf) {
		n, err := unix.Pread(fd, buf[done:], off+int64(done))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, err
		}
		if n == 0 {
			break // end of file
		}
		done += n
	}
	return done, nil
}
