#!/usr/bin/python3
"""tblog-view on an s3:// logdir vs the same logdir on local disk (Ceph RGW from
tools/ceph_rgw.sh; S3_ENDPOINT and AWS_* set). Prints the table of viewer/bench/README.md, "S3":
  - listing: a logdir of 1,000 runs (one small event file each), time of the first load pass;
  - ingest: one run of ~64 MB of scalar events, MB/s of the first load pass.
Times come from tblog-view's own /data/tblog/status (first_pass_seconds).

usage: bench_s3_view.py TBLOG_VIEW WRITER   (WRITER: build/tests/s3/s3_write_pair, any run maker)
"""
import json, os, socket, struct, subprocess, sys, tempfile, time, urllib.request

import boto3

viewer = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import dump_events  # noqa: E402  (masked_crc)

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
bucket = f"tblog-viewbench-{int(time.time())}"
s3.create_bucket(Bucket=bucket)


def record(data):
    head = struct.pack("<Q", len(data))
    return head + struct.pack("<I", dump_events.masked_crc(head)) + data + struct.pack("<I", dump_events.masked_crc(data))


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
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    p = subprocess.Popen([viewer, "--logdir", where, "--host", "127.0.0.1", "--port", str(port), "--reload_interval", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(3000):
            try:
                st = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/data/tblog/status", timeout=5))
                if st["passes"] >= 1:
                    return st
            except OSError:
                pass
            time.sleep(0.1)
    finally:
        p.terminate()
        p.wait()
    raise RuntimeError("no first pass")


version = record(b"\x09" + struct.pack("<d", 1.0) + b"\x1a\x0dbrain.Event:2")
with tempfile.TemporaryDirectory() as tmp:
    many = os.path.join(tmp, "many")
    small = version + b"".join(record(scalar_event(i, 0.5)) for i in range(100))
    for r in range(1000):
        d = os.path.join(many, f"run{r:04d}")
        os.makedirs(d)
        open(os.path.join(d, "events.out.tfevents.1.host.1.0"), "wb").write(small)
        s3.put_object(Bucket=bucket, Key=f"many/run{r:04d}/events.out.tfevents.1.host.1.0", Body=small)
    big_dir = os.path.join(tmp, "big", "run")
    os.makedirs(big_dir)
    chunk = b"".join(record(scalar_event(i, 0.5)) for i in range(100000))
    big = version + chunk * 24
    open(os.path.join(big_dir, "events.out.tfevents.1.host.1.0"), "wb").write(big)
    s3.put_object(Bucket=bucket, Key="big/run/events.out.tfevents.1.host.1.0", Body=big)

    rows = []
    lm, sm = first_pass(many), first_pass(f"s3://{bucket}/many")
    rows.append(("listing + loading 1,000 runs (first pass, s)", f"{sm['first_pass_seconds']:.2f}",
                 f"{lm['first_pass_seconds']:.2f}", f"{sm['runs']} / {lm['runs']} runs"))
    lb, sb = first_pass(os.path.join(tmp, "big")), first_pass(f"s3://{bucket}/big")
    mb = len(big) / 1e6
    rows.append((f"ingest of one {mb:.0f} MB run (MB/s)", f"{mb / sb['first_pass_seconds']:.0f}",
                 f"{mb / lb['first_pass_seconds']:.0f}", f"{sb['records']} / {lb['records']} records"))
    print("| measure | s3:// (RGW) | local disk | check |\n|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
