package engines

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aiobench/aiobench/internal/units"
)

// An Option is a setting an engine declares, as fio's engines declare theirs: the command
// offers it as --<engine>-<name> (and under Alias, an older flag name kept as a contract), the
// suites pass it on by name, and results records the value asked for in Column. The engine
// reads its options from Config.Options in Check, Open and BlockingThreads, into its own types.
type Option struct {
	Name  string // e.g. "threads"
	Alias string // an older flag name that keeps working, e.g. "threads"; "" for none
	Kind  string // the value's form in --help, e.g. "int" or "duration|off"
	Help  string
	// Column is the CSV column that records the value asked for, with its unit and meaning.
	Column, ColumnUnit, ColumnDoc string
	// Parse validates a value as given and returns it in canonical form.
	Parse func(string) (string, error)
	// Record formats a canonical value ("" when unset) for Column.
	Record func(string) string
	// Bare is the value the flag takes when given without one ("on" for a switch such as
	// --uring-async); "" when the flag needs a value.
	Bare string
	// Sweep, when set, returns the values a suite that compares the engine's variants (aiolat,
	// large) runs one arm each for, unless the option was given: those that work here (retry's
	// notifiers). nil: suites leave the option at its default.
	Sweep func() []string
	// Variations, when set, are the values other than the default that the variations suite
	// compares with it, one arm each: an engine's design decisions (retry's --retry-progress
	// and --retry-wait, the RFC's questions). nil: the suite leaves the option alone.
	Variations []string
}

// An Optioned Engine declares its options.
type Optioned interface {
	Options() []Option
}

// IntAtLeast parses a whole number of at least min.
func IntAtLeast(min int) func(string) (string, error) {
	return func(s string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return "", fmt.Errorf("%q is not a whole number", s)
		}
		if n < min {
			return "", fmt.Errorf("%q must be at least %d", s, min)
		}
		return strconv.Itoa(n), nil
	}
}

// OneOf parses one of the values listed.
func OneOf(values ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		for _, v := range values {
			if s == v {
				return s, nil
			}
		}
		return "", fmt.Errorf("%q is not one of %s", s, strings.Join(values, ", "))
	}
}

// RecordInt records an integer option, 0 when unset.
func RecordInt(v string) string {
	if v == "" {
		return "0"
	}
	return v
}

// ParseDurationOff parses a duration of 0 or more, or "off" (0 is off too); example is shown
// in the error.
func ParseDurationOff(example string) func(string) (string, error) {
	return func(s string) (string, error) {
		if s == "off" {
			return "off", nil
		}
		d, err := units.ParseDuration(s)
		if err != nil || d < 0 {
			return "", fmt.Errorf("%q is not a duration of 0 or more, or off (e.g. %s)", s, example)
		}
		if d == 0 {
			return "off", nil
		}
		return d.String(), nil
	}
}

// ParseDuration parses a duration of 0 or more.
func ParseDuration(s string) (string, error) {
	d, err := units.ParseDuration(s)
	if err != nil || d < 0 {
		return "", fmt.Errorf("%q is not a duration of 0 or more (e.g. 50ns, 1us)", s)
	}
	return d.String(), nil
}

// Duration returns a canonical duration option's value: 0 when unset, -1 when off.
func Duration(v string) time.Duration {
	switch v {
	case "":
		return 0
	case "off":
		return -1
	}
	d, _ := time.ParseDuration(v)
	return d
}

// Int returns a canonical integer option's value, 0 when unset.
func Int(v string) int {
	n, _ := strconv.Atoi(v)
	return n
}

// ParseSwitch parses a switch: on, off, true, false, 1 or 0; canonical "on" or "off".
func ParseSwitch(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes":
		return "on", nil
	case "off", "false", "0", "no":
		return "off", nil
	}
	return "", fmt.Errorf("%q is not on or off", s)
}

// RecordSwitch records a switch as 1 or 0 (0 when unset).
func RecordSwitch(v string) string {
	if v == "on" {
		return "1"
	}
	return "0"
}
