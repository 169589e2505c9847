#!/usr/bin/env bash
# Size of `tblog-view export` output (issue 14): a generated logdir of TAGS x RUNS x POINTS
# scalars (viewer/web/tests/make-perf-logdir.mjs), and the demo logdir when DEMO_LOGDIR names
# one (tools/demo.sh writes runs/demo), each as a folder and as a single file. Prints sizes,
# file counts and wall times; figures go into viewer/bench/README.md by hand.
#
#   viewer/bench/export_size.sh TBLOG_VIEW_BIN [TAGS RUNS POINTS]     (default 20 100 1000)
set -euo pipefail
bin=$(realpath "$1"); tags=${2:-20}; runs=${3:-100}; points=${4:-1000}
web=$(cd "$(dirname "$0")/../web" && pwd)
work=$(mktemp -d /tmp/tblog-export-size-XXXXXX)
trap 'rm -rf "$work"' EXIT
measure() {  # NAME LOGDIR [EXPORT FLAGS...]
  local name=$1 logdir=$2; shift 2
  local t0=$(date +%s.%N)
  "$bin" export --logdir "$logdir" --out "$work/$name" "$@" > /dev/null
  local t1=$(date +%s.%N)
  "$bin" export --logdir "$logdir" --single-file "$work/$name.html" --max_size_mb 100000 "$@" > /dev/null
  local t2=$(date +%s.%N)
  printf '%-28s logdir %6s | folder %6s, %6d files, %5.1f s | single file %6s, %5.1f s\n' "$name" \
    "$(du -sh "$logdir" | cut -f1)" "$(du -sh "$work/$name" | cut -f1)" "$(find "$work/$name" -type f | wc -l)" \
    "$(echo "$t1 - $t0" | bc)" "$(du -sh "$work/$name.html" | cut -f1)" "$(echo "$t2 - $t1" | bc)"
}
node "$web/tests/make-perf-logdir.mjs" "$work/logdir" "$tags" "$runs" "$points" > /dev/null
measure "${runs} runs x ${tags} tags x ${points}" "$work/logdir"
measure "  same, --max_points 200" "$work/logdir" --max_points 200
if [ -n "${DEMO_LOGDIR:-}" ]; then measure "demo (tools/demo.sh)" "$DEMO_LOGDIR"; fi
