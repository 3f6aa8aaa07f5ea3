#!/usr/bin/env python3
"""The open loop's figures (issue #20), each a median over interleaved repetitions:

  precision  the issuer's own error and cost: harness benchmarks BenchmarkOpenLoopNull10k/100k,
             BenchmarkOpenLoopSyncWarm (sync at half its closed-loop IOPS) and BenchmarkMachineFloor
             (what a perfect issuer spinning on this machine's clock would see), against the CPU
             per request of fio's null engine rate-limited to the same rates (its closed loop)
  md1        a known answer: the null engine busy-waiting S = 50 µs per request at ρ = 0.5 and
             0.8 (Poisson arrivals: the M/D/1 mean S + ρS/(2(1-ρ))) and at ρ = 0.5 with equal
             gaps (D/D/1: S); S is the closed loop's time per request
  fio        aiobench against fio (rate_iops, rate_process=poisson) on the same cold 1 GiB file,
             4 KiB random reads, psync (PSYNC_JOBS jobs, default 4, each its own slice of the
             file: one synchronous reader cannot offer 30% of the disk) and io_uring (one job): at
             30% of the device's IOPS (measured first: fio io_uring QD32) the service lat p50 of
             both; at 90% and at 130% (beyond the knee) aiobench's p99 from the intended time,
             its service p99 and fio's lat p99: the difference is coordinated omission

  scripts/openloop-figures.py [REPS] [PART...]     e.g. scripts/openloop-figures.py 5 md1 fio

PART: precision, md1, fio (or fio-psync, fio-io_uring alone); default all three.

BIN is an aiobench binary and TEST a harness test binary (default: built from this checkout),
DIR the data directory (default /var/tmp/aiobench-vsfio); FIO_QD fio io_uring's iodepth (default:
the depth aiobench's open loop takes at that rate, 20 ms of arrivals, 32 to 1024). Cold runs are evicted and checked
with fincore(1) first, as scripts/fio-crosscheck.py does. fio is Debian's package.
"""
import csv
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
parts = sys.argv[2:] or ["precision", "md1", "fio"]
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
d = os.environ.get("DIR", "/var/tmp/aiobench-vsfio")
tmp = tempfile.mkdtemp()
binary = os.environ.get("BIN") or os.path.join(tmp, "aiobench")
test = os.environ.get("TEST") or os.path.join(tmp, "harness.test")
if not os.environ.get("BIN"):
    subprocess.run(["go", "build", "-o", binary, "./cmd/aiobench"], check=True, cwd=root)
if not os.environ.get("TEST"):
    subprocess.run(["go", "test", "-c", "-o", test, "./harness"], check=True, cwd=root)
if not shutil.which("fio"):
    subprocess.run("apt-get update -qq && apt-get install -y -qq fio", shell=True, check=True)
os.makedirs(d, exist_ok=True)
out = os.path.join(tmp, "run.csv")
data = os.path.join(d, "aiobench-data-0.bin")
med = statistics.median
psync_jobs = int(os.environ.get("PSYNC_JOBS", "4"))  # each its own slice of the file
fio_qd = int(os.environ.get("FIO_QD", "0"))  # fio io_uring's iodepth; 0: aiobench's open-loop default


def spread(v, f="{:.1f}"):
    return f"{f.format(med(v))} [{f.format(min(v))}-{f.format(max(v))}]"


def aiobench(*args):
    p = subprocess.run([binary, *args, "--dir", d, "--output", out, "-q"], capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"aiobench {' '.join(args)}: {p.stderr}")
    return next(csv.DictReader(l for l in open(out) if not l.startswith("#")))


def fio(*args):
    p = subprocess.run(["fio", "--name=x", "--output-format=json", "--lat_percentiles=1", *args],
                       check=True, capture_output=True, text=True)
    return json.loads(p.stdout)


def precision():
    names = ["OpenLoopNull10k", "OpenLoopNull100k", "OpenLoopSyncWarm", "MachineFloor"]
    got = {}
    for _ in range(reps):
        p = subprocess.run([test, "-test.run", "X", "-test.bench", "|".join(names), "-test.benchtime", "1x"],
                           check=True, capture_output=True, text=True, cwd=os.path.join(root, "harness"))
        for line in p.stdout.splitlines():
            m = re.match(r"^Benchmark(\S+?)-\d+\s+\d+\s+(.*)$", line)
            if m:
                for v, unit in re.findall(r"([\d.e+]+) (\S+)", m.group(2)):
                    got.setdefault((m.group(1), unit), []).append(float(v))
        for rate in (10000, 100000):
            j = fio("--ioengine=null", "--rw=randread", "--bs=4k", "--size=1g", f"--rate_iops={rate}",
                    "--rate_process=poisson", "--time_based", "--runtime=1")["jobs"][0]
            n = j["read"]["total_ios"]
            got.setdefault((f"fio-null-{rate}", "CPU_us/req"), []).append(
                (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] * 1e3 / n)
    for (name, unit), v in sorted(got.items()):
        if unit in ("behind_p99_us", "CPU_us/req", "floor_p99_us", "stall_pct", "rate", "lat_intended_p99_us"):
            print(f"  {name:22} {unit:20} {spread(v)}")


