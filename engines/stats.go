package engines

import hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

// A Counter declares one figure an engine keeps to explain its numbers, as x/perf's benchfmt
// declares a unit: its name (the CSV column it is written in), a short label for the counter
// table, its unit, which way it is better ("higher", "lower", or "" for a figure that only
// describes), and what it means. An engine declares its counters (Counted); the harness passes
// the values through by name and results writes them as columns by name, so a new counter
// changes nothing outside the engine's folder.
type Counter struct {
	Name, Label, Unit, Better, Doc string
}

// Counters are the values one Reader kept, or several Readers' merged.
type Counters interface {
	// Merge adds another Reader's counters of the same engine (sums, maxima, merged
	// histograms: the engine knows which).
	Merge(other Counters)
	// Values returns the values by counter name, one for each declared counter.
	Values() map[string]float64
}

// A Counted Engine declares the counters its Readers keep (see StatsReader).
type Counted interface {
	Counters() []Counter
}

// A CounterDef is one declared counter with the function that reads its value from an
// engine's counters of type S: the declaration and the value are one line, so they cannot
// drift apart.
type CounterDef[S any] struct {
	Counter
	Value func(s *S) float64
}

// A CounterTable is an engine's counters, declared once: it gives both the declaration
// (Counted) and the values (Counters.Values).
type CounterTable[S any] []CounterDef[S]

// Counters returns the declarations, in the table's order.
func (t CounterTable[S]) Counters() []Counter {
	c := make([]Counter, len(t))
	for i := range t {
		c[i] = t[i].Counter
	}
	return c
}

// Values returns every counter's value in s, by name.
func (t CounterTable[S]) Values(s *S) map[string]float64 {
	v := make(map[string]float64, len(t))
	for i := range t {
		v[t[i].Name] = t[i].Value(s)
	}
	return v
}

// NewLatencyHist returns a histogram for engine latencies: 1 ns to 1 h, 3 significant digits.
func NewLatencyHist() *hdrhistogram.Histogram { return hdrhistogram.New(1, 3600e9, 3) }

// Record adds ns to h, clamped into its range.
func Record(h *hdrhistogram.Histogram, ns int64) {
	if ns < 1 {
		ns = 1
	}
	if h.RecordValue(ns) != nil {
		_ = h.RecordValue(h.HighestTrackableValue())
	}
}

// Percentile returns h's q-th percentile (0–100) in µs, 0 for a nil or empty histogram.
func Percentile(h *hdrhistogram.Histogram, q float64) float64 {
	if h == nil || h.TotalCount() == 0 {
		return 0
	}
	return float64(h.ValueAtQuantile(q)) / 1e3
}

// Ratio returns n/of, or 0 when of is 0: a counter per completed request ("calls per op")
// that reads 0 for a Reader that completed nothing.
func Ratio(n, of int64) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}
