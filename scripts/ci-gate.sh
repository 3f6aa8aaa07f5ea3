#!/usr/bin/env bash
# The GitHub Actions workflow of docs/ci/github-actions.yml, for a CI of any kind: builds two
# revisions of aiobench, calibrates this machine once, compares the head build with the base
# build block by block (aiobench ab) at the threshold calibration suggests, writes the Markdown
# table to $SUMMARY (and to $GITHUB_STEP_SUMMARY when set), and exits as aiobench ab does:
# 0 pass, 1 regression, 2 bad input, 3 inconclusive under --strict.
#   scripts/ci-gate.sh BASE_REV [HEAD_REV]
# RUN_FLAGS (default: --engine sync --cache warm --size 64M --runtime 20s), THRESHOLD (default:
# from aiobench calibrate), OUT (default: a temporary directory) and DIR (data) may be set.
set -euo pipefail
base=${1:?usage: scripts/ci-gate.sh BASE_REV [HEAD_REV]}
head=${2:-HEAD}
RUN_FLAGS=${RUN_FLAGS:---engine sync --cache warm --size 64M --runtime 20s}
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
work=$(mktemp -d)
cleanup() {
	git worktree remove --force "$work/base" 2>/dev/null || true
	git worktree remove --force "$work/head" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
OUT=${OUT:-$work/ab}
DIR=${DIR:-$work/data}
mkdir -p "$DIR"
for rev in base head; do
	sha=$base
	[ "$rev" = head ] && sha=$head
	git worktree add --quiet --detach "$work/$rev" "$sha"
	(cd "$work/$rev" && go build -o "$work/aiobench-$rev" ./cmd/aiobench)
done
# shellcheck disable=SC2086 # RUN_FLAGS holds several flags
THRESHOLD=${THRESHOLD:-$("$work/aiobench-head" calibrate $RUN_FLAGS --dir "$DIR" --suggest-threshold)}
status=0
# shellcheck disable=SC2086
"$work/aiobench-head" ab --baseline-bin "$work/aiobench-base" --candidate-bin "$work/aiobench-head" \
	$RUN_FLAGS --dir "$DIR" --threshold "$THRESHOLD" --format markdown --output-dir "$OUT" \
	>"$work/ab.md" || status=$?
summary="### aiobench: $head against $base (threshold $THRESHOLD)"$'\n'"$(cat "$work/ab.md")"
echo "$summary"
[ -n "${SUMMARY:-}" ] && echo "$summary" >"$SUMMARY"
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && echo "$summary" >>"$GITHUB_STEP_SUMMARY"
exit "$status"
