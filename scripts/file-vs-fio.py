#!/usr/bin/env python3
"""--file on a raw block device against fio's --filename on the same device (issue #22's
target): a loop device over an image of SIZE in /var/tmp, cold 4 KiB random reads at QD1 (psync
both) and QD16 (io_uring both), REPS interleaved pairs; prints each side's IOPS, the ratio
aiobench/fio (median and range) and aiobench's dev_reads_per_op. Needs root, losetup and fio.
The loop device and image are removed at the end.

The loop device reads its image with direct I/O (losetup --direct-io=on), so that a cold read of
the device reaches the disk under the image, not the image's page cache; LOOP_DIRECT=0 makes it
a buffered loop device (then both tools are bound by the CPU). FIO_EXTRA adds fio options to
its io_uring runs (e.g. FIO_EXTRA="--registerfiles --fixedbufs").

  scripts/file-vs-fio.py [REPS] [SIZE] [RUNTIME]      e.g. scripts/file-vs-fio.py 3 1G 3
"""
import csv, json, os, statistics, subprocess, sys, tempfile

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
size = sys.argv[2] if len(sys.argv) > 2 else "1G"
runtime = int(sys.argv[3]) if len(sys.argv) > 3 else 3
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
tmp = tempfile.mkdtemp(dir="/var/tmp")
binary = os.path.join(tmp, "aiobench")
subprocess.run(["go", "build", "-o", binary, "./cmd/aiobench"], check=True, cwd=root)
img = os.path.join(tmp, "img")
subprocess.run(["fio", "--name=fill", f"--filename={img}", f"--size={size}", "--rw=write", "--bs=1M", "--output=/dev/null"], check=True)
loop_direct = os.environ.get("LOOP_DIRECT", "1") != "0"
fio_extra = os.environ.get("FIO_EXTRA", "").split()
subprocess.run(["sync"], check=True)
with open(img, "rb") as f:  # the image's own pages out of the cache: the device's reads reach the disk
    os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
dev = subprocess.run(["losetup", "-f", "--show", f"--direct-io={'on' if loop_direct else 'off'}", img], check=True, capture_output=True, text=True).stdout.strip()
try:
    def aiobench(engine, qd):
        out = os.path.join(tmp, "a.csv")
        subprocess.run([binary, "--file", dev, "--engine", engine, "--cache", "cold", "--iodepth", str(qd), "--runtime", f"{runtime}s",
                        "--output", out, "-q"], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            r = next(csv.DictReader(l for l in f if not l.startswith("#")))
        return float(r["iops"]), float(r["dev_reads_per_op"])

    def fio(engine, qd):
        subprocess.run(["blockdev", "--flushbufs", dev], check=False)
        p = subprocess.run(["fio", "--name=r", f"--filename={dev}", "--rw=randread", "--bs=4k", f"--ioengine={engine}", f"--iodepth={qd}",
                            "--direct=0", "--invalidate=1", "--fadvise_hint=random", f"--runtime={runtime}", "--time_based",
                            "--output-format=json"] + (fio_extra if engine == "io_uring" else []), check=True, capture_output=True, text=True)
        return json.loads(p.stdout)["jobs"][0]["read"]["iops"]

    for name, a_engine, f_engine, qd in [("QD1", "psync", "psync", 1), ("QD16", "uring", "io_uring", 16)]:
        ratios, a_all, f_all, per_op = [], [], [], []
        for i in range(reps):
            if i % 2 == 0:
                a, d = aiobench(a_engine, qd); f = fio(f_engine, qd)
            else:
                f = fio(f_engine, qd); a, d = aiobench(a_engine, qd)
            ratios.append(a / f); a_all.append(a); f_all.append(f); per_op.append(d)
        med = statistics.median
        print(f"{name} (loop direct-io {'on' if loop_direct else 'off'}{', fio ' + ' '.join(fio_extra) if fio_extra else ''}): aiobench {med(a_all):.0f} IOPS, fio {med(f_all):.0f}; ratio {med(ratios):.3f} [{min(ratios):.3f}-{max(ratios):.3f}]; dev_reads_per_op {med(per_op):.3f}")
finally:
    subprocess.run(["losetup", "-d", dev])
    subprocess.run(["rm", "-rf", tmp])
