#!/usr/bin/env bash
# --max_memory benchmark (issue 15): one generated logdir served by tblog-view without a budget
# and with one; prints, per budget, what the scalar points cost in RAM (the store's own
# accounting and the process's peak RSS, also as a percentage of the budget) and on disk (the
# cache file), what tblog-view set aside from the budget before loading, the load time, and
# the latency of the first chart of three tags (1,000 buckets; the first asked of a fresh
# server), a zoomed chart and the tag's CSV download. Results go into viewer/bench/README.md by
# hand; nothing here asserts a time.
#
#   viewer/bench/budget_bench.sh TBLOG_VIEW_BIN [TAGS RUNS POINTS] [BUDGET...]
#     default 10 10 1000000 (100 M points) and budgets 0 (unlimited) 512M
# The logdir goes to ${BUDGET_BENCH_DIR:-/tmp/tblog-budget-<shape>} and is deleted afterwards
# unless KEEP=1. make_scale_logdir (-DTBLOG_BUILD_BENCHMARKS=ON) must sit beside TBLOG_VIEW_BIN
# in bench/. KINDS=N: a mixed logdir (make_scale_logdir --kinds N: N steps of every other kind
# per run beside the scalars).
set -euo pipefail
bin=$(realpath "$1"); tags=${2:-10}; runs=${3:-10}; points=${4:-1000000}
shift $(( $# < 4 ? $# : 4 ))
budgets=("$@"); [ ${#budgets[@]} -gt 0 ] || budgets=(0 512M)
shape="${tags}x${runs}x${points}${KINDS:+-kinds$KINDS}"
dir=${BUDGET_BENCH_DIR:-/tmp/tblog-budget-$shape}
port=${BUDGET_BENCH_PORT:-7390}
if [ ! -e "$dir/.complete" ]; then
  rm -rf "$dir"
  t0=$(date +%s.%N)
  "$(dirname "$bin")/bench/make_scale_logdir" "$dir" "$tags" "$runs" "$points" ${KINDS:+--kinds "$KINDS"} > /dev/null
  touch "$dir/.complete"
  echo "wrote $dir in $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$dir"' EXIT
total=$((tags * runs * points))
echo "logdir $shape: $total points, $(du -sb "$dir" | cut -f1) bytes of event files"
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
ms() { curl -s -o /dev/null -w '%{time_total}' "$1" | awk '{printf "%.1f", $1 * 1000}'; }
echo "| --max_memory | load (s) | reserved (MiB) | data RAM (bytes/point) | peak RSS loaded / after the answers (MiB) | peak RSS / budget | cache file (bytes/point) | first chart of 3 tags, 1000 buckets (ms) | again (ms) | zoomed 10 % (ms) | CSV of the tag (ms) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for b in "${budgets[@]}"; do
  "$bin" --logdir "$dir" --port "$port" --reload_interval 0 --max_memory "$b" > /dev/null 2>&1 &
  pid=$!
  t0=$(date +%s.%N)
  until curl -sf "http://127.0.0.1:$port/data/tblog/status" > /tmp/budget_bench_status.$$ 2>/dev/null &&
        [ "$(field passes < /tmp/budget_bench_status.$$)" -ge 1 ]; do sleep 0.2; done
  load=$(echo "$(date +%s.%N) - $t0" | bc)
  ram=$(field scalar_ram_bytes < /tmp/budget_bench_status.$$)
  cache=$(field scalar_cache_bytes < /tmp/budget_bench_status.$$)
  hwm_load=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  reserved=$(python3 -c "import json,sys; print(json.load(sys.stdin).get('reserved_bytes', 0))" < /tmp/budget_bench_status.$$)
  groups=(train eval system)
  tagq() { echo "run=run_$1&tag=${groups[$(($2 % 3))]}/metric_$2"; }
  q=$(tagq $((runs - 1)) $((tags - 1)))
  url="http://127.0.0.1:$port/data/tblog/scalars?$q"
  first=$(ms "$url&buckets=1000")
  first="$first, $(ms "http://127.0.0.1:$port/data/tblog/scalars?$(tagq 0 0)&buckets=1000")"
  first="$first, $(ms "http://127.0.0.1:$port/data/tblog/scalars?$(tagq $((runs / 2)) $((tags / 2)))&buckets=1000")"
  again=$(ms "$url&buckets=1000")
  zoom=$(ms "$url&buckets=1000&start_step=$((points / 2))&end_step=$((points / 2 + points / 10))")
  csv=$(ms "http://127.0.0.1:$port/data/plugin/scalars/scalars?$q&format=csv")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")  # after the answers too (the CSV is built in RAM)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  budget=$(python3 -c "import json,sys; print(json.load(sys.stdin)['max_memory'])" < /tmp/budget_bench_status.$$)
  pct() { [ "$budget" -gt 0 ] && echo "$1 * 1024 * 100 / $budget" | bc -l | xargs printf '%.0f %%' || echo -; }
  printf '| %s | %.1f | %d | %.2f | %d / %d | %s / %s | %.2f | %s | %s | %s | %s |\n' "$b" "$load" $((reserved >> 20)) \
    "$(echo "$ram / $total" | bc -l)" $((hwm_load / 1024)) $((hwm / 1024)) "$(pct "$hwm_load")" "$(pct "$hwm")" "$(echo "$cache / $total" | bc -l)" "$first" "$again" "$zoom" "$csv"
done
rm -f /tmp/budget_bench_status.$$
