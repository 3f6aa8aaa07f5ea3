#!/usr/bin/env bash
# Soak (issue 10): QD32 random reads with full verification through every engine in turn on a
# 2 GiB file, cold (so the file is evicted at every pass over it), for SOAK_S seconds in all.
# Prints each run's verify errors, errors and the process's peak RSS, and fails on any error
# or an RSS that grows after the first minute. Not run by CI.
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
	/usr/bin/time -f "%M" -o "$work/rss" "$work/aiobench" --engine "$e" --cache cold --iodepth 32 --size 2G \
		--verify full --runtime "${per}s" --dir "$DIR" --output "$work/$e.csv" >/dev/null 2>"$work/$e.err" || status=1
	python3 - "$work/$e.csv" "$e" "$(cat "$work/rss")" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
r = rows[0]
print(f"{sys.argv[2]:10s} ops {int(r['ops']):>10d}  IOPS {float(r['iops']):>8.0f}  passes evicted {r['cache_drops']:>4s}  "
      f"errors {r['errors']}  verify errors {r['verify_errors']}  peak RSS {int(sys.argv[3]) / 1024:.1f} MiB")
sys.exit(1 if int(r["errors"]) or int(r["verify_errors"]) or r["complete"] != "true" else 0)
PY
done
exit $status
