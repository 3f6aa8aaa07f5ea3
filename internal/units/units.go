// Package units parses and formats the fio-style sizes and durations aiobench's flags take:
// sizes with binary suffixes (4k, 64KiB, 1M, 1G: k, KB and KiB all mean 1024, as in fio's
// default kb_base) and durations with unit suffixes (500ms, 10s, 2m; a bare number is seconds).
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var sizeSuffixes = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
}

// ParseSize parses a byte count such as 4096, 4k, 64KiB, 1.5M or 1G.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, suf := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult, ok := sizeSuffixes[suf]
	if num == "" || !ok {
		return 0, fmt.Errorf("invalid size %q (want a number with an optional suffix: 4096, 4k, 64KiB, 1M, 1G)", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q (want a number with an optional suffix: 4096, 4k, 64KiB, 1M, 1G)", s)
	}
	b := v * float64(mult)
	if b > math.MaxInt64/2 || b != math.Trunc(b) {
		return 0, fmt.Errorf("invalid size %q (not a whole number of bytes, or too large)", s)
	}
	return int64(b), nil
}

// FormatSize formats n with the largest binary suffix that divides it: 4k, 1M, 1536.
func FormatSize(n int64) string {
	for _, u := range []struct {
		s string
		v int64
	}{{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"k", 1 << 10}} {
		if n >= u.v && n%u.v == 0 {
			return strconv.FormatInt(n/u.v, 10) + u.s
		}
	}
	return strconv.FormatInt(n, 10)
}

// HumanSize formats an amount of bytes that need not be round as people read it: three
// significant figures and a binary unit (512 B, 4.0 KiB, 76.9 GiB, 1.0 TiB).
func HumanSize(n int64) string {
	v, unit := float64(n), "B"
	for _, u := range []string{"KiB", "MiB", "GiB", "TiB", "PiB"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	switch {
	case unit == "B":
		return strconv.FormatInt(n, 10) + " B"
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
}

// ParseDuration parses a duration such as 500ms, 10s, 2m, 1h30m or a bare number of seconds.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(t, 64); err == nil {
		if v > math.MaxInt64/float64(time.Second) {
			return 0, fmt.Errorf("invalid duration %q (too long)", s)
		}
		return time.Duration(v * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(t)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (want e.g. 500ms, 10s, 2m, or seconds)", s)
	}
	return d, nil
}
