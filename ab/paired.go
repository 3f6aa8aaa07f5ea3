package ab

import (
	"fmt"
	"math"
	"slices"

	"github.com/aiobench/aiobench/compare"
	"github.com/aiobench/aiobench/results"
)

// pairedLines compares whole trials: per configuration and metric, round i of the candidate
// against round i of the baseline (compare.Paired, a signed-rank test on the per-round log
// ratios). A round in which either run failed is left out and counted; a configuration whose
// candidate failed in rounds where the baseline did not is FAILED, one the candidate lacks is
// MISSING, as in the gate.
func pairedLines(base, cand []results.Row, metrics []compare.Metric, o compare.Options) []compare.Line {
	type at struct {
		key   results.Key
		round int
	}
	cands := map[at]*results.Row{}
	for i := range cand {
		cands[at{cand[i].Key(), cand[i].Round}] = &cand[i]
	}
	byKey := map[results.Key][]*results.Row{}
	var keys []results.Key
	for i := range base {
		k := base[i].Key()
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], &base[i])
	}
	slices.Sort(keys)
	failed := func(r *results.Row) bool { return !r.Complete || r.Errors > 0 || r.VerifyErrors > 0 || r.Ops == 0 }
	var lines []compare.Line
	for _, k := range keys {
		label := compare.KeyString(k)
		var b, c []*results.Row
		candFailed, skipped, found := 0, 0, 0
		for _, br := range byKey[k] {
			cr := cands[at{k, br.Round}]
			if cr == nil {
				continue
			}
			found++
			switch {
			case failed(cr) && !failed(br):
				candFailed++
			case failed(cr) || failed(br):
				skipped++
			default:
				b, c = append(b, br), append(c, cr)
			}
		}
		if found == 0 {
			lines = append(lines, compare.Line{Key: k, Label: label, Result: compare.Result{Verdict: compare.Missing,
				Note: "the baseline ran it, the candidate did not"}})
			continue
		}
		for _, m := range metrics {
			col, _ := results.ColumnByName(m.Name)
			bv, cv := make([]float64, len(b)), make([]float64, len(c))
			for i := range b { // an unmeasured value leaves its pair out (compare.Paired)
				bv[i], cv[i] = measured(col, b[i]), measured(col, c[i])
			}
			r := compare.Paired(bv, cv, m.Dir, o)
			switch {
			case candFailed > 0:
				r.Verdict = compare.Failed
				r.Note = fmt.Sprintf("the candidate failed in %d rounds where the baseline did not", candFailed)
			case skipped > 0:
				r.Note = fmt.Sprintf("%d rounds with a failed run left out; %s", skipped, r.Note)
			}
			lines = append(lines, compare.Line{Key: k, Label: label, Metric: m, Result: r})
		}
	}
	return lines
}

// measured is the column's value in r, NaN when r did not measure it.
func measured(col *results.Column, r *results.Row) float64 {
	if v, ok := col.Value(r); ok {
		return v
	}
	return math.NaN()
}
