#!/usr/bin/env bash
# Draws the charts the README shows, docs/aiolat-iops.png and docs/aiolat-cdf-qd16.png, from a
# real run of the aiolat suite on this machine with its full latency histograms:
#   aiobench --suite aiolat --report DIR
# (the page, index.html, stays in DIR when one is given with KEEP=DIR). Extra arguments go to
# aiobench, e.g. --dir /mnt/data or --runtime 1s. It takes about as long as the suite: a few
# minutes. FROM=DIR redraws the charts from an earlier report's results.csv and hist.csv
# instead of running the suite again. Each PNG must stay under 200 KiB (checked).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
work=$(mktemp -d /var/tmp/aiobench-docs.XXXXXX)
trap 'rm -rf "$work"' EXIT
go build -o "$work/aiobench" ./cmd/aiobench
report=${KEEP:-$work/report}
if [ -n "${FROM:-}" ]; then
	"$work/aiobench" report "$FROM/results.csv" "$FROM/hist.csv" --out "$report" >/dev/null
else
	"$work/aiobench" --suite aiolat --report "$report" --quiet "$@" >/dev/null
fi
cp "$report/depth-iops-randread-4k-cold.png" docs/aiolat-iops.png
cp "$report/cdf-randread-4k-qd16-cold.png" docs/aiolat-cdf-qd16.png
for f in docs/aiolat-iops.png docs/aiolat-cdf-qd16.png; do
	size=$(stat -c %s "$f")
	if [ "$size" -gt $((200 * 1024)) ]; then
		echo "$f: $size bytes, over 200 KiB" >&2
		exit 1
	fi
	echo "$f: $size bytes"
done
echo "page: $report/index.html"
