package diskstats

import (
	"errors"
	"os"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	line := "    8279     3445   586570     1686      570     4224   264288      650        0      820     2484     3172       47    46272      147        9        0\n"
	s, err := parse(line, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := Stat{Reads: 8279, ReadSectors: 586570, IOTicks: 820 * time.Millisecond, QueueTime: 2484 * time.Millisecond}
	if s != want {
		t.Errorf("parse = %+v, want %+v", s, want)
	}
	for _, bad := range []string{"", "1 2 3", "1 2 3 4 5 6 7 8 9 x 11"} {
		if _, err := parse(bad, time.Time{}); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
	if d := want.Sub(Stat{Reads: 279, ReadSectors: 570, IOTicks: 20 * time.Millisecond}); d.Reads != 8000 || d.ReadSectors != 586000 || d.IOTicks != 800*time.Millisecond {
		t.Errorf("Sub = %+v", d)
	}
}

// The test directory's device resolves to a whole disk whose counters move when a file on it
// is read past the page cache; a tmpfs has no device.
func TestResolveReal(t *testing.T) {
	dir := t.TempDir()
	d, err := Resolve(dir)
	if errors.Is(err, ErrNoDevice) {
		t.Skipf("the test directory has no block device: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/sys/block/" + d.Name); err != nil {
		t.Errorf("resolved to %q, not a whole block device: %v", d.Name, err)
	}
	if _, err := Resolve("/dev/shm"); err == nil || !errors.Is(err, ErrNoDevice) {
		if fi, serr := os.Stat("/dev/shm"); serr == nil && fi.IsDir() {
			t.Errorf("/dev/shm (tmpfs) resolved: %v", err)
		}
	}
}
