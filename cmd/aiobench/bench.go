package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/harness/progress"
	"github.com/aiobench/aiobench/internal/sysinfo"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
)

// benchContext runs the benchmark the flags describe: check everything, lay out the data, run
// the spec, print and write the rows, then the suite's checks.
func benchContext(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlags(&o)
	help := fs.BoolP("help", "h", false, "show this help")
	showVersion := fs.Bool("version", false, "print aiobench's version and exit")
	if err := parseRun(fs, args); err != nil {
		return usagef("%v (see aiobench --help)", err)
	}
	switch {
	case *help:
		printHelp(stdout, fs)
		return errHelp
	case *showVersion:
		return version(nil, stdout)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (subcommands: engines, workloads, suites, gate, compare, ab, calibrate, history, report, version, help; see aiobench --help)", fs.Arg(0))
	}
	changed := fs.Changed
	var foreign *workloads.Dataset
	if o.file != "" {
		var err error
		if foreign, err = o.openFile(fs.Changed); err != nil {
			return err
		}
		// The target's size is the run's unless --size says less.
		changed = func(name string) bool { return fs.Changed(name) || name == "size" }
	}
	spec, err := o.spec(changed)
	if err != nil {
		return err
	}
	if foreign != nil {
		if err := checkForeign(foreign, spec); err != nil {
			return err
		}
	}
	if o.nrfiles > 1 && foreign == nil && (spec.NeedsBackground || len(spec.Duels) > 0) {
		return usagef("--nrfiles: the %s suite reads data files of its own beside the run's (a background load, duels in fresh processes); run it without --nrfiles", spec.Name)
	}
	info := stderr // what is not an error: notes, progress
	if o.quiet {
		info = io.Discard
	}
	if spec.Name != "run" && !fs.Changed("engine") || len(o.engines) == 1 && o.engines[0] == "all" {
		// Every available engine runs: say which are left out, and why.
		for _, u := range suites.Unavailable() {
			fmt.Fprintf(info, "aiobench: skipping engine %s: %v\n", u.Name, u.Err)
		}
	}
	for _, u := range spec.Skipped { // engines that refuse the run's configuration
		fmt.Fprintf(info, "aiobench: skipping engine %s: %v\n", u.Name, u.Err)
	}
	// Everything is checked before anything is created: outputs, then the data directory
	// (the default one is made only now), then whether its file system takes O_DIRECT.
	if fs.Changed("log-interval") && o.log == "" {
		return usagef("--log-interval: only with --log (it sets the time series' interval)")
	}
	if err := checkOutputs(map[string]string{"--output": o.output, "--trace": o.trace, "--pairs": o.pairs, "--hist": o.hist, "--log": o.log}); err != nil {
		return err
	}
	if o.report != "" {
		if err := report.CheckDir(o.report); err != nil {
			return usagef("--report %v", err)
		}
	}
	if fs.Changed("dir") && o.dir == "" {
		return usagef("--dir: empty (name an existing, writable directory on the disk under test, or leave --dir out for the default)")
	}
	var dir string
	if foreign == nil {
		if dir, err = o.dataDir(info); err != nil {
			return err
		}
		defer o.lock.Release()
		if spec.UsesCache(harness.CacheDirect) {
			if err := checkDirect(dir); err != nil {
				return err
			}
		}
	}
	var disp *progress.Display // made once the data is laid out; the duelist writes to it later
	if len(spec.Duels) > 0 {
		spec.Duelist = processDuelist(ctx, dir, o.lock, func(label string) io.Writer { return disp.ActivityWriter(label + ": ") })
	}
	ds := foreign
	if ds == nil {
		if ds, err = layout(ctx, dir, 0, spec.MaxSize(), info); err != nil {
			return err
		}
		for i := 1; i < o.nrfiles; i++ { // --nrfiles: aiobench-data-1.bin and on, each of --size
			more, err := layout(ctx, dir, i, spec.MaxSize(), info)
			if err != nil {
				return err
			}
			ds.More = append(ds.More, more)
		}
	}
	if spec.NeedsBackground {
		bg, err := layout(ctx, dir, 1, spec.MaxSize(), info)
		if err != nil {
			return err
		}
		for i := range spec.Arms {
			if b := spec.Arms[i].Config.Background; b != nil {
				b.Dataset = bg
			}
		}
	}

	machine := sysinfo.Machine(cmp.Or(dir, filepath.Dir(ds.Path)))
	comments := []string{
		results.MagicComment + " " + machine.Version,
		"command: " + commandLine(args),
		"machine: " + sysinfo.String(machine),
	}
	var trace *engines.Trace
	if o.trace != "" {
		tf, err := os.Create(o.trace)
		if err != nil {
			return fmt.Errorf("create trace: %w", err)
		}
		defer tf.Close()
		trace = engines.NewTrace(tf)
		for i := range spec.Arms {
			spec.Arms[i].Config.Trace = trace
			if p := spec.Arms[i].Plan; p != nil {
				p.Config.Trace = trace
			}
		}
	}
	live := &harness.Live{}
	var timeLog *harness.TimeLog
	if o.log != "" {
		timeLog = &harness.TimeLog{}
	}
	for i := range spec.Arms {
		for _, c := range []*harness.Config{&spec.Arms[i].Config, planConfig(spec.Arms[i].Plan)} {
			if c != nil {
				c.Live, c.Log, c.LogInterval = live, timeLog, o.logEvery
			}
		}
	}
	disp = progress.New(stderr, progress.Options{Runs: spec.Len(), Quiet: o.quiet, Terminal: progress.IsTerminal(stderr), Live: live})
	defer disp.Close()
	var rows []results.Row
	var hists []results.Hist
	// What tells the runs apart besides engine, workload, bs, depth, jobs and cache (a resident
	// share, a notifier): every run's line names it.
	distinct := results.Distinct(spec.SetupRows(), "background", "duel")
	done := 0 // runs of the spec's Len: a duel is one, whatever rows it makes
	warned, duels := map[string]bool{}, map[string]bool{}
	measured, runErr := spec.Execute(ctx, ds, func(res *harness.Result, warmup bool) {
		r := &res.Row
		if r.Duel == "" || !duels[r.Duel] {
			duels[r.Duel] = true
			done++
			disp.Finished()
			disp.Activity("")
		}
		what := fmt.Sprintf("round %d", r.Round)
		if r.DuelBlocks > 0 {
			what = fmt.Sprintf("duel arm (%d blocks)", r.DuelBlocks)
		}
		if warmup {
			what = "warm-up round (discarded)"
		} else {
			rows = append(rows, *r)
			hists = append(hists, res.Hists()...)
		}
		bg := ""
		if r.Background != "" {
			bg = fmt.Sprintf(" with %s load (%.0f IOPS)", r.Background, r.BackgroundIOPS)
		}
		setup := ""
		if d := results.Describe(r, distinct); d != "" {
			setup = " " + d
		}
		disp.Println(fmt.Sprintf("aiobench: [%d/%d] %s %s %s bs=%s qd=%d jobs=%d cache=%s%s%s: %.0f IOPS, lat p50 %.1fµs p99 %.1fµs",
			done, spec.Len(), what, r.Engine, r.Workload, units.FormatSize(int64(r.BS)), r.IODepth, r.Jobs, r.Cache, setup, bg, r.IOPS, r.LatP50, r.LatP99))
		for _, w := range res.Warnings {
			if !warned[w] { // the same warning for every run (no device counters) once
				warned[w] = true
				disp.Println("aiobench: warning: " + w)
			}
		}
	})
	disp.Close()
	var jsonFindings []any // with --format json, the document goes out last, on every return
	if o.format == "json" {
		defer func() {
			if len(rows) > 0 {
				writeJSON(stdout, comments, rows, jsonFindings)
			}
		}()
	}
	if len(rows) > 0 && o.format != "json" {
		if err := o.printRows(stdout, rows); err != nil {
			return fmt.Errorf("print results: %w", err)
		}
	}
	if o.output != "" && len(rows) > 0 {
		if err := results.WriteFile(o.output, comments, rows); err != nil {
			return err
		}
	}
	if o.hist != "" && len(hists) > 0 {
		if err := results.WriteHistFile(o.hist, comments[1:], hists); err != nil {
			return fmt.Errorf("write histograms: %w", err)
		}
	}
	if timeLog != nil {
		if ivs := timeLog.Intervals(); len(ivs) > 0 {
			if err := results.WriteLogFile(o.log, comments[1:], ivs); err != nil {
				return fmt.Errorf("write time series: %w", err)
			}
		}
	}
	if trace != nil {
		if err := trace.Flush(); err != nil {
			return fmt.Errorf("write trace %s: %w", o.trace, err)
		}
	}
	if o.pairs != "" && measured != nil && len(measured.Duels)+len(measured.Remote) > 0 {
		if err := writePairs(o.pairs, comments, spec, measured); err != nil {
			return err
		}
	}
	switch {
	case errors.Is(runErr, context.Canceled) || ctx.Err() != nil: // the last run may have ended itself
		stopped := fmt.Sprintf("stopped after %d of %d runs", done, spec.Len())
		if o.report != "" && len(rows) > 0 { // the page of what was measured, said to be incomplete
			page, err := runReport(o.report, comments, rows, hists, timeLog.Intervals(), nil, nil, 0.05, "interrupted: "+stopped)
			if err != nil {
				return fmt.Errorf("%s; write report: %w", stopped, err)
			}
			fmt.Fprintf(info, "aiobench: report of the runs so far written; open %s\n", page)
		}
		return errors.New(stopped)
	case runErr != nil:
		return runErr
	}
	var bad []string
	for _, r := range rows {
		if r.Errors > 0 || r.VerifyErrors > 0 || !r.Complete || r.Ops == 0 {
			bad = append(bad, fmt.Sprintf("%s round %d: %d read errors, %d verify errors: %s", r.Engine, r.Round, r.Errors, r.VerifyErrors, r.FirstError))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d runs failed; first: %s", len(bad), len(rows), bad[0])
	}
	threshold := 0.05
	if o.maxSyncRegression >= 0 {
		threshold = o.maxSyncRegression
	}
	findings, verdicts, checkErr := o.checkFindings(spec, measured, threshold, stdout, stderr)
	jsonFindings = jsonOf(findings, threshold)
	kneeVerdicts, knees := o.kneeFindings(rows, stdout)
	verdicts = append(verdicts, kneeVerdicts...)
	jsonFindings = append(jsonFindings, knees...)
	hitVerdicts, hits := o.hitFindings(rows, stdout)
	verdicts = append(verdicts, hitVerdicts...)
	jsonFindings = append(jsonFindings, hits...)
	if o.report != "" {
		lines := make([]compare.Line, len(findings))
		for i, f := range findings {
			lines[i] = f.Line
		}
		page, err := runReport(o.report, comments, rows, hists, timeLog.Intervals(), lines, verdicts, threshold, "")
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		fmt.Fprintf(info, "aiobench: report written; open %s\n", page)
	}
	return checkErr
}

// planConfig is the configuration a plan holds, nil for no plan.
func planConfig(p *harness.Plan) *harness.Config {
	if p == nil {
		return nil
	}
	return &p.Config
}

// printRows prints the results on stdout: with --rounds-table (or a single row) every round and
// the engines' counters in each, else the counters' medians over rounds; then, with more than
// one row, the summary (medians over rounds, the comparison with sync), last so that it is what
// a terminal shows when the run ends.
func (o *options) printRows(w io.Writer, rows []results.Row) error {
	switch o.format {
	case "benchfmt":
		return results.WriteBenchfmt(w, rows)
	case "markdown":
		return results.WriteSummaryMarkdown(w, rows)
	}
	if len(rows) == 1 || o.roundsTab {
		if err := results.WriteRounds(w, rows); err != nil {
			return err
		}
		if err := results.WriteCounters(w, rows); err != nil {
			return err
		}
	} else if err := results.WriteCounterMedians(w, rows); err != nil {
		return err
	}
	if len(rows) > 1 { // last: what a terminal shows at the prompt
		return results.WriteSummary(w, rows)
	}
	return nil
}
