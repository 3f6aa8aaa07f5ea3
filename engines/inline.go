package engines

// InlineQueue holds the requests a synchronous engine completed inside Submit until the caller
// reaps them. Its zero value is not usable; make one with NewInlineQueue. It never allocates
// after construction.
type InlineQueue struct {
	done []*Request
}

// NewInlineQueue returns a queue for at most depth completed requests.
func NewInlineQueue(depth int) *InlineQueue {
	return &InlineQueue{done: make([]*Request, 0, max(depth, 1))}
}

// Complete records r as completed inside Submit (it sets r.Inline).
func (q *InlineQueue) Complete(r *Request) {
	r.Inline = true
	q.done = append(q.done, r)
}

// Reap implements Reader.Reap for an engine whose requests are all completed by the time Submit
// returns: every completed request is handed back, so min (at most what is in flight, by the
// contract) is always met.
func (q *InlineQueue) Reap(dst []*Request, min int) ([]*Request, error) {
	dst = append(dst, q.done...)
	q.done = q.done[:0] // the stale pointers left behind are the caller's own requests
	return dst, nil
}

// Len returns the number of completed requests not yet reaped.
func (q *InlineQueue) Len() int { return len(q.done) }

// NewInlineReader returns the Reader of a synchronous engine: Submit calls read on every request,
// on the caller's goroutine, and completes it there; Reap hands the requests back; Close has
// nothing to release. read sets the request's N and Err. The sync, psync and null engines are
// this Reader with different reads.
func NewInlineReader(depth int, read func(*Request)) Reader {
	return &inlineReader{q: NewInlineQueue(depth), read: read}
}

type inlineReader struct {
	q    *InlineQueue
	read func(*Request)
}

func (r *inlineReader) Submit(reqs []*Request) error {
	for _, req := range reqs {
		r.read(req)
		r.q.Complete(req)
	}
	return nil
}

func (r *inlineReader) Reap(dst []*Request, min int) ([]*Request, error) { return r.q.Reap(dst, min) }

func (r *inlineReader) Close() error { return nil }
