#!/usr/bin/env python3
"""Interleaved rounds of aiobench commands and fio's io_uring engine on the same cold file.

Each round runs every command once, in an order rotated per round, with the file evicted before
each; it prints each round's IOPS and the ratios to fio, then medians. Used for the retry
engine's io_uring target (issue 3) where one pair of runs is at the mercy of this VM's noise.

  scripts/interleave.py ROUNDS RUNTIME_S 'aiobench --engine retry' [more commands...] fio

A command is an aiobench command line (the binary first); the script adds --iodepth 16 --cache
cold --runtime --size 1G --dir $DIR --output. "fio" is fio --ioengine=io_uring --iodepth=16
--bs=4k --rw=randread, buffered, on the same file. DIR defaults to /var/tmp/aiobench-targets.
"""
import csv
import os
import statistics
import subprocess
import sys
import tempfile

rounds, runtime = int(sys.argv[1]), sys.argv[2]
cmds = sys.argv[3:]
bench = [c for c in cmds if c != "fio"]
if not bench:
    sys.exit("interleave.py: give at least one aiobench command (its binary evicts the file)")
binary = bench[0].split()[0]
d = os.environ.get("DIR", "/var/tmp/aiobench-targets")
out = os.path.join(tempfile.mkdtemp(), "run.csv")
common = ["--size", "1G", "--dir", d]


def evict():
    subprocess.run([binary, "--engine", "null", "--cache", "cold", "--ops", "1", *common, "--output", out],
                   check=True, capture_output=True)


def run(c):
    if c == "fio":
        evict()
        p = subprocess.run(["fio", "--name=uring", f"--filename={d}/aiobench-data-0.bin", "--readonly",
                            "--ioengine=io_uring", "--rw=randread", "--bs=4k", "--iodepth=16", "--size=1G",
                            f"--runtime={runtime}", "--time_based", "--invalidate=0",
                            "--output-format=terse"], check=True, capture_output=True, text=True)
        return float(p.stdout.split(";")[7]), 0.0
    p = subprocess.run(c.split() + ["--iodepth", "16", "--cache", "cold", "--runtime", runtime + "s", *common,
                                    "--output", out], capture_output=True, text=True)
    if p.returncode:
        sys.exit(p.stderr)
    row = next(csv.DictReader(l for l in open(out) if not l.startswith("#")))
    return float(row["iops"]), float(row["cpu_us_per_op"])


evict()  # lays the file out on first use
res = {c: [] for c in cmds}
for i in range(rounds):
    got = {}
    for c in cmds[i % len(cmds):] + cmds[:i % len(cmds)]:
        got[c] = run(c)
        res[c].append(got[c])
    line = "  ".join(f"{got[c][0]:7.0f}" for c in cmds)
    if "fio" in cmds:
        line += "   ratios to fio " + " ".join(f"{got[c][0] / got['fio'][0]:.2f}" for c in bench)
    print(f"round {i + 1}: {line}", flush=True)
for c in cmds:
    iops = [r[0] for r in res[c]]
    line = f"{c[-50:]:50s} median IOPS {statistics.median(iops):8.0f}"
    if c != "fio":
        line += f"  CPU µs/op {statistics.median(r[1] for r in res[c]):5.1f}"
        if "fio" in cmds:
            ratios = [a[0] / b[0] for a, b in zip(res[c], res["fio"])]
            line += f"  median ratio to fio {statistics.median(ratios):.3f}"
    print(line)
