package dirlock

import (
	"errors"
	"os"
	"os/exec"
	"testing"
)

// A second lock on a locked directory is refused, at once; released, it can be taken again.
// A child given the lock (Inherit) holds it for its own directory, and for no other.
func TestLock(t *testing.T) {
	if os.Getenv("DIRLOCK_CHILD") != "" {
		return // the child's part is TestChild
	}
	dir, other := t.TempDir(), t.TempDir()
	l, err := Take(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Take(dir); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Take: %v, want ErrBusy", err)
	}
	for d, want := range map[string]string{dir: "held", other: "busy-free"} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestChild$")
		cmd.Env = append(os.Environ(), "DIRLOCK_CHILD="+d)
		l.Inherit(cmd)
		out, err := cmd.CombinedOutput()
		if err != nil || string(out[:len(want)]) != want {
			t.Errorf("child on %s: %v %q, want %q", d, err, out, want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Take(dir)
	if err != nil {
		t.Fatalf("Take after Release: %v", err)
	}
	again.Release()
}

// TestChild is the child of TestLock: it says whether it holds the lock of its directory.
func TestChild(t *testing.T) {
	d := os.Getenv("DIRLOCK_CHILD")
	if d == "" {
		t.Skip("run by TestLock")
	}
	l, err := Take(d)
	switch {
	case err == nil && l.inherited:
		os.Stdout.WriteString("held\n")
	case err == nil:
		os.Stdout.WriteString("busy-free\n") // its own lock on a directory nobody holds
		l.Release()
	default:
		os.Stdout.WriteString(err.Error() + "\n")
	}
}
