package engines

import (
	"bufio"
	"fmt"
	"io"
	"sync"
)

// Attempt outcomes written to a trace.
const (
	OutcomeFull   = "full"   // the attempt read all that was left
	OutcomeShort  = "short"  // it read a cached prefix only
	OutcomeEAGAIN = "eagain" // nothing was cached at the offset
	OutcomeEOF    = "eof"    // it reached end of file
	OutcomeError  = "error"  // it failed
)

// TraceHeader is the first line of a trace file.
const TraceHeader = "request_id,attempt,offset,bytes,ns_since_submit,outcome"

// A Trace records every read attempt of a run as CSV, one line each, so that a reader can follow
// how each request progressed. It is safe for concurrent use; records are buffered until Flush.
type Trace struct {
	mu struct {
		sync.Mutex
		w   *bufio.Writer
		err error
	}
}

// NewTrace writes the header to w and returns a Trace that appends to it.
func NewTrace(w io.Writer) *Trace {
	t := &Trace{}
	t.mu.w = bufio.NewWriterSize(w, 1<<16)
	_, t.mu.err = fmt.Fprintln(t.mu.w, TraceHeader)
	return t
}

// Attempt records one attempt: which request (its ID), the attempt's number from 1, the file
// offset it started at, the bytes it read, the nanoseconds since the request was submitted and
// its outcome.
func (t *Trace) Attempt(id uint64, attempt int, off int64, n int, sinceSubmit int64, outcome string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.err == nil {
		_, t.mu.err = fmt.Fprintf(t.mu.w, "%d,%d,%d,%d,%d,%s\n", id, attempt, off, n, sinceSubmit, outcome)
	}
}

// Flush writes out buffered records and returns the first error the trace met.
func (t *Trace) Flush() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.mu.w.Flush(); t.mu.err == nil {
		t.mu.err = err
	}
	return t.mu.err
}
