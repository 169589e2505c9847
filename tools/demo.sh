#!/usr/bin/env bash
# README's first command: install dependencies, build tblog-view (with its web UI) and the
# demo, run the demo training loop into runs/demo, export it as a static site (runs/demo-export/,
# readable from any static host, and runs/demo-export.html, one file that opens from disk),
# then open it in tblog-view at http://127.0.0.1:6006/ (Ctrl+C stops the viewer). PORT
# overrides the port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DTBLOG_BUILD_TESTS=OFF -DTBLOG_BUILD_VIEWER=ON >/dev/null
cmake --build build/demo -j"$(nproc)" --target example_all_kinds tblog-view
rm -rf runs/demo
./build/demo/examples/example_all_kinds runs/demo
rm -rf runs/demo-export runs/demo-export.html
./build/demo/viewer/tblog-view export --logdir runs/demo --out runs/demo-export \
  --name "tblog demo" --description "every kind tblog writes, from examples/example_all_kinds"
./build/demo/viewer/tblog-view export --logdir runs/demo --single-file runs/demo-export.html --name "tblog demo"
exec ./build/demo/viewer/tblog-view --logdir runs/demo --port "${PORT:-6006}"
