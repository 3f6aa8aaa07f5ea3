package results

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
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

// Write writes comments as `# ` lines, the header and the rows in CSV.
func Write(w io.Writer, comments []string, rows []Row) error {
	bw := bufio.NewWriter(w)
	for _, c := range comments {
		for _, line := range strings.Split(c, "\n") {
			if _, err := fmt.Fprintf(bw, "# %s\n", line); err != nil {
				return err
			}
		}
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(Header()); err != nil {
		return err
	}
	rec := make([]string, len(Schema))
	for i := range rows {
		for j := range Schema {
			rec[j] = Schema[j].Get(&rows[i])
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
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "#") {
			f.Comments = append(f.Comments, strings.TrimPrefix(strings.TrimPrefix(line, "#"), " "))
		}
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
		if c, ok := ColumnByName(h); ok {
			cols[i] = c
		}
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
			if c == nil {
				continue
			}
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

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Line: pe.Line, Err: pe.Err}
	}
	return &ParseError{File: name, Err: err}
}
