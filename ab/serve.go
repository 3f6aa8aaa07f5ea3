// Package ab compares two builds of aiobench the way a CI job needs to: by randomized multiple
// interleaved trials (Abedi and Brecht, ICPE 2017), never by two runs back to back. Where a
// configuration can be measured in short blocks (one job, a warm or direct cache), the two
// binaries run side by side, each serving one Arm over a line protocol on its standard input
// and output, and the orchestrator passes them a token: exactly one runs a block at a time, each
// times only its own blocks, and the pairs are compared as a duel's are. Otherwise (cold runs
// that evict, several jobs, suites with a background load) whole trials alternate, in an order
// drawn from a seeded source, and each round's pair of runs is one paired sample. The command
// `aiobench ab` binds flags to Config and calls Run; `aiobench serve-arm` calls Serve.
package ab

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// Protocol is the version of the line protocol between `aiobench ab` and `aiobench serve-arm`;
// `aiobench version --json` reports it. Version 2 sends the arm's whole configuration
// (harness.Config as JSON, the `arm` command); version 1 gave it as run flags on the command
// line, which ab still does for a peer that speaks only 1. ab refuses a binary that speaks
// neither.
const Protocol = 2

// MinProtocol is the oldest protocol this ab still speaks (to an older build's serve-arm).
const MinProtocol = 1

// Serve runs one arm for an orchestrator on the data directory dir. With cfg nil it first reads
// the arm's configuration (protocol 2):
//
//	arm JSON     the harness.Config to run, whole; answer "ready"
//
// With cfg given (run flags, protocol 1) it says "ready" at once. Then it answers one line per
// command read from in, until "quit" or the end of in:
//
//	block N      run N requests; answer "ok REQUESTS NS CPU_NS"
//	measure      the measured blocks start; answer "ok"
//	mark         answer "ok P99_NS": lat p99 over the requests since the last mark
//	row PATH     write the arm's results row to PATH (a results file); answer "ok"
//	config       answer "ok JSON": the configuration the arm runs, as it runs it
//	quit         close the arm and return
//
// A command that fails is answered "err MESSAGE"; the arm stays usable unless the engine broke.
// write writes the row as a results file.
func Serve(in io.Reader, out io.Writer, cfg *harness.Config, dir string, write func(path string, r results.Row) error) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20) // an arm line carries a whole configuration
	if cfg == nil {
		c, err := readArm(sc)
		if err != nil {
			fmt.Fprintf(out, "err %s\n", oneLine(err.Error()))
			return err
		}
		cfg = c
	}
	arm, err := openArm(*cfg, dir)
	if err != nil {
		fmt.Fprintf(out, "err %s\n", oneLine(err.Error()))
		return err
	}
	defer arm.Close()
	fmt.Fprintln(out, "ready")
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		var reply string
		switch cmd {
		case "block":
			n, err := strconv.Atoi(arg)
			if err != nil || n < 1 {
				reply = "err block takes a positive number of requests"
				break
			}
			b, err := arm.RunBlock(n)
			if err != nil {
				fmt.Fprintf(out, "err %s\n", oneLine(err.Error()))
				return err
			}
			reply = fmt.Sprintf("ok %d %d %d", b.Requests, b.NS, b.CPU)
		case "measure":
			arm.Measure()
			reply = "ok"
		case "mark":
			v, _ := arm.Mark(99)
			reply = fmt.Sprintf("ok %d", v)
		case "row":
			if err := write(arg, arm.Row()); err != nil {
				reply = "err " + oneLine(err.Error())
			} else {
				reply = "ok"
			}
		case "config":
			b, err := json.Marshal(arm.Config())
			if err != nil {
				reply = "err " + oneLine(err.Error())
			} else {
				reply = "ok " + string(b)
			}
		case "quit":
			return nil
		default:
			reply = fmt.Sprintf("err unknown command %q", cmd)
		}
		if _, err := fmt.Fprintln(out, reply); err != nil {
			return err
		}
	}
	return sc.Err()
}

// readArm reads the `arm JSON` line that starts a protocol-2 session.
func readArm(sc *bufio.Scanner) (*harness.Config, error) {
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read the arm's configuration: %w", err)
		}
		return nil, fmt.Errorf("no arm configuration before the end of input")
	}
	cmd, arg, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
	if cmd != "arm" {
		return nil, fmt.Errorf("expected `arm JSON` first, got %q", cmd)
	}
	var c harness.Config
	if err := json.Unmarshal([]byte(arg), &c); err != nil {
		return nil, fmt.Errorf("arm: %w", err)
	}
	return &c, nil
}

// openArm lays out (or reuses) the data file in dir the arm reads and opens the arm on it.
func openArm(cfg harness.Config, dir string) (*harness.Arm, error) {
	ds, err := workloads.LayoutFile(dir, 0, cfg.Size)
	if err != nil {
		return nil, err
	}
	return harness.OpenArm(cfg, ds)
}

// ArmLine is the `arm` command that gives a protocol-2 peer its configuration.
func ArmLine(cfg *harness.Config) (string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", fmt.Errorf("encode the arm's configuration: %w", err)
	}
	return "arm " + string(b), nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
