#!/usr/bin/env bash
# The web UI's checks, as CI should run them (from any directory):
#   installs Debian's chromium if missing, builds dist/ from package-lock.json (or, given
#   TBLOG_WEB_DIST, tests that already built UI: the one a CMake build embedded in tblog-view),
#   runs the unit tests, then the browser tests against the mock server and,
#   when TBLOG_VIEW_BIN names a tblog-view built with this dist/ embedded,
#   against the real server too.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v "${CHROMIUM_BIN:-/usr/bin/chromium}" >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
fi
if [ -n "${TBLOG_WEB_DIST:-}" ] && [ -f "$TBLOG_WEB_DIST/index.html" ]; then
  # tools/run_tests.sh: the CMake build has just installed the packages (its npm ci re-runs when
  # package-lock.json changes) and built the UI its tblog-view embeds; test that very build
  # instead of installing and building again (~2.5 min of CI). npm ls checks the install.
  npm ls --depth=0 >/dev/null 2>&1 || npm ci --no-audit --no-fund
else
  npm ci --no-audit --no-fund
  npm run build
fi
npm run test:unit
echo "== browser tests against the mock server"
env -u TBLOG_VIEW_BIN npm run test:browser
if [ -n "${TBLOG_VIEW_BIN:-}" ]; then
  echo "== browser tests against $TBLOG_VIEW_BIN"
  npm run test:browser
fi
if [ -n "${TBLOG_VIEW_BIN:-}" ]; then
  echo "== Profile dashboard browser tests with $TBLOG_VIEW_BIN (generated traces; a LibTorch run's with TBLOG_LIBTORCH_RUN)"
  node --test --test-concurrency=1 tests/profile.test.mjs
fi
if [ -n "${TBLOG_VIEW_BIN:-}" ] && [ -n "${TBLOG_DEMO_BIN:-}" ]; then
  echo "== browser tests on the demo logdir ($TBLOG_DEMO_BIN) with $TBLOG_VIEW_BIN"
  node --test --test-concurrency=1 tests/demo.test.mjs
fi
if [ -n "${TBLOG_VIEW_BIN:-}" ]; then
  echo "== browser tests on the foreign corpus (Keras, TF1, hparams API, tensorboardX) with $TBLOG_VIEW_BIN"
  node --test --test-concurrency=1 tests/foreign.test.mjs
fi
# Scale (issue 15): 1,000 runs x 20 tags — batched requests, lazy cards, virtualised run list.
# runs.test.mjs: the run list sorted by hparam/metric columns, kept in the URL.
echo "== scale browser tests (1,000 runs; run sort) against the mock server"
env -u TBLOG_VIEW_BIN node --test --test-concurrency=1 tests/scale.test.mjs tests/runs.test.mjs
if [ -n "${TBLOG_VIEW_BIN:-}" ]; then
  echo "== scale browser tests (1,000 runs; run sort) with $TBLOG_VIEW_BIN"
  node --test --test-concurrency=1 tests/scale.test.mjs tests/runs.test.mjs
fi
# --max_memory (issue 15): two real servers on one logdir, one spilling to its cache file: the
# scalars, then every other kind on a mixed logdir (make_scale_logdir --kinds, beside
# TBLOG_VIEW_BIN in bench/ or at TBLOG_SCALE_LOGDIR_BIN; ~1 min in all).
if [ -n "${TBLOG_VIEW_BIN:-}" ]; then
  echo "== memory-budget browser tests (every dashboard draws the same from the same answers with and without --max_memory) with $TBLOG_VIEW_BIN"
  node --test --test-concurrency=1 tests/budget.test.mjs
fi
if [ -n "${TBLOG_VIEW_BIN:-}" ] && [ -n "${TBLOG_EMBEDDING_BIN:-${TBLOG_DEMO_BIN:-}}" ]; then
  echo "== projector on add_embedding's files (examples/embedding.cpp) with $TBLOG_VIEW_BIN"
  node --test --test-concurrency=1 tests/projector-real.test.mjs
fi
# Static export (issue 14): folder behind a static file server and single file from file://,
# compared with the live server; a 1,000-run export.
if [ -n "${TBLOG_VIEW_BIN:-}" ]; then
  echo "== export browser tests with $TBLOG_VIEW_BIN"
  node --test --test-concurrency=1 tests/export.test.mjs
  echo "== the single-file export in Firefox (firefox-esr over WebDriver BiDi) with $TBLOG_VIEW_BIN"
  if ! command -v "${FIREFOX_BIN:-/usr/bin/firefox-esr}" >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends firefox-esr
  fi
  node --test --test-concurrency=1 tests/export-firefox.test.mjs
fi
