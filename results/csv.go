package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aiobench/aiobench/internal/atomicfile"
)

// A File is a results file: its comment lines (without the leading "# ") and its rows.
type File struct {
	Name     string
	Comments []string
	Rows     []Row
	// Columns are the header's names, in the file's order.
	Columns []string
	// Warnings say what a reader should know about the file: a column this build does not
	// know and whose meaning the file does not declare is kept, but compared by nothing.
	Warnings []string
}

// A Meaning is what a file says of a column beyond its name, in a `# column {json}` comment
// line: written for every column the first schema did not have, so that a build that does
// not know the column still compares it by its declared meaning (as benchfmt's Unit lines
// carry a metric's direction with the data).
type Meaning struct {
	Name    string `json:"name"`
	Unit    string `json:"unit,omitempty"`
	Better  Better `json:"better,omitempty"`
	Config  bool   `json:"config,omitempty"`
	Numeric bool   `json:"numeric"`
	Doc     string `json:"doc,omitempty"`
}

// meaningPrefix starts a comment line declaring a column's meaning.
const meaningPrefix = "column "

func meaningOf(c *Column) Meaning {
	return Meaning{Name: c.Name, Unit: c.Unit, Better: c.Better, Config: c.Config, Numeric: c.numeric, Doc: c.Doc}
}

// Has reports whether the file has the named column.
func (f *File) Has(name string) bool {
	for _, c := range f.Columns {
		if c == name {
			return true
		}
	}
	return false
}

// Write writes comments as `# ` lines, a `# column` line declaring the meaning of each column
// the first schema did not have, the header and the rows in CSV. The header is every known
// column, then any column a row carries from a file this build did not know (Row.Extra).
func Write(w io.Writer, comments []string, rows []Row) error {
	bw := bufio.NewWriter(w)
	for _, c := range comments {
		for _, line := range strings.Split(c, "\n") {
			if _, err := fmt.Fprintf(bw, "# %s\n", line); err != nil {
				return err
			}
		}
	}
	cols := Columns()
	extra := extraColumns(rows, cols)
	all := make([]*Column, 0, len(cols)+len(extra))
	for i := range cols {
		all = append(all, &cols[i])
	}
	all = append(all, extra...)
	header := make([]string, len(all))
	for i, c := range all {
		header[i] = c.Name
		if !firstSchema(c.Name) {
			b, err := json.Marshal(meaningOf(c))
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(bw, "# %s%s\n", meaningPrefix, b); err != nil {
				return err
			}
		}
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(header); err != nil {
		return err
	}
	rec := make([]string, len(all))
	for i := range rows {
		for j, c := range all {
			rec[j] = c.Get(&rows[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// extraColumns are the columns rows carry that the schema does not have, in the order first
// seen (sorted within a row), as undeclared columns.
func extraColumns(rows []Row, cols []Column) []*Column {
	known := make(map[string]bool, len(cols))
	for _, c := range cols {
		known[c.Name] = true
	}
	var out []*Column
	for i := range rows {
		names := make([]string, 0, len(rows[i].Extra))
		for n := range rows[i].Extra {
			if !known[n] {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		for _, n := range names {
			known[n] = true
			c := extraCol(n, Meaning{Name: n})
			out = append(out, &c)
		}
	}
	return out
}

// WriteFile writes a results file atomically (internal/atomicfile: synced, mode 0644, renamed
// over path), so an interrupted write never leaves half a file.
func WriteFile(path string, comments []string, rows []Row) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, comments, rows) })
}

// LooksLikeResults reports whether the file at path was written by aiobench (it starts with
// aiobench's comment line). The command refuses to overwrite any other file with --output.
func LooksLikeResults(path string) bool { return startsWith(path, "# "+MagicComment) }

// startsWith reports whether the file at path begins with prefix.
func startsWith(path, prefix string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(prefix))
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == prefix
}

// MagicComment starts the first comment line of every file aiobench writes.
const MagicComment = "aiobench results"

// ReadFile reads the results file at path.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Read(bytes.NewReader(data), path)
}

// A ParseError names the file and line of a problem in a results file.
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// Read parses a results file; name is used in errors. Columns are found by name: unknown ones
// are ignored, the KeyColumns must be present, and a known column that is absent leaves its
// field zero (File.Has tells). A UTF-8 byte-order mark and CRLF line ends are accepted.
func Read(r io.Reader, name string) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	f := &File{Name: name}
	declared := map[string]Meaning{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if !strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ")
		if j, ok := strings.CutPrefix(c, meaningPrefix); ok {
			var m Meaning
			if json.Unmarshal([]byte(j), &m) == nil && m.Name != "" {
				declared[m.Name] = m
				continue
			}
		}
		f.Comments = append(f.Comments, c)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Err: errors.New("no header line: the file has no CSV data")}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	hline, _ := cr.FieldPos(0)
	f.Rows = make([]Row, 0, bytes.Count(data, []byte{'\n'})) // rows are large: grow once
	f.Columns = append([]string(nil), header...)
	cols := make([]*Column, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if seen[h] {
			return nil, &ParseError{File: name, Line: hline, Err: fmt.Errorf("column %q appears twice", h)}
		}
		seen[h] = true
		cols[i] = f.column(h, declared)
	}
	var missing []string
	for _, k := range KeyColumns {
		if !seen[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, &ParseError{File: name, Line: hline, Err: fmt.Errorf("missing column(s) %s (a results file needs %s)",
			strings.Join(missing, ", "), strings.Join(KeyColumns, ", "))}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(rec), len(header))}
		}
		var row Row
		for i, c := range cols {
			v := strings.TrimSpace(rec[i])
			if err := c.Set(&row, v); err != nil {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("column %s: %w", c.Name, err)}
			}
			if c.Numeric() && !c.Signed && strings.HasPrefix(v, "-") {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("column %s: %q: negative, and it cannot be", c.Name, v)}
			}
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// column returns the reader's column for a header name: the schema's; else, for a column the
// file declares, that declaration (added to the schema, so that keys and comparisons know
// it); else a column kept as text, with a warning.
func (f *File) column(name string, declared map[string]Meaning) *Column {
	if c, ok := ColumnByName(name); ok {
		return c
	}
	if m, ok := declared[name]; ok {
		if !declare(m) {
			f.Warnings = append(f.Warnings, fmt.Sprintf("%s: column %s declares a meaning another file gave otherwise; the first is kept", f.Name, name))
		}
		if c, ok := ColumnByName(name); ok {
			return c
		}
	}
	f.Warnings = append(f.Warnings, fmt.Sprintf("%s: column %s is not known to this build and the file declares no meaning for it: kept, compared by nothing", f.Name, name))
	c := extraCol(name, Meaning{Name: name})
	return &c
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Line: pe.Line, Err: pe.Err}
	}
	return &ParseError{File: name, Err: err}
}

// Meaning is what a file's `# column` line would say of c: its unit, direction and role.
func (c *Column) Meaning() Meaning { return meaningOf(c) }