def md1():
    s = "50us"
    closed, res = [], {}
    cases = [("poisson", 0.5), ("poisson", 0.8), ("uniform", 0.5)]
    for i in range(reps):
        r = aiobench("--engine", "null", "--null-delay", s, "--size", "64M", "--runtime", "1s")
        service = 1e6 / float(r["iops"])
        closed.append(service)
        for arrival, rho in (cases if i % 2 == 0 else cases[::-1]):
            r = aiobench("--engine", "null", "--null-delay", s, "--size", "64M", "--runtime", "2s",
                         "--rate", str(round(rho * 20000)), "--arrival", arrival, "--iodepth", "64")
            got = float(r["lat_intended_mean_us"])
            rho_m = float(r["offered_iops"]) * service / 1e6
            want = service + (rho_m * service / (2 * (1 - rho_m)) if arrival == "poisson" else 0)
            res.setdefault((arrival, rho), []).append((got, want))
    print(f"  S (closed loop, µs per request): {spread(closed, '{:.2f}')}")
    for (arrival, rho), v in res.items():
        got, want = [x[0] for x in v], [x[1] for x in v]
        err = [100 * (g / w - 1) for g, w in v]
        print(f"  {arrival:8} rho {rho}: intended mean {spread(got)} µs, closed form {spread(want)} µs,"
              f" error {spread(err, '{:+.1f}')}%")


def evict():
    fd = os.open(data, os.O_RDONLY)
    try:
        for _ in range(5):
            os.fdatasync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            p = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", data], check=True,
                               capture_output=True, text=True)
            if int(p.stdout.split()[0]) == 0:
                return
        sys.exit(f"could not evict {data}")
    finally:
        os.close(fd)


def depth(rate):  # harness.OpenLoopDepth for one job
    return min(max(math.ceil(rate * 0.020), 32), 1024)


def fio_cold(engine, rate, runtime):
    evict()
    common = [f"--filename={data}", "--readonly", "--rw=randread", "--bs=4k", "--invalidate=0", "--time_based",
              f"--runtime={runtime * 1000:.0f}ms", f"--ramp_time={runtime * 100:.0f}ms", "--rate_process=poisson",
              "--group_reporting"]
    if engine == "psync":
        j = fio(*common, "--ioengine=psync", f"--numjobs={psync_jobs}", "--thread", f"--size={1024 // psync_jobs}M",
                f"--offset_increment={1024 // psync_jobs}M", f"--rate_iops={rate / psync_jobs:.0f}")
    else:
        j = fio(*common, "--ioengine=io_uring", f"--iodepth={fio_qd or depth(rate)}", "--size=1G", f"--rate_iops={rate:.0f}")
    r = j["jobs"][0]["read"]
    if r["total_ios"] * 1.05 > (1 << 30) / 4096:
        sys.exit(f"fio read {r['total_ios']} blocks: near a second, cached pass; shorten the runtime")
    pct = r["lat_ns"]["percentile"]
    return {"iops": r["iops"], "p50": pct["50.000000"] / 1e3, "p99": pct["99.000000"] / 1e3}


def aio_cold(engine, rate, runtime):
    evict()
    jobs = str(psync_jobs) if engine == "psync" else "1"
    r = aiobench("--engine", "psync" if engine == "psync" else "uring", "--jobs", jobs, "--cache", "cold",
                 "--size", "1G", "--runtime", f"{runtime}s", "--rate", f"{rate:.0f}")
    return {"iops": float(r["iops"]), "p50": float(r["lat_p50_us"]), "p99": float(r["lat_p99_us"]),
            "ip99": float(r["lat_intended_p99_us"])}


def vs_fio(engines=("psync", "io_uring")):
    aiobench("--engine", "null", "--size", "1G", "--ops", "1")  # lays the file out once
    devs = []
    for _ in range(3):
        evict()
        j = fio(f"--filename={data}", "--readonly", "--rw=randread", "--bs=4k", "--invalidate=0", "--size=1G",
                "--ioengine=io_uring", "--iodepth=32", "--time_based", "--runtime=2")
        devs.append(j["jobs"][0]["read"]["iops"])
    dev = med(devs)
    print(f"  device: fio io_uring QD32 cold 4 KiB random: {spread(devs, '{:.0f}')} IOPS")
    for engine in engines:
        for share in (0.3, 0.9, 1.3):
            rate = share * dev
            runtime = 3.0 if share < 1 else 2.5
            a, f = [], []
            for i in range(reps):
                if i % 2 == 0:
                    a.append(aio_cold(engine, rate, runtime))
                    f.append(fio_cold(engine, rate, runtime))
                else:
                    f.append(fio_cold(engine, rate, runtime))
                    a.append(aio_cold(engine, rate, runtime))
            col = lambda rs, k: [r[k] for r in rs]
            ratio = [x["p50"] / y["p50"] for x, y in zip(a, f)]
            print(f"  {engine:8} {100 * share:3.0f}% ({rate:.0f}/s): IOPS aiobench {spread(col(a, 'iops'), '{:.0f}')},"
                  f" fio {spread(col(f, 'iops'), '{:.0f}')}; service lat p50 aiobench {spread(col(a, 'p50'))} µs,"
                  f" fio {spread(col(f, 'p50'))} µs (ratio {spread(ratio, '{:.3f}')}); p99: aiobench intended"
                  f" {spread(col(a, 'ip99'))} µs, aiobench service {spread(col(a, 'p99'))} µs, fio {spread(col(f, 'p99'))} µs",
                  flush=True)


for part in parts:
    print(part + ":", flush=True)
    {"precision": precision, "md1": md1, "fio": vs_fio, "fio-psync": lambda: vs_fio(["psync"]),
     "fio-io_uring": lambda: vs_fio(["io_uring"])}[part]()
