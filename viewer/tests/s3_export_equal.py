#!/usr/bin/python3
"""tblog-view export --out s3://bucket/site/ stores exactly the folder a local export writes
(Ceph RGW started by tools/ceph_rgw.sh; S3_ENDPOINT and AWS_* set):

1. every key under the prefix, read back with boto3 (list page by page, GET each), has the bytes
   of the local export's file of the same path, and the content type a static host gives its
   extension (this file's own table; an extension it does not know fails the check);
2. a second export into the same prefix replaces the first: the bucket holds exactly the new
   local export (the first one's leftover data/ objects deleted), other objects are kept;
3. --single-file s3://... stores the same bytes as the local single file, as text/html;
4. clear errors naming the URL: wrong secret key (403), missing bucket (404 NoSuchBucket), a
   prefix holding something that is not an export (refused, nothing written);
5. the export served by RGW itself (path-style URL, objects readable anonymously through a
   bucket policy) draws the scalar charts in headless Chromium (--dump-dom).

usage: s3_export_equal.py TBLOG_VIEW GOLDEN_LOGDIR   (PyTorch's reference files; a WAV run is added)
"""
import html, json, os, re, shutil, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
import dump_events  # noqa: E402  (frame_record: TFRecord framing)

viewer, golden = sys.argv[1:3]
if "S3_ENDPOINT" not in os.environ:
    print("S3_ENDPOINT not set (tools/ceph_rgw.sh start): not run")
    sys.exit(1 if os.environ.get("CI") == "true" else 0)
import boto3  # noqa: E402

