package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aiobench/aiobench/ab"
	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/report"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/suites"
)

// What a run found beyond its rows: a suite's checks and their verdict sentences, the open
// loop's knees, and the JSON document's findings.

// A jsonFinding is one metric of a suite's check in the JSON document.
type jsonFinding struct {
	Check string `json:"check"`
	compare.JSONLine
	SyncPath bool   `json:"sync_path,omitempty"`
	Gated    bool   `json:"gated,omitempty"`
	Sentence string `json:"sentence,omitempty"` // the check's verdict in words, on its headline metric
}

func jsonOf(findings []suites.Finding, threshold float64) []any {
	out := []any{}
	for _, f := range findings {
		out = append(out, jsonFinding{Check: f.Check.Name, JSONLine: f.JSON(), SyncPath: f.Check.SyncPath, Gated: f.Check.Gated,
			Sentence: strings.TrimPrefix(verdictLine(f, threshold), "verdict: ")})
	}
	return out
}

// writeJSON writes the run's rows and findings as one JSON document (--format json).
func writeJSON(w io.Writer, comments []string, rows []results.Row, findings []any) {
	doc := results.NewJSONDoc(strings.TrimPrefix(comments[0], results.MagicComment+" "), rows)
	doc.Command = strings.TrimPrefix(comments[1], "command: ")
	doc.Machine = strings.TrimPrefix(comments[2], "machine: ")
	if findings != nil {
		doc.Findings = findings
	}
	if err := doc.Write(w); err != nil {
		fmt.Fprintf(os.Stderr, "aiobench: write JSON: %v\n", err)
	}
}

// checkFindings prints the suite's comparisons and their verdict sentences, returns them and,
// with --max-sync-regression, fails on a sync-path regression beyond it.
func (o *options) checkFindings(spec *suites.Spec, measured *suites.Outcome, threshold float64, stdout, stderr io.Writer) ([]suites.Finding, []string, error) {
	if len(spec.Checks) == 0 {
		return nil, nil, nil
	}
	findings, err := spec.Evaluate(measured, compare.Options{Threshold: threshold, Alpha: 0.05})
	if err != nil {
		return nil, nil, err
	}
	w := stdout
	switch o.format {
	case "benchfmt":
		w = stderr // keep stdout readable by benchstat
	case "json":
		w = io.Discard // the findings are in the document
	}
	lines := make([]compare.Line, len(findings))
	for i, f := range findings {
		lines[i] = f.Line
	}
	how := fmt.Sprintf("%d measured rounds, signed-rank test", spec.Rounds)
	switch {
	case len(measured.Remote) > 0:
		how = fmt.Sprintf("sync-path checks by duels in %d sessions of fresh processes, signed-rank over sessions; interference by %s", ab.DefaultSessions, how)
	case len(spec.Duels) > 0:
		how = "sync-path checks by duel in this process (block bootstrap), interference by " + how
	}
	fmt.Fprintf(w, "%s: paired comparisons (%s; threshold %.3g%%):\n", spec.Name, how, 100*threshold)
	format := "table"
	if o.format == "markdown" { // the findings too, for the same pull request
		format = "markdown"
		fmt.Fprintln(w)
	}
	if err := compare.WriteTable(w, lines, format); err != nil {
		return nil, nil, err
	}
	var verdicts []string
	for _, f := range findings {
		if v := verdictLine(f, threshold); v != "" {
			fmt.Fprintln(w, v)
			verdicts = append(verdicts, strings.TrimPrefix(v, "verdict: "))
		}
	}
	if o.maxSyncRegression < 0 {
		return findings, verdicts, nil
	}
	var regressed []string
	for _, f := range findings {
		if f.Check.SyncPath && f.Check.Gated && f.Verdict == compare.Regression {
			regressed = append(regressed, fmt.Sprintf("%s %s %+.1f%% [%+.1f%%, %+.1f%%]", f.Check.Engine, f.Metric.Name, 100*f.Change, 100*f.Lo, 100*f.Hi))
		}
	}
	if len(regressed) > 0 {
		return findings, verdicts, fmt.Errorf("sync-path regression beyond %.3g%%: %s", 100*threshold, strings.Join(regressed, "; "))
	}
	return findings, verdicts, nil
}

// verdictLine says one check's answer in a sentence on its headline metric (report.Sentence),
// "" for its other metrics, which stay in the table.
func verdictLine(f suites.Finding, threshold float64) string {
	c := report.Change{Label: f.Label, Metric: f.Metric.Name, Change: f.Change, Lo: f.Lo, Hi: f.Hi,
		Verdict: string(f.Verdict), SyncPath: f.Check.SyncPath, Note: f.Note}
	if v := report.Sentence(c, threshold); v != "" {
		return "verdict: " + v
	}
	return ""
}

