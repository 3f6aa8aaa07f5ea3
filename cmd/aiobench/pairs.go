package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/aiobench/aiobench/harness"
	"github.com/aiobench/aiobench/internal/atomicfile"
	"github.com/aiobench/aiobench/suites"
)

// pairsHeader starts a --pairs file: every pair of blocks of every duel, in time order.
const pairsHeader = "duel,pair,first,base_requests,base_ns,base_cpu_ns,cand_requests,cand_ns,cand_cpu_ns"

// writePairs writes the duels' pairs to path, atomically (a temporary file renamed over it).
func writePairs(path string, comments []string, spec *suites.Spec, out *suites.Outcome) error {
	var buf bytes.Buffer
	for _, c := range comments {
		fmt.Fprintf(&buf, "# %s\n", c)
	}
	buf.WriteString(pairsHeader + "\n")
	for _, d := range spec.Duels {
		var pairs []harness.Pair
		if res := out.Duels[d.Label]; res != nil {
			pairs = res.Pairs
		}
		if rd := out.Remote[d.Label]; rd != nil {
			pairs = rd.Pairs
		}
		for i, p := range pairs {
			first := "base"
			if p.BFirst {
				first = "cand"
			}
			a, b := p.Blocks[0], p.Blocks[1]
			fmt.Fprintf(&buf, "%q,%d,%s,%d,%d,%d,%d,%d,%d\n", d.Label, i+1, first, a.Requests, a.NS, a.CPU, b.Requests, b.NS, b.CPU)
		}
	}
	return writeAtomic(path, buf.Bytes())
}

// writeAtomic writes data to path whole or not at all (internal/atomicfile).
func writeAtomic(path string, data []byte) error {
	return atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// looksLikePairs reports whether path is a --pairs file (its comments, then the header).
func looksLikePairs(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	return bytes.Contains(head[:n], []byte("\n"+pairsHeader+"\n")) || bytes.HasPrefix(head[:n], []byte(pairsHeader+"\n"))
}
