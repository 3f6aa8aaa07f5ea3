package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	flag "github.com/spf13/pflag"
	"golang.org/x/sys/unix"
)

// Help text: every subcommand's flags laid out as pflag lays them out, but a boolean shown as
// --name alone (pflag 1.1 writes --name[=true|false]), each line wrapped to the terminal's
// width, or to 80 columns off a terminal.

// helpWidth is the width help is wrapped to on w.
func helpWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ); err == nil && ws.Col >= 40 {
			return int(ws.Col)
		}
	}
	return 80
}

// usages formats fs's flags in the order they were added, wrapped for w.
func usages(fs *flag.FlagSet, w io.Writer) string {
	type entry struct{ head, usage string }
	var es []entry
	widest := 0
	fs.VisitAll(func(f *flag.Flag) {
		if f.Hidden {
			return
		}
		head := "      --" + f.Name
		if f.Shorthand != "" {
			head = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := flag.UnquoteUsage(f)
		if f.Value.Type() != "bool" {
			if varname != "" {
				head += " " + varname
			}
			if f.NoOptDefVal != "" {
				head += "[=" + f.NoOptDefVal + "]"
			}
		}
		if !zeroDefault(f) {
			if f.Value.Type() == "string" {
				usage += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				usage += " (default " + f.DefValue + ")"
			}
		}
		es = append(es, entry{head, usage})
		widest = max(widest, len(head))
	})
	cols := helpWidth(w)
	indent := min(widest+3, 32) // a longer head has its text start on the next line
	var b strings.Builder
	for _, e := range es {
		if len(e.head)+2 > indent {
			b.WriteString(e.head + "\n" + strings.Repeat(" ", indent))
		} else {
			b.WriteString(e.head + strings.Repeat(" ", indent-len(e.head)))
		}
		b.WriteString(wrap(e.usage, indent, cols) + "\n")
	}
	return b.String()
}

// printUsage prints a subcommand's help: its usage line, what it does (wrapped for w) and its
// flags.
func printUsage(w io.Writer, usage, what string, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n%s", usage, wrap(what, 0, helpWidth(w)), usages(fs, w))
}

// zeroDefault reports whether a flag's default says nothing worth printing.
func zeroDefault(f *flag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]", "0s", "<nil>":
		return true
	}
	return false
}

// wrap breaks text into lines of at most cols columns, the lines after the first indented.
func wrap(text string, indent, cols int) string {
	room := max(cols-indent, 20)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) > room:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	lines = append(lines, line)
	return strings.Join(lines, "\n"+strings.Repeat(" ", indent))
}

// listFlag is a comma-separated list of names that a repeated flag adds to: the first
// --engine replaces the default, every further one adds (--engine sync --engine retry is
// --engine sync,retry).
type listFlag struct {
	v   *[]string
	set bool
}

func newList(v *[]string) *listFlag { return &listFlag{v: v} }

func (l *listFlag) String() string { return strings.Join(*l.v, ",") }
func (l *listFlag) Type() string   { return "list" }
func (l *listFlag) Set(v string) error {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			return fmt.Errorf("%q has an empty item (separate names with single commas, e.g. sync,retry)", v)
		}
		out = append(out, s)
	}
	if l.set {
		out = append(*l.v, out...)
	}
	*l.v, l.set = out, true
	return nil
}

// A valueTaker is a flag value that can tell whether it would take a word as its value.
type valueTaker interface{ takes(string) bool }

// joinSwitchValues rewrites "--uring-async on" as "--uring-async=on": a flag that may be given
// bare (NoOptDefVal) takes the next word as its value when that word is one it accepts, as its
// help ("on|off") says; pflag alone would take it for a stray argument.
func joinSwitchValues(fs *flag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		out = append(out, a)
		name, ok := strings.CutPrefix(a, "--")
		if !ok || strings.Contains(name, "=") || i+1 == len(args) {
			continue
		}
		f := fs.Lookup(name)
		if f == nil || f.NoOptDefVal == "" {
			continue
		}
		if t, ok := f.Value.(valueTaker); ok && t.takes(args[i+1]) {
			out[len(out)-1] = a + "=" + args[i+1]
			i++
		}
	}
	return out
}

// parseRun parses run flags: switches given a separate value first joined to it.
func parseRun(fs *flag.FlagSet, args []string) error { return fs.Parse(joinSwitchValues(fs, args)) }
