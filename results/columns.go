package results

import (
	"fmt"
	"math"
	"strconv"
)

// A Column is one CSV column: its name (a contract), its unit, what it means, what kind of
// value it is (which way it is better if it is a metric; whether it sets up a run), how a Row
// holds it, and where the row builder takes it from. Every column is declared once, with all
// of that: schema.go for the harness's own, the engines' declarations for theirs
// (enginecols.go), a file's own `# column` lines for one this build does not know.
type Column struct {
	Name string
	Unit string
	Doc  string
	// Better says which way the column is better if it is a metric; BetterNone otherwise.
	Better Better
	// Config is true for a column that sets up a run: rows compare only when all agree.
	Config bool
	// Engine is true for a column an engine declares: one of its options (a configuration
	// column, which rows of different engines share whatever it says) or one of its counters.
	Engine bool
	// Owner is the engine that declares the column, "" for the harness's own.
	Owner string
	// Signed is true for a numeric column that may hold a negative value.
	Signed  bool
	numeric bool
	get     func(*Row) string
	set     func(*Row, string) error
	// build fills the column's field of a row from what was measured (Build); nil for a
	// column that only a reader fills (an engine's counter, which Build copies by name).
	build func(r *Row, s *Setup, m *Measurement, l *Labels)
}

// Better says which way a metric column is better; columns that are not metrics (settings,
// descriptions, counts that only explain a run) have BetterNone and cannot be compared.
type Better string

const (
	BetterNone   Better = ""
	BetterHigher Better = "higher"
	BetterLower  Better = "lower"
)

// IsMetric reports whether the column can be compared between runs.
func (c *Column) IsMetric() bool { return c.Better != BetterNone }

// Numeric reports whether the column holds a number.
func (c *Column) Numeric() bool { return c.numeric }

// Get formats the column's value in r.
func (c *Column) Get(r *Row) string { return c.get(r) }

// Set parses s into the column's field of r.
func (c *Column) Set(r *Row, s string) error { return c.set(r, s) }

