package results

import (
	"slices"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/internal/units"
)

// Telling rows apart. A table shows a few configuration columns of its own (engine, workload,
// bs, queue depth, jobs, cache); two rows that differ only in another one (a resident share, a
// notifier, an order, a size) would look alike. Distinct finds those columns from the column
// meanings (every configuration column), Describe says a row's values of them.

// shownColumns are the configuration columns every table of rows names already.
var shownColumns = []string{"engine", "workload", "bs", "iodepth", "jobs", "cache"}

// Distinct returns the configuration columns whose values differ among rows, other than the
// shown ones and those named in except, in the order files are written in.
func Distinct(rows []Row, except ...string) []*Column {
	var out []*Column
	for _, c := range ConfigColumns() {
		if slices.Contains(shownColumns, c.Name) || slices.Contains(except, c.Name) {
			continue
		}
		for i := 1; i < len(rows); i++ {
			if c.Get(&rows[i]) != c.Get(&rows[0]) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Describe returns r's values of cols as "name=value" words, sizes in units people read and
// shares with their percent sign; an engine's own column only for that engine's rows.
func Describe(r *Row, cols []*Column) string {
	var b []string
	for _, c := range cols {
		if c.Owner != "" && c.Owner != r.Engine {
			continue
		}
		v := c.Get(r)
		switch c.Unit {
		case "bytes":
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				v = units.FormatSize(n)
			}
		case "%":
			v += "%"
		}
		if v == "" {
			v = `""`
		}
		b = append(b, c.Name+"="+v)
	}
	return strings.Join(b, " ")
}

// engineSettings are the names of the engines' option columns (the summary names them in a
// row's variant).
func engineSettings() []string {
	var n []string
	for _, c := range ConfigColumns() {
		if c.Engine {
			n = append(n, c.Name)
		}
	}
	return n
}
