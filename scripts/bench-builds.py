#!/usr/bin/env python3
"""Two builds' test binaries, one benchmark, alternated: the ratio of their medians per metric.

Absolute times drift 20-35% on the project's VM within minutes, so two builds are compared
only side by side: the binaries run the benchmark in turn (A B, B A, ...), ROUNDS times each,
and the medians (and ranges) of every reported metric are printed with the ratio B/A.

  scripts/bench-builds.py A.test B.test BENCH [ROUNDS] [BENCHTIME]
  e.g. go test -c -o /tmp/old.test ./harness   (at the old revision)
       go test -c -o /tmp/new.test ./harness
       scripts/bench-builds.py /tmp/old.test /tmp/new.test 'HarnessNull$' 9 5000000x
"""
import re
import statistics
import subprocess
import sys

if len(sys.argv) < 4:
    sys.exit(__doc__)
a, b, bench = sys.argv[1:4]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 9
benchtime = sys.argv[5] if len(sys.argv) > 5 else "1s"
line = re.compile(r"^(Benchmark\S+)\s+\d+\s+(.*)$")


def run(binary):
    p = subprocess.run([binary, "-test.run", "X", "-test.bench", bench, "-test.benchtime", benchtime],
                       capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"{binary}: {p.stdout}{p.stderr}")
    got = {}
    for l in p.stdout.splitlines():
        m = line.match(l)
        if not m:
            continue
        fields = m.group(2).split()
        for v, unit in zip(fields[::2], fields[1::2]):
            got[(m.group(1), unit)] = float(v)
    return got


samples = {a: {}, b: {}}
for i in range(rounds):
    for binary in ([a, b] if i % 2 == 0 else [b, a]):
        for k, v in run(binary).items():
            samples[binary].setdefault(k, []).append(v)
    print(f"round {i + 1} of {rounds}", file=sys.stderr)

print(f"{'benchmark':40} {'unit':12} {'A median [range]':>26} {'B median [range]':>26} {'B/A':>6}")
for k in sorted(samples[a]):
    va, vb = samples[a][k], samples[b].get(k)
    if not vb:
        continue
    ma, mb = statistics.median(va), statistics.median(vb)
    ratio = f"{mb / ma:.3f}" if ma else "-"
    print(f"{k[0]:40} {k[1]:12} {ma:>12.4g} [{min(va):.4g}-{max(va):.4g}] {mb:>12.4g} [{min(vb):.4g}-{max(vb):.4g}] {ratio:>6}")
