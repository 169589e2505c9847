#!/usr/bin/python3
"""What tblog wrote to a bucket, read back the way TensorBoard's S3 file layer does (boto3:
list every key under the prefix, page by page; group keys into runs by folder; only keys whose
name contains "tfevents"; a run's files in key order), equals the records of the same run
written to local disk. Records are split and CRC-checked by tools/dump_events.py, which also
--check-s every downloaded object.

usage: readback_boto3.py WRITER SOURCE_DIR   (S3_ENDPOINT and AWS_* set; tests/s3/CMakeLists.txt)
"""
import os, subprocess, sys, tempfile, time

import boto3

writer, src = sys.argv[1], sys.argv[2]
if "S3_ENDPOINT" not in os.environ:
    print("S3_ENDPOINT not set (tools/ceph_rgw.sh start): not run")
    sys.exit(1 if os.environ.get("CI") == "true" else 0)
sys.path.insert(0, os.path.join(src, "tools"))
import dump_events  # noqa: E402  (read_records: TFRecord framing with CRC checks)

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
bucket = f"tblog-readback-{os.getpid()}-{int(time.time()) % 100000}"
s3.create_bucket(Bucket=bucket)

with tempfile.TemporaryDirectory() as tmp:
    local = os.path.join(tmp, "local")
    subprocess.run([writer, local, f"s3://{bucket}/exp/run"], check=True)

    # TensorBoard's gfile S3 walk: a paginated listing of every key under the prefix.
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="exp/"):
        keys += [o["Key"] for o in page.get("Contents", [])]
    runs = {}
    for k in keys:
        folder, name = k.rsplit("/", 1)
        if "tfevents" in name:
            runs.setdefault(folder, []).append(k)
    mirror = os.path.join(tmp, "mirror")
    problems = []
    for folder, files in sorted(runs.items()):
        rel = folder[len("exp/"):]
        got = []
        for k in sorted(files):
            path = os.path.join(mirror, k)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            body = s3.get_object(Bucket=bucket, Key=k)["Body"].read()
            open(path, "wb").write(body)
            recs = [data for _, data in dump_events.read_records(path)]
            if b"brain.Event:2" not in recs[0]:
                problems.append(f"{k}: does not begin with file_version brain.Event:2")
            got += recs[1:]
        local_dir = os.path.normpath(os.path.join(local, os.path.relpath(rel, "run")))
        local_files = sorted(f for f in os.listdir(local_dir) if "tfevents" in f)
        if len(local_files) != 1:
            problems.append(f"{local_dir}: {len(local_files)} local event files")
            continue
        want = [data for _, data in dump_events.read_records(os.path.join(local_dir, local_files[0]))][1:]
        if got != want:
            problems.append(f"{folder}: {len(got)} records in the bucket, {len(want)} local, or their bytes differ")
        print(f"{folder}: {len(files)} segment object(s), {len(got)} records, equal: {got == want}")
    if sorted(runs) != ["exp/run", "exp/run/pair_a", "exp/run/pair_b"]:
        problems.append(f"runs found: {sorted(runs)}")
    check = subprocess.run(["/usr/bin/python3", os.path.join(src, "tools", "dump_events.py"), "--check", mirror],
                           stdout=subprocess.DEVNULL)
    if check.returncode != 0:
        problems.append("dump_events.py --check failed on the downloaded objects")
    for p in problems:
        print("PROBLEM", p)
    sys.exit(1 if problems else 0)
