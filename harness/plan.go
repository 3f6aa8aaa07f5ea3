package harness

import (
	"cmp"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/pagecache"
	"github.com/aiobench/aiobench/results"
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

// verifyAndAdvice says whether reads are verified (the engine moves data) and the fadvise hint
// the jobs give.
func (p *Plan) verifyAndAdvice() (verify bool, advice pagecache.Advice) {
	advice = p.wl.Advice
	if p.Config.NoFadvise {
		advice = pagecache.AdviceNone
	}
	return engines.MovesData(p.eng) && !p.Config.Foreign, advice
}

// setup is what the plan's rows record of their configuration.
func (p *Plan) setup() results.Setup {
	c := &p.Config
	verify, advice := p.verifyAndAdvice()
	s := results.Setup{
		Engine: c.Engine, Workload: c.Workload, BS: c.BlockSize, IODepth: c.IODepth, Jobs: c.Jobs,
		Cache: c.Cache, Size: c.Size, Verify: c.Verify.String(), Fadvise: advice.String(), Seed: c.Seed,
		ResidentTarget: 100 * c.Resident, Rate: c.Rate, CacheLimit: c.CacheLimit,
		NrFiles: nrFiles(c.NrFiles),
	}
	if c.NrFiles > 1 {
		s.FileService = cmp.Or(c.FileService, workloads.ServiceRandom)
	}
	if c.Rate > 0 {
		s.Arrival = cmp.Or(c.Arrival, ArrivalPoisson)
		s.LatTarget = float64(cmp.Or(c.LatTarget, DefaultLatTarget)) / 1e3
	}
	if !verify {
		s.Verify = "none"
	}
	if c.Foreign {
		s.Verify = "none (foreign data)"
	}
	if p.wl.Ordered {
		s.Random = c.Random
	}
	if c.Background != nil {
		s.Background = c.Background.Config.Engine
	}
	// Every engine option given is recorded in its column, whichever engine runs: a setting
	// is part of the configuration the row belongs to.
	for _, name := range engines.Names() {
		e, _ := engines.Lookup(name)
		if o, ok := e.(engines.Optioned); ok {
			for _, opt := range o.Options() {
				if v, given := c.Options[name+"."+opt.Name]; given {
					if s.Settings == nil {
						s.Settings = map[string]string{}
					}
					s.Settings[opt.Column] = opt.Record(v)
				}
			}
		}
	}
	return s
}

// build is the row of a measurement of the plan over the data set at path, started then.
func (p *Plan) build(m *results.Measurement, started, path string) results.Row {
	s := p.setup()
	l := results.Labels{Round: p.Config.Round, Duel: p.Config.Duel, StartedUTC: started, Machine: sysinfo.Machine(filepath.Dir(path))}
	return results.Build(&s, m, &l)
}

// SetupRow is the row of the plan's configuration alone, before anything is measured: what the
// plan's rows will say of their setup (to tell arms apart before they run).
func (p *Plan) SetupRow() results.Row {
	s := p.setup()
	return results.Build(&s, &results.Measurement{}, &results.Labels{Round: p.Config.Round, Duel: p.Config.Duel})
}

// startedNow is a row's started_utc for a run starting now.
func startedNow() string { return time.Now().UTC().Format(time.RFC3339) }

// nrFiles is the nrfiles column's value: 0 for one file, as files written before the column
// read, so that their rows still match.
func nrFiles(n int) int {
	if n > 1 {
		return n
	}
	return 0
}
