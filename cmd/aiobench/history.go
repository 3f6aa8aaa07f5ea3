package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/history"
	"github.com/aiobench/aiobench/history/changepoint"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
	flag "github.com/spf13/pflag"
)

// aiobench history add|show|check: results across commits and machines, over the history
// package. Bad input is exit 2 before the database is touched; check exits 1 as gate does.

// historyUsage is each history subcommand's usage line and what it does.
var historyUsage = map[string][2]string{
	"":      {"aiobench history add|show|check [flags]", "Keeps results files in a history (an SQLite file, or PostgreSQL for a postgres:// URL) and finds where each series changed (E-divisive means with a t-test): add ingests files under a commit, show lists the series, check exits 1 when a series' latest change point is a regression beyond --threshold. aiobench history SUBCOMMAND --help gives each one's flags."},
	"add":   {"aiobench history add FILE... --commit SHA [flags]", "Adds results files (--output) and latency histogram files (--hist) to the history under a commit: every row whole, the series points derived from them, and the histograms, which give the fleet's series (all hosts' histograms of a commit added); a file already in the history (the same bytes) adds nothing."},
	"show":  {"aiobench history show [flags]", "Lists the history's series (host, configuration, engine, metric) with their latest values."},
	"check": {"aiobench history check [flags]", "Finds each series' change points and exits 1 when one's latest change point makes it worse by more than --threshold (0 otherwise; 2 on bad input), as gate does."},
}

// defaultHistory is the SQLite file used when --db is not given.
const defaultHistory = "aiobench-history.db"

func historyCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		u := historyUsage[""]
		fmt.Fprintf(stdout, "Usage: %s\n\n%s\n", u[0], wrap(u[1], 0, helpWidth(stdout)))
		if len(args) == 0 {
			return usagef("history: name a subcommand: add, show or check")
		}
		return errHelp
	}
	fs := flag.NewFlagSet("aiobench history "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := fs.String("db", defaultHistory, "the history: an SQLite file (add makes it if missing; never another program's) or a postgres:// URL")
	metrics := []string{}
	host := fs.String("host", "", "the machine: add files under this name (default: from the rows' fingerprint: CPU, CPUs, file system, device); show and check only its series")
	help := fs.BoolP("help", "h", false, "show this help")
	var commit, branch, since, reportDir *string
	var opts history.CheckOptions
	switch args[0] {
	case "add":
		commit = fs.String("commit", "", "the commit the files measured (required)")
		branch = fs.String("branch", "", "its branch")
	case "show", "check":
		fs.Var(newList(&metrics), "metrics", "series of these metrics only, comma-separated (METRIC or METRIC/sync: the engine's value over sync's in the same run); default: show all, check "+strings.Join(compare.DefaultMetrics, ","))
		if args[0] == "check" {
			opts.Threshold, opts.PValue, opts.MinSize = 0.05, changepoint.DefaultPValue, changepoint.DefaultMinSize
			fs.Var(percentValue{&opts.Threshold}, "threshold", "a latest change point that makes a metric worse by more than this fails the check (exit 1)")
			fs.Var(alphaValue{&opts.PValue}, "pvalue", "the t-test's p-value at or below which a change point is accepted")
			fs.IntVar(&opts.MinSize, "min-size", opts.MinSize, "the fewest commits either side of a change point")
			since = fs.String("since", "", "judge only change points from this commit on (a regression accepted before it no longer fails)")
			reportDir = fs.String("report", "", "also write a chart of each series checked, with its change points, and index.html into this directory")
		}
	default:
		return usagef("history: unknown subcommand %q (add, show, check)", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("history %s: %v (see aiobench history %s --help)", args[0], err, args[0])
	}
	if *help {
		printUsage(stdout, historyUsage[args[0]][0], historyUsage[args[0]][1], fs)
		return errHelp
	}
	switch {
	case args[0] == "add" && fs.NArg() == 0:
		return usagef("history add: name at least one results file")
	case args[0] == "add" && *commit == "":
		return usagef("history add: --commit is required (the commit the files measured, e.g. --commit $(git rev-parse HEAD))")
	case args[0] != "add" && fs.NArg() > 0:
		return usagef("history %s: unexpected argument %q", args[0], fs.Arg(0))
	case args[0] == "check" && opts.MinSize < 2:
		return usagef("history check: --min-size %d: must be at least 2", opts.MinSize)
	}
	if args[0] == "add" {
		for _, p := range fs.Args() { // every file read before the history is opened
			if results.LooksLikeHist(p) {
				if err := checkHist(p); err != nil {
					return err
				}
				continue
			}
			if _, err := readResults(p, stderr); err != nil {
				return err
			}
		}
	}
	if reportDir != nil && *reportDir != "" {
		if err := report.CheckDir(*reportDir); err != nil {
			return usagef("history check: --report %v", err)
		}
	}
	h, err := openHistory(ctx, "--db", *db, args[0] == "add")
	if err != nil {
		return err
	}
	// Nothing waits for ever on a server: 10 min for the work.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	defer h.Close()
	switch args[0] {
	case "add":
		added, err := h.Add(ctx, history.Commit{SHA: *commit, Branch: *branch, Host: *host}, fs.Args()...)
		for _, a := range added {
			if a.Already != "" {
				fmt.Fprintf(stdout, "%s: already in the history (commit %s); nothing added\n", a.Path, a.Already)
			} else {
				fmt.Fprintf(stdout, "%s: %d rows, %d series points added under %s\n", a.Path, a.Rows, a.Points, *commit)
			}
		}
		return err
	case "show":
		return historyShow(ctx, h, history.Filter{Metrics: metrics, Host: *host}, stdout)
	}
	if len(metrics) == 0 {
		metrics = compare.DefaultMetrics
	}
	opts.Since = *since
	return historyCheck(ctx, h, history.Filter{Metrics: metrics, Host: *host}, opts, *reportDir, stdout, stderr)
}

// openHistory opens the history db names (flag says which flag named it), making a missing
// SQLite file only when create is set; any failure is bad input, one line. A server has 30 s
// to answer.
func openHistory(ctx context.Context, flag, db string, create bool) (*history.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	h, err := history.Open(ctx, db, create)
	switch {
	case err == nil:
		return h, nil
	case errors.Is(err, history.ErrNoHistory):
		return nil, usagef("%s %s: no history there (history add makes one; show, check and report read one)", flag, db)
	case errors.Is(err, history.ErrNotHistory) || !history.IsPostgres(db):
		return nil, usagef("%s %s: %v (want an aiobench history, a new file's path in an existing directory, or a postgres:// URL)", flag, db, trimHistory(err))
	}
	return nil, usagef("%s %s: cannot open it: %v", flag, history.Redact(db), oneLine(strings.ReplaceAll(trimHistory(err), "\t", " ")))
}

// checkHist reads a latency histogram file, any problem bad input.
func checkHist(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError{err}
	}
	defer f.Close()
	if _, err := results.ReadHists(f, path); err != nil {
		return usageError{err}
	}
	return nil
}

