// Package null registers the "null" engine: it completes every request inside Submit without
// any I/O, claiming the whole buffer was read. Like fio's null ioengine it exists to test and time
// aiobench itself: a run on it measures the harness's own cost per request, the floor under every
// other engine's figures. Its data is not verified (there is none).
package null

import (
	"strconv"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/clock"
)

func init() { engines.Register("null", engine{}) }

type engine struct{}

// CompletesInline declares the engine synchronous (engines.Synchronous).
func (engine) CompletesInline() {}

func (engine) Describe() string {
	return "no I/O: completes requests inline; measures the harness's own overhead"
}

func (engine) MovesNoData() {}

// Options declares the engine's one setting (engines.Optioned): a known, injected cost per
// request with which a comparison can be shown to catch a regression of that size.
func (engine) Options() []engines.Option {
	return []engines.Option{{
		Name: "delay", Alias: "null-delay", Kind: "duration",
		Help:   "the null engine busy-waits this long per request (e.g. 50ns): a known regression to check a comparison with",
		Column: "null_delay_ns", ColumnUnit: "ns",
		ColumnDoc: "--null-delay asked for: the null engine's busy-wait per request, a known injected cost (calibration); 0 otherwise",
		Parse:     engines.ParseDuration,
		Record:    func(v string) string { return strconv.FormatInt(engines.Duration(v).Nanoseconds(), 10) },
	}}
}

func (engine) Open(cfg engines.Config) (engines.Reader, error) {
	if d := int64(engines.Duration(cfg.Options["delay"])); d > 0 {
		return engines.NewInlineReader(cfg.QueueDepth, func(req *engines.Request) {
			for end := clock.Now() + d; clock.Now() < end; {
			}
			read(req)
		}), nil
	}
	return engines.NewInlineReader(cfg.QueueDepth, read), nil
}

func read(req *engines.Request) { req.N, req.Err = len(req.Buf), nil }
