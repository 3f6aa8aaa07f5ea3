package sysinfo

import (
	"strings"
	"testing"
)

func TestMachine(t *testing.T) {
	dir := t.TempDir()
	m := Machine(dir)
	if m.Kernel == "unknown" || m.FSType == "unknown" || m.Device == "unknown" || m.NCPU < 1 || !strings.HasPrefix(m.GoVersion, "go") {
		t.Errorf("fingerprint of %s: %+v", dir, m)
	}
	if s := String(m); !strings.Contains(s, "fs="+m.FSType) || !strings.Contains(s, "kernel="+m.Kernel) {
		t.Errorf("String: %s", s)
	}
	if fs, err := FSType("/proc"); err != nil || fs != "proc" {
		t.Errorf("FSType(/proc) = %q, %v", fs, err)
	}
	if !InMemory("tmpfs") || InMemory("ext4") {
		t.Error("InMemory")
	}
	if free, err := FreeBytes(dir); err != nil || free <= 0 {
		t.Errorf("FreeBytes = %d, %v", free, err)
	}
	if _, err := FSType("/nonexistent/dir"); err == nil {
		t.Error("FSType of a missing path did not fail")
	}
}

// A fingerprint read back from its comment line is the one written, a quoted CPU model with
// spaces and an escaped quote included.
func TestParse(t *testing.T) {
	m := Fingerprint{Kernel: "6.18.1", FSType: "ext4", Device: "/dev/vda", CPUModel: `AMD EPYC "Genoa" 9654`, NCPU: 2, GoVersion: "go1.26.8", Version: "devel"}
	got, ok := Parse(String(m))
	if !ok || got != m {
		t.Errorf("Parse(%q) = %+v, %v", String(m), got, ok)
	}
	if _, ok := Parse("kernel=6.18 fs"); ok {
		t.Error("a truncated line parsed")
	}
}
