// Package null registers the "null" engine: it completes every request inside Submit without
// any I/O, claiming the whole buffer was read. Like fio's null ioengine it exists to test and time
// aiobench itself: a run on it measures the harness's own cost per request, the floor under every
// other engine's figures. Its data is not verified (there is none).
package null

import "github.com/aiobench/aiobench/engines"

func init() { engines.Register("null", engine{}) }

type engine struct{}

func (engine) Describe() string {
	return "no I/O: completes requests inline; measures the harness's own overhead"
}

func (engine) MovesNoData() {}

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	return &reader{q: engines.NewInlineQueue(cfg.QueueDepth)}, nil
}

type reader struct{ q *engines.InlineQueue }

var _ engines.Reader = (*reader)(nil)

func (r *reader) Submit(reqs []*engines.Request) error {
	for _, req := range reqs {
		req.N, req.Err = len(req.Buf), nil
		r.q.Complete(req)
	}
	return nil
}

func (r *reader) Reap(dst []*engines.Request, min int) ([]*engines.Request, error) {
	return r.q.Reap(dst, min)
}

func (r *reader) Close() error { return nil }
