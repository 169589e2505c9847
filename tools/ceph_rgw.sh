#!/usr/bin/env bash
# A real S3 server for the tests: Ceph's RADOS Gateway from Debian 12's packages, single node on
# 127.0.0.1 (one monitor, one memstore OSD, one radosgw), started and stopped by saved PIDs.
#
#   tools/ceph_rgw.sh start   # prints S3_ENDPOINT=..., AWS_ACCESS_KEY_ID=..., AWS_SECRET_ACCESS_KEY=...
#   tools/ceph_rgw.sh env     # the same lines again (for `eval "$(tools/ceph_rgw.sh env)"`)
#   tools/ceph_rgw.sh stop    # radosgw, then the OSD, then the monitor
#   tools/ceph_rgw.sh kill-rgw | start-rgw | stop-rgw-sigstop | cont-rgw   (fault tests)
#
# Settings (environment): TBLOG_RGW_DIR (state, default /tmp/tblog-rgw-$UID), TBLOG_RGW_PORT
# (S3 port, default 7500), TBLOG_RGW_MON_PORT (7591); the OSD binds in 7560-7589.
#
# Why these settings (found by getting it to run on one machine):
# - msgr v1 only and auth none: no keyrings to create, one port per daemon.
# - With auth none the OSD's own start-up crush update carries a zero fsid and the monitor refuses
#   it, so the OSD is added to the crush map here, before it starts, and its update is off.
# - memstore: no disk device; pools of size 1 with 8 PGs; chooseleaf type 0 (one host).
# - paxos propose interval 0.05 s: the monitor commits quickly (start-up ~3 s instead of ~13 s).
# - No mgr: on Pacific radosgw creates its pools itself.
# - A radosgw killed with SIGKILL leaves its watches on the control objects; the restarted one's
#   bucket operations wait for them to time out, so the watch timeout is 4 s, not 30 s.
# - Garbage collection every 10 s, not after 2 h: an overwritten or deleted object's data stays
#   in the 2 GiB memstore until RGW's GC frees it, and a PyTorch-style writer that re-uploads its
#   growing file (viewer_s3_equal, bench_s3: ~1 GB) would otherwise fill the OSD (all writes stall).
# - tcp_nodelay=1 on the beast frontend: without it RGW's replies wait on Nagle's algorithm and
#   the client's delayed ACK, ~50 ms for every GET or listing with a body (HEAD: 6 ms), which made
#   tblog-view's first load of 1,000 runs take 33-47 s instead of ~5 s (viewer/bench/README.md).
set -euo pipefail

DIR=${TBLOG_RGW_DIR:-/tmp/tblog-rgw-$(id -u)}
PORT=${TBLOG_RGW_PORT:-7500}
MON_PORT=${TBLOG_RGW_MON_PORT:-7591}
ACCESS_KEY=${TBLOG_RGW_ACCESS_KEY:-TBLOGTESTACCESSKEY01}
SECRET_KEY=${TBLOG_RGW_SECRET_KEY:-tblogtestsecretkey0000000000000000000001}
CONF="$DIR/ceph.conf"

say_env() {
  echo "S3_ENDPOINT=http://127.0.0.1:$PORT"
  echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
  echo "AWS_REGION=us-east-1"
}

pid_alive() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

# Waits up to $2 seconds for the process in $DIR/$1.pid to exit; then SIGKILL.
stop_one() {
  local name=$1 wait=${2:-10} pid
  [ -f "$DIR/$name.pid" ] || return 0
  pid=$(cat "$DIR/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $((wait * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$DIR/$name.pid"
}

ceph_cli() { timeout 30 ceph -c "$CONF" "$@"; }

wait_for_s3() {
  for _ in $(seq 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then return 0; fi
    pid_alive rgw || { echo "radosgw exited; see $DIR/log/client.rgw.log" >&2; return 1; }
    sleep 0.1
  done
  echo "radosgw did not answer on port $PORT within 30 s" >&2
  return 1
}

start_rgw() {
  radosgw -c "$CONF" -n client.rgw -f >"$DIR/log/rgw.out" 2>&1 &
  echo $! >"$DIR/rgw.pid"
  wait_for_s3
}

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
ms bind msgr2 = false
ms bind ipv6 = false
ms bind port min = 7560
ms bind port max = 7589
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
pid file = $DIR/run/\$name.pid
keyring = $DIR/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
osd data = $DIR/osd
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
osd crush update on start = false
osd class update on start = false
mon data = $DIR/mon
paxos propose interval = 0.05
mon data avail warn = 1
mon data avail crit = 0
mon allow pool delete = true
mon pg warn min per osd = 0
mon max pg per osd = 1000
osd client watch timeout = 4
osd max object name len = 460
osd max object namespace len = 64
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw data = $DIR/rgw
rgw enable usage log = false
rgw thread pool size = 64
rgw gc obj min wait = 10
rgw gc processor period = 10
EOF
}

start() {
  if pid_alive rgw; then say_env; return 0; fi
  stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
  mkdir -p "$DIR"/{run,log,mon,osd,rgw}
  : >"$DIR/keyring"
  local fsid; fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" >"$DIR/log/mon-mkfs.out" 2>&1
  ceph-mon -c "$CONF" -i a -f >"$DIR/log/mon.out" 2>&1 &
  echo $! >"$DIR/mon.pid"
  local id; id=$(ceph_cli osd create)
  ceph-osd -c "$CONF" -i "$id" --mkfs >"$DIR/log/osd-mkfs.out" 2>&1
  ceph_cli osd crush add "osd.$id" 1.0 root=default >/dev/null 2>&1
  ceph-osd -c "$CONF" -i "$id" -f >"$DIR/log/osd.out" 2>&1 &
  echo $! >"$DIR/osd.pid"
  start_rgw
  timeout 60 radosgw-admin -c "$CONF" user create --uid=tblog --display-name=tblog \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  say_env
}

stop() {
  stop_one rgw 10
  stop_one osd 10
  stop_one mon 10
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) say_env ;;
  kill-rgw) [ -f "$DIR/rgw.pid" ] && kill -KILL "$(cat "$DIR/rgw.pid")" 2>/dev/null; sleep 0.2; rm -f "$DIR/rgw.pid" ;;
  start-rgw) start_rgw ;;
  stop-rgw-sigstop) kill -STOP "$(cat "$DIR/rgw.pid")" ;;
  cont-rgw) kill -CONT "$(cat "$DIR/rgw.pid")" ;;
  status) pid_alive rgw && pid_alive osd && pid_alive mon && echo running || { echo stopped; exit 1; } ;;
  *) echo "usage: $0 start|stop|env|status|kill-rgw|start-rgw|stop-rgw-sigstop|cont-rgw" >&2; exit 2 ;;
esac
