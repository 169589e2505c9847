#!/usr/bin/env bash
# Installs the Debian 12 packages tblog's build, tests and viewer need (only those missing).
# Runs as root or through sudo.
set -euo pipefail
pkgs=(
  build-essential cmake pkg-config
  zlib1g-dev libpng-dev                          # the library's only runtime dependencies
  libprotobuf-dev protobuf-compiler              # tests + viewer decode with real protobuf
  catch2 libbenchmark-dev
  python3 python3-protobuf python3-numpy         # tools/dump_events.py, reference checks
  libgif-dev                                      # tests decode our GIFs with giflib
  nlohmann-json3-dev libcpp-httplib-dev          # tblog-view
  libtorch-dev python3-torch                      # tblog/torch.hpp's test + example; fixtures
  chromium                                        # tblog-view's web UI: browser tests
  firefox-esr                                     # the single-file export opened in Firefox too
  libcurl4-openssl-dev libssl-dev curl           # tblog::s3 (optional S3 storage): HTTP, TLS, SigV4
  ceph-mon ceph-osd radosgw ceph-common python3-boto3  # tests' S3 server (tools/ceph_rgw.sh), boto3 readback
  clang libclang-rt-dev                           # fuzz/: libFuzzer targets (clang's runtime)
)
missing=()
# The web UI builds with Node.js + npm: the machine's own when present (this machine kind ships
# Node 20 from NodeSource; Debian's npm would conflict with it), else Debian's.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
