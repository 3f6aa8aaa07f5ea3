package suites

import (
	"errors"
	"slices"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
)

// Which engines a suite runs: every available one but null by default, less those that cannot
// run its configuration (Drop).

// Available returns every registered engine that works here, except those that move no data
// (null: it measures the harness, not a read path).
func Available() []string {
	var out []string
	for _, n := range engines.Names() {
		e, _ := engines.Lookup(n)
		if engines.MovesData(e) && engines.Available(e) == nil {
			out = append(out, n)
		}
	}
	return out
}

// An UnavailableEngine is an engine that does not work here, with the reason.
type UnavailableEngine struct {
	Name string
	Err  error
}

// Unavailable returns the engines Available leaves out because they do not work here (kernel
// too old, disabled, refused by a seccomp filter), with why, sorted by name.
func Unavailable() []UnavailableEngine {
	var out []UnavailableEngine
	for _, n := range engines.Names() {
		e, _ := engines.Lookup(n)
		if err := engines.Available(e); engines.MovesData(e) && err != nil {
			out = append(out, UnavailableEngine{n, err})
		}
	}
	return out
}

// Accepting returns the available engines (Available) that take cfg's configuration as theirs:
// it works here, and its own check (engines.Checker) does not refuse it.
func Accepting(cfg harness.Config) []string {
	var out []string
	for _, n := range Available() {
		c := cfg
		c.Engine = n
		if _, err := harness.NewPlan(c); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// Drop leaves engine out of the spec, with why: its arms, the duels and checks that compare it,
// and background loads of it; the reason is kept in Skipped.
func (s *Spec) Drop(engine string, why error) {
	s.Arms = slices.DeleteFunc(s.Arms, func(a Arm) bool {
		return a.Config.Engine == engine || a.Config.Background != nil && a.Config.Background.Config.Engine == engine
	})
	s.Duels = slices.DeleteFunc(s.Duels, func(d DuelArm) bool { return d.Config.A.Engine == engine || d.Config.B.Engine == engine })
	s.Checks = slices.DeleteFunc(s.Checks, func(c Check) bool { return c.Engine == engine })
	if !slices.ContainsFunc(s.Skipped, func(u UnavailableEngine) bool { return u.Name == engine }) {
		var ce *harness.CheckError
		if errors.As(why, &ce) {
			why = ce.Err
		}
		s.Skipped = append(s.Skipped, UnavailableEngine{Name: engine, Err: why})
	}
}

// SetupRows are the rows of the spec's arms' and duels' configurations, before they run
// (harness.Plan.SetupRow): what tells its runs apart.
func (s *Spec) SetupRows() []results.Row {
	var rows []results.Row
	add := func(c harness.Config, p *harness.Plan) {
		if p == nil {
			var err error
			if p, err = harness.NewPlan(c); err != nil {
				return
			}
		}
		rows = append(rows, p.SetupRow())
	}
	for _, a := range s.Arms {
		add(a.Config, a.Plan)
	}
	for _, d := range s.Duels {
		add(d.Config.A, nil)
		add(d.Config.B, nil)
	}
	return rows
}
