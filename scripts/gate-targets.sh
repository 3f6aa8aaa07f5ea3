#!/usr/bin/env bash
# The CI gate's targets (issue 9), on this machine, warm 4 KiB random reads, QD1, 64 MiB:
#  1. aiobench --suite syncfirst at its defaults: time, and the retry-vs-sync IOPS interval;
#  2. aiobench ab at its defaults (10 s of blocks), TRIES times each: a build whose sync read
#     is ~2% slower at --threshold 1%, a ~10% slower one at 5%, and A against A at 1%;
#  3. aiobench calibrate's prediction beside those rates;
#  4. the gate over 10,000 rows.
# The slower builds are made by scripts/slow-build.sh (N busy-loop iterations per sync read);
# their real effect is measured first with one 60 s ab each.
#   TRIES=20 N2=12 N10=150 DIR=/var/tmp/aiobench-gate scripts/gate-targets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
TRIES=${TRIES:-20}
SECTIONS=${SECTIONS:-12345} # which sections to run
N2=${N2:-12}
N10=${N10:-150}
DIR=${DIR:-/var/tmp/aiobench-gate}
mkdir -p "$DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/a" ./cmd/aiobench
scripts/slow-build.sh "$N2" "$work/slow2"
scripts/slow-build.sh "$N10" "$work/slow10"
run=(--engine sync --size 64M --dir "$DIR")

if [[ $SECTIONS == *1* ]]; then
	echo "== 1. syncfirst at its defaults"
	start=$(date +%s)
	"$work/a" --suite syncfirst --dir "$DIR" 2>/dev/null | grep 'sync-path: retry vs sync *| iops' || true
	echo "took $(($(date +%s) - start)) s"
fi
if [[ $SECTIONS == *2* ]]; then
	echo "== 2. the slower builds' real effect (60 s of blocks each)"
	for b in slow2 slow10; do
		"$work/a" ab --baseline-bin "$work/a" --candidate-bin "$work/$b" "${run[@]}" --runtime 60s --metrics iops 2>/dev/null |
			awk -v b="$b" -F'|' '/iops/ {print b ": IOPS change " $6 " " $7}' || true
	done
fi

verdicts() { # verdicts NAME CANDIDATE THRESHOLD: TRIES runs of ab at its defaults
	local name=$1 cand=$2 thr=$3 reg=0 pass=0 inc=0 t0
	t0=$(date +%s)
	for _ in $(seq "$TRIES"); do
		v=$("$work/a" ab --baseline-bin "$work/a" --candidate-bin "$cand" "${run[@]}" --threshold "$thr" --metrics iops 2>/dev/null |
			awk -F'|' '/iops/ {gsub(/ /, "", $10); print $10}') || true
		case $v in REGRESSION) reg=$((reg + 1)) ;; PASS) pass=$((pass + 1)) ;; *) inc=$((inc + 1)) ;; esac
		printf '%s ' "${v:-none}" >&2
	done
	echo >&2
	echo "$name at $thr: REGRESSION $reg, PASS $pass, other $inc of $TRIES ($(( ($(date +%s) - t0) / TRIES )) s each)"
}
if [[ $SECTIONS == *3* ]]; then
	echo "== 3. ab at its defaults, $TRIES tries each"
	verdicts "2% slower build" "$work/slow2" 1%
	verdicts "10% slower build" "$work/slow10" 5%
	verdicts "A against A" "$work/a" 1%
fi
if [[ $SECTIONS == *4* ]]; then
	echo "== 4. calibrate's prediction"
	"$work/a" calibrate "${run[@]}" 2>/dev/null
fi
if [[ $SECTIONS == *5* ]]; then
	echo "== 5. the gate over 10,000 rows"
	go test ./compare -run X -bench Gate -benchtime 3x | grep Benchmark
fi
