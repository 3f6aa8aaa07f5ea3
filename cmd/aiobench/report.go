package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
	flag "github.com/spf13/pflag"
)

// reportCmd: aiobench report FILE... --out DIR [--history DB]. Charts and index.html from
// results files, histograms and comparison summaries, and a history's series.
func reportCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("aiobench report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "directory to write the charts (PNG and SVG) and index.html into: new, empty, or an earlier report's (required)")
	threshold := 0.05
	fs.Var(percentValue{&threshold}, "threshold", "the sync-path threshold drawn on the regression chart, and the ± lines of comparisons")
	title := fs.String("title", "", "the page's title (default: aiobench report)")
	hist := fs.String("history", "", "also draw this history's series (an SQLite file or a postgres:// URL), each over commits with its change points, judged at --threshold as history check judges them")
	histMetrics := slices.Clone(compare.DefaultMetrics)
	fs.Var(newList(&histMetrics), "history-metrics", "the history's metrics to draw (METRIC or METRIC/sync)")
	help := fs.BoolP("help", "h", false, "show this help")
	if err := fs.Parse(args); err != nil {
		return usagef("report: %v (see aiobench report --help)", err)
	}
	if *help {
		printUsage(stdout, "aiobench report FILE... --out DIR [flags]", "Draws charts and writes a self-contained index.html from aiobench's files: results (--output), latency histograms (--hist, for full CDFs) and comparison summaries (gate --summary, ab's summary.csv, a report's findings.csv); with --history, a history's series too (then the files may be left out).", fs)
		return errHelp
	}
	switch {
	case fs.NArg() == 0 && *hist == "":
		return usagef("report: no input files (give results CSVs, --hist files or comparison summaries, or --history)")
	case *out == "":
		return usagef("report: --out is required (a new or empty directory, or an earlier report's)")
	}
	for _, p := range fs.Args() {
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return usagef("report: %s: not a readable file", p)
		}
	}
	if err := report.CheckDir(*out); err != nil {
		return usagef("report: --out %v", err)
	}
	var extra *report.Report // the history's charts and verdicts
	if *hist != "" {
		var err error
		if extra, err = historyFigures(ctx, *hist, histMetrics, threshold); err != nil {
			return err
		}
	}
	var r *report.Report
	if fs.NArg() > 0 {
		in, err := report.Load(fs.Args())
		if err != nil {
			return usagef("report: %v", err)
		}
		if r, err = report.Build(in, report.Options{Threshold: threshold, Title: *title}); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	} else {
		r = &report.Report{Title: cmp.Or(*title, "aiobench history")}
	}
	if extra != nil {
		r.Charts = append(r.Charts, extra.Charts...)
		r.Verdicts = append(r.Verdicts, extra.Verdicts...)
		r.Sources = append(r.Sources, extra.Sources...)
	}
	written, err := r.Write(*out)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stdout, "report: %d charts; open %s\n", len(r.Charts), written[len(written)-1])
	return nil
}

// draw builds the report of in and writes it into dir; it returns the page's path and the
// number of charts.
func draw(dir string, in *report.Inputs, o report.Options) (page string, charts int, err error) {
	r, err := report.Build(in, o)
	if err != nil {
		return "", 0, err
	}
	written, err := r.Write(dir)
	if err != nil {
		return "", 0, err
	}
	return written[len(written)-1], len(r.Charts), nil
}

// runReport is --report DIR at the end of a run: the run's results, histograms and findings
// are written beside the page (results.csv, hist.csv, findings.csv), so that `aiobench report`
// can draw it again, and the page is drawn from them.
// incomplete, when not "", says why the run ended early: the page says so.
func runReport(dir string, comments []string, rows []results.Row, hists []results.Hist, log []results.Interval, lines []compare.Line, verdicts []string, threshold float64, incomplete string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	in := &report.Inputs{Hists: hists, Log: log, Changes: report.ChangesOf(lines), Verdicts: verdicts}
	if err := results.WriteFile(filepath.Join(dir, "results.csv"), comments, rows); err != nil {
		return "", err
	}
	in.Files = []*results.File{{Name: "results.csv", Comments: comments, Rows: rows}}
	in.Sources = []string{"results.csv"}
	if len(hists) > 0 {
		in.Sources = append(in.Sources, "hist.csv")
		if err := results.WriteHistFile(filepath.Join(dir, "hist.csv"), comments[1:], hists); err != nil {
			return "", err
		}
	}
	if len(log) > 0 {
		in.Sources = append(in.Sources, "log.csv")
		if err := results.WriteLogFile(filepath.Join(dir, "log.csv"), comments[1:], log); err != nil {
			return "", err
		}
	}
	if len(lines) > 0 {
		var buf bytes.Buffer
		if err := compare.WriteCSV(&buf, lines); err != nil {
			return "", err
		}
		if err := writeAtomic(filepath.Join(dir, "findings.csv"), buf.Bytes()); err != nil {
			return "", err
		}
		in.Sources = append(in.Sources, "findings.csv")
	}
	page, _, err := draw(dir, in, report.Options{Threshold: threshold, Incomplete: incomplete})
	return page, err
}

// comparisonReport is --report DIR of gate and ab: the change of every metric with its
// interval, and the two sides' command lines and machines (their rows are not drawn: the
// baseline's and the candidate's rounds are not one sample).
func comparisonReport(dir, title string, lines []compare.Line, sides []string, threshold float64) (string, error) {
	in := &report.Inputs{Changes: report.ChangesOf(lines)}
	for _, p := range sides {
		f, err := results.ReadFile(p)
		if err != nil {
			return "", err
		}
		in.Context = append(in.Context, f)
	}
	page, _, err := draw(dir, in, report.Options{Threshold: threshold, Title: title})
	return page, err
}
