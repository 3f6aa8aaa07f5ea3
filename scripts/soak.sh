#!/usr/bin/env bash
# Soak (issue 10): QD32 random reads with full verification through every engine in turn on a
# 2 GiB file, cold (so the file is evicted at every pass over it), for SOAK_S seconds in all.
# Prints each run's verify errors and errors, and its RSS sampled every 10 s (after the first
# minute it must stay flat); fails on any error. Not run by CI.
#   SOAK_S=600 DIR=/var/tmp/aiobench-soak scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
SOAK_S=${SOAK_S:-600}
DIR=${DIR:-/var/tmp/aiobench-soak}
mkdir -p "$DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/aiobench" ./cmd/aiobench
engines=(sync psync retry threadpool)
per=$((SOAK_S / ${#engines[@]}))
status=0
for e in "${engines[@]}"; do
	"$work/aiobench" --engine "$e" --cache cold --iodepth 32 --size 2G --verify full --runtime "${per}s" \
		--dir "$DIR" --output "$work/$e.csv" >/dev/null 2>"$work/$e.err" &
	pid=$!
	rss=()
	while kill -0 "$pid" 2>/dev/null; do
		sleep 10
		r=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$r" ] && rss+=("$r")
	done
	wait "$pid" || status=1
	python3 - "$work/$e.csv" "$e" "${rss[*]}" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
r = rows[0]
rss = [int(x) for x in sys.argv[3].split()]
print(f"{sys.argv[2]:10s} ops {int(r['ops']):>10d}  IOPS {float(r['iops']):>8.0f}  passes evicted {r['cache_drops']:>4s}  "
      f"errors {r['errors']}  verify errors {r['verify_errors']}  RSS MiB every 10 s: {rss}")
sys.exit(1 if int(r["errors"]) or int(r["verify_errors"]) or r["complete"] != "true" else 0)
PY
done
exit $status
