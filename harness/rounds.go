package harness

import (
	"context"
	"slices"

	"github.com/aiobench/aiobench/workloads"
)

// A Plan is a set of runs to compare: every configuration in Configs, run with every engine in
// Engines, Rounds times.
//
// Within a round the engines run back to back on the same data, in the given order in odd
// rounds and reversed in even ones (A B, then B A), so that drift of the machine over time
// falls on both sides of a comparison instead of on one.
type Plan struct {
	Configs []Config // Engine and Round are set by the plan
	Engines []string
	Rounds  int
}

// Order returns the engine order of round r (counted from 1).
func (p *Plan) Order(r int) []string {
	order := slices.Clone(p.Engines)
	if r%2 == 0 {
		slices.Reverse(order)
	}
	return order
}

// Len is the number of runs in the plan.
func (p *Plan) Len() int { return len(p.Configs) * len(p.Engines) * max(p.Rounds, 1) }

// Execute runs the plan on ds, calling each with every result as soon as it is measured. It
// stops at the first error (returned) or when ctx is cancelled (the interrupted run is still
// passed to each, marked incomplete).
func (p *Plan) Execute(ctx context.Context, ds *workloads.Dataset, each func(*Result)) error {
	for r := 1; r <= max(p.Rounds, 1); r++ {
		for _, cfg := range p.Configs {
			for _, e := range p.Order(r) {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				cfg.Engine, cfg.Round = e, r
				res, err := Run(ctx, cfg, ds)
				if res != nil {
					each(res)
				}
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}
