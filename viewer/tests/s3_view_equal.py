#!/usr/bin/python3
"""tblog-view --logdir s3://bucket/prefix answers exactly as tblog-view on the same logdir on
local disk (Ceph RGW started by tools/ceph_rgw.sh; S3_ENDPOINT and AWS_* set).

1. every dashboard: the logdir (PyTorch's reference files, every kind, projector files
   included, plus a profiler trace) is uploaded with boto3; shared/tools/tb_probe.py records
   every dashboard's answers from both servers and the records are compared (only the logdir's
   own name, in /data/environment and /data/logdir, may differ); the Profile routes too;
2. --logdir_spec with s3:// entries beside a local one;
3. reload: tblog's writer logs one run to a local directory and to the bucket in steps (each a
   flush: a new segment object), and a PyTorch-style writer re-uploads its growing event file;
   after every step both viewers (--reload_interval 1) answer the same, with every point.

usage: s3_view_equal.py TBLOG_VIEW TB_PROBE LOGDIR S3_WRITE_PAIR   (tests/s3/s3_write_pair.cpp)
"""
import gzip, json, os, shutil, socket, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

viewer, probe, logdir, write_pair = sys.argv[1:5]
if "S3_ENDPOINT" not in os.environ:
    print("S3_ENDPOINT not set (tools/ceph_rgw.sh start): not run")
    sys.exit(1 if os.environ.get("CI") == "true" else 0)
import boto3  # noqa: E402

s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"])
bucket = f"tblog-view-{os.getpid()}-{int(time.time()) % 100000}"
s3.create_bucket(Bucket=bucket)
problems = []


def canon(v, logdir_name):
    s = json.dumps(v, sort_keys=True)
    return json.loads(s.replace(json.dumps(logdir_name)[1:-1], "<LOGDIR>"))


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


def upload_tree(local, prefix):
    n = 0
    for root, _, files in os.walk(local):
        for name in files:
            path = os.path.join(root, name)
            s3.upload_file(path, bucket, prefix + "/" + os.path.relpath(path, local))
            n += 1
    return n


