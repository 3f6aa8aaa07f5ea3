#!/usr/bin/env bash
# Sync engine against fio's psync engine: 4 KiB random reads, QD1, one job, on the same warm
# 1 GiB file, runs interleaved back to back (aiobench then fio, then fio then aiobench, ...).
# Prints each pair's IOPS and ratio, then the median ratio. fio is Debian's package.
#   DIR=/var/tmp/aiobench-vsfio PAIRS=5 RUNTIME=10 scripts/vs-fio-psync.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/var/tmp/aiobench-vsfio}
PAIRS=${PAIRS:-5}
RUNTIME=${RUNTIME:-10}
SIZE=${SIZE:-1G}
command -v fio >/dev/null || { apt-get update -qq && apt-get install -y -qq fio >/dev/null; }
mkdir -p "$DIR"
bin=$(mktemp -d)/aiobench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/aiobench
data="$DIR/aiobench-data-0.bin"
"$bin" --engine null --size "$SIZE" --ops 1 --dir "$DIR" >/dev/null 2>&1 # lay out once

col() { # col CSV NAME ENGINE: the named column of the engine's row
	awk -F, -v name="$2" -v eng="$3" '/^#/ {next} !h {for (i = 1; i <= NF; i++) if ($i == name) c = i; h = 1; next} $1 == eng {print $c}' "$1"
}
aio() {
	"$bin" --engine sync,psync --size "$SIZE" --runtime "${RUNTIME}s" --warmup 1s --cache warm \
		--dir "$DIR" --output "$DIR/pair.csv" >/dev/null 2>&1
	sync_iops=$(col "$DIR/pair.csv" iops sync)
	psync_iops=$(col "$DIR/pair.csv" iops psync)
}
fiorun() {
	dd if="$data" of=/dev/null bs=1M status=none # warm, as aiobench's --cache warm does
	fio_iops=$(fio --name=psync --filename="$data" --readonly --ioengine=psync --rw=randread --bs=4k \
		--iodepth=1 --size="$SIZE" --runtime="$RUNTIME" --time_based --ramp_time=1 --invalidate=0 \
		--norandommap --output-format=terse | cut -d';' -f8)
}
ratios=()
printf '%-5s %12s %12s %12s %10s %10s\n' pair aio_sync aio_psync fio_psync sync/fio psync/fio
for i in $(seq "$PAIRS"); do
	if ((i % 2)); then aio; fiorun; else fiorun; aio; fi
	r=$(awk -v a="$sync_iops" -v f="$fio_iops" 'BEGIN {printf "%.3f", a / f}')
	rp=$(awk -v a="$psync_iops" -v f="$fio_iops" 'BEGIN {printf "%.3f", a / f}')
	ratios+=("$r")
	printf '%-5s %12.0f %12.0f %12.0f %10s %10s\n' "$i" "$sync_iops" "$psync_iops" "$fio_iops" "$r" "$rp"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {printf "median sync/fio-psync IOPS ratio over %d pairs: %s\n", NR, (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
