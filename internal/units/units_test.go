package units

import (
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"4096", 4096, true}, {"4k", 4096, true}, {"4K", 4096, true}, {"64KiB", 65536, true},
		{"64kb", 65536, true}, {"1M", 1 << 20, true}, {"1G", 1 << 30, true}, {"1.5M", 3 << 19, true},
		{"2t", 2 << 40, true}, {"0", 0, true},
		{"", 0, false}, {"k", 0, false}, {"4x", 0, false}, {"1.2.3k", 0, false}, {"-4k", 0, false},
		{"0.3", 0, false}, {"99999999999T", 0, false},
	} {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for in, want := range map[int64]string{4096: "4k", 1 << 20: "1M", 1536: "1536", 3 << 30: "3G", 512: "512"} {
		if got := FormatSize(in); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"500ms", 500 * time.Millisecond, true}, {"10s", 10 * time.Second, true}, {"2m", 2 * time.Minute, true},
		{"10", 10 * time.Second, true}, {"1.5", 1500 * time.Millisecond, true}, {"1h30m", 90 * time.Minute, true},
		{"", 0, false}, {"10x", 0, false}, {"s", 0, false},
	} {
		got, err := ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for in, want := range map[int64]string{0: "0 B", 512: "512 B", 4096: "4.0 KiB", 1 << 40: "1.0 TiB", 82570000000: "76.9 GiB", 300 << 20: "300 MiB"} {
		if got := HumanSize(in); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", in, got, want)
		}
	}
}
