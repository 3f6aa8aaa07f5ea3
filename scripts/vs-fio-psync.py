#!/usr/bin/env python3
"""aiobench's sync engine against fio's psync engine, 4 KiB random reads, QD1, one job, on the
same file, cold and warm, in interleaved pairs (the order alternates every pair).

Both read every block once per pass (aiobench's --random perm; fio's random map, norandommap
off). Before a cold fio run the file is evicted (fdatasync + POSIX_FADV_DONTNEED) and the
eviction verified with fincore(1); fio's own invalidate is off. Before a warm fio run the file is
read through the cache. fio's ramp_time matches aiobench's warm-up (a tenth of the runtime).
Prints each pair's IOPS and lat p50 and their ratios, then the medians of the ratios.

  scripts/vs-fio-psync.py [PAIRS] [RUNTIME_S]        e.g. scripts/vs-fio-psync.py 5 3

BIN is an aiobench binary (default: built from this checkout), DIR the data directory (default
/var/tmp/aiobench-vsfio), SIZE the file size (default 1G). fio is Debian's package.
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
runtime = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
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


def row():
    return next(csv.DictReader(l for l in open(out) if not l.startswith("#")))


def aio(cache):
    p = subprocess.run([binary, "--engine", "sync", "--cache", cache, "--size", size, "--runtime", f"{runtime}s",
                        "--warmup", f"{warmup}s", "--dir", d, "--output", out], capture_output=True, text=True)
    if p.returncode:
        sys.exit(p.stderr)
    r = row()
    return float(r["iops"]), float(r["lat_p50_us"])


def resident_pages():
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
        for _ in range(5):
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            if resident_pages() == 0:
                return
        sys.exit(f"could not evict {data}: {resident_pages()} bytes still resident")
    finally:
        os.close(fd)


def fio(cache):
    prepare(cache)
    p = subprocess.run(["fio", "--name=psync", f"--filename={data}", "--readonly", "--ioengine=psync",
                        "--rw=randread", "--bs=4k", "--iodepth=1", f"--size={size}", f"--runtime={runtime}",
                        "--time_based", f"--ramp_time={warmup}", "--invalidate=0", "--lat_percentiles=1",
                        "--output-format=json"], check=True, capture_output=True, text=True)
    job = json.loads(p.stdout)["jobs"][0]["read"]
    return job["iops"], job["lat_ns"]["percentile"]["50.000000"] / 1e3


subprocess.run([binary, "--engine", "null", "--size", size, "--ops", "1", "--dir", d, "--output", out],
               check=True, capture_output=True)  # lays the file out once
print(f"{'cache':5} {'pair':>4} {'aiobench IOPS':>13} {'fio IOPS':>9} {'ratio':>6} {'aio p50':>8} {'fio p50':>8} {'ratio':>6}")
for cache in ("cold", "warm"):
    iops_r, p50_r = [], []
    for i in range(pairs):
        a, f = (aio(cache), fio(cache)) if i % 2 == 0 else (None, fio(cache))
        if a is None:
            a = aio(cache)
        iops_r.append(a[0] / f[0])
        p50_r.append(a[1] / f[1])
        print(f"{cache:5} {i + 1:>4} {a[0]:>13.0f} {f[0]:>9.0f} {iops_r[-1]:>6.3f} {a[1]:>8.2f} {f[1]:>8.2f} {p50_r[-1]:>6.3f}",
              flush=True)
    print(f"{cache}: median IOPS ratio aiobench/fio {statistics.median(iops_r):.3f} "
          f"(pairs {min(iops_r):.3f}-{max(iops_r):.3f}), median lat p50 ratio {statistics.median(p50_r):.3f} "
          f"(pairs {min(p50_r):.3f}-{max(p50_r):.3f})")
