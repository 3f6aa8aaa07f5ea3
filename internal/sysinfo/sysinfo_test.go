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
