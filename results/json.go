package results

import (
	"encoding/json"
	"io"
	"strconv"
)

// The results as one JSON document (--format json), for jq and dashboards: the columns with
// what they mean, and every row as an object of typed values (numbers as numbers, true/false,
// text as strings; a figure not measured is null). The command adds the suite's findings.

// A JSONColumn says what a column of the document's rows means.
type JSONColumn struct {
	Name   string `json:"name"`
	Unit   string `json:"unit,omitempty"`
	Better Better `json:"better,omitempty"`
	Config bool   `json:"config,omitempty"`
	Kind   string `json:"kind"` // "number", "bool" or "text"
	Doc    string `json:"doc,omitempty"`
}

// A JSONDoc is the document: what wrote it, its columns and rows, and the findings of a suite's
// checks (the caller's).
type JSONDoc struct {
	Aiobench string           `json:"aiobench"`
	Command  string           `json:"command,omitempty"`
	Machine  string           `json:"machine,omitempty"`
	Columns  []JSONColumn     `json:"columns"`
	Rows     []map[string]any `json:"rows"`
	Findings any              `json:"findings"`
}

// NewJSONDoc makes the document of rows: every column the rows have, and each row's values.
func NewJSONDoc(version string, rows []Row) *JSONDoc {
	doc := &JSONDoc{Aiobench: version, Rows: []map[string]any{}, Findings: []any{}}
	cols := Columns()
	all := make([]*Column, 0, len(cols))
	for i := range cols {
		all = append(all, &cols[i])
	}
	all = append(all, extraColumns(rows, cols)...)
	for _, c := range all {
		kind := "text"
		switch {
		case c.numeric:
			kind = "number"
		case c.Name == "complete":
			kind = "bool"
		}
		doc.Columns = append(doc.Columns, JSONColumn{Name: c.Name, Unit: c.Unit, Better: c.Better, Config: c.Config, Kind: kind, Doc: c.Doc})
	}
	for i := range rows {
		obj := make(map[string]any, len(all))
		for j, c := range all {
			v := c.Get(&rows[i])
			switch kind := doc.Columns[j].Kind; {
			case v == "" && kind != "text":
				obj[c.Name] = nil
			case kind == "number":
				if _, err := strconv.ParseFloat(v, 64); err == nil {
					obj[c.Name] = json.Number(v)
				} else {
					obj[c.Name] = v
				}
			case kind == "bool":
				obj[c.Name] = v == "true"
			default:
				obj[c.Name] = v
			}
		}
		doc.Rows = append(doc.Rows, obj)
	}
	return doc
}

// Write writes the document, indented.
func (d *JSONDoc) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
