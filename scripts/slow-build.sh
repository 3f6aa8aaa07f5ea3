#!/usr/bin/env bash
# Builds aiobench with N iterations of a busy loop added to every sync-engine read: a build whose
# sync read is a known amount slower, to show that ab and the suites catch such a regression.
#   scripts/slow-build.sh N OUTPUT_BINARY [REV]
set -euo pipefail
n=${1:?usage: scripts/slow-build.sh N OUTPUT_BINARY [REV]}
out=${2:?usage: scripts/slow-build.sh N OUTPUT_BINARY [REV]}
rev=${3:-HEAD}
case $out in /*) ;; *) out=$PWD/$out ;; esac
cd "$(dirname "$0")/.."
export PATH=/usr/local/go/bin:$PATH
work=$(mktemp -d)
trap 'git worktree remove --force "$work/src" 2>/dev/null || true; rm -rf "$work"' EXIT
git worktree add --quiet --detach "$work/src" "$rev"
f="$work/src/engines/sync/sync.go"
grep -q '^func (r \*reader) read(req \*engines.Request) {$' "$f" || { echo "slow-build.sh: the sync engine's read is not where it was" >&2; exit 1; }
sed -i "s/^func (r \*reader) read(req \*engines.Request) {\$/var spinSink uint64\n\nfunc (r *reader) read(req *engines.Request) {\n\tfor i := 0; i < $n; i++ {\n\t\tspinSink += uint64(i) * 2654435761\n\t}/" "$f"
(cd "$work/src" && go build -o "$out" ./cmd/aiobench)
