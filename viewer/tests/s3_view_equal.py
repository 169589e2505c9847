#!/usr/bin/python3
"""tblog-view --logdir s3://bucket/prefix answers exactly as tblog-view on the same logdir on
local disk. The logdir (PyTorch's reference files, every kind, projector files included, plus
a profiler trace) is uploaded with boto3; shared/tools/tb_probe.py records every dashboard's
answers from both servers and the two records are compared (only the logdir's own name, in
/data/environment and /data/logdir, may differ).

usage: s3_view_equal.py TBLOG_VIEW TB_PROBE LOGDIR   (S3_ENDPOINT and AWS_* set)
"""
import gzip, json, os, shutil, subprocess, sys, tempfile, time

viewer, probe, logdir = sys.argv[1:4]
if "S3_ENDPOINT" not in os.environ:
    print("S3_ENDPOINT not set (tools/ceph_rgw.sh start): not run")
    sys.exit(1 if os.environ.get("CI") == "true" else 0)
import boto3  # noqa: E402

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
bucket = f"tblog-view-{os.getpid()}-{int(time.time()) % 100000}"
s3.create_bucket(Bucket=bucket)


def canon(v, logdir_name):
    s = json.dumps(v, sort_keys=True)
    return json.loads(s.replace(json.dumps(logdir_name)[1:-1], "<LOGDIR>"))


with tempfile.TemporaryDirectory() as tmp:
    local = os.path.join(tmp, "logdir")
    shutil.copytree(logdir, local, ignore=shutil.ignore_patterns("*.json", "*.py", "*.npy"))
    # A profiler trace as tblog's profiler lays it out, to check the Profile routes too.
    prof = os.path.join(local, "scalars", "plugins", "profile", "2026_01_01_00_00_00")
    os.makedirs(prof)
    with gzip.open(os.path.join(prof, "host.trace.json.gz"), "wt") as f:
        json.dump({"traceEvents": [{"name": "step", "ph": "X", "ts": 1, "dur": 5, "pid": 1, "tid": 1}]}, f)
    n = 0
    for root, _, files in os.walk(local):
        for name in files:
            path = os.path.join(root, name)
            s3.upload_file(path, bucket, "logs/" + os.path.relpath(path, local))
            n += 1
    print(f"uploaded {n} files")
    answers = {}
    for label, where in (("local", local), ("s3", f"s3://{bucket}/logs")):
        out = os.path.join(tmp, label + ".json")
        subprocess.run([sys.executable, probe, where, out, "--tb", viewer], check=True)
        answers[label] = canon(json.load(open(out)), where)
    extra = {}
    for label, where in (("local", local), ("s3", f"s3://{bucket}/logs")):
        # The Profile routes (tblog's own; tb_probe.py knows TensorBoard's).
        import urllib.request, socket  # noqa: E401
        sock = socket.socket(); sock.bind(("127.0.0.1", 0)); port = sock.getsockname()[1]; sock.close()
        p = subprocess.Popen([viewer, "--logdir", where, "--host", "127.0.0.1", "--port", str(port)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            got = None
            for _ in range(100):
                try:
                    runs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/data/tblog/profile/runs", timeout=5))
                    if runs:
                        r = runs[0]
                        q = f"run={r['run']}&session={r['session']}&host={r['host']}"
                        trace = urllib.request.urlopen(f"http://127.0.0.1:{port}/data/tblog/profile/trace?{q}", timeout=5).read()
                        got = (runs, trace.decode())
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            extra[label] = got
        finally:
            p.terminate()
            p.wait()
    problems = []

    def diff(x, y, path):
        if type(x) is not type(y):
            problems.append(f"{path}: {str(x)[:80]} != {str(y)[:80]}")
        elif isinstance(x, dict):
            for k in sorted(set(x) | set(y)):
                if k not in x or k not in y:
                    problems.append(f"{path}/{k}: only in {'s3' if k in y else 'local'}")
                else:
                    diff(x[k], y[k], f"{path}/{k}")
        elif isinstance(x, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y)):
                diff(u, v, f"{path}[{i}]")
        elif x != y:
            problems.append(f"{path}: {str(x)[:80]} != {str(y)[:80]}")

    a, b = answers["local"], answers["s3"]
    diff(a, b, "")
    if extra["local"] is None or extra["local"] != extra["s3"]:
        problems.append(f"profile routes differ: {extra}")
    print(f"{len(a)} probe answers compared; profile runs: {extra['local'][0] if extra['local'] else None}")
    for p in problems[:50]:
        print("DIFFERENCE", p)
    sys.exit(1 if problems else 0)
