#!/usr/bin/env bash
# The whole test suite, as CI runs it (README's second command):
#   1. a normal build: every test (ctest), including the installed-package consumer build;
#   2. the same tests (the library's and the viewer's) under AddressSanitizer + UBSan;
#   3. the concurrency tests under ThreadSanitizer: the writer's, and the viewer's HTTP server,
#      live reload, answer caches and spilling loader;
#   4. the LibTorch adapter's test and example (TBLOG_WITH_TORCH=ON, Debian's libtorch-dev);
#   5. the libFuzzer targets of fuzz/ (clang), each for a bounded time (fuzz/run_fuzzers.sh).
# Build trees go to build/ci-*. JOBS overrides the parallelism (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
JOBS=${JOBS:-$(nproc)}
# stage <title>: prints the title and how long the previous stages took in all (CI's time budget
# is 60 minutes on 2 cores; these lines tell which stage to look at when it grows).
stage() { echo "== [$((SECONDS / 60))m$((SECONDS % 60))s] $*"; }

# The suites' compile flags: the build type's -O2 with line tables only (-g1: file:line in every
# backtrace and sanitizer report, ~20 % less compile time than -g); OPT=-O1 for the sanitizer
# builds, as ASan and TSan advise (and ~15 % less again).
run_suite() {  # <build dir> <ctest regex or ""> <cmake args...>
  local dir=$1 regex=$2; shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="${OPT:--O2} -g1 -DNDEBUG" "$@" >/dev/null
  # shellcheck disable=SC2086  # TARGET: one target or several, space-separated
  cmake --build "$dir" -j"$JOBS" ${TARGET:+--target $TARGET}
  stage "built $dir; its tests"
  if [ -n "$regex" ]; then
    ctest --test-dir "$dir" -j"$JOBS" --output-on-failure -R "$regex"
  else
    ctest --test-dir "$dir" -j"$JOBS" --output-on-failure
  fi
}

stage "S3: Ceph RADOS Gateway for the S3 writer/viewer/rank/fault tests (tools/ceph_rgw.sh)"
# Started before the release build's tests (label s3, built with TBLOG_WITH_S3=ON), stopped at
# exit whatever happens. Under CI=true a missing S3_ENDPOINT fails those tests, never skips them.
trap 'tools/ceph_rgw.sh stop >/dev/null 2>&1 || true' EXIT
rgw_env=$(tools/ceph_rgw.sh start)
while IFS= read -r kv; do export "${kv?}"; done <<<"$rgw_env"
stage "tests (release build)"
run_suite build/ci-release "" -DTBLOG_WITH_S3=ON
tools/ceph_rgw.sh stop
stage "web UI: unit tests, browser tests (headless chromium) against the mock and the real tblog-view"
TBLOG_VIEW_BIN="$PWD/build/ci-release/viewer/tblog-view" TBLOG_WEB_DIST="$PWD/build/ci-release/viewer/web-dist" \
  TBLOG_DEMO_BIN="$PWD/build/ci-release/examples/example_all_kinds" bash viewer/web/ci.sh
stage "tests under AddressSanitizer + UBSan"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 OPT=-O1 \
  run_suite build/ci-asan "^test_" -DTBLOG_SANITIZE=address,undefined \
  -DTBLOG_BUILD_EXAMPLES=OFF -DTBLOG_BUILD_BENCHMARKS=OFF -DTBLOG_VIEW_BUILD_WEB=OFF
stage "concurrency under ThreadSanitizer"
# The tests whose threads share data: the writer's queue, and the viewer's server (workers,
# slow and idle clients), live reload, the answer caches and the loader spilling under readers.
tsan_tests="test_concurrency test_viewer_http test_viewer_live test_viewer_units test_viewer_budget test_viewer_spill_stress"
TSAN_OPTIONS=halt_on_error=1 TARGET=$tsan_tests OPT=-O1 \
  run_suite build/ci-tsan "^(${tsan_tests// /|}):" -DTBLOG_SANITIZE=thread \
  -DTBLOG_BUILD_EXAMPLES=OFF -DTBLOG_BUILD_BENCHMARKS=OFF -DTBLOG_VIEW_BUILD_WEB=OFF
stage "LibTorch adapter (tblog/torch.hpp): its test and the LibTorch training example"
TARGET=tblog_torch run_suite build/ci-torch "^(test_torch:|torch_)" -DTBLOG_WITH_TORCH=ON \
  -DTBLOG_BUILD_VIEWER=OFF -DTBLOG_BUILD_BENCHMARKS=OFF
stage "Profile dashboard on the LibTorch example's traces (headless chromium, real tblog-view)"
# the traces examples/libtorch_train just wrote in the LibTorch suite (ctest torch_example_libtorch_train)
TBLOG_VIEW_BIN="$PWD/build/ci-release/viewer/tblog-view" TBLOG_LIBTORCH_RUN="$PWD/build/ci-torch/examples/runs/libtorch_train" \
  node --test --test-concurrency=1 --test-name-pattern=LibTorch viewer/web/tests/profile.test.mjs
stage "fuzzing (libFuzzer, clang): every fuzz/*_fuzzer.cpp, its regression inputs, then FUZZ_SECONDS each"
cmake -S fuzz -B build/ci-fuzz -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build/ci-fuzz -j"$JOBS"
FUZZ_JOBS=$JOBS fuzz/run_fuzzers.sh build/ci-fuzz
stage "all test suites passed"
