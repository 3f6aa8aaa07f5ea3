#!/usr/bin/env bash
# The retry engine's performance targets (issue 3), each measured side by side in one session:
#  1. sync-first: retry vs sync, warm 4 KiB random reads, QD1, interleaved rounds (median ratio);
#  2. cold 4 KiB random reads on a 1 GiB file at QD16: retry vs fio's io_uring engine (buffered,
#     iodepth 16) back to back, and vs the sync engine at QD1;
#  3. CPU per request on that cold workload: retry vs threadpool with 16 threads;
#  4. cold 1 MiB reads at QD4: retry's MiB/s vs the threadpool's.
# Needs fio (Debian package) and python3.   DIR=/var/tmp/aiobench-targets PAIRS=5 scripts/retry-targets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/var/tmp/aiobench-targets}
PAIRS=${PAIRS:-5}
RUNTIME=${RUNTIME:-5} # one cold pass of 1 GiB at these rates: fio loops without evicting, aiobench evicts per pass
command -v fio >/dev/null || { apt-get update -qq && apt-get install -y -qq fio >/dev/null; }
mkdir -p "$DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/aiobench
go build -o "$bin" ./cmd/aiobench
data="$DIR/aiobench-data-0.bin"
ab() { "$bin" --size 1G --dir "$DIR" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }; }
ab --engine null --ops 1 # lay out once

# field FILE ENGINE COLUMN...: the columns of every row of ENGINE, one row per line
field() {
	python3 - "$@" <<'PY'
import csv, sys
path, engine, *cols = sys.argv[1:]
rows = [r for r in csv.DictReader(l for l in open(path) if not l.startswith("#")) if r["engine"] == engine]
for r in rows:
    print(" ".join(r[c] for c in cols))
PY
}
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "== 1. sync-first: warm 4k randread QD1, $((PAIRS + 2)) interleaved rounds"
ab --engine sync,retry --cache warm --runtime 5s --rounds $((PAIRS + 2)) --output "$tmp/warm.csv"
paste <(field "$tmp/warm.csv" retry iops) <(field "$tmp/warm.csv" sync iops) |
	awk '{printf "round %d: retry %.0f sync %.0f ratio %.3f\n", NR, $1, $2, $1 / $2; print $1 / $2 > "/dev/stderr"}' 2>"$tmp/r1"
echo "median retry/sync IOPS: $(median <"$tmp/r1")"

echo "== 2-3. cold 4k randread, 1 GiB: retry QD16, threadpool QD16 (16 threads), fio io_uring QD16, sync QD1"
: >"$tmp/r2"; : >"$tmp/r3"; : >"$tmp/r4"
fio_uring() {
	# fio's own --invalidate=1 left most of the file cached here (fincore showed 290 MiB after
	# it), so evict with aiobench's cold preparation, which checks residency, and show it.
	ab --engine null --cache cold --ops 1
	fincore "$data" | tail -1 >&2
	fio --name=uring --filename="$data" --readonly --ioengine=io_uring --rw=randread --bs=4k --iodepth=16 \
		--size=1G --runtime="$RUNTIME" --time_based --invalidate=0 --output-format=terse |
		cut -d';' -f8
}
aio_cold() {
	ab --engine retry,threadpool --threads 16 --iodepth 16 --cache cold --runtime "${RUNTIME}s" --output "$tmp/cold.csv"
	ab --engine sync --iodepth 1 --cache cold --runtime "${RUNTIME}s" --output "$tmp/sync.csv"
	read -r retry_iops retry_cpu < <(field "$tmp/cold.csv" retry iops cpu_us_per_op)
	read -r tp_iops tp_cpu < <(field "$tmp/cold.csv" threadpool iops cpu_us_per_op)
	sync_iops=$(field "$tmp/sync.csv" sync iops)
}
for i in $(seq "$PAIRS"); do
	if ((i % 2)); then aio_cold; uring=$(fio_uring); else uring=$(fio_uring); aio_cold; fi
	printf 'pair %d: retry %.0f IOPS (%.1f CPU µs/op), threadpool %.0f (%.1f), fio io_uring %.0f, sync QD1 %.0f\n' \
		"$i" "$retry_iops" "$retry_cpu" "$tp_iops" "$tp_cpu" "$uring" "$sync_iops"
	awk -v a="$retry_iops" -v b="$uring" 'BEGIN {print a / b}' >>"$tmp/r2"
	awk -v a="$retry_iops" -v b="$sync_iops" 'BEGIN {print a / b}' >>"$tmp/r3"
	awk -v a="$retry_cpu" -v b="$tp_cpu" 'BEGIN {print a / b}' >>"$tmp/r4"
done
echo "median retry/fio-io_uring IOPS: $(median <"$tmp/r2")"
echo "median retry QD16 / sync QD1 IOPS: $(median <"$tmp/r3")"
echo "median retry/threadpool CPU per request: $(median <"$tmp/r4")"

echo "== 4. cold 1M randread QD4, $PAIRS interleaved rounds"
ab --engine retry,threadpool --bs 1M --iodepth 4 --cache cold --runtime 5s --rounds "$PAIRS" --output "$tmp/big.csv"
paste <(field "$tmp/big.csv" retry mib_s) <(field "$tmp/big.csv" threadpool mib_s) |
	awk '{printf "round %d: retry %.1f MiB/s threadpool %.1f ratio %.3f\n", NR, $1, $2, $1 / $2; print $1 / $2 > "/dev/stderr"}' 2>"$tmp/r5"
echo "median retry/threadpool MiB/s: $(median <"$tmp/r5")"
