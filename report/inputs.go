package report

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/results"
)

// Inputs are what a report is drawn from.
type Inputs struct {
	Files   []*results.File    // results files (rows, and their comments: command, machine)
	Hists   []results.Hist     // latency histograms (--hist), matched to rows by configuration
	Log     []results.Interval // time series (--log): what each run did in each interval
	Changes []Change           // comparisons: a suite's findings, a gate's or an ab's summary
	// Verdicts are the suite's sentences, as the run printed them (optional).
	Verdicts []string
	// Context are files whose command lines and machines the page shows, but not their rows:
	// the two sides of a gate or an ab.
	Context []*results.File
	// Sources name every file the inputs came from, for the page; Load sets them.
	Sources []string
}

// A Change is one comparison of one metric: the estimate and its 95% interval, relative (0.05
// is +5%), and the verdict.
type Change struct {
	Label, Metric   string
	Change, Lo, Hi  float64
	Verdict         string
	Baseline, Cand  float64
	SyncPath        bool // a sync-path check of a suite (its label starts with "sync-path:")
	FromResultsFile bool // computed here from a results file's rows, not by the run
	Note            string
}

// ChangesOf turns compare lines (a suite's findings, a gate's lines) into Changes.
func ChangesOf(lines []compare.Line) []Change {
	var cs []Change
	for _, l := range lines {
		if l.Verdict == compare.Missing || l.Verdict == compare.New {
			continue
		}
		label := l.Label
		if label == "" {
			label = compare.KeyString(l.Key)
		}
		cs = append(cs, Change{Label: label, Metric: l.Metric.Name, Change: l.Change, Lo: l.Lo, Hi: l.Hi,
			Verdict: string(l.Verdict), Baseline: l.Baseline, Cand: l.Candidate, SyncPath: strings.HasPrefix(label, syncPathPrefix), Note: l.Note})
	}
	return cs
}

// Sentence says a suite check's answer on its headline metric in plain words: a sync-path
// check's lat mean (what a cached read costs against sync's), an interference check's lat p99
// (sync's tail beside a load). Other metrics and other comparisons get "".
func Sentence(c Change, threshold float64) string {
	est := fmt.Sprintf("%+.1f%% [%+.1f%%, %+.1f%%]", 100*c.Change, 100*c.Lo, 100*c.Hi)
	answer := map[string]string{
		string(compare.Pass):         fmt.Sprintf("within %.3g%%", 100*threshold),
		string(compare.Regression):   fmt.Sprintf("beyond %.3g%%", 100*threshold),
		string(compare.Inconclusive): fmt.Sprintf("cannot tell at %.3g%%", 100*threshold),
	}[c.Verdict]
	if answer == "" {
		answer = strings.ToLower(c.Verdict)
	}
	verdict := c.Verdict
	if strings.Contains(c.Note, compare.NotGated) {
		verdict += ", " + compare.NotGated
	}
	switch {
	case c.SyncPath && c.Metric == "lat_mean_us":
		engine, file, _ := strings.Cut(strings.TrimPrefix(c.Label, syncPathPrefix+" "), " vs sync")
		return fmt.Sprintf("%s%s: a cached read costs %s of sync's lat mean — %s (%s)", engine, file, est, answer, verdict)
	case strings.HasPrefix(c.Label, interferencePrefix) && c.Metric == "lat_p99_us":
		load := strings.TrimSuffix(strings.TrimPrefix(c.Label, interferencePrefix+" sync with "), " vs alone")
		if iops, ok := compare.LoadOf(c.Note); ok {
			// Each engine's load runs at its own rate: the verdicts are of different loads.
			load += fmt.Sprintf(" of %s IOPS (each engine's load runs at its own rate, so the loads differ)", humanCount(iops))
		}
		return fmt.Sprintf("sync's lat p99 %s under a %s — %s (%s)", est, load, answer, c.Verdict)
	}
	return ""
}

// humanCount is a count of things per second as people read it: 950, 12.3k, 1.05M.
func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// syncPathPrefix starts the name of every sync-path check (suites.Check.Name).
const syncPathPrefix = "sync-path:"

// interferencePrefix starts the name of every interference check (sync beside a load).
const interferencePrefix = "interference:"

// The kinds of file Load reads, by their first line.
const kinds = "aiobench results files (--output), latency histograms (--hist), time series (--log), and comparison summaries (gate --summary, ab's summary.csv, a report's findings.csv)"

// Load reads each file by what it is: a results file, a histogram file or a comparison summary.
func Load(paths []string) (*Inputs, error) {
	in := &Inputs{Sources: paths}
	for _, p := range paths {
		first, err := firstLine(p)
		if err != nil {
			return nil, err
		}
		switch {
		case strings.HasPrefix(first, "# "+results.MagicComment):
			f, err := results.ReadFile(p)
			if err != nil {
				return nil, err
			}
			in.Files = append(in.Files, f)
		case first == "# "+results.LogMagic:
			ivs, err := results.ReadLogFile(p)
			if err != nil {
				return nil, err
			}
			in.Log = append(in.Log, ivs...)
		case first == "# "+results.HistMagic:
			f, err := os.Open(p)
			if err != nil {
				return nil, err
			}
			hs, err := results.ReadHists(bufio.NewReader(f), p)
			f.Close()
			if err != nil {
				return nil, err
			}
			in.Hists = append(in.Hists, hs...)
		case first == strings.Join(compare.Header, ","):
			cs, err := readChanges(p)
			if err != nil {
				return nil, err
			}
			in.Changes = append(in.Changes, cs...)
		default:
			return nil, fmt.Errorf("%s: not a file aiobench report reads (it reads %s)", p, kinds)
		}
	}
	if len(in.Files) == 0 && len(in.Changes) == 0 && len(in.Log) == 0 {
		return nil, errors.New("nothing to report: give at least one results file or comparison summary")
	}
	return in, nil
}

func firstLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimRight(strings.TrimPrefix(line, "\xef\xbb\xbf"), "\r\n"), nil
}

// readChanges reads a comparison summary (compare.WriteCSV): change "+1.2%", interval
// "[-0.5%, +2.9%]".
func readChanges(path string) ([]Change, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	col := func(name string) int { return slices.Index(compare.Header, name) }
	var cs []Change
	for i, rec := range recs[1:] {
		if len(rec) < len(compare.Header) {
			return nil, fmt.Errorf("%s line %d: %d fields, want %d", path, i+2, len(rec), len(compare.Header))
		}
		if rec[col("metric")] == "" {
			continue // MISSING or NEW: nothing measured to draw
		}
		c := Change{Label: rec[col("configuration")], Metric: rec[col("metric")], Verdict: rec[col("verdict")], Note: rec[col("note")]}
		c.SyncPath = strings.HasPrefix(c.Label, syncPathPrefix)
		lo, hi, ok := strings.Cut(strings.Trim(rec[col("interval")], "[]"), ",")
		var errs [5]error
		c.Change, errs[0] = percent(rec[col("change")])
		c.Lo, errs[1] = percent(lo)
		c.Hi, errs[2] = percent(hi)
		c.Baseline, errs[3] = strconv.ParseFloat(rec[col("baseline")], 64)
		c.Cand, errs[4] = strconv.ParseFloat(rec[col("candidate")], 64)
		if err := errors.Join(errs[:]...); err != nil || !ok {
			return nil, fmt.Errorf("%s line %d: not a comparison line: %v", path, i+2, err)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// percent parses "+1.2%" (or "+Inf", "-Inf") as 0.012.
func percent(s string) (float64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a percentage", s)
	}
	if math.IsInf(v, 0) {
		return v, nil
	}
	return v / 100, nil
}
