#!/usr/bin/env bash
# --max_memory benchmark (issue 15): one generated logdir served by tblog-view without a budget
# and with one; prints, per budget, what the scalar points cost in RAM (the store's own
# accounting and the process's peak RSS) and on disk (the cache file), the load time, and the
# latency of the first chart of a tag (1,000 buckets), a zoomed chart and the tag's CSV
# download. Results go into viewer/bench/README.md by hand; nothing here asserts a time.
#
#   viewer/bench/budget_bench.sh TBLOG_VIEW_BIN [TAGS RUNS POINTS] [BUDGET...]
#     default 10 10 1000000 (100 M points) and budgets 0 (unlimited) 512M
# The logdir goes to ${BUDGET_BENCH_DIR:-/tmp/tblog-budget-<shape>} and is deleted afterwards
# unless KEEP=1. make_scale_logdir (-DTBLOG_BUILD_BENCHMARKS=ON) must sit beside TBLOG_VIEW_BIN
# in bench/.
set -euo pipefail
bin=$(realpath "$1"); tags=${2:-10}; runs=${3:-10}; points=${4:-1000000}
shift $(( $# < 4 ? $# : 4 ))
budgets=("$@"); [ ${#budgets[@]} -gt 0 ] || budgets=(0 512M)
shape="${tags}x${runs}x${points}"
dir=${BUDGET_BENCH_DIR:-/tmp/tblog-budget-$shape}
port=${BUDGET_BENCH_PORT:-7790}
if [ ! -e "$dir/.complete" ]; then
  rm -rf "$dir"
  t0=$(date +%s.%N)
  "$(dirname "$bin")/bench/make_scale_logdir" "$dir" "$tags" "$runs" "$points" > /dev/null
  touch "$dir/.complete"
  echo "wrote $dir in $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
total=$((tags * runs * points))
echo "logdir $shape: $total points, $(du -sb "$dir" | cut -f1) bytes of event files"
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
ms() { curl -s -o /dev/null -w '%{time_total}' "$1" | awk '{printf "%.1f", $1 * 1000}'; }
echo "| --max_memory | load (s) | scalar RAM (bytes/point) | peak RSS (MiB) | cache file (bytes/point) | first chart, 1000 buckets (ms) | again (ms) | zoomed 10 % (ms) | CSV of the tag (ms) |"
echo "|---|---|---|---|---|---|---|---|---|"
for b in "${budgets[@]}"; do
  "$bin" --logdir "$dir" --port "$port" --reload_interval 0 --max_memory "$b" > /dev/null 2>&1 &
  pid=$!
  t0=$(date +%s.%N)
  until curl -sf "http://127.0.0.1:$port/data/tblog/status" > /tmp/budget_bench_status.$$ 2>/dev/null &&
        [ "$(field passes < /tmp/budget_bench_status.$$)" -ge 1 ]; do sleep 0.2; done
  load=$(echo "$(date +%s.%N) - $t0" | bc)
  ram=$(field scalar_ram_bytes < /tmp/budget_bench_status.$$)
  cache=$(field scalar_cache_bytes < /tmp/budget_bench_status.$$)
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  groups=(train eval system); q="run=run_$((runs - 1))&tag=${groups[$(((tags - 1) % 3))]}/metric_$((tags - 1))"
  url="http://127.0.0.1:$port/data/tblog/scalars?$q"
  first=$(ms "$url&buckets=1000"); again=$(ms "$url&buckets=1000")
  zoom=$(ms "$url&buckets=1000&start_step=$((points / 2))&end_step=$((points / 2 + points / 10))")
  csv=$(ms "http://127.0.0.1:$port/data/plugin/scalars/scalars?$q&format=csv")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '| %s | %.1f | %.2f | %d | %.2f | %s | %s | %s | %s |\n' "$b" "$load" "$(echo "$ram / $total" | bc -l)" \
    $((hwm / 1024)) "$(echo "$cache / $total" | bc -l)" "$first" "$again" "$zoom" "$csv"
done
rm -f /tmp/budget_bench_status.$$