// A jsonKnee is one engine's knee in the JSON document (results.Knees).
type jsonKnee struct {
	Check    string    `json:"check"` // "knee: ENGINE CONFIGURATION"
	Engine   string    `json:"engine"`
	Variant  string    `json:"variant,omitempty"`
	Cache    string    `json:"cache"`
	TargetUS float64   `json:"lat_target_us"`
	Knee     float64   `json:"knee_rate"`          // highest rate under the target; 0: none
	Over     *float64  `json:"over_rate"`          // first rate over it; null: not reached
	SyncKnee *float64  `json:"sync_knee_rate"`     // sync's on the same configuration; null: none
	Rates    []float64 `json:"rates"`              // the rates tried
	Sentence string    `json:"sentence,omitempty"` // the verdict in words
}

// verdicts is where the knee and hit verdict lines go: stdout, or nowhere when stdout carries
// benchfmt or a JSON document (which holds them as findings).
func (o *options) verdicts(stdout io.Writer) io.Writer {
	if o.format == "benchfmt" || o.format == "json" {
		return io.Discard
	}
	return stdout
}

// kneeFindings prints a verdict sentence per engine's knee when the rows have open-loop ones,
// and returns the sentences and the knees for the JSON document.
func (o *options) kneeFindings(rows []results.Row, stdout io.Writer) ([]string, []any) {
	knees := results.Knees(rows)
	w := o.verdicts(stdout)
	var verdicts []string
	var docs []any
	for i := range knees {
		k := &knees[i]
		ref := k.Reference(knees)
		v := report.KneeSentence(k, ref)
		fmt.Fprintln(w, "verdict: "+v)
		verdicts = append(verdicts, v)
		j := jsonKnee{Check: "knee: " + strings.TrimSpace(k.Engine+" "+k.Variant) + " " + k.Cache, Engine: k.Engine, Variant: k.Variant,
			Cache: k.Cache, TargetUS: k.Target, Knee: k.Knee, Sentence: v}
		if k.Reached() {
			j.Over = &k.Over
		}
		if ref != nil {
			j.SyncKnee = &ref.Knee
		}
		for _, p := range k.Points {
			j.Rates = append(j.Rates, p.Rate)
		}
		docs = append(docs, j)
	}
	return verdicts, docs
}

// jsonHit is a mixed load's hit comparison in --format json.
type jsonHit struct {
	Check       string   `json:"check"`
	Engine      string   `json:"engine"`
	Variant     string   `json:"variant,omitempty"`
	ResidentPct float64  `json:"resident_pct"`
	IODepth     int      `json:"iodepth"`
	Rate        float64  `json:"rate,omitempty"`
	P50US       float64  `json:"hit_p50_us"`
	P99US       float64  `json:"hit_p99_us"`
	RefP50US    float64  `json:"reference_hit_p50_us"`
	RefP99US    float64  `json:"reference_hit_p99_us"`
	RatioP50    *float64 `json:"ratio_p50,omitempty"` // the closed loop's
	RatioP99    float64  `json:"ratio_p99"`
	Sentence    string   `json:"sentence"`
}

// hitFindings prints a verdict sentence per engine and mix where the rows have hits measured
// apart (the mixed suite, --resident), and returns them for the JSON document.
func (o *options) hitFindings(rows []results.Row, stdout io.Writer) ([]string, []any) {
	w := o.verdicts(stdout)
	var verdicts []string
	var docs []any
	hs := results.HitCosts(rows)
	for i := range hs {
		h := &hs[i]
		v := report.HitSentence(h)
		fmt.Fprintln(w, "verdict: "+v)
		verdicts = append(verdicts, v)
		j := jsonHit{Check: fmt.Sprintf("hit: %s %.0f%% resident QD%d", strings.TrimSpace(h.Engine+" "+h.Variant), h.Resident, h.QD),
			Engine: h.Engine, Variant: h.Variant, ResidentPct: h.Resident, IODepth: h.QD, Rate: h.Rate,
			P50US: h.P50, P99US: h.P99, RefP50US: h.RefP50, RefP99US: h.RefP99, RatioP99: h.Ratio99(), Sentence: v}
		if h.Rate == 0 {
			r := h.Ratio50()
			j.RatioP50 = &r
		}
		docs = append(docs, j)
	}
	return verdicts, docs
}
