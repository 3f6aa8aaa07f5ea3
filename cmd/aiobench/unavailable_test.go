package main

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Under a seccomp filter that refuses io_uring_setup and io_setup with EPERM (as many
// containers' default profiles do), `aiobench engines` says why uring, libaio and retry's
// uring notifier do not work, and a suite over every engine skips them with that line.
func TestSeccompRefusalIsExplained(t *testing.T) {
	if testing.Short() {
		t.Skip("builds aiobench")
	}
	bin := aiobenchBinary(t)
	run := func(args ...string) (string, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSeccompExecHelper$")
		cmd.Env = append(os.Environ(), "AIOBENCH_SECCOMP_EXEC="+strings.Join(append([]string{bin}, args...), "\x1f"))
		var out, errs strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errs
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errs.String())
		}
		return out.String(), errs.String()
	}
	out, _ := run("engines")
	for _, want := range []string{
		"uring", "unavailable: io_uring_setup refused with EPERM by a seccomp filter",
		"libaio", "unavailable: io_setup refused with EPERM",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("aiobench engines under seccomp does not say %q:\n%s", want, out)
		}
	}
	dir := t.TempDir()
	_, errs := run("--engine", "all", "--size", "4M", "--runtime", "50ms", "--dir", dir)
	for _, want := range []string{"skipping engine libaio: io_setup refused with EPERM", "skipping engine uring: io_uring_setup refused with EPERM"} {
		if !strings.Contains(errs, want) {
			t.Errorf("--engine all under seccomp does not say %q:\n%s", want, errs)
		}
	}
}

// TestSeccompExecHelper is the child of the test above: it installs the filter on every thread
// and executes the command named in AIOBENCH_SECCOMP_EXEC. It does nothing otherwise.
func TestSeccompExecHelper(t *testing.T) {
	spec := os.Getenv("AIOBENCH_SECCOMP_EXEC")
	if spec == "" {
		t.Skip("a helper process, run by TestSeccompRefusalIsExplained")
	}
	argv := strings.Split(spec, "\x1f")
	const retErrno, retAllow = 0x00050000, 0x7fff0000
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_IO_URING_SETUP, Jt: 2},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: unix.SYS_IO_SETUP, Jt: 1},
		{Code: unix.BPF_RET | unix.BPF_K, K: retAllow},
		{Code: unix.BPF_RET | unix.BPF_K, K: retErrno | uint32(unix.EPERM)},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		t.Fatal(err)
	}
	const setModeFilter, flagTsync = 1, 1
	if _, _, errno := unix.Syscall(unix.SYS_SECCOMP, setModeFilter, flagTsync, uintptr(unsafe.Pointer(&fprog))); errno != 0 {
		t.Fatalf("seccomp: %v", errno)
	}
	t.Fatal(syscall.Exec(argv[0], argv, os.Environ()))
}
