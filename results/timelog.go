package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/internal/atomicfile"
)

// Time-series files (--log): what each run did in each interval of its measured phase, so that
// a stall or a cache that drains mid-run is seen rather than averaged away. One CSV line per run
// and interval: the run's configuration columns and round (as in the results file), then the
// interval's end and length in measured time (eviction pauses left out, as elapsed_s), its
// requests, throughput, latency percentiles over the requests completed in it, the file's
// residency and the device's reads at its end, and for an open-loop run (--rate) the
// intended-time latency's p50 and p99 over the same requests. A figure not measured is empty.

// LogMagic starts the first comment line of a time-series file.
const LogMagic = "aiobench time series"

// LogColumns are the columns after the configuration columns and round.
var LogColumns = []string{"t_s", "interval_s", "ops", "iops", "mib_s", "lat_p50_us", "lat_p99_us", "lat_max_us", "resident_pct", "dev_reads",
	"lat_intended_p50_us", "lat_intended_p99_us", "hit_pct"}

// logOptional are LogColumns that files written before them lack.
var logOptional = map[string]bool{"lat_intended_p50_us": true, "lat_intended_p99_us": true, "hit_pct": true}

// An Interval is what one run did in one interval. Row holds the run's configuration columns
// and round only.
type Interval struct {
	Row                 Row
	End, Length         float64 // seconds of measured time: the interval's end, its length
	Ops, Bytes          int64
	P50, P99, Max       float64 // µs; unmeasured when Ops is 0
	Resident            float64 // percent of the file resident at the end of the interval
	DevReads            int64   // the device's read I/Os in the interval
	HasResident, HasDev bool
	// The intended-time latency's percentiles (µs), for an open-loop run's interval.
	IntendedP50, IntendedP99 float64
	HasIntended              bool
	// HitPct is the hits' share of the interval's classified requests, for a run whose
	// requests have classes (hit_pct in the results).
	HitPct float64
	HasHit bool
}

// IOPS is the interval's requests per second.
func (iv *Interval) IOPS() float64 {
	if iv.Length <= 0 {
		return 0
	}
	return float64(iv.Ops) / iv.Length
}

func logHeader() []string {
	var h []string
	for _, c := range ConfigColumns() {
		h = append(h, c.Name)
	}
	return append(append(h, "round"), LogColumns...)
}

// WriteLog writes a time-series file: comment lines (the first is LogMagic), the header, and one
// line per interval.
func WriteLog(w io.Writer, comments []string, ivs []Interval) error {
	if _, err := fmt.Fprintf(w, "# %s\n", LogMagic); err != nil {
		return err
	}
	for _, c := range comments {
		if _, err := fmt.Fprintf(w, "# %s\n", c); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(logHeader()); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for i := range ivs {
		iv := &ivs[i]
		var rec []string
		for _, c := range ConfigColumns() {
			rec = append(rec, c.Get(&iv.Row))
		}
		rec = append(rec, strconv.Itoa(iv.Row.Round), f(iv.End), f(iv.Length), strconv.FormatInt(iv.Ops, 10), f(iv.IOPS()),
			f(float64(iv.Bytes)/(1<<20)/max(iv.Length, 1e-12)))
		if iv.Ops > 0 {
			rec = append(rec, f(iv.P50), f(iv.P99), f(iv.Max))
		} else {
			rec = append(rec, "", "", "")
		}
		rec = append(rec, known(iv.HasResident, f(iv.Resident)), known(iv.HasDev, strconv.FormatInt(iv.DevReads, 10)),
			known(iv.HasIntended && iv.Ops > 0, f(iv.IntendedP50)), known(iv.HasIntended && iv.Ops > 0, f(iv.IntendedP99)),
			known(iv.HasHit, f(iv.HitPct)))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func known(ok bool, v string) string {
	if ok {
		return v
	}
	return ""
}

// WriteLogFile writes a time-series file atomically.
func WriteLogFile(path string, comments []string, ivs []Interval) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WriteLog(w, comments, ivs) })
}

// LooksLikeLog reports whether the file at path is a time-series file aiobench wrote.
func LooksLikeLog(path string) bool { return startsWith(path, "# "+LogMagic+"\n") }

// ReadLog reads a time-series file; name is used in errors.
func ReadLog(r io.Reader, name string) ([]Interval, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("no header line: %v", err)}
	}
	at := map[string]int{}
	for i, h := range header {
		at[strings.TrimSpace(h)] = i
	}
	for _, c := range append([]string{"round"}, LogColumns...) {
		if _, ok := at[c]; !ok && !logOptional[c] {
			return nil, &ParseError{File: name, Err: fmt.Errorf("no column %s: not a time-series file", c)}
		}
	}
	var out []Interval
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		var iv Interval
		bad := func(col string, err error) error {
			return &ParseError{File: name, Line: line, Err: fmt.Errorf("column %s: %w", col, err)}
		}
		for _, c := range ConfigColumns() {
			if i, ok := at[c.Name]; ok {
				if err := c.Set(&iv.Row, rec[i]); err != nil {
					return nil, bad(c.Name, err)
				}
			}
		}
		num := func(col string, p *float64, ok *bool) error {
			i, has := at[col]
			if !has {
				return nil
			}
			s := rec[i]
			if s == "" {
				return nil
			}
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || v < 0 {
				return bad(col, errors.Join(err, fmt.Errorf("%q is not a number of 0 or more", s)))
			}
			*p = v
			if ok != nil {
				*ok = true
			}
			return nil
		}
		var ops, devReads, round float64
		var errs []error
		errs = append(errs, num("round", &round, nil), num("t_s", &iv.End, nil), num("interval_s", &iv.Length, nil), num("ops", &ops, nil),
			num("lat_p50_us", &iv.P50, nil), num("lat_p99_us", &iv.P99, nil), num("lat_max_us", &iv.Max, nil),
			num("resident_pct", &iv.Resident, &iv.HasResident), num("dev_reads", &devReads, &iv.HasDev),
			num("lat_intended_p50_us", &iv.IntendedP50, &iv.HasIntended), num("lat_intended_p99_us", &iv.IntendedP99, &iv.HasIntended),
			num("hit_pct", &iv.HitPct, &iv.HasHit))
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		var mib float64
		if err := num("mib_s", &mib, nil); err != nil {
			return nil, err
		}
		iv.Row.Round, iv.Ops, iv.DevReads = int(round), int64(ops), int64(devReads)
		iv.Bytes = int64(mib * (1 << 20) * iv.Length)
		out = append(out, iv)
	}
}

// ReadLogFile reads the time-series file at path.
func ReadLogFile(path string) ([]Interval, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLog(f, path)
}
