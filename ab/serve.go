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
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/results"
	"github.com/aiobench/aiobench/workloads"
)

// Protocol is the version of the line protocol between `aiobench ab` and `aiobench serve-arm`;
// `aiobench version --json` reports it, and ab refuses a binary that speaks another.
const Protocol = 1

// Serve runs one arm for an orchestrator: it opens cfg over ds, says "ready", then answers one
// line per command read from in, until "quit" or the end of in:
//
//	block N      run N requests; answer "ok REQUESTS NS CPU_NS"
//	measure      the measured blocks start; answer "ok"
//	mark         answer "ok P99_NS": lat p99 over the requests since the last mark
//	row PATH     write the arm's results row to PATH (a results file); answer "ok"
//	quit         close the arm and return
//
// A command that fails is answered "err MESSAGE"; the arm stays usable unless the engine broke.
// write receives the row with the machine fingerprint filled in by the caller.
func Serve(in io.Reader, out io.Writer, cfg harness.Config, ds *workloads.Dataset, write func(path string, r results.Row) error) error {
	arm, err := harness.OpenArm(cfg, ds)
	if err != nil {
		fmt.Fprintf(out, "err %s\n", oneLine(err.Error()))
		return err
	}
	defer arm.Close()
	fmt.Fprintln(out, "ready")
	sc := bufio.NewScanner(in)
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

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