class Viewer:
    """tblog-view on a free loopback port."""

    def __init__(self, *args):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.proc = subprocess.Popen([viewer, *args, "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):  # until the first load pass is done
            try:
                if self.get("/data/tblog/status")["passes"] >= 1:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"tblog-view {args} did not load")

    def get(self, path, raw=False):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
            b = r.read()
            return b if raw else json.loads(b)

    def snapshot(self):
        """Runs, tags and every scalar and histogram series: what the reload check compares."""
        q = urllib.parse.quote
        snap = {"runs": self.get("/data/runs")}
        for plugin in ("scalars", "histograms"):
            tags = self.get(f"/data/plugin/{plugin}/tags")
            snap[plugin] = tags
            for run, ts in sorted(tags.items()):
                for tag in sorted(ts):
                    snap[f"{plugin}|{run}|{tag}"] = self.get(f"/data/plugin/{plugin}/{plugin}?run={q(run)}&tag={q(tag)}")
        return snap

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def check_every_dashboard(tmp):
    local = os.path.join(tmp, "logdir")
    shutil.copytree(logdir, local, ignore=shutil.ignore_patterns("*.json", "*.py", "*.npy"))
    # A profiler trace as tblog's profiler lays it out, to check the Profile routes too.
    prof = os.path.join(local, "scalars", "plugins", "profile", "2026_01_01_00_00_00")
    os.makedirs(prof)
    with gzip.open(os.path.join(prof, "host.trace.json.gz"), "wt") as f:
        json.dump({"traceEvents": [{"name": "step", "ph": "X", "ts": 1, "dur": 5, "pid": 1, "tid": 1}]}, f)
    print(f"uploaded {upload_tree(local, 'logs')} files")
    answers = {}
    for label, where in (("local", local), ("s3", f"s3://{bucket}/logs")):
        out = os.path.join(tmp, label + ".json")
        subprocess.run([sys.executable, probe, where, out, "--tb", viewer], check=True)
        answers[label] = canon(json.load(open(out)), where)
    a, b = answers["local"], answers["s3"]
    diff(a, b, "")
    if not a.get("plugins", {}).get("projector", {}).get("runs"):
        problems.append("the probe saw no projector runs: the projector files were not checked")
    extra = {}
    for label, where in (("local", local), ("s3", f"s3://{bucket}/logs")):
        v = Viewer("--logdir", where)
        try:
            runs = v.get("/data/tblog/profile/runs")
            r = runs[0] if runs else {}
            q = urllib.parse.urlencode({k: r.get(k, "") for k in ("run", "session", "host")})
            extra[label] = (runs, v.get(f"/data/tblog/profile/trace?{q}", raw=True).decode() if runs else None)
        finally:
            v.close()
    if not extra["local"][0] or extra["local"] != extra["s3"]:
        problems.append(f"profile routes differ: {extra}")
    print(f"every dashboard: {sum(len(v) for v in a['plugins'].values())} probe answers compared; "
          f"profile runs: {extra['local'][0]}")
    return local


def check_logdir_spec(local):
    spec = "a:{0}/scalars,b:{0}/embedding,c:{1}/text"
    got = {}
    for label, root in (("local", local), ("s3", f"s3://{bucket}/logs")):
        # On the s3 side, entries in the bucket beside one on local disk.
        v = Viewer("--logdir_spec", spec.format(root, local))
        try:
            got[label] = v.snapshot()
            got[label]["projector"] = v.get("/data/plugin/projector/runs")
        finally:
            v.close()
    diff(got["local"], got["s3"], "logdir_spec")
    if sorted({r.split("/")[0] for r in got["local"]["runs"]}) != ["a", "b", "c"] or got["local"]["projector"] != ["b"]:
        problems.append(f"logdir_spec runs: {got['local']['runs']}")
    print(f"--logdir_spec: runs {got['s3']['runs']}, projector runs {got['s3']['projector']}")


def segments(prefix):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", []) if "tfevents" in o["Key"]]
    return keys


def check_reload(tmp):
    local = os.path.join(tmp, "live")
    os.makedirs(local)
    # A PyTorch-style writer on S3 re-uploads its whole, growing event file at every flush.
    pt_src = sorted(f for f in os.listdir(os.path.join(logdir, "scalars")) if "tfevents" in f)[0]
    pt_bytes = open(os.path.join(logdir, "scalars", pt_src), "rb").read()
    os.makedirs(os.path.join(local, "pt"))

    def pt_put(n):
        open(os.path.join(local, "pt", pt_src), "wb").write(pt_bytes[:n])
        s3.put_object(Bucket=bucket, Key=f"live/pt/{pt_src}", Body=pt_bytes[:n])

    w = subprocess.Popen([write_pair, "--live", os.path.join(local, "run"), f"s3://{bucket}/live/run"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    viewers = {"local": Viewer("--logdir", local, "--reload_interval", "1"),
               "s3": Viewer("--logdir", f"s3://{bucket}/live", "--reload_interval", "1")}
    try:
        total = 0
        for n, pt_cut in ((40, len(pt_bytes) // 3), (25, 2 * len(pt_bytes) // 3), (60, len(pt_bytes))):
            w.stdin.write(f"{n}\n")
            w.stdin.flush()
            assert w.stdout.readline().startswith("ok"), "the writer failed"
            total += n
            pt_put(pt_cut)
            deadline = time.time() + 30
            while True:
                snaps = {k: v.snapshot() for k, v in viewers.items()}
                series = snaps["s3"].get("scalars|run|live/loss", [])
                if (len(series) == total and snaps["local"] == snaps["s3"]) or time.time() > deadline:
                    break
                time.sleep(0.5)
            if len(series) != total or [p[1] for p in series] != list(range(total)):
                problems.append(f"reload: s3 viewer has {len(series)} of {total} points")
            diff(snaps["local"], snaps["s3"], f"reload@{total}")
            print(f"reload: {total} points, {len(segments('live/run/'))} segment object(s), "
                  f"PyTorch-style object at {pt_cut} bytes: equal {snaps['local'] == snaps['s3']}")
        if len(segments("live/run/")) < 3:
            problems.append(f"expected a segment object per flush, found {segments('live/run/')}")
        if len(snaps["s3"].get("scalars", {}).get("pt", {})) == 0:
            problems.append("the re-uploaded PyTorch-style run has no scalars")
    finally:
        w.stdin.close()
        w.wait()
        for v in viewers.values():
            v.close()


with tempfile.TemporaryDirectory() as tmp:
    local = check_every_dashboard(tmp)
    check_logdir_spec(local)
    check_reload(tmp)
for p in problems[:50]:
    print("DIFFERENCE", p)
sys.exit(1 if problems else 0)
