package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
	flag "github.com/spf13/pflag"
)

// Exit codes of gate beyond 0, 1 and 2: 3 when --strict and a comparison is inconclusive.
const exitInconclusive = 3

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// percentValue is a fraction given as "5%" or "0.05".
type percentValue struct{ v *float64 }

func (p percentValue) String() string { return strconv.FormatFloat(*p.v*100, 'f', -1, 64) + "%" }
func (p percentValue) Type() string   { return "percent" }
func (p percentValue) Set(s string) error {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err == nil && pct {
		v /= 100
	}
	if err != nil || v < 0 || v >= 1 || !pct && v >= 1 {
		return fmt.Errorf("%q is not a percentage (e.g. 5%% or 0.05)", s)
	}
	*p.v = v
	return nil
}

// alphaValue is a significance level: a fraction in (0, 0.5], given as 0.05 or 5%.
type alphaValue struct{ v *float64 }

func (a alphaValue) String() string { return strconv.FormatFloat(*a.v, 'f', -1, 64) }
func (a alphaValue) Type() string   { return "alpha" }
func (a alphaValue) Set(s string) error {
	var v float64
	if err := (percentValue{&v}).Set(s); err != nil || v <= 0 || v > 0.5 {
		return fmt.Errorf("%q is not a significance level in (0, 0.5] (e.g. 0.05 or 5%%)", s)
	}
	*a.v = v
	return nil
}

// compareFlags are the flags gate and compare share.
type compareFlags struct {
	opts    compare.Options
	metrics []string
	format  string
}

// bind adds the comparison flags to fs, metrics the default of --metrics (nil: gate's).
func (c *compareFlags) bind(fs *flag.FlagSet, metrics []string) {
	c.opts = compare.Options{Threshold: 0.05, Alpha: 0.05}
	c.metrics = compare.DefaultMetrics
	if metrics != nil {
		c.metrics = metrics
	}
	c.format = "table"
	fs.Var(percentValue{&c.opts.Threshold}, "threshold", "relative change that matters (e.g. 5%)")
	fs.Var(alphaValue{&c.opts.Alpha}, "alpha", "significance level of the tests, in (0, 0.5]")
	fs.Var(newList(&c.metrics), "metrics", "results columns to compare, comma-separated (iops and mib_s: higher is better; the rest lower)")
	fs.Var(enumValue{&c.format, []string{"table", "markdown"}}, "format", "table, or markdown for a pull-request comment")
}

