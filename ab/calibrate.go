package ab

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aiobench/aiobench/compare"
)

// A Calibration says what a machine can detect: from an A/A comparison (one build against
// itself, compared exactly as ab compares two builds), the spread of the IOPS log ratios and,
// from it, the smallest effect a comparison of a given length detects at alpha with a given
// power.
type Calibration struct {
	Mode string
	// Bias is the A/A comparison's own verdict line: its change is what the comparison reports
	// where there is no difference, and the floor under any threshold.
	Bias compare.Line
	// SE is the standard error of the log ratio's estimate (a median) for the measured length,
	// from the robust spread of the sessions' (blocks) or rounds' (trials) log ratios.
	SE       float64
	Measured float64 // the length it was measured at: seconds (blocks) or rounds (trials)
	Rows     []CalibrationRow
}

// A CalibrationRow is one length's detectable effect.
type CalibrationRow struct {
	Length float64 // seconds of blocks, or rounds of trials
	SE     float64 // the estimate's standard error (log ratio) at that length
	MDE80  float64 // smallest relative effect found at p < alpha in 80% of comparisons
	MDE95  float64 // the same in 95%
	// MinThreshold is the smallest --threshold at which an A/A comparison of that length is
	// a false REGRESSION in under 5% of tries: the A/A bias plus (z(1−α/2) + z(0.95))·SE.
	MinThreshold float64
	Predicted2   float64 // share of comparisons that call a 2% effect a REGRESSION at a 1% threshold
}

// z returns the standard normal quantile of p.
func z(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// Calibrate runs c as an A/A comparison (c.Candidate should be c.Baseline) and predicts the
// detectable effects for lengths (seconds for blocks, rounds for trials).
func Calibrate(ctx context.Context, c Config, lengths []float64) (*Calibration, error) {
	out, err := Run(ctx, c)
	if err != nil {
		return nil, err
	}
	cal := &Calibration{Mode: c.Mode}
	for _, l := range out.Lines {
		if l.Metric.Name == "iops" {
			cal.Bias = l
			break
		}
	}
	za := z(1 - c.Options.Alpha/2)
	n := float64(len(out.IOPSLogs))
	if n < 3 {
		return nil, fmt.Errorf("calibrate: %d usable sessions or rounds; at least 3 are needed", len(out.IOPSLogs))
	}
	// The verdict's interval is the order statistics of the median of the sessions' (or
	// rounds') log ratios, which a few outlying sessions barely move; their variance would.
	// So the spread is the robust one (1.4826 × the median absolute deviation, the standard
	// deviation for normal data), and the median's standard error is 1.2533 × σ/√n.
	total := math.Pow(1.4826*mad(out.IOPSLogs), 2)
	const medianSE = 1.2533
	switch c.Mode {
	case ModeTrials:
		cal.SE, cal.Measured = medianSE*math.Sqrt(total/n), n
		for _, l := range lengths {
			cal.Rows = append(cal.Rows, row(medianSE*math.Sqrt(total/l), l, za, cal.Bias.Change))
		}
	default:
		// A session's log ratio varies by the processes' own difference (between) and by the
		// blocks' noise (within), which shrinks as sessions get longer; a comparison of length
		// L has the default number of sessions, each L/sessions long.
		within := mean(out.IOPSWithinVar)
		between := math.Max(0, total-within)
		sessionLen := out.Elapsed.Seconds() / n
		cal.SE, cal.Measured = medianSE*math.Sqrt(total/n), out.Elapsed.Seconds()
		k := float64(DefaultSessions)
		for _, l := range lengths {
			v := between + within*sessionLen/(l/k)
			cal.Rows = append(cal.Rows, row(medianSE*math.Sqrt(v/k), l, za, cal.Bias.Change))
		}
	}
	return cal, nil
}

func row(se, length, za, bias float64) CalibrationRow {
	r := CalibrationRow{Length: length, SE: se}
	r.MDE80 = math.Expm1((za + z(0.80)) * se)
	r.MDE95 = math.Expm1((za + z(0.95)) * se)
	r.MinThreshold = math.Expm1(math.Abs(math.Log1p(bias)) + (za+z(0.95))*se)
	// P(log(1.02) − za·se > log(1.01)) with the estimate normal around the true effect.
	r.Predicted2 = 0.5 * math.Erfc(-(math.Log(1.02)-math.Log(1.01)-za*se)/se/math.Sqrt2)
	return r
}

// DefaultLengths are the lengths calibrate reports: seconds of blocks, or rounds of trials.
var DefaultLengths = map[string][]float64{ModeBlocks: {10, 30, 60}, ModeTrials: {6, 10, 20, 40}}

// Describe formats a length.
func (c *Calibration) Describe(length float64) string {
	if c.Mode == ModeTrials {
		return fmt.Sprintf("%g rounds", length)
	}
	return (time.Duration(length * float64(time.Second))).String()
}

func mean(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	return m / float64(max(len(xs), 1))
}

// mad is the median absolute deviation of xs from their median.
func mad(xs []float64) float64 {
	m := medianLog(xs)
	d := make([]float64, len(xs))
	for i, x := range xs {
		d[i] = math.Abs(x - m)
	}
	return medianLog(d)
}

// variance is the sample variance of xs.
func variance(xs []float64) float64 {
	m := mean(xs)
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return v / float64(max(len(xs)-1, 1))
}
