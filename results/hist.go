package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/internal/atomicfile"
	"github.com/aiobench/aiobench/internal/sysinfo"
)

// Latency histogram files (--hist): every run's full latency distribution, for the report's
// CDFs, which a results file's few percentiles cannot draw. One CSV line per non-empty bucket:
// the run's configuration columns and round (as in the results file, so a histogram is matched
// to its rows by the same names), then the bucket's bounds and count. Latency is lat (from
// before submission to completion, as lat_* columns), in nanoseconds; a bucket holds the
// values from lo_ns to hi_ns inclusive (the histogram keeps 3 significant digits). An
// open-loop run (--rate) has a second histogram, of the latency from each request's intended
// time: the last column, latency, says which a line is of (lat or intended; files written before
// it have only lat).

// HistMagic starts the first comment line of a histogram file.
const HistMagic = "aiobench latency histogram"

// HistColumns are the columns after the configuration columns and round.
var HistColumns = []string{"lo_ns", "hi_ns", "count", "latency"}

// histCounts are the HistColumns every histogram file has.
var histCounts = HistColumns[:3]

// The latencies a histogram can be of (Hist.Latency).
const (
	LatService  = "lat"      // from just before Submit to the completion (lat_* columns)
	LatIntended = "intended" // from the request's intended time (the open loop's lat_intended_*)
	LatHit      = "hit"      // lat of the classified hits of a partly cached run (lat_hit_*)
	LatMiss     = "miss"     // lat of its classified misses (lat_miss_*)
)

// A Bucket is a range of latencies and how many requests took one of them.
type Bucket struct{ Lo, Hi, Count int64 }

// A Hist is one run's latency distribution: Row holds its configuration columns and round
// only; Buckets are ascending and non-empty.
type Hist struct {
	Row     Row
	Latency string // LatService, LatIntended, LatHit or LatMiss; "" is LatService
	Buckets []Bucket
}

// Of says which latency h is of.
func (h *Hist) Of() string {
	if h.Latency == "" {
		return LatService
	}
	return h.Latency
}

// Count is the number of requests in h.
func (h *Hist) Count() int64 {
	var n int64
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// histHeader is a histogram file's header line.
func histHeader() []string {
	var h []string
	for _, c := range ConfigColumns() {
		h = append(h, c.Name)
	}
	return append(append(h, "round"), HistColumns...)
}

// WriteHists writes a histogram file: comment lines (the first is HistMagic), the header, and
// one line per bucket.
func WriteHists(w io.Writer, comments []string, hs []Hist) error {
	if _, err := fmt.Fprintf(w, "# %s\n", HistMagic); err != nil {
		return err
	}
	for _, c := range comments {
		fmt.Fprintf(w, "# %s\n", c)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(histHeader()); err != nil {
		return err
	}
	cols := ConfigColumns()
	rec := make([]string, len(cols)+1+len(HistColumns))
	for i := range hs {
		h := &hs[i]
		for j, c := range cols {
			rec[j] = c.Get(&h.Row)
		}
		rec[len(cols)] = strconv.Itoa(h.Row.Round)
		rec[len(cols)+4] = h.Of()
		for _, b := range h.Buckets {
			rec[len(cols)+1] = strconv.FormatInt(b.Lo, 10)
			rec[len(cols)+2] = strconv.FormatInt(b.Hi, 10)
			rec[len(cols)+3] = strconv.FormatInt(b.Count, 10)
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteHistFile writes a histogram file atomically, as WriteFile.
func WriteHistFile(path string, comments []string, hs []Hist) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WriteHists(w, comments, hs) })
}

// LooksLikeHist reports whether the file at path is a histogram file aiobench wrote.
func LooksLikeHist(path string) bool { return startsWith(path, "# "+HistMagic+"\n") }

// ReadHists reads a histogram file; a run's buckets are its consecutive lines with the same
// configuration and round. Every histogram's Row.Machine is the file's "machine:" comment, so
// that several hosts' histograms stay apart (HostOf).
func ReadHists(r io.Reader, name string) ([]Hist, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	var machine Machine
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		if m, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "# machine: "); ok {
			machine, _ = sysinfo.Parse(m)
		}
	}
	hs, err := readHists(bytes.NewReader(data), name)
	for i := range hs {
		hs[i].Row.Machine = machine
	}
	return hs, err
}

func readHists(r io.Reader, name string) ([]Hist, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	header, err := cr.Read()
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("no header line: %w", err)}
	}
	cols := make([]*Column, len(header))
	at := map[string]int{}
	for i, h := range header {
		at[h] = i
		if c, ok := ColumnByName(h); ok && c.Config {
			cols[i] = c
		}
	}
	for _, need := range append([]string{"engine", "round"}, histCounts...) {
		if _, ok := at[need]; !ok {
			return nil, &ParseError{File: name, Err: fmt.Errorf("missing column %s (a histogram file has the configuration columns, round, %s)", need, strings.Join(HistColumns, ", "))}
		}
	}
	latCol, hasLat := at["latency"]
	var hs []Hist
	last := ""
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return hs, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		var b [3]int64
		for i, c := range histCounts {
			if b[i], err = strconv.ParseInt(rec[at[c]], 10, 64); err != nil || b[i] < 0 {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%s %q is not a count", c, rec[at[c]])}
			}
		}
		lat := LatService
		if hasLat {
			switch lat = rec[latCol]; lat {
			case LatService, LatIntended, LatHit, LatMiss:
			default:
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("latency %q: accepted: %s, %s, %s, %s", lat, LatService, LatIntended, LatHit, LatMiss)}
			}
		}
		var id []string
		for i, v := range rec {
			if i != at["lo_ns"] && i != at["hi_ns"] && i != at["count"] {
				id = append(id, v)
			}
		}
		if key := strings.Join(id, "\x1f"); key != last || len(hs) == 0 {
			last = key
			h := Hist{Latency: lat}
			for i, c := range cols {
				if c != nil {
					if err := c.set(&h.Row, rec[i]); err != nil {
						return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("column %s: %w", c.Name, err)}
					}
				}
			}
			if h.Row.Round, err = strconv.Atoi(rec[at["round"]]); err != nil {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("round %q is not a number", rec[at["round"]])}
			}
			hs = append(hs, h)
		}
		h := &hs[len(hs)-1]
		h.Buckets = append(h.Buckets, Bucket{b[0], b[1], b[2]})
	}
}
