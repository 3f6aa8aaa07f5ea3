package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/workloads"
)

// Flag values. Each validates in Set, so pflag reports a bad value with the flag's name.

// sizeValue is a byte count with fio-style suffixes; min is the smallest accepted value.
type sizeValue struct {
	v   *int64
	min int64
}

func (s sizeValue) String() string { return units.FormatSize(*s.v) }
func (s sizeValue) Type() string   { return "size" }
func (s sizeValue) Set(v string) error {
	n, err := units.ParseSize(v)
	if err != nil {
		return err
	}
	if n < s.min {
		return fmt.Errorf("%q must be at least %s", v, units.FormatSize(s.min))
	}
	*s.v = n
	return nil
}

// intValue is an integer of at least min.
type intValue struct {
	v   *int
	min int
}

func (i intValue) String() string { return fmt.Sprint(*i.v) }
func (i intValue) Type() string   { return "int" }
func (i intValue) Set(v string) error {
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != strings.TrimSpace(v) {
		return fmt.Errorf("%q is not a whole number", v)
	}
	if n < i.min {
		return fmt.Errorf("%q must be at least %d", v, i.min)
	}
	*i.v = n
	return nil
}

// durationValue is a positive duration: 500ms, 10s, 2m, or seconds.
type durationValue struct {
	v        *time.Duration
	zeroOK   bool
	explicit *bool
}

func (d durationValue) String() string { return d.v.String() }
func (d durationValue) Type() string   { return "duration" }
func (d durationValue) Set(v string) error {
	t, err := units.ParseDuration(v)
	if err != nil {
		return err
	}
	if t < 0 || t == 0 && !d.zeroOK {
		return fmt.Errorf("%q must be positive (e.g. 500ms, 10s, 2m)", v)
	}
	*d.v = t
	if d.explicit != nil {
		*d.explicit = true
	}
	return nil
}

// enumValue is one of a fixed set of words.
type enumValue struct {
	v       *string
	allowed []string
}

func (e enumValue) String() string { return *e.v }
func (e enumValue) Type() string   { return strings.Join(e.allowed, "|") }
func (e enumValue) Set(v string) error {
	for _, a := range e.allowed {
		if v == a {
			*e.v = v
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(e.allowed, ", "))
}

// orderValue is a --random spec, parsed by the workloads package.
type orderValue struct{ v *string }

func (o orderValue) String() string { return *o.v }
func (o orderValue) Type() string   { return "spec" }
func (o orderValue) Set(v string) error {
	if _, err := workloads.ParseOrder(v); err != nil {
		return err
	}
	*o.v = v
	return nil
}

// rateList is --rate: one rate of reads per second, or a comma-separated list of them.
type rateList struct{ v *[]float64 }

func (r rateList) String() string {
	var b []string
	for _, x := range *r.v {
		b = append(b, strconv.FormatFloat(x, 'g', -1, 64))
	}
	return strings.Join(b, ",")
}
func (r rateList) Type() string { return "rate" }
func (r rateList) Set(v string) error {
	var out []float64
	for _, s := range strings.Split(v, ",") {
		x, err := harness.ParseRate(s)
		if err != nil {
			return err
		}
		out = append(out, x)
	}
	*r.v = out
	return nil
}
