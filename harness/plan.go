package harness

import (
	"fmt"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/workloads"
)

// A Plan is a run's configuration validated once and resolved once: its workload and engine
// looked up, the engine available here and willing to take the configuration. The command and
// the suites make one per arm when they are built; Run and OpenArm make one when given a bare
// Config.
type Plan struct {
	Config Config
	eng    engines.Engine
	wl     *workloads.Workload
}

// NewPlan validates cfg (a *ConfigError names the setting to blame), looks up its workload and
// engine, lets the engine check it, and fills in the workload's default order.
func NewPlan(cfg Config) (*Plan, error) {
	wl, err := workloads.Lookup(cfg.Workload)
	if err != nil {
		return nil, &ConfigError{Field: "workload", Msg: err.Error()}
	}
	if err := cfg.validate(wl); err != nil {
		return nil, err
	}
	eng, err := engines.Lookup(cfg.Engine)
	if err != nil {
		return nil, err
	}
	if err := engines.Available(eng); err != nil {
		return nil, fmt.Errorf("engine %s is not available here: %w", cfg.Engine, err)
	}
	if c, ok := eng.(engines.Checker); ok {
		if err := c.Check(cfg.engineConfig()); err != nil {
			return nil, &CheckError{Engine: cfg.Engine, Err: err}
		}
	}
	if wl.Ordered && cfg.Random == "" {
		cfg.Random = workloads.RandomPerm
	}
	return &Plan{Config: cfg, eng: eng, wl: wl}, nil
}

// A CheckError is an engine refusing a configuration (engines.Checker).
type CheckError struct {
	Engine string
	Err    error
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("%v: engine %s: %v", ErrConfig, e.Engine, e.Err)
}

func (e *CheckError) Unwrap() error { return ErrConfig }

// WithRound returns the plan for another round of the same configuration.
func (p *Plan) WithRound(round int) *Plan {
	q := *p
	q.Config.Round = round
	return &q
}
