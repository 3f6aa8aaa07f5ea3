#!/usr/bin/env bash
# The file-system matrix (issue #22): for ext4, xfs, btrfs (each on a loop device over an image
# in $IMGDIR) and tmpfs, every engine reads a SIZE file warm at QD1 and cold at QD16; the table
# gives, per file system and engine, the warm lat mean against sync's, the cold IOPS against
# sync's, and the retry engine's EAGAINs and fallbacks and io_uring's inline share. Needs root,
# losetup, mkfs.ext4, mkfs.xfs, mkfs.btrfs (apt-get install xfsprogs btrfs-progs).
#
#   scripts/fs-matrix.sh [SIZE] [RUNTIME]        e.g. scripts/fs-matrix.sh 256M 2s
#
# Every mount, loop device and image is removed on exit, also on an interrupt.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH:/usr/sbin:/sbin
size=${1:-256M}
runtime=${2:-2s}
imgdir=${IMGDIR:-/var/tmp}
work=$(mktemp -d "$imgdir/aiobench-fsmatrix.XXXXXX")
mounts=() loops=()
cleanup() {
	for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done
	for l in "${loops[@]}"; do losetup -d "$l" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
go build -o "$work/aiobench" ./cmd/aiobench
bytes=$(numfmt --from=iec "${size%B}")
for fs in ext4 xfs btrfs tmpfs; do
	mnt="$work/$fs"
	mkdir -p "$mnt"
	if [ "$fs" = tmpfs ]; then
		mount -t tmpfs -o size=$((bytes * 2)) tmpfs "$mnt"
	else
		img="$work/$fs.img"
		truncate -s $((bytes * 2 + 400 * 1024 * 1024)) "$img"
		dev=$(losetup -f --show "$img")
		loops+=("$dev")
		case $fs in
		ext4) mkfs.ext4 -q "$dev" ;;
		*) "mkfs.$fs" -f "$dev" >/dev/null ;;
		esac
		mount "$dev" "$mnt"
	fi
	mounts+=("$mnt")
	"$work/aiobench" --dir "$mnt" --engine all --cache warm --size "$size" --runtime "$runtime" \
		--output "$work/$fs-warm.csv" -q >/dev/null
	"$work/aiobench" --dir "$mnt" --engine all --cache cold --iodepth 16 --size "$size" --runtime "$runtime" \
		--output "$work/$fs-cold.csv" -q >/dev/null
	echo "$fs: done" >&2
done
python3 - "$work" <<'PY'
import csv, sys
work = sys.argv[1]
def rows(path):
    with open(path) as f:
        return {r["engine"]: r for r in csv.DictReader(l for l in f if not l.startswith("#"))}
def num(r, k):
    try:
        return float(r.get(k) or "nan")
    except ValueError:
        return float("nan")
print(f"{'fs':6} {'engine':11} {'warm lat mean':>14} {'vs sync':>8} {'cold QD16 IOPS':>15} {'vs sync':>8} {'eagain':>8} {'fallbacks':>10} {'uring inline%':>14}")
for fs in ["ext4", "xfs", "btrfs", "tmpfs"]:
    warm, cold = rows(f"{work}/{fs}-warm.csv"), rows(f"{work}/{fs}-cold.csv")
    sw, sc = num(warm["sync"], "lat_mean_us"), num(cold["sync"], "iops")
    for e in warm:
        w, c = warm[e], cold.get(e, {})
        ea = "" if e != "retry" else f"{num(c, 'eagain'):.0f}"
        fb = "" if e != "retry" else f"{num(c, 'fallbacks'):.0f}"
        ui = "" if e != "uring" else f"{num(w, 'uring_inline_pct'):.1f}/{num(c, 'uring_inline_pct'):.1f}"
        print(f"{fs:6} {e:11} {num(w, 'lat_mean_us'):12.2f}µs {num(w, 'lat_mean_us') / sw:7.2f}× {num(c, 'iops'):15.0f} {num(c, 'iops') / sc:7.2f}× {ea:>8} {fb:>10} {ui:>14}")
PY