endpoint = os.environ["S3_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint)
bucket = f"tblog-export-{os.getpid()}-{int(time.time()) % 100000}"
s3.create_bucket(Bucket=bucket)
problems = []
env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")  # same bytes from both exports

# What a bucket website must answer for each extension the export writes.
CONTENT_TYPES = {
    "html": "text/html", "js": "text/javascript", "css": "text/css", "json": "application/json",
    "csv": "text/csv", "png": "image/png", "wav": "audio/wav", "txt": "text/plain",
    "bin": "application/octet-stream", "svg": "image/svg+xml", "pbtxt": "text/x-protobuf",
}


def field(num, payload):  # a length-delimited protobuf field
    n, size = len(payload), b""
    while True:
        size += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return bytes([num << 3 | 2]) + size + payload


def wav_run(path):
    """A run with one audio clip whose plugin data says WAV (as TF2's tf.summary.audio writes),
    so that the export holds .wav answers (PyTorch's legacy audio is served as octet-stream, as
    stock TensorBoard serves it)."""
    frames = struct.pack("<100h", *range(100))
    wav = (b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVEfmt " +
           struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data" + struct.pack("<I", len(frames)) + frames)
    # metadata {plugin_data {"audio", AudioPluginData {encoding: WAV}}, data_class: BLOB_SEQUENCE}
    meta = field(1, field(1, b"audio") + field(2, b"\x10\x0b")) + b"\x20\x03"
    # tensor {dtype: DT_STRING, shape [1, 2], string_val: clip, label}
    tensor = b"\x08\x07" + field(2, field(2, b"\x08\x01") + field(2, b"\x08\x02")) + field(8, wav) + field(8, b"")
    value = field(1, b"clip") + field(9, meta) + field(8, tensor)
    events = [b"\x09" + struct.pack("<d", 1.0) + field(3, b"brain.Event:2"),
              b"\x09" + struct.pack("<d", 2.0) + b"\x10\x00" + field(5, field(1, value))]
    os.makedirs(path)
    open(os.path.join(path, "events.out.tfevents.2.host.1.0"), "wb").write(b"".join(dump_events.frame_record(e) for e in events))


def export(*args, expect_ok=True, environ=None):
    r = subprocess.run([viewer, "export", "--logdir", logdir, "--name", "S3 export", *args],
                       capture_output=True, text=True, env=environ or env, timeout=240)
    if expect_ok and r.returncode != 0:
        raise RuntimeError(f"export {args} failed: {r.stderr}")
    return r


def local_tree(root):
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            out[os.path.relpath(p, root)] = open(p, "rb").read()
    return out


def bucket_tree(prefix):
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    out = {}
    for k in keys:
        o = s3.get_object(Bucket=bucket, Key=k)
        out[k[len(prefix):]] = (o["Body"].read(), o["ContentType"])
    return out


def compare(label, local, remote):
    before = len(problems)
    if sorted(local) != sorted(remote):
        problems.append(f"{label}: keys differ: only local {sorted(set(local) - set(remote))[:5]}, "
                        f"only in the bucket {sorted(set(remote) - set(local))[:5]}")
    for path in sorted(set(local) & set(remote)):
        body, ctype = remote[path]
        if body != local[path]:
            problems.append(f"{label}: {path}: {len(body)} bytes in the bucket, {len(local[path])} local, or they differ")
        ext = path.rsplit(".", 1)[-1]
        want = CONTENT_TYPES.get(ext)
        if want is None or ctype.split(";")[0].strip() != want:
            problems.append(f"{label}: {path}: Content-Type {ctype!r}, want {want!r}")
    exts = sorted({p.rsplit(".", 1)[-1] for p in remote})
    print(f"{label}: {len(remote)} objects ({', '.join(exts)}), {sum(len(b) for b, _ in remote.values())} bytes, "
          f"equal to the local export: {len(problems) == before}")


def check_folder(tmp):
    site = os.path.join(tmp, "site")
    export("--out", site)
    export("--out", f"s3://{bucket}/site/")
    local = local_tree(site)
    remote = bucket_tree("site/")
    compare("folder", local, remote)
    for ext in ("html", "js", "css", "json", "csv", "png", "wav"):
        if not any(p.endswith("." + ext) for p in remote):
            problems.append(f"folder: no .{ext} object: the logdir does not exercise that content type")

    # Again, narrower, into the same places: the earlier data is replaced, a stranger's key kept.
    s3.put_object(Bucket=bucket, Key="site/notes/keep.txt", Body=b"kept")
    export("--out", site, "--tags", "^loss", "--include", "scalars")
    export("--out", f"s3://{bucket}/site", "--tags", "^loss", "--include", "scalars")
    again = bucket_tree("site/")
    if again.pop("notes/keep.txt", (None,))[0] != b"kept":
        problems.append("re-export: an object outside data/ and assets/ was deleted")
    local2 = local_tree(site)
    compare("re-export", local2, again)
    if len(local2) >= len(local):
        problems.append(f"re-export: the narrower export has {len(local2)} files, the first {len(local)}")
    return site


def check_single_file(tmp):
    path = os.path.join(tmp, "report.html")
    export("--single-file", path)
    export("--single-file", f"s3://{bucket}/reports/report.html")
    got = bucket_tree("reports/")
    compare("single file", {"report.html": open(path, "rb").read()}, got)


def check_errors():
    url = f"s3://{bucket}/denied/"
    r = export("--out", url, expect_ok=False, environ=dict(env, AWS_SECRET_ACCESS_KEY="not-the-secret"))
    if r.returncode == 0 or url not in r.stderr or "403" not in r.stderr:
        problems.append(f"wrong key: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    print(f"wrong key: exit {r.returncode}: {r.stderr.strip()}")
    url = f"s3://{bucket}-missing/site/"
    r = export("--out", url, expect_ok=False)
    if r.returncode == 0 or url not in r.stderr or "NoSuchBucket" not in r.stderr:
        problems.append(f"missing bucket: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    print(f"missing bucket: exit {r.returncode}: {r.stderr.strip()}")
    s3.put_object(Bucket=bucket, Key="other/data.csv", Body=b"a,b\n")
    r = export("--out", f"s3://{bucket}/other/", expect_ok=False)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="other/").get("Contents", [])]
    if r.returncode == 0 or "not an earlier export" not in r.stderr or keys != ["other/data.csv"]:
        problems.append(f"foreign prefix: exit {r.returncode}, keys {keys}, stderr {r.stderr.strip()!r}")
    print(f"foreign prefix: exit {r.returncode}: {r.stderr.strip()}")


def check_browser(tmp):
    """The first export again, opened from RGW by a browser with no credentials."""
    export("--out", f"s3://{bucket}/web/", "--include", "scalars")
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/web/*"}]}))
    chromium = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
    if not shutil.which(chromium):
        problems.append(f"browser: {chromium} not found (apt-get install chromium)")
        return
    url = f"{endpoint}/{bucket}/web/index.html#tab=scalars"
    dom = ""
    for budget in (15000, 40000):  # virtual time: a loaded machine gets a second, longer try
        r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            f"--user-data-dir={os.path.join(tmp, 'chromium')}", "--window-size=1280,800",
                            f"--virtual-time-budget={budget}", "--dump-dom", url],
                           capture_output=True, text=True, timeout=180)
        dom = r.stdout
        if 'data-series="' in dom:
            break
    series = [html.unescape(v) for v in re.findall(r'data-series="([^"]*)"', dom)]
    tags = re.findall(r'class="card[^"]*" data-tag="([^"]*)"', dom)
    points = [n for v in series for n in json.loads(v).values()]  # {run: points drawn}
    if not points or min(points) < 1 or "S3 export" not in dom:
        problems.append(f"browser: {url} drew {len(series)} chart(s); page begins {dom[:300]!r}")
    print(f"browser: {url}: {len(series)} scalar chart(s) drawn (first: {series[0][:60] if series else None}), "
          f"cards {tags[:6]}")


try:
    with tempfile.TemporaryDirectory() as tmp:
        logdir = os.path.join(tmp, "logdir")
        shutil.copytree(golden, logdir, ignore=shutil.ignore_patterns("*.json", "*.py", "*.npy"))
        wav_run(os.path.join(logdir, "wav"))
        check_folder(tmp)
        check_single_file(tmp)
        check_errors()
        check_browser(tmp)
finally:
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys += [{"Key": o["Key"]} for o in page.get("Contents", [])]
    for i in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys[i:i + 1000]})
    s3.delete_bucket(Bucket=bucket)
for p in problems[:50]:
    print("DIFFERENCE", p)
sys.exit(1 if problems else 0)
