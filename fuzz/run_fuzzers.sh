#!/usr/bin/env bash
# Runs every fuzz target of a fuzz build for a bounded time (CI: tools/run_tests.sh).
#   fuzz/run_fuzzers.sh <build dir> [target names...]   (default: every fuzz/*_fuzzer.cpp)
# For each target <name>: first the inputs in fuzz/regressions/<name>/ (each once: inputs
# that crashed it before), then FUZZ_SECONDS (default 40) of fuzzing from fuzz/corpus/<name>/.
# FUZZ_JOBS targets run at once (default 2). New corpus entries go to a scratch directory,
# never into the committed corpus. A crash fails the run; its input is kept under
# <build dir>/fuzz-artifacts/ — fix the bug and add the input to fuzz/regressions/<name>/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run_fuzzers.sh <build dir> [targets...]}" && pwd); shift
seconds=${FUZZ_SECONDS:-40}
jobs=${FUZZ_JOBS:-2}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$here"/*_fuzzer.cpp; do n=$(basename "$f" _fuzzer.cpp); targets+=("$n"); done
fi
art="$build/fuzz-artifacts"; mkdir -p "$art"
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT

run_one() {  # <name>: exit status 0 = no crash
  local name=$1 bin="$build/${1}_fuzzer" log="$scratch/$1.log"
  [ -x "$bin" ] || { echo "fuzz $name: $bin not built" >"$log"; return 1; }
  local reg="$here/regressions/$name"
  if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
    "$bin" -runs=1 "$reg"/* >"$log" 2>&1 || return 1
  fi
  mkdir -p "$scratch/corpus-$name"
  local seeds=(); [ -d "$here/corpus/$name" ] && seeds=("$here/corpus/$name")
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$art/$name-" \
    "$scratch/corpus-$name" "${seeds[@]}" >>"$log" 2>&1
}

pids=(); names=(); failed=()
wait_one() {  # waits for the oldest running target
  local pid=${pids[0]} name=${names[0]}
  pids=("${pids[@]:1}"); names=("${names[@]:1}")
  if wait "$pid"; then
    echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$scratch/$name.log" | awk '{print $2}') runs in ${seconds}s)"
  else
    echo "fuzz $name: FAILED"; tail -n 60 "$scratch/$name.log"
    ls "$art"/"$name"-* 2>/dev/null | sed 's/^/  crash input: /' || true
    failed+=("$name")
  fi
}
for t in "${targets[@]}"; do
  [ ${#pids[@]} -ge "$jobs" ] && wait_one
  run_one "$t" & pids+=($!); names+=("$t")
done
while [ ${#pids[@]} -gt 0 ]; do wait_one; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]}"; exit 1
fi
