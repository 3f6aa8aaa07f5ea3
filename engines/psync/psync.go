// Package psync registers the "psync" engine: a plain blocking pread(2) on the job's thread
// through the Go runtime's system-call path, as fio's psync engine reads. Set beside the sync
// engine it shows what the runtime's scheduler hand-shake costs a cached read.
package psync

import (
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/fileio"
)

func init() { engines.Register("psync", engine{}) }

type engine struct{}

// CompletesInline declares the engine synchronous (engines.Synchronous).
func (engine) CompletesInline() {}

func (engine) Describe() string { return "plain pread(2) on the job's thread, as fio's psync" }

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	return engines.NewInlineReader(cfg.QueueDepth, read), nil
}

func read(req *engines.Request) { req.N, req.Err = fileio.Pread(req.Fd, req.Buf, req.Offset) }
