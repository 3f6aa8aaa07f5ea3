#!/usr/bin/env python3
"""What the progress display costs a run: aiobench runs the same run with its stderr on a
(sized) pseudo-terminal, where it draws the live lines, and on a pipe, where it prints plain
lines only, in alternating pairs, and compares the IOPS and CPU per request of the rows.

  scripts/progress-cost.py [PAIRS] [aiobench run flags...]
  e.g. scripts/progress-cost.py 6 --engine null --runtime 2s
       scripts/progress-cost.py 6 --engine sync --cache warm --size 256M --runtime 2s

Default: 6 pairs of --engine sync --cache warm --size 256M --runtime 2s, data in
/var/tmp/aiobench-progress. Prints each pair's ratio (terminal / pipe) and the medians.
"""
import atexit
import csv
import fcntl
import os
import pty
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 6
flags = sys.argv[2:] or ["--engine", "sync", "--cache", "warm", "--size", "256M", "--runtime", "2s"]
work = tempfile.mkdtemp(prefix="aiobench-progress-")
atexit.register(shutil.rmtree, work, True)
data = "/var/tmp/aiobench-progress"
os.makedirs(data, exist_ok=True)
binary = os.path.join(work, "aiobench")
env = dict(os.environ, PATH="/usr/local/go/bin:" + os.environ["PATH"], TERM="xterm")
subprocess.run(["go", "build", "-o", binary, "./cmd/aiobench"], cwd=root, env=env, check=True)


def run(on_terminal):
    out = os.path.join(work, "r.csv")
    args = [binary, *flags, "--dir", data, "--output", out]
    if on_terminal:
        m, s = pty.openpty()
        fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 160, 0, 0))
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=s, env=env)
        os.close(s)
        drawn = b""
        while True:
            try:
                chunk = os.read(m, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
        os.close(m)
        code = p.wait()
        if b"\x1b[" not in drawn:
            sys.exit("the terminal run drew no live lines")
    else:
        code = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env).returncode
    if code != 0:
        sys.exit(f"aiobench exited {code}")
    with open(out) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    return float(rows[0]["iops"]), float(rows[0]["cpu_us_per_op"])


iops, cpu = [], []
for i in range(pairs):
    order = [True, False] if i % 2 == 0 else [False, True]
    got = {t: run(t) for t in order}
    iops.append(got[True][0] / got[False][0])
    cpu.append(got[True][1] / got[False][1])
    print(f"pair {i + 1}: terminal {got[True][0]:.0f} IOPS {got[True][1]:.3f} µs/op, "
          f"pipe {got[False][0]:.0f} IOPS {got[False][1]:.3f} µs/op: IOPS ratio {iops[-1]:.3f}")
print(f"median over {pairs} pairs, terminal/pipe: IOPS {statistics.median(iops):.3f} "
      f"[{min(iops):.3f}–{max(iops):.3f}], CPU per request {statistics.median(cpu):.3f} "
      f"[{min(cpu):.3f}–{max(cpu):.3f}]")
