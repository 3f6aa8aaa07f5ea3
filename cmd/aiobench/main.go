// Command aiobench compares synchronous and asynchronous file-read engines on real disks. It is
// a thin layer over the library packages: it binds flags into a suites.Spec, runs it, prints a
// table and writes CSV. See README.md for the flags, the CSV schema and the exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/aiobench/aiobench/engines"
	"github.com/aiobench/aiobench/internal/units"
	"github.com/aiobench/aiobench/suites"
	"github.com/aiobench/aiobench/workloads"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	// The engines aiobench ships; each registers itself.
	_ "github.com/aiobench/aiobench/engines/all"
)

// Exit codes: 0 success, 1 a run failed (read or verification errors, an engine failure, an
// interruption), 2 bad usage (nothing was run, written or deleted).
const (
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	os.Exit(finish(run(os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// finish prints err as one line on stderr and returns the exit code for it.
func finish(err error, stderr io.Writer) int {
	if err != nil && !errors.Is(err, errHelp) {
		fmt.Fprintf(stderr, "aiobench: %s\n", oneLine(err.Error()))
	}
	return exitCode(err)
}

// usageError is bad input: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// errHelp is returned after --help was printed: exit 0.
var errHelp = errors.New("help requested")

func exitCode(err error) int {
	var ue usageError
	var ee exitError
	switch {
	case err == nil || errors.Is(err, errHelp):
		return 0
	case errors.As(err, &ue):
		return exitUsage
	case errors.As(err, &ee):
		return ee.code
	}
	return exitFailure
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// run is the command's body; tests call it directly.
func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "engines":
			return listEngines(args[1:], stdout)
		case "workloads":
			return listWorkloads(args[1:], stdout)
		case "suites":
			return listSuites(args[1:], stdout)
		case "gate":
			return gate(args[1:], stdout, stderr)
		case "compare":
			return compareCmd(args[1:], stdout, stderr)
		case "version":
			return version(args[1:], stdout)
		case "serve-arm":
			return serveArm(args[1:], os.Stdin, stdout, stderr)
		case "help":
			return helpCmd(args[1:], stdout, stderr)
		}
	}
	ctx, stop := onSignal()
	defer stop()
	var err error
	switch {
	case len(args) > 0 && args[0] == "ab":
		err = abCmd(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "calibrate":
		err = calibrate(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "history":
		err = historyCmd(ctx, args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "report":
		err = reportCmd(ctx, args[1:], stdout)
	default:
		err = benchContext(ctx, args, stdout, stderr)
	}
	var sig interrupted
	if errors.As(context.Cause(ctx), &sig) {
		// The rows so far are written (complete=false); the exit says which signal.
		n := sig.Signal.(syscall.Signal)
		msg := "interrupted (" + unix.SignalName(n) + ")"
		if err != nil { // what stopped, without the cancellation's own words
			msg += ": " + strings.ReplaceAll(err.Error(), ": "+context.Canceled.Error(), "")
		}
		return exitError{128 + int(n), errors.New(msg)}
	}
	return err
}

// interrupted is the cause of a context cancelled by a signal.
type interrupted struct{ os.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.Signal.String() }

// onSignal returns a context cancelled by the first SIGINT or SIGTERM. The first signal stops
// the work at its next check (runs end within a second, their rows marked incomplete); after it
// the signals have their default effect again, so a second one ends the process at once.
func onSignal() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			cancel(interrupted{s})
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(sigs)
		cancel(nil)
	}
}

func bench(args []string, stdout, stderr io.Writer) error {
	return benchContext(context.Background(), args, stdout, stderr)
}

// subcommands are what `aiobench help` names, and its usage line for each.
var subcommands = []string{"engines", "workloads", "suites", "gate", "compare", "ab", "calibrate", "history", "report", "version"}

// helpCmd: aiobench help [SUBCOMMAND] prints the command's help, or the subcommand's.
func helpCmd(args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) == 0:
		return bench([]string{"--help"}, stdout, stderr)
	case len(args) > 1 || !slices.Contains(subcommands, args[0]):
		return usagef("help: name one subcommand (%s), or none for the run flags", strings.Join(subcommands, ", "))
	}
	return run([]string{args[0], "--help"}, stdout, stderr)
}

// isHelp reports whether args ask a subcommand that takes no arguments for its help.
func isHelp(args []string) bool {
	return len(args) == 1 && (args[0] == "--help" || args[0] == "-h")
}

func listEngines(args []string, w io.Writer) error {
	if isHelp(args) {
		fmt.Fprintln(w, "Usage: aiobench engines\n\nLists every engine, what it models, whether it works here (and why not), and its\noptions (--<engine>-<option>).")
		return errHelp
	}
	if len(args) > 0 {
		return usagef("engines takes no arguments, got %q", args[0])
	}
	for _, name := range engines.Names() {
		e, _ := engines.Lookup(name)
		status := "available"
		if err := engines.Available(e); err != nil {
			status = "unavailable: " + err.Error()
		}
		fmt.Fprintf(w, "%-12s %s\n%-12s %s\n", name, engines.Description(e), "", status)
		if o, ok := e.(engines.Optioned); ok {
			for _, opt := range o.Options() {
				flag := "--" + name + "-" + opt.Name
				if opt.Alias != "" && opt.Alias != name+"-"+opt.Name {
					flag += " (or --" + opt.Alias + ")"
				}
				fmt.Fprintf(w, "%-12s %s %s: %s\n", "", flag, opt.Kind, opt.Help)
			}
		}
	}
	return nil
}

func listSuites(args []string, w io.Writer) error {
	if isHelp(args) {
		fmt.Fprintln(w, "Usage: aiobench suites\n\nLists the named suites (--suite NAME) and what each measures.")
		return errHelp
	}
	return listDocs("suites", args, w, suites.Names(), func(n string) string {
		s, _ := suites.Lookup(n)
		return s.Doc
	})
}

func listWorkloads(args []string, w io.Writer) error {
	if isHelp(args) {
		fmt.Fprintln(w, "Usage: aiobench workloads\n       aiobench workloads --random SPEC --cache-size SIZE [--size S] [--bs B]\n\n"+
			"Lists the workloads (--workload NAME) and randread's orders (--random SPEC).\n"+
			"With --random and --cache-size: the hit ratio a cache of that size would give\n"+
			"the order over a file of --size (default 1G) in blocks of --bs (default 4k):\n"+
			"ideal (holding the hottest blocks) and LRU (Che's approximation).")
		return errHelp
	}
	if len(args) > 0 {
		return cacheModel(args, w)
	}
	err := listDocs("workloads", args, w, workloads.Names(), func(n string) string {
		wl, _ := workloads.Lookup(n)
		return wl.Doc
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nrandread's orders (--random SPEC):")
	for _, d := range workloads.OrderDocs() {
		form, doc, _ := strings.Cut(d, ": ")
		fmt.Fprintf(w, "  %-14s %s\n", form, doc)
	}
	return nil
}

// listDocs prints one line per name with its description, for a subcommand that takes no
// arguments.
func listDocs(cmd string, args []string, w io.Writer, names []string, doc func(string) string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd, args[0])
	}
	for _, name := range names {
		fmt.Fprintf(w, "%-10s %s\n", name, doc(name))
	}
	return nil
}

// cacheModel is `aiobench workloads --random SPEC --cache-size SIZE`: what a cache of that size
// makes of the order (workloads.Order.HitRatios).
func cacheModel(args []string, w io.Writer) error {
	fs := pflag.NewFlagSet("workloads", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	spec := fs.String("random", "", "randread's order")
	cache := fs.String("cache-size", "", "the cache's size")
	size := fs.String("size", "1G", "the file's size")
	bs := fs.String("bs", "4k", "the block size")
	if err := fs.Parse(args); err != nil {
		return usagef("workloads: %v (accepted: --random SPEC --cache-size SIZE [--size SIZE] [--bs BS])", err)
	}
	if *spec == "" || *cache == "" {
		return usagef("workloads: --random and --cache-size go together (e.g. aiobench workloads --random zipf:0.99 --cache-size 256M)")
	}
	o, err := workloads.ParseOrder(*spec)
	if err != nil {
		return usagef("workloads: --random %v", err)
	}
	var n [3]int64
	for i, v := range []struct{ name, s string }{{"--cache-size", *cache}, {"--size", *size}, {"--bs", *bs}} {
		if n[i], err = units.ParseSize(v.s); err != nil || n[i] <= 0 {
			return usagef("workloads: %s %q is not a size above 0 (e.g. 256M, 1G, 4k)", v.name, v.s)
		}
	}
	blocks, cached := n[1]/n[2], n[0]/n[2]
	if blocks < 1 {
		return usagef("workloads: --size %s holds no block of --bs %s", *size, *bs)
	}
	ideal, lru, err := o.HitRatios(blocks, cached)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s over %s (%d blocks of %s), a cache of %s (%d blocks):\n", *spec, *size, blocks, *bs, *cache, min(cached, blocks))
	fmt.Fprintf(w, "  ideal (the hottest blocks cached): %.1f%% hits\n", 100*ideal)
	fmt.Fprintf(w, "  LRU (Che's approximation):         %.1f%% hits\n", 100*lru)
	return nil
}
