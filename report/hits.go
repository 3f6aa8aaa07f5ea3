package report

import (
	"fmt"

	"github.com/aiobench/aiobench/results"
)

// HitSentence says what a hit costs through an engine inside a mixed load, against the
// reference engine's hit (results.HitCosts).
func HitSentence(h *results.HitCost) string {
	name := h.Engine
	if h.Variant != "" {
		name += " " + h.Variant
	}
	ref := results.ReferenceEngine()
	who := fmt.Sprintf("%s (%s, %.0f%% resident", name, configLabel("randread", h.BS, h.QD, 0, "cold"), h.Resident)
	if h.Rate > 0 {
		return fmt.Sprintf("%s, %s reads/s offered): hit p99 from the intended time %s against %s's %s (%.2f×)",
			who, results.FormatRate(h.Rate), usText(h.P99), ref, usText(h.RefP99), h.Ratio99())
	}
	s := fmt.Sprintf("%s): a hit costs %.2f× a hit through %s at QD1 in the same mix at the p50 (%s against %s)",
		who, h.Ratio50(), ref, usText(h.P50), usText(h.RefP50))
	if h.Hi > 0 {
		s += fmt.Sprintf(" [%.2f–%.2f× over %d rounds]", h.Lo, h.Hi, h.Rounds)
	}
	return s + fmt.Sprintf(", %.2f× at the p99 (%s against %s)", h.Ratio99(), usText(h.P99), usText(h.RefP99))
}

// HitSentences are the sentences of every hit comparison in rows, in order.
func HitSentences(rows []results.Row) []string {
	var out []string
	hs := results.HitCosts(rows)
	for i := range hs {
		out = append(out, HitSentence(&hs[i]))
	}
	return out
}
