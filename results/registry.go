package results

import (
	"sync"

	"github.com/aiobench/aiobench/engines"
)

// The schema is an open set: the harness's own columns (schema.go), every registered engine's
// counters and options (from their declarations, with no step anyone must remember), and the
// columns files declared that this build did not know (Declare). Columns returns them in the
// order files are written in: firstOrder's names (order.go) where they exist, then the rest as
// declared.

var reg struct {
	sync.Mutex
	engines  int      // the engine registry's generation when cols was made
	declared []Column // columns files declared that nothing else does
	cols     []Column
	config   []*Column
	byName   map[string]*Column
}

// Columns returns every column in the order files are written in. The slice is shared: do not
// modify it.
func Columns() []Column {
	reg.Lock()
	defer reg.Unlock()
	return columnsLocked()
}

func columnsLocked() []Column {
	if n := engines.Generation(); reg.cols == nil || n != reg.engines {
		reg.engines = n
		rebuildLocked()
	}
	return reg.cols
}

// rebuildLocked makes the schema anew from its three sources.
func rebuildLocked() {
	all := append(append(append([]Column(nil), static...), engineColumns()...), reg.declared...)
	by := map[string]int{}
	var uniq []Column
	for _, c := range all {
		if _, dup := by[c.Name]; !dup {
			by[c.Name] = len(uniq)
			uniq = append(uniq, c)
		}
	}
	cols := make([]Column, 0, len(uniq))
	placed := map[string]bool{}
	for _, n := range firstOrder {
		if i, ok := by[n]; ok {
			cols, placed[n] = append(cols, uniq[i]), true
		}
	}
	for _, c := range uniq {
		if !placed[c.Name] {
			cols = append(cols, c)
		}
	}
	reg.cols, reg.config, reg.byName = cols, nil, make(map[string]*Column, len(cols))
	for i := range cols {
		reg.byName[cols[i].Name] = &cols[i]
		if cols[i].Config {
			reg.config = append(reg.config, &cols[i])
		}
	}
}

// engineColumns are the columns of the registered engines' counters and options, as each
// engine declares them.
func engineColumns() []Column {
	var cs []Column
	for _, name := range engines.Names() {
		e, _ := engines.Lookup(name)
		if c, ok := e.(engines.Counted); ok {
			for _, k := range c.Counters() {
				col := valueCol(k.Name, k.Unit, k.Doc)
				col.Better, col.Engine, col.Owner = Better(k.Better), true, name
				cs = append(cs, col)
			}
		}
		if o, ok := e.(engines.Optioned); ok {
			for _, opt := range o.Options() {
				dflt := opt.Record("")
				col := settingCol(opt.Column, opt.ColumnUnit, opt.ColumnDoc, dflt, dflt == "0")
				col.Owner = name
				cs = append(cs, col)
			}
		}
	}
	return cs
}

// ColumnByName returns the column of that name.
func ColumnByName(name string) (*Column, bool) {
	reg.Lock()
	defer reg.Unlock()
	columnsLocked()
	c, ok := reg.byName[name]
	return c, ok
}

// ConfigColumns returns the columns that set up a run, in the order files are written in.
func ConfigColumns() []*Column {
	reg.Lock()
	defer reg.Unlock()
	columnsLocked()
	return reg.config
}

// Header returns the column names in the order files are written in.
func Header() []string {
	cols := Columns()
	h := make([]string, len(cols))
	for i, c := range cols {
		h[i] = c.Name
	}
	return h
}

// declare adds a column a file declared that no other source has; it reports false when one
// of that name exists already with another meaning.
func declare(m Meaning) bool {
	reg.Lock()
	defer reg.Unlock()
	columnsLocked()
	if c, ok := reg.byName[m.Name]; ok {
		return c.Better == m.Better && c.Config == m.Config
	}
	reg.declared = append(reg.declared, extraCol(m.Name, m))
	rebuildLocked()
	return true
}

// firstSchema reports whether the column is one of the first header's, whose meaning every
// release knows; the others' meanings are written into the files (csv.go).
func firstSchema(name string) bool {
	for _, n := range firstOrder {
		if n == name {
			return true
		}
	}
	return false
}
