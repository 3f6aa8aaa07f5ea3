#!/usr/bin/env python3
"""Is a cold row really cold? Runs aiobench's sync engine on cold 4 KiB random reads, QD1, and
checks every row against the kernel's own counters (issue 8's target).

For each run it prints the row's dev_reads_per_op (the device's read I/Os in the measured phase
per request) and, measured independently around the whole process from /sys/block/<dev>/stat,
the device's read I/Os over the requests of the warm-up and the measured phase together.

  scripts/cold-truth.py [RUNS] [SIZES...]        e.g. scripts/cold-truth.py 5 512M 1G

BIN is an aiobench binary (default: built from this checkout), DIR the data directory (default
/var/tmp/aiobench-truth), RUNTIME the runtime of each run (default 3s).
"""
import csv
import os
import subprocess
import sys
import tempfile

runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
sizes = sys.argv[2:] or ["512M", "1G"]
d = os.environ.get("DIR", "/var/tmp/aiobench-truth")
runtime = os.environ.get("RUNTIME", "3s")
os.makedirs(d, exist_ok=True)
tmp = tempfile.mkdtemp()
binary = os.environ.get("BIN") or os.path.join(tmp, "aiobench")
if not os.environ.get("BIN"):
    subprocess.run(["go", "build", "-o", binary, "./cmd/aiobench"], check=True,
                   cwd=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
out = os.path.join(tmp, "run.csv")


def reads(dev):
    return int(open(f"/sys/block/{dev}/stat").read().split()[0])


print(f"{'size':>5} {'run':>3} {'ops':>7} {'warm-up':>7} {'dev_reads_per_op':>16} {'whole process':>13} {'IOPS':>7}")
worst = [1e9, 0, 0]
for size in sizes:
    # Lays the file out once, and names the device under it.
    subprocess.run([binary, "--engine", "null", "--size", size, "--ops", "1", "--dir", d, "--output", out],
                   check=True, capture_output=True)
    dev = next(csv.DictReader(l for l in open(out) if not l.startswith("#")))["dev_name"]
    if not dev:
        sys.exit(f"{d} has no block device under it: nothing to check")
    for i in range(runs):
        before = reads(dev)
        p = subprocess.run([binary, "--engine", "sync", "--cache", "cold", "--size", size, "--runtime", runtime,
                            "--dir", d, "--output", out], capture_output=True, text=True)
        after = reads(dev)
        if p.returncode:
            sys.exit(p.stderr)
        row = next(csv.DictReader(l for l in open(out) if not l.startswith("#")))
        ops, warm = int(row["ops"]), int(row["warmup_ops"])
        per_op = float(row["dev_reads_per_op"])
        whole = (after - before) / (ops + warm)
        worst = [min(worst[0], per_op), max(worst[1], per_op), max(worst[2], whole)]
        print(f"{size:>5} {i + 1:>3} {ops:>7} {warm:>7} {per_op:>16.4f} {whole:>13.4f} {float(row['iops']):>7.0f}", flush=True)
print(f"dev_reads_per_op from {worst[0]:.4f} to {worst[1]:.4f} (target 0.98..1.03); "
      f"whole process at most {worst[2]:.4f} device reads per request (target <= 1.05)")