// Value returns the column's number in r, and false when r has none: a text column, or a figure
// that was not measured (empty in the file).
func (c *Column) Value(r *Row) (float64, bool) {
	s := c.get(r)
	if !c.numeric || s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// The meaning of a column, declared with it.
func (c Column) higher() Column { c.Better = BetterHigher; return c }
func (c Column) lower() Column  { c.Better = BetterLower; return c }
func (c Column) config() Column { c.Config = true; return c }
func (c Column) signed() Column { c.Signed = true; return c }

type value interface {
	~int | ~int64 | ~uint64 | ~float64 | ~string | ~bool
}

// field is a column kept in a field of Row; the builder leaves it to the functions below. A
// number that was not measured (Row.Unmeasured) is written empty, and an empty number read.
func field[T value](name, unit, doc string, f func(*Row) *T) Column {
	var zero T
	_, isString := any(zero).(string)
	_, isBool := any(zero).(bool)
	numeric := !isString && !isBool
	return Column{
		Name: name, Unit: unit, Doc: doc, numeric: numeric,
		get: func(r *Row) string {
			if numeric && r.Unmeasured[name] {
				return ""
			}
			return format(*f(r))
		},
		set: func(r *Row, s string) error {
			if numeric && s == "" {
				r.unmeasured(name)
				return nil
			}
			return parse(s, f(r))
		},
	}
}

// when makes a measured column's value known only when known(m) holds: otherwise the row
// leaves it unmeasured (empty), not 0: a duel arm has no residency, a run that never reached
// its measured phase no CPU, one that completed nothing no latency.
func (c Column) when(known func(m *Measurement) bool) Column {
	build := c.build
	c.build = func(r *Row, s *Setup, m *Measurement, l *Labels) {
		if known(m) {
			build(r, s, m, l)
		} else {
			r.unmeasured(c.Name)
		}
	}
	return c
}

// measured is a column the builder takes from the Measurement.
func measured[T value](name, unit, doc string, f func(*Row) *T, from func(m *Measurement) T) Column {
	c := field(name, unit, doc, f)
	c.build = func(r *Row, _ *Setup, m *Measurement, _ *Labels) { *f(r) = from(m) }
	return c
}

// setup is a column the builder takes from the run's Setup (its configuration).
func setup[T value](name, unit, doc string, f func(*Row) *T, from func(s *Setup) T) Column {
	c := field(name, unit, doc, f)
	c.build = func(r *Row, s *Setup, _ *Measurement, _ *Labels) { *f(r) = from(s) }
	return c
}

// label is a column the builder takes from the row's Labels (round, duel, machine).
func label[T value](name, unit, doc string, f func(*Row) *T, from func(l *Labels) T) Column {
	c := field(name, unit, doc, f)
	c.build = func(r *Row, _ *Setup, _ *Measurement, l *Labels) { *f(r) = from(l) }
	return c
}

// metricValue is a measured column with no field of its own: the row keeps it in Values by
// name, so that a new figure is this one declaration and nothing else.
func metricValue(name, unit, doc string, from func(m *Measurement) float64) Column {
	c := valueCol(name, unit, doc)
	c.build = func(r *Row, _ *Setup, m *Measurement, _ *Labels) { r.setValue(name, from(m)) }
	return c
}

// valueCol is a numeric column kept in Row.Values by name (an engine's counter, a measured
// figure without a field); an absent value (another engine's counter) is empty.
func valueCol(name, unit, doc string) Column {
	return Column{
		Name: name, Unit: unit, Doc: doc, numeric: true,
		get: func(r *Row) string {
			if v, ok := r.Values[name]; ok {
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
			return ""
		},
		set: func(r *Row, s string) error {
			if s == "" {
				return nil
			}
			var v float64
			if err := parse(s, &v); err != nil {
				return err
			}
			r.setValue(name, v)
			return nil
		},
	}
}

// settingCol is a column recording an engine option asked for, kept by name in Row.Settings;
// dflt is what an absent one reads as.
func settingCol(name, unit, doc, dflt string, numeric bool) Column {
	return Column{
		Name: name, Unit: unit, Doc: doc, numeric: numeric, Config: true, Engine: true, Signed: true,
		get: func(r *Row) string {
			if v, ok := r.Settings[name]; ok {
				return v
			}
			return dflt
		},
		set: func(r *Row, s string) error {
			if numeric {
				var f float64
				if err := parse(s, &f); err != nil {
					return err
				}
			}
			if s == dflt || s == "" {
				return nil
			}
			if r.Settings == nil {
				r.Settings = map[string]string{}
			}
			r.Settings[name] = s
			return nil
		},
		build: func(r *Row, s *Setup, _ *Measurement, _ *Labels) {
			if v, ok := s.Settings[name]; ok && v != dflt && v != "" {
				if r.Settings == nil {
					r.Settings = map[string]string{}
				}
				r.Settings[name] = v
			}
		},
	}
}

// extraCol is a column this build does not know, kept by name in Row.Extra as it was read,
// with the meaning its file declared (numeric when it declared one).
func extraCol(name string, m Meaning) Column {
	return Column{
		Name: name, Unit: m.Unit, Doc: m.Doc, Better: m.Better, Config: m.Config, Signed: true, numeric: m.Numeric,
		get: func(r *Row) string { return r.Extra[name] },
		set: func(r *Row, s string) error {
			if m.Numeric && s != "" {
				var f float64
				if err := parse(s, &f); err != nil {
					return err
				}
			}
			if r.Extra == nil {
				r.Extra = map[string]string{}
			}
			r.Extra[name] = s
			return nil
		},
	}
}

// devCol is a column of the device's counters: empty when the row has none (DevKnown false).
func devCol[T value](name, unit, doc string, f func(*Row) *T, from func(m *Measurement) T) Column {
	c := measured(name, unit, doc, f, from)
	get, set := c.get, c.set
	c.get = func(r *Row) string {
		if !r.DevKnown {
			return ""
		}
		return get(r)
	}
	c.set = func(r *Row, s string) error {
		if s == "" {
			return nil
		}
		r.DevKnown = true
		return set(r, s)
	}
	build := c.build
	c.build = func(r *Row, s *Setup, m *Measurement, l *Labels) {
		if m.Dev != nil {
			r.DevKnown = true
			build(r, s, m, l)
		}
	}
	return c
}

func format(v any) string {
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	panic(fmt.Sprintf("results: no format for %T", v))
}

func parse(s string, p any) error {
	var err error
	switch p := p.(type) {
	case *int:
		*p, err = strconv.Atoi(s)
	case *int64:
		*p, err = strconv.ParseInt(s, 10, 64)
	case *uint64:
		*p, err = strconv.ParseUint(s, 10, 64)
	case *float64:
		*p, err = strconv.ParseFloat(s, 64)
		if err == nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
			return fmt.Errorf("%q: not a finite number", s)
		}
	case *bool:
		*p, err = strconv.ParseBool(s)
	case *string:
		*p = s
	default:
		panic(fmt.Sprintf("results: no parse for %T", p))
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok {
			err = ne.Err
		}
		return fmt.Errorf("%q: %w", s, err)
	}
	return nil
}
