#!/usr/bin/env bash
# Scale benchmark of tblog-view + web UI (issue 15): writes a generated logdir of
# TAGS x RUNS x POINTS scalars, serves it with tblog-view, and measures the Scalars tab in
# headless Chromium (viewer/web/tests/perf-scalars.mjs: first chart, all on-screen charts,
# smoothing). Results go into viewer/bench/README.md by hand; nothing here asserts a time.
#
#   viewer/bench/scale_bench.sh TBLOG_VIEW_BIN [TAGS RUNS POINTS] [DIR]
#     default 20 1000 1000 (1,000 runs x 20 tags x 1,000 steps); the logdir is kept in DIR
#     (default /tmp/tblog-scale-<shape>) between invocations.
# TBLOG_VIEW_BIN must embed the built UI (cmake -DTBLOG_VIEW_WEB_DIST=viewer/web/dist, or
# the default npm build). KINDS=N: a mixed logdir (make_scale_logdir --kinds N: N steps of
# every other kind per run beside the scalars; needs the C++ writer).
set -euo pipefail
bin=$(realpath "$1"); tags=${2:-20}; runs=${3:-1000}; points=${4:-1000}
shape="${tags}x${runs}x${points}"
dir=${5:-/tmp/tblog-scale-$shape${KINDS:+-kinds$KINDS}}
web=$(cd "$(dirname "$0")/../web" && pwd)
if [ ! -e "$dir/.complete" ]; then
  rm -rf "$dir"
  # same curves either way; the C++ writer (built with -DTBLOG_BUILD_BENCHMARKS=ON) is ~100x faster
  gen="$(dirname "$bin")/bench/make_scale_logdir"
  if [ -x "$gen" ]; then "$gen" "$dir" "$tags" "$runs" "$points" ${KINDS:+--kinds "$KINDS"}
  elif [ -n "${KINDS:-}" ]; then echo "KINDS needs $gen (-DTBLOG_BUILD_BENCHMARKS=ON)" >&2; exit 2
  else node "$web/tests/make-perf-logdir.mjs" "$dir" "$tags" "$runs" "$points" > /dev/null; fi
  touch "$dir/.complete"
fi
echo "logdir $dir: $(du -sh "$dir" | cut -f1)"
cd "$web"
TBLOG_VIEW_BIN="$bin" TBLOG_PERF_LOGDIR="$dir" TBLOG_PERF_SHAPE="$shape" node tests/perf-scalars.mjs
