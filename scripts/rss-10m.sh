#!/usr/bin/env bash
# Memory must not grow with run length: peak RSS of a 10-million-request run (null engine, then
# sync on a warm file), read from the kernel's accounting of the finished process.
#   DIR=/var/tmp/aiobench-rss OPS=10000000 scripts/rss-10m.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/var/tmp/aiobench-rss}
OPS=${OPS:-10000000}
mkdir -p "$DIR"
bin=$(mktemp -d)/aiobench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/aiobench
for engine in null sync; do
	for ops in 100000 "$OPS"; do
		# python3's resource module reports the child's peak RSS (ru_maxrss, KiB).
		python3 - "$bin" "$engine" "$ops" "$DIR" <<'PY'
import resource, subprocess, sys
bin, engine, ops, d = sys.argv[1:]
subprocess.run([bin, "--engine", engine, "--ops", ops, "--size", "64M", "--dir", d],
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{engine:6} ops={int(ops):>10}: peak RSS {rss / 1024:.1f} MiB")
PY
	done
done
