#!/usr/bin/env python3
"""aiobench's engines against fio's, on the same file, in interleaved pairs (the order
alternates every pair): sync vs psync, uring vs io_uring (matching options), libaio vs libaio.
Prints each pair's IOPS (or MiB/s), lat p50 and CPU µs per request with their ratios, then per
case the median ratio and its spread over the pairs.

Before a cold run (aiobench's or fio's) the file is evicted (fdatasync + POSIX_FADV_DONTNEED)
and the eviction verified with fincore(1): fio's own invalidate left most of a file cached
here, so it is off. Before a warm run the file is read through the cache. fio's random map is
on (aiobench's --random perm: every block once per pass); fio's ramp_time matches aiobench's
warm-up (a tenth of the runtime). A cold fio run must not wrap to a second, cached pass: the
runtime is kept short enough (3 s for 1 GiB here) and the script stops if fio read more blocks
than the file has.

  scripts/fio-crosscheck.py [PAIRS] [RUNTIME_S] [CASE...]     e.g. scripts/fio-crosscheck.py 5 3 uring-cold

CASES (default: all): sync-cold sync-warm psync-warm uring-cold uring-warm uring-direct libaio-direct
uring-seq-direct retry-uring retry-waiters uring-async. BIN is an aiobench binary (default:
built from this checkout), DIR the data directory (default /var/tmp/aiobench-vsfio), SIZE the
file size (default 1G). fio is Debian's package.
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

# name: (aiobench engine args, fio engine args, cache, bs, qd, workload, what)
CASES = {
    "sync-cold": (["--engine", "sync"], ["--ioengine=psync"], "cold", "4k", 1, "randread", "iops"),
    "sync-warm": (["--engine", "sync"], ["--ioengine=psync"], "warm", "4k", 1, "randread", "iops"),
    "psync-warm": (["--engine", "psync"], ["--ioengine=psync"], "warm", "4k", 1, "randread", "iops"),
    "uring-cold": (["--engine", "uring"], ["--ioengine=io_uring"], "cold", "4k", 16, "randread", "iops"),
    "uring-warm": (["--engine", "uring"], ["--ioengine=io_uring"], "warm", "4k", 1, "randread", "iops"),
    "uring-direct": (["--engine", "uring"], ["--ioengine=io_uring"], "direct", "4k", 16, "randread", "iops"),
    "libaio-direct": (["--engine", "libaio"], ["--ioengine=libaio"], "direct", "4k", 16, "randread", "iops"),
    "uring-seq-direct": (["--engine", "uring"], ["--ioengine=io_uring"], "direct", "1M", 8, "seqread", "mibs"),
    "retry-uring": (["--engine", "retry", "--retry-notifier", "uring"], ["--ioengine=io_uring"], "cold", "4k", 16,
                    "randread", "iops"),
    "retry-waiters": (["--engine", "retry", "--retry-notifier", "waiters"], ["--ioengine=io_uring"], "cold", "4k", 16,
                      "randread", "iops"),
    "uring-async": (["--engine", "uring", "--uring-async"], ["--ioengine=io_uring", "--force_async=1"], "cold", "4k",
                    16, "randread", "iops"),
}

pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
runtime = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
cases = sys.argv[3:] or list(CASES)
for c in cases:
    if c not in CASES:
        sys.exit(f"unknown case {c!r} (accepted: {' '.join(CASES)})")
d = os.environ.get("DIR", "/var/tmp/aiobench-vsfio")
size = os.environ.get("SIZE", "1G")
if not shutil.which("fio"):
    subprocess.run("apt-get update -qq && apt-get install -y -qq fio", shell=True, check=True)
os.makedirs(d, exist_ok=True)
tmp = tempfile.mkdtemp()
binary = os.environ.get("BIN") or os.path.join(tmp, "aiobench")
if not os.environ.get("BIN"):
    subprocess.run(["go", "build", "-o", binary, "./cmd/aiobench"], check=True,
                   cwd=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
out = os.path.join(tmp, "run.csv")
data = os.path.join(d, "aiobench-data-0.bin")
warmup = runtime / 10


def resident_bytes():
    p = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", data], check=True,
                       capture_output=True, text=True)
    return int(p.stdout.split()[0])


def prepare(cache):
    fd = os.open(data, os.O_RDONLY)
    try:
        if cache == "warm":
            while os.read(fd, 1 << 20):
                pass
            return
        if cache != "cold":
            return
        for _ in range(5):
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            if resident_bytes() == 0:
                return
        sys.exit(f"could not evict {data}: {resident_bytes()} bytes still resident")
    finally:
        os.close(fd)


def aio(case):
    args, _, cache, bs, qd, wl, what = CASES[case]
    prepare(cache)
    p = subprocess.run([binary, *args, "--cache", cache, "--bs", bs, "--iodepth", str(qd), "--workload", wl,
                        "--size", size, "--runtime", f"{runtime}s", "--warmup", f"{warmup}s", "--dir", d,
                        "--output", out], capture_output=True, text=True)
    if p.returncode:
        sys.exit(p.stderr)
    r = next(csv.DictReader(l for l in open(out) if not l.startswith("#")))
    v = float(r["iops"]) if what == "iops" else float(r["mib_s"])
    return v, float(r["lat_p50_us"]), float(r["cpu_us_per_op"])


def fio(case):
    _, args, cache, bs, qd, wl, what = CASES[case]
    prepare(cache)
    rw = "randread" if wl == "randread" else "read"
    p = subprocess.run(["fio", "--name=x", f"--filename={data}", "--readonly", *args, f"--rw={rw}", f"--bs={bs}",
                        f"--iodepth={qd}", f"--size={size}", f"--runtime={int(runtime * 1000)}ms", "--time_based",
                        f"--ramp_time={int(warmup * 1000)}ms", "--invalidate=0", f"--direct={int(cache == 'direct')}",
                        "--lat_percentiles=1", "--output-format=json"], check=True, capture_output=True, text=True)
    job = json.loads(p.stdout)["jobs"][0]
    r = job["read"]
    blocks = r["total_ios"]
    if cache == "cold" and wl == "randread" and blocks * 4096 * (1 + 0.1) > parse_size(size):
        sys.exit(f"fio read {blocks} blocks in {runtime}s: near a second, cached pass; shorten the runtime")
    v = r["iops"] if what == "iops" else r["bw"] / 1024
    ops = r["total_ios"]
    cpu = (job["usr_cpu"] + job["sys_cpu"]) / 100 * job["job_runtime"] * 1e3 / ops if ops else 0
    return v, r["lat_ns"]["percentile"]["50.000000"] / 1e3, cpu


def parse_size(s):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * units[s[-1].upper()]) if s[-1].upper() in units else int(s)


subprocess.run([binary, "--engine", "null", "--size", size, "--ops", "1", "--dir", d, "--output", out],
               check=True, capture_output=True)  # lays the file out once
print(f"{'case':17} {'pair':>4} {'aiobench':>9} {'fio':>9} {'ratio':>6} {'aio p50':>8} {'fio p50':>8} {'ratio':>6}"
      f" {'aio cpu':>8} {'fio cpu':>8}")
summary = []
for case in cases:
    v_r, p50_r, cpu_a, cpu_f = [], [], [], []
    for i in range(pairs):
        if i % 2 == 0:
            a = aio(case)
            f = fio(case)
        else:
            f = fio(case)
            a = aio(case)
        v_r.append(a[0] / f[0])
        p50_r.append(a[1] / f[1])
        cpu_a.append(a[2])
        cpu_f.append(f[2])
        print(f"{case:17} {i + 1:>4} {a[0]:>9.0f} {f[0]:>9.0f} {v_r[-1]:>6.3f} {a[1]:>8.1f} {f[1]:>8.1f} "
              f"{p50_r[-1]:>6.3f} {a[2]:>8.2f} {f[2]:>8.2f}", flush=True)
    what = "MiB/s" if CASES[case][6] == "mibs" else "IOPS"
    summary.append(f"{case}: {what} ratio aiobench/fio median {statistics.median(v_r):.3f} "
                   f"(pairs {min(v_r):.3f}-{max(v_r):.3f}); lat p50 ratio {statistics.median(p50_r):.3f} "
                   f"({min(p50_r):.3f}-{max(p50_r):.3f}); CPU µs/op aiobench {statistics.median(cpu_a):.2f}, "
                   f"fio {statistics.median(cpu_f):.2f}")
print()
print("\n".join(summary))