func (c *compareFlags) resolve() ([]compare.Metric, error) {
	var ms []compare.Metric
	for _, name := range c.metrics {
		m, err := compare.MetricByName(name)
		if err != nil {
			return nil, usagef("--metrics: %v", err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// readResults reads a results file; any problem is bad input (exit 2) naming the file and line.
// What the reader should know of the file (a column it keeps but compares by nothing) goes to
// stderr.
func readResults(path string, stderr io.Writer) (*results.File, error) {
	f, err := results.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	if len(f.Rows) == 0 {
		return nil, usagef("%s: no rows", path)
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(stderr, "aiobench: warning: %s\n", w)
	}
	return f, nil
}

// gate: aiobench gate --baseline A.csv --candidate B.csv [...]. Exit 1 on a regression, 3 on
// an inconclusive comparison under --strict.
func gate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("aiobench gate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cf compareFlags
	cf.bind(fs, nil)
	baseline := fs.String("baseline", "", "results file of the baseline (required)")
	candidate := fs.String("candidate", "", "results file of the candidate (required)")
	summary := fs.String("summary", "", "also write the comparison as CSV to this file")
	strict := fs.Bool("strict", false, "exit 3 when a comparison is inconclusive")
	reportDir := fs.String("report", "", "also write the charts of the changes and index.html into this directory (as aiobench report)")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return usagef("gate: %v (see aiobench gate --help)", err)
	}
	if *help {
		printUsage(stdout, "aiobench gate --baseline A.csv --candidate B.csv [flags]", "Compares each configuration the two files share, metric by metric, and exits 1 on a REGRESSION (0 on PASS, IMPROVEMENT or INCONCLUSIVE; 3 on INCONCLUSIVE with --strict).", fs)
		return errHelp
	}
	switch {
	case fs.NArg() > 0:
		return usagef("gate: unexpected argument %q (name files with --baseline and --candidate)", fs.Arg(0))
	case *baseline == "" || *candidate == "":
		return usagef("gate: --baseline and --candidate are required (results CSV files)")
	}
	if err := checkSummary(*summary); err != nil {
		return err
	}
	if *reportDir != "" {
		if err := report.CheckDir(*reportDir); err != nil {
			return usagef("gate: --report %v", err)
		}
	}
	lines, err := compareFiles(&cf, *baseline, []string{*candidate}, stdout, stderr)
	if err != nil {
		return err
	}
	if *reportDir != "" {
		page, err := comparisonReport(*reportDir, "aiobench gate", lines, []string{*baseline, *candidate}, cf.opts.Threshold)
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		fmt.Fprintf(stderr, "aiobench: report written; open %s\n", page)
	}
	if *summary != "" {
		var buf bytes.Buffer
		if err := compare.WriteCSV(&buf, lines); err != nil {
			return err
		}
		if err := writeAtomic(*summary, buf.Bytes()); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	return gateExit(lines, cf.opts, *strict)
}

// gateExit turns verdicts into the gate's exit: 1 when any fails the gate (REGRESSION, MISSING,
// FAILED), 3 under strict when any is INCONCLUSIVE, else 0.
func gateExit(lines []compare.Line, o compare.Options, strict bool) error {
	var failing []string
	inconclusive := 0
	for _, l := range lines {
		switch {
		case l.Verdict.Fails():
			failing = append(failing, strings.Join(strings.Fields(l.Label+" "+l.Metric.Name+" "+string(l.Verdict)), " "))
		case l.Verdict == compare.Inconclusive:
			inconclusive++
		}
	}
	switch {
	case len(failing) > 0:
		return exitError{exitFailure, fmt.Errorf("gate: %d comparison(s) fail (threshold %.3g%%); first: %s", len(failing), 100*o.Threshold, failing[0])}
	case inconclusive > 0 && strict:
		return exitError{exitInconclusive, fmt.Errorf("gate: %d inconclusive comparison(s) under --strict", inconclusive)}
	}
	return nil
}

// compareCmd: aiobench compare A.csv B.csv ... — the gate's table for exploring: every further
// file against the first, with no verdict exit code.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("aiobench compare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cf compareFlags
	cf.bind(fs, nil)
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return usagef("compare: %v (see aiobench compare --help)", err)
	}
	if *help {
		printUsage(stdout, "aiobench compare BASE.csv OTHER.csv... [flags]", "Compares every further results file with the first, as gate does, and exits 0 whatever the verdicts: for exploring.", fs)
		return errHelp
	}
	if fs.NArg() < 2 {
		return usagef("compare: name at least two results files (the first is the baseline)")
	}
	_, err := compareFiles(&cf, fs.Arg(0), fs.Args()[1:], stdout, stderr)
	return err
}

func compareFiles(cf *compareFlags, basePath string, others []string, stdout, stderr io.Writer) ([]compare.Line, error) {
	// The files first: a metric a file declares (a column this build does not know) is then
	// known by the meaning it declares.
	files := make([]*results.File, 0, 1+len(others))
	for _, p := range append([]string{basePath}, others...) {
		f, err := readResults(p, stderr)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	metrics, err := cf.resolve()
	if err != nil {
		return nil, err
	}
	base := files[0]
	var all []compare.Line
	for i, p := range others {
		cand := files[i+1]
		lines, err := compare.Files(base, cand, metrics, cf.opts)
		if err != nil {
			return nil, usageError{err}
		}
		for _, w := range compare.MachineWarnings(base, cand) {
			fmt.Fprintf(stderr, "aiobench: warning: %s\n", w)
		}
		if len(others) > 1 {
			fmt.Fprintf(stdout, "%s against %s:\n", p, basePath)
		}
		if err := compare.WriteTable(stdout, lines, cf.format); err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	return all, nil
}

// checkSummary refuses a --summary in a missing directory, and any existing file that is not
// an earlier summary.
func checkSummary(path string) error {
	if path == "" {
		return nil
	}
	// The checks every output gets; a summary is not a results file, so its own header is
	// checked below instead.
	if err := checkOutput("--summary", path); err != nil && !errors.Is(err, errNotOurs) {
		return err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return usagef("--summary %s: %v", path, err)
	}
	defer f.Close()
	want := strings.Join(compare.Header[:10], ",") // summaries before the test column was added too
	head := make([]byte, len(want))
	if _, err := io.ReadFull(f, head); err != nil || string(head) != want {
		return usagef("--summary %s: exists and is not an aiobench gate summary; refusing to overwrite it", path)
	}
	return nil
}