// trimHistory drops the "history PATH: " the error repeats after --db PATH.
func trimHistory(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); strings.HasPrefix(s, "history ") && i > 0 {
		return s[i+2:]
	}
	return s
}

func historyShow(ctx context.Context, h *history.DB, f history.Filter, stdout io.Writer) error {
	series, err := h.Series(ctx, f)
	if err != nil {
		return err
	}
	runs, rows, commits, err := h.Counts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d results files, %d rows, %d commits, %d series\n", h.Target, runs, rows, commits, len(series))
	t := results.NewTable(stdout, []string{"host", "configuration", "engine", "metric", "commits", "latest", "at"}, 4)
	for _, s := range series {
		n := len(s.Values)
		t.Append([]string{s.Host, history.ConfigLabel(s.Config), s.Engine, s.Metric, fmt.Sprint(n), fmt.Sprintf("%.4g", s.Values[n-1]), history.ShortSHA(s.Commits[n-1])})
	}
	return t.Render()
}

func historyCheck(ctx context.Context, h *history.DB, f history.Filter, o history.CheckOptions, reportDir string, stdout, stderr io.Writer) error {
	series, err := h.Series(ctx, f)
	if err != nil {
		return err
	}
	if len(series) == 0 {
		return usagef("history check: no series of %s in %s (aiobench history show lists what it holds)", strings.Join(f.Metrics, ", "), h.Target)
	}
	findings := history.Check(series, o)
	t := results.NewTable(stdout, []string{"host", "configuration", "engine", "metric", "commits", "change at", "change", "95% interval", "p", "verdict"}, 4)
	var failing []string
	for _, fd := range findings {
		s := fd.Series
		row := []string{s.Host, history.ConfigLabel(s.Config), s.Engine, s.Metric, fmt.Sprint(len(s.Values))}
		if len(fd.Changes) == 0 {
			row = append(row, "", "", "", "", "no change")
		}
		for i, c := range fd.Changes {
			if fd.Verdict(i) == "REGRESSION" {
				failing = append(failing, fmt.Sprintf("%s from %s (%+.2f%%)", s.Name(), history.ShortSHA(s.Commits[c.Index]), 100*c.Rel()))
			}
			if i > 0 {
				t.Append(row)
				row = []string{"", "", "", "", ""}
			}
			row = append(row, history.ShortSHA(s.Commits[c.Index]), fmt.Sprintf("%+.2f%%", 100*c.Rel()), fmt.Sprintf("[%+.2f%%, %+.2f%%]", 100*c.Lo, 100*c.Hi), fmt.Sprintf("%.2g", c.P), fd.Verdict(i))
		}
		t.Append(row)
	}
	if err := t.Render(); err != nil {
		return err
	}
	if reportDir != "" {
		charts, verdicts, err := report.HistoryFigures(findings)
		if err != nil {
			return err
		}
		page, err := report.HistoryReport("aiobench history check", h.Target, verdicts, charts).Write(reportDir)
		if err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		fmt.Fprintf(stderr, "aiobench: report written; open %s\n", page[len(page)-1])
	}
	if len(failing) > 0 {
		return exitError{exitFailure, fmt.Errorf("history check: %d series regressed at their latest change point (threshold %.3g%%); first: %s", len(failing), 100*o.Threshold, failing[0])}
	}
	return nil
}

// historyFigures opens the history at db for aiobench report --history and returns its
// series' charts and verdicts, judged as history check judges them at threshold.
func historyFigures(ctx context.Context, db string, metrics []string, threshold float64) (*report.Report, error) {
	h, err := openHistory(ctx, "report: --history", db, false)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	series, err := h.Series(ctx, history.Filter{Metrics: metrics})
	if err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, usagef("report: --history %s: no series of %s", h.Target, strings.Join(metrics, ", "))
	}
	o := history.CheckOptions{Threshold: threshold}
	charts, verdicts, err := report.HistoryFigures(history.Check(series, o))
	if err != nil {
		return nil, err
	}
	return report.HistoryReport("", h.Target, verdicts, charts), nil
}
