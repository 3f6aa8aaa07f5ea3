package changepoint

import (
	"math/rand/v2"
	"testing"
)

// noise is this machine's standard error of one 10-second measurement, as `aiobench calibrate`
// measured it on 2026-12-01 (0.40% of IOPS; 0.27–0.28% on other days): the spread of a gated
// series from one commit to the next when nothing changed.
const noise = 0.004

// series is history commits of noise around 100, then after more commits stepped by step.
func series(seed uint64, history, after int, step float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, uint64(history)))
	xs := make([]float64, history+after)
	for i := range xs {
		xs[i] = 100 * (1 + noise*rng.NormFloat64())
		if i >= history {
			xs[i] *= 1 + step
		}
	}
	return xs
}

// rates returns, over trials seeded series, the share in which a change point was found within
// 5 commits of the step (with 5 commits after it in the history), and the share of flat series
// of the same length with any change point at all.
func rates(trials, history int, step float64) (caught, falseAlarms float64) {
	for s := range trials {
		for _, c := range Find(series(uint64(s), history, 5, step), Options{}) {
			if c.Index >= history-5 && c.Index <= history+5 {
				caught++
				break
			}
		}
		if len(Find(series(uint64(s)+1<<32, history+5, 0, 0), Options{})) > 0 {
			falseAlarms++
		}
	}
	return caught / float64(trials), falseAlarms / float64(trials)
}

// The targets at this machine's noise — a 1% step caught with only 5 commits after
// it in at least 19 series of 20, a flat series with a false alarm in at most 1 of 20 — as rates
// over 1,000 seeded series (the same figures on every run), which the README gives with the
// 0.5% and 5% steps.
func TestDetectionRates(t *testing.T) {
	trials := 1000
	if testing.Short() {
		trials = 200
	}
	for _, history := range []int{30, 60, 200} {
		for _, step := range []float64{0.005, 0.01, 0.05} {
			caught, fa := rates(trials, history, step)
			t.Logf("history %3d commits, step %.1f%%: caught %.1f%%; flat series with a false alarm %.1f%%", history, 100*step, 100*caught, 100*fa)
			if step == 0.01 && history >= 60 && (caught < 19.0/20 || fa > 1.0/20) {
				t.Errorf("history %d: 1%% step caught %.1f%%, false alarms %.1f%%", history, 100*caught, 100*fa)
			}
		}
	}
}
