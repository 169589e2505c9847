#!/usr/bin/python3
"""tblog-view on an s3:// logdir vs the same logdir on local disk (Ceph RGW from
tools/ceph_rgw.sh; S3_ENDPOINT and AWS_* set). Prints the table of viewer/bench/README.md, "S3":
  - listing: a logdir of 1,000 runs (one small event file each), time of the first load pass;
  - ingest: one run of ~105 MB of scalar events (2.4M records), MB/s of the first load pass.
Wall times come from tblog-view's own /data/tblog/status (first_pass_seconds); CPU seconds are
tblog-view's whole process and, for s3://, RGW's daemons (radosgw + the OSD, by the PIDs
tools/ceph_rgw.sh saved) over the same pass, read from /proc.

usage: bench_s3_view.py TBLOG_VIEW
"""
import concurrent.futures, json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request

import boto3

viewer = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import dump_events  # noqa: E402  (frame_record)

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
bucket = f"tblog-viewbench-{int(time.time())}"
s3.create_bucket(Bucket=bucket)
rgw_dir = os.environ.get("TBLOG_RGW_DIR", f"/tmp/tblog-rgw-{os.getuid()}")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    """utime + stime of a process, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def store_cpu():
    total = 0.0
    for name in ("rgw", "osd"):
        try:
            total += cpu_of(int(open(os.path.join(rgw_dir, name + ".pid")).read()))
        except (OSError, ValueError):
            return float("nan")
    return total


def scalar_event(step, value):  # Event{wall_time=1, step, summary{value{tag="loss", simple_value}}}
    val = b"\x0a\x04loss" + b"\x15" + struct.pack("<f", value)
    summ = b"\x0a" + bytes([len(val)]) + val
    ev = b"\x09" + struct.pack("<d", 1.0) + b"\x10" + varint(step) + b"\x2a" + bytes([len(summ)]) + summ
    return ev


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def first_pass(where):
    """tblog-view's first load pass of `where`: its status, plus the CPU seconds it and the store spent."""
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    store0 = store_cpu()
    p = subprocess.Popen([viewer, "--logdir", where, "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(3000):
            try:
                st = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/data/tblog/status", timeout=5))
                if st["passes"] >= 1:
                    st["viewer_cpu"] = cpu_of(p.pid)
                    st["store_cpu"] = store_cpu() - store0
                    return st
            except OSError:
                pass
            time.sleep(0.1)
    finally:
        p.terminate()
        p.wait()
    raise RuntimeError("no first pass")


def cell(st, what):
    cpu = f"{st['viewer_cpu']:.2f} s CPU" + (f" + RGW {st['store_cpu']:.2f} s" if what == "s3" else "")
    return f"{st['first_pass_seconds']:.2f} s ({cpu})"


version = dump_events.frame_record(b"\x09" + struct.pack("<d", 1.0) + b"\x1a\x0dbrain.Event:2")
with tempfile.TemporaryDirectory() as tmp:
    many = os.path.join(tmp, "many")
    small = version + b"".join(dump_events.frame_record(scalar_event(i, 0.5)) for i in range(100))
    for r in range(1000):
        d = os.path.join(many, f"run{r:04d}")
        os.makedirs(d)
        open(os.path.join(d, "events.out.tfevents.1.host.1.0"), "wb").write(small)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda r: s3.put_object(Bucket=bucket, Key=f"many/run{r:04d}/events.out.tfevents.1.host.1.0",
                                              Body=small), range(1000)))
    big_dir = os.path.join(tmp, "big", "run")
    os.makedirs(big_dir)
    chunk = b"".join(dump_events.frame_record(scalar_event(i, 0.5)) for i in range(100000))
    big = version + chunk * 24
    open(os.path.join(big_dir, "events.out.tfevents.1.host.1.0"), "wb").write(big)
    s3.put_object(Bucket=bucket, Key="big/run/events.out.tfevents.1.host.1.0", Body=big)

    rows = []
    lm, sm = first_pass(many), first_pass(f"s3://{bucket}/many")
    rows.append(("listing + loading 1,000 runs (first pass)", cell(sm, "s3"), cell(lm, "local"),
                 f"{sm['runs']} / {lm['runs']} runs"))
    lb, sb = first_pass(os.path.join(tmp, "big")), first_pass(f"s3://{bucket}/big")
    mb = len(big) / 1e6
    rows.append((f"ingest of one {mb:.0f} MB run (first pass)",
                 f"{mb / sb['first_pass_seconds']:.0f} MB/s, " + cell(sb, "s3"),
                 f"{mb / lb['first_pass_seconds']:.0f} MB/s, " + cell(lb, "local"),
                 f"{sb['records']} / {lb['records']} records"))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:  # the store's space back
        keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
                for o in page.get("Contents", [])]
        list(pool.map(lambda k: s3.delete_object(Bucket=bucket, Key=k), keys))
    s3.delete_bucket(Bucket=bucket)
    print(f"load average: {' '.join(open('/proc/loadavg').read().split()[:3])} ({os.cpu_count()} cores)\n")
    print("| measure | s3:// (RGW) | local disk | check |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
