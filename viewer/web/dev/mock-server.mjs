#!/usr/bin/env node
// Dev/test stand-in for tblog-view: replays stock TensorBoard's answers for the
// golden logdir (TENSORBOARD_VIEW.json, recorded by shared/tools/tb_probe.py),
// serves blobs (images, audio, graph, projector files) from the logdir itself,
// and adds the tblog-only routes the UI uses (/data/tblog/...).
//
//   node dev/mock-server.mjs [--port 6007] [--static dist] [--extras]
//        [--perf 100x5x100000] [--no-tblog-routes]
//
// Route shapes follow tblog-view's own (viewer/server/routes_*.cpp).
// --extras adds a run "live" (POST /__mock/append?run=live&tag=loss&step=N&value=V
// appends a point) and a run "profiled" with a synthetic Chrome trace.
// --perf TxRxN replaces the scalars with T tags x R runs x N points, generated on demand.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { arraySeries, downsample } from "./downsample.mjs";
import { decodeFields, graphDef, graphDefToPbtxt, summaryValues } from "./event-files.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const flag = (name) => args.includes(name);
const port = Number(opt("--port", "6007"));
const logdir = path.resolve(opt("--logdir", path.join(here, "../../../../shared/reference/pytorch")));
const staticDir = opt("--static", null);
const view = JSON.parse(fs.readFileSync(opt("--view", path.join(logdir, "TENSORBOARD_VIEW.json")), "utf8"));
const tblogRoutes = !flag("--no-tblog-routes");
const extras = flag("--extras");
const perf = opt("--perf", null);

const P = view.plugins;
const runs = [...view.runs];
const listing = structuredClone(view.plugins_listing);
// Stock TensorBoard reports the projector disabled until its background scan
// finishes; tblog-view answers from its own scan, so the mock reports it active.
listing.projector.enabled = true;

// scalars: run -> tag -> [[wall, step, value]]
const scalars = {};
for (const [key, pts] of Object.entries(P.scalars.data)) {
  const cut = key.indexOf("|");
  (scalars[key.slice(0, cut)] ??= {})[key.slice(cut + 1)] = pts;
}
// special/nan etc. appear in the tags but their data lines were not recorded under every key
for (const [run, tags] of Object.entries(P.scalars.tags)) {
  for (const tag of Object.keys(tags)) (scalars[run] ??= {})[tag] ??= [];
}

if (perf) {
  const [T, R, N] = perf.split("x").map(Number);
  for (const k of Object.keys(scalars)) delete scalars[k];
  runs.length = 0;
  for (let r = 0; r < R; r++) {
    const run = `run_${r}`;
    runs.push(run);
    scalars[run] = {};
    for (let t = 0; t < T; t++) scalars[run][`${["train", "eval", "system"][t % 3]}/metric_${t}`] = { lazy: N, seed: r * 1000 + t };
  }
  P.projector.runs = [];
  for (const k of Object.keys(listing)) if (k !== "scalars") listing[k].enabled = false;
}

/** A generated series (perf mode): points computed on access, never stored. */
function lazySeries(n, seed) {
  const value = (i) => {
    // deterministic noise, a slow decay and rare spikes, so min/max downsampling matters
    let x = Math.imul(i + 1, 2654435761) ^ Math.imul(seed + 7, 40503);
    x = Math.imul(x ^ (x >>> 13), 1274126177);
    const noise = (x >>> 0) / 4294967296 - 0.5;
    const run = Math.floor(seed / 1000);
    const spike = (i + seed * 37) % 9973 === 0 ? 2 + (seed % 3) : 0;
    return (0.6 + 0.25 * run) / (1 + i / (800 * (1 + run))) + 0.04 * noise + spike + (seed % 7) * 0.01;
  };
  return { length: n, step: (i) => i, value, point: (i) => [1700000000 + i * 0.01, i, value(i)] };
}

/** Accessors (see downsample.mjs) for a stored or generated series. */
function materialize(run, tag) {
  const s = scalars[run]?.[tag];
  if (!s) return undefined;
  return Array.isArray(s) ? arraySeries(s) : (s.series ??= lazySeries(s.lazy, s.seed));
}
const downsampleCache = new Map();
const allPoints = (s) => Array.from({ length: s.length }, (_, i) => s.point(i));

const startWall = Date.now() / 1000;

/** 50k points with one spike (10 at step 31337) that downsampling must keep. */
function bigSeries() {
  return Array.from({ length: 50000 }, (_, i) => [1700000000 + i, i, i === 31337 ? 10 : Math.sin(i / 500)]);
}
if (extras) {
  runs.push("live", "profiled");
  scalars.live = { loss: [[startWall, 0, 1.0], [startWall + 1, 1, 0.8], [startWall + 2, 2, 0.7]] };
  runs.push("big");
  scalars.big = { spiky: bigSeries() };
}

function syntheticTrace() {
  const ev = [
    { ph: "M", name: "process_name", pid: 1, args: { name: "trainer" } },
    { ph: "M", name: "thread_name", pid: 1, tid: 1, args: { name: "main" } },
    { ph: "M", name: "thread_name", pid: 1, tid: 2, args: { name: "dataloader" } },
  ];
  let t = 0;
  for (let step = 0; step < 20; step++) {
    ev.push({ ph: "X", name: `ProfilerStep#${step}`, cat: "user_annotation", pid: 1, tid: 1, ts: t, dur: 900, args: { step } });
    ev.push({ ph: "X", name: "forward", cat: "cpu_op", pid: 1, tid: 1, ts: t + 10, dur: 400, args: { "Input Dims": [[32, 128]] } });
    ev.push({ ph: "X", name: "aten::linear", cat: "cpu_op", pid: 1, tid: 1, ts: t + 20, dur: 150 });
    ev.push({ ph: "X", name: "backward", cat: "cpu_op", pid: 1, tid: 1, ts: t + 420, dur: 450 });
    ev.push({ ph: "X", name: "load_batch", cat: "dataloader", pid: 1, tid: 2, ts: t + 100, dur: 600 });
    ev.push({ ph: "C", name: "cpu", pid: 1, ts: t, args: { percent: 40 + 30 * Math.sin(step) } });
    ev.push({ ph: "C", name: "memory", pid: 1, ts: t, args: { bytes: 1e8 + 1e7 * step } });
    t += 1000;
  }
  return { traceEvents: ev, displayTimeUnit: "ms" };
}

// blobs from the event files: images/audio keyed run|tag|sample|index
const blobs = new Map();
function loadBlobs(run, field) {
  const dir = path.join(logdir, run);
  if (!fs.existsSync(dir)) return;
  const perTag = {};
  for (const v of summaryValues(dir)) {
    const f = v.fields[field];
    if (!f) continue;
    // Summary.Image and Summary.Audio both keep the encoded bytes in field 4
    const inner = decodeFields(f[0])[4]?.[0];
    const i = (perTag[v.tag] = (perTag[v.tag] ?? -1) + 1);
    blobs.set(`${run}|${v.tag}|0|${i}`, Buffer.from(inner ?? []));
  }
}
for (const run of Object.keys(P.images.tags)) loadBlobs(run, 4);
for (const run of Object.keys(P.audio.tags)) loadBlobs(run, 6);

const q = (u, k) => u.searchParams.get(k) ?? "";
function json(res, body, status = 200) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
function bytes(res, buf, type) {
  res.writeHead(200, { "Content-Type": type, "Content-Length": buf.length });
  res.end(buf);
}
function notFound(res, msg = "not found") {
  res.writeHead(404, { "Content-Type": "text/plain" });
  res.end(msg);
}
function fromEntry(entry) {
  return Buffer.from(entry.head_b64, "base64");
}

function blobList(plugin, u) {
  const run = q(u, "run"), tag = q(u, "tag"), sample = q(u, "sample") || "0";
  const rec = P[plugin].data?.[`${run}|${tag}|${sample}`];
  if (!rec) return null;
  return rec.map((item, index) => {
    const { blob, ...rest } = item;
    const qs = new URLSearchParams({ run, tag, sample, index: String(index) });
    return { ...rest, query: qs.toString() };
  });
}

function scalarTags() {
  const out = {};
  for (const [run, tags] of Object.entries(scalars)) {
    out[run] = {};
    for (const tag of Object.keys(tags)) out[run][tag] = { description: "", displayName: "" };
  }
  return out;
}

function readProjectorEmbedding(run, name) {
  const info = P.projector[`info|${run}`];
  return info?.embeddings?.find((e) => e.tensorName === name);
}

// Projector configs in the logdir that the recorded view lacks (generated test
// embeddings, benchmarks): runs with a projector_config.pbtxt of the simple
// kind tblog and PyTorch write (one `embeddings { ... }` block per tensor).
function parseProjectorConfig(text) {
  const embeddings = [];
  for (const block of text.split(/embeddings\s*\{/).slice(1)) {
    const str = (k) => block.match(new RegExp(`\\b${k}\\s*:\\s*"([^"]*)"`))?.[1];
    const nums = (k) => [...block.matchAll(new RegExp(`\\b${k}\\s*:\\s*(\\d+)`, "g"))].map((m) => Number(m[1]));
    const e = { tensorName: str("tensor_name"), tensorPath: str("tensor_path") };
    if (nums("tensor_shape").length === 2) e.tensorShape = nums("tensor_shape");
    if (str("metadata_path")) e.metadataPath = str("metadata_path");
    if (str("bookmarks_path")) e.bookmarksPath = str("bookmarks_path");
    if (str("image_path")) e.sprite = { imagePath: str("image_path"), singleImageDim: nums("single_image_dim") };
    embeddings.push(e);
  }
  return { embeddings };
}
for (const run of fs.existsSync(logdir) ? fs.readdirSync(logdir) : []) {
  const cfg = path.join(logdir, run, "projector_config.pbtxt");
  if (P.projector.runs.includes(run) || !fs.existsSync(cfg)) continue;
  P.projector.runs.push(run);
  if (!runs.includes(run)) runs.push(run);
  P.projector[`info|${run}`] = parseProjectorConfig(fs.readFileSync(cfg, "utf8"));
}

/** A tensor file as float32 bytes: TSV text is parsed, anything else is raw little-endian float32 (tensor_shape set). */
function projectorTensor(file, e) {
  const buf = fs.readFileSync(file);
  const head = buf.subarray(0, 1024);
  const text = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  if (!text) return buf;
  const vals = buf.toString("utf8").trim().split("\n").flatMap((r) => r.split("\t").map(Number));
  return Buffer.from(new Float32Array(vals).buffer);
}

const routes = {
  "/data/runs": (u, res) => json(res, runs),
  "/data/environment": (u, res) => json(res, { data_location: logdir, window_title: "" }),
  "/data/plugins_listing": (u, res) => json(res, listing),
  "/data/plugin/scalars/tags": (u, res) => json(res, scalarTags()),
  // tblog-view's compact index: {runs: [...], tags: {tag: [run index, ...]}}
  "/data/tblog/scalar_tags": (u, res) => {
    if (!tblogRoutes) return notFound(res);
    const names = Object.keys(scalars).filter((r) => Object.keys(scalars[r]).length);
    const tags = {};
    names.forEach((r, i) => { for (const t of Object.keys(scalars[r])) (tags[t] ??= []).push(i); });
    json(res, { runs: names, tags });
  },
  "/data/plugin/scalars/scalars": (u, res) => {
    const pts = materialize(q(u, "run"), q(u, "tag"));
    if (!pts) return notFound(res);
    if (q(u, "format") === "csv") {
      res.writeHead(200, { "Content-Type": "text/csv" });
      return res.end("Wall time,Step,Value\n" + allPoints(pts).map((p) => p.join(",")).join("\n") + "\n");
    }
    json(res, allPoints(pts));
  },
  "/data/tblog/scalars": (u, res) => {
    if (!tblogRoutes) return notFound(res);
    const pts = materialize(q(u, "run"), q(u, "tag"));
    if (!pts) return notFound(res);
    // same answer shape as tblog-view's route (viewer/server/plugins/scalars/scalars_plugin.cpp)
    const num = (k, d) => (u.searchParams.has(k) ? Number(q(u, k)) : d);
    const buckets = num("buckets", 1000);
    // generated (perf) series answer from a cache once computed, as fast as the C++ server would
    const key = `${q(u, "run")}|${q(u, "tag")}|${buckets}|${q(u, "start_step")}|${q(u, "end_step")}`;
    let body = !Array.isArray(scalars[q(u, "run")][q(u, "tag")]) ? downsampleCache.get(key) : undefined;
    if (!body) {
      const r = downsample(pts, buckets, num("start_step", -Infinity), num("end_step", Infinity));
      body = JSON.stringify({ run: q(u, "run"), tag: q(u, "tag"), total: r.total, buckets, points: r.points });
      if (!Array.isArray(scalars[q(u, "run")][q(u, "tag")])) downsampleCache.set(key, body);
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(body);
  },
  "/data/plugin/histograms/tags": (u, res) => json(res, P.histograms.tags),
  "/data/plugin/histograms/histograms": (u, res) => {
    const d = P.histograms.data[`${q(u, "run")}|${q(u, "tag")}`];
    d ? json(res, d) : notFound(res);
  },
  "/data/plugin/distributions/tags": (u, res) => json(res, P.histograms.tags),
  "/data/plugin/distributions/distributions": (u, res) => {
    const d = P.distributions.data[`${q(u, "run")}|${q(u, "tag")}`];
    d ? json(res, d) : notFound(res);
  },
  "/data/plugin/images/tags": (u, res) => json(res, P.images.tags),
  "/data/plugin/images/images": (u, res) => {
    const l = blobList("images", u);
    l ? json(res, l) : notFound(res);
  },
  "/data/plugin/images/individualImage": (u, res) => {
    const b = blobs.get(`${q(u, "run")}|${q(u, "tag")}|${q(u, "sample")}|${q(u, "index")}`);
    b ? bytes(res, b, "image/png") : notFound(res);
  },
  "/data/plugin/audio/tags": (u, res) => json(res, P.audio.tags),
  "/data/plugin/audio/audio": (u, res) => {
    const l = blobList("audio", u);
    l ? json(res, l) : notFound(res);
  },
  "/data/plugin/audio/individualAudio": (u, res) => {
    const b = blobs.get(`${q(u, "run")}|${q(u, "tag")}|${q(u, "sample")}|${q(u, "index")}`);
    b ? bytes(res, b, "audio/wav") : notFound(res);
  },
  "/data/plugin/text/tags": (u, res) => json(res, P.text.tags),
  "/data/plugin/text/text": (u, res) => {
    const d = P.text.data[`${q(u, "run")}|${q(u, "tag")}`];
    d ? json(res, d) : notFound(res);
  },
  "/data/plugin/pr_curves/tags": (u, res) => json(res, P.pr_curves.tags),
  "/data/plugin/pr_curves/pr_curves": (u, res) => {
    const tag = q(u, "tag");
    const out = {};
    for (const run of u.searchParams.getAll("run")) {
      const d = P.pr_curves.data[`${run}|${tag}`];
      if (d) Object.assign(out, d);
    }
    json(res, out);
  },
  "/data/plugin/custom_scalars/layout": (u, res) => json(res, P.custom_scalars.layout),
  "/data/plugin/mesh/tags": (u, res) => json(res, P.mesh.tags),
  "/data/plugin/mesh/meshes": (u, res) => {
    const d = P.mesh.data[`${q(u, "run")}|${q(u, "tag")}`];
    d ? json(res, d) : notFound(res);
  },
  "/data/plugin/mesh/data": (u, res) => {
    const d = P.mesh.data[`${q(u, "run")}|${q(u, "tag")}|${q(u, "content_type")}`];
    d ? bytes(res, fromEntry(d), "application/octet-stream") : notFound(res);
  },
  "/data/plugin/graphs/info": (u, res) => json(res, P.graphs.info),
  "/data/plugin/graphs/graph": (u, res) => {
    const g = graphDef(path.join(logdir, q(u, "run")));
    if (!g) return notFound(res);
    res.writeHead(200, { "Content-Type": "text/x-protobuf" });
    res.end(graphDefToPbtxt(g));
  },
  "/data/plugin/hparams/experiment": (u, res) => json(res, P.hparams.experiment),
  "/data/plugin/hparams/session_groups": (u, res) => json(res, P.hparams.session_groups),
  "/data/plugin/projector/runs": (u, res) => json(res, P.projector.runs),
  "/data/plugin/projector/info": (u, res) => {
    const d = P.projector[`info|${q(u, "run")}`];
    d ? json(res, d) : notFound(res);
  },
  "/data/plugin/projector/tensor": (u, res) => {
    const e = readProjectorEmbedding(q(u, "run"), q(u, "name"));
    if (!e) return notFound(res);
    bytes(res, projectorTensor(path.join(logdir, q(u, "run"), e.tensorPath), e), "application/octet-stream");
  },
  "/data/plugin/projector/bookmarks": (u, res) => {
    const e = readProjectorEmbedding(q(u, "run"), q(u, "name"));
    if (!e?.bookmarksPath) return notFound(res);
    bytes(res, fs.readFileSync(path.join(logdir, q(u, "run"), e.bookmarksPath)), "application/json");
  },
  "/data/plugin/projector/metadata": (u, res) => {
    const e = readProjectorEmbedding(q(u, "run"), q(u, "name"));
    if (!e?.metadataPath) return notFound(res);
    bytes(res, fs.readFileSync(path.join(logdir, q(u, "run"), e.metadataPath)), "text/plain");
  },
  "/data/plugin/projector/sprite_image": (u, res) => {
    const e = readProjectorEmbedding(q(u, "run"), q(u, "name"));
    if (!e?.sprite) return notFound(res);
    bytes(res, fs.readFileSync(path.join(logdir, q(u, "run"), e.sprite.imagePath)), "image/png");
  },
  "/data/tblog/profile/runs": (u, res) =>
    json(res, extras ? [{ run: "profiled", session: "2024_01_01_00_00_00", host: "localhost", bytes: 0, gzipped: true }] : []),
  "/data/tblog/profile/trace": (u, res) => {
    if (!extras || q(u, "run") !== "profiled") return notFound(res);
    const gz = zlib.gzipSync(JSON.stringify(syntheticTrace()));
    res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": "gzip" });
    res.end(gz);
  },
  "/__mock/append": (u, res) => {
    const run = q(u, "run"), tag = q(u, "tag");
    (scalars[run] ??= {})[tag] ??= [];
    if (!runs.includes(run)) runs.push(run);
    scalars[run][tag].push([Date.now() / 1000, Number(q(u, "step")), Number(q(u, "value"))]);
    json(res, { ok: true, points: scalars[run][tag].length });
  },
};

const mime = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png" };
function serveStatic(u, res) {
  if (!staticDir) return notFound(res);
  const rel = u.pathname === "/" ? "index.html" : decodeURIComponent(u.pathname).replace(/^\/+/, "");
  const file = path.resolve(staticDir, rel);
  if (!file.startsWith(path.resolve(staticDir)) || !fs.existsSync(file) || fs.statSync(file).isDirectory())
    return notFound(res);
  bytes(res, fs.readFileSync(file), mime[path.extname(file)] ?? "application/octet-stream");
}

// The batched routes (tblog-view's <route>_multirun, POST tag=&runs=a&runs=b): the single
// route's answer per run that has one, keyed by run; per-run parameters (since) by position.
for (const single of ["/data/tblog/scalars", "/data/plugin/histograms/histograms", "/data/plugin/distributions/distributions",
  "/data/plugin/images/images", "/data/plugin/audio/audio"]) {
  routes[`${single}_multirun`] = (u, res) => {
    if (!tblogRoutes) return notFound(res);
    const out = {};
    // the single route's URL without the batch's runs (copying the whole batched URL per run
    // would make an answer for 1,000 runs quadratic)
    const base = new URL(u);
    base.searchParams.delete("runs");
    base.searchParams.delete("since");
    u.searchParams.getAll("runs").forEach((run, i) => {
      const one = new URL(base);
      one.searchParams.set("run", run);
      let status = 200, body = "";
      const sink = { writeHead: (st) => { status = st; }, setHeader() {}, end: (b) => { body = String(b ?? ""); } };
      routes[single](one, sink);
      if (status === 200) out[run] = JSON.parse(body);
    });
    if (single === "/data/tblog/scalars" && q(u, "format") === "binary") return bytes(res, scalarBatch(out), "application/octet-stream");
    json(res, out);
  };
}

/** tblog-view's binary form of a scalars_multirun answer (viewer/README.md): "TBSC", format 1,
 * the JSON header's length, the header (each run's fields but points, plus n) padded to 8, then
 * float64 wall times, float64 steps and float32 values of every run's points, run after run. */
function scalarBatch(answers) {
  const all = Object.values(answers);
  const pts = all.flatMap((a) => a.points);
  let header = JSON.stringify(all.map(({ points, ...a }) => ({ ...a, n: points.length })));
  while ((12 + Buffer.byteLength(header)) % 8) header += " ";
  const h = Buffer.byteLength(header), n = pts.length, start = 12 + h;
  const buf = Buffer.alloc(start + 20 * n);
  buf.write("TBSC", 0, "latin1");
  buf.writeUInt32LE(1, 4);
  buf.writeUInt32LE(h, 8);
  buf.write(header, 12, "utf8");
  pts.forEach(([wall, step, value], i) => {
    buf.writeDoubleLE(wall, start + 8 * i);
    buf.writeDoubleLE(step, start + 8 * (n + i));
    buf.writeFloatLE(value, start + 16 * n + 4 * i);
  });
  return buf;
}
routes["/data/plugin/scalars/scalars_multirun"] = (u, res) => {
  const out = {};
  for (const run of u.searchParams.getAll("runs")) {
    const pts = materialize(run, q(u, "tag"));
    if (pts) out[run] = allPoints(pts);
  }
  json(res, out);
};

const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://localhost");
  const route = routes[u.pathname];
  // read POST bodies (hparams: JSON, *_multirun: form fields, merged into the query)
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded"))
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString())) u.searchParams.append(k, v);
    try {
      if (route) route(u, res);
      else if (u.pathname.startsWith("/data/")) notFound(res);
      else serveStatic(u, res);
    } catch (e) {
      res.writeHead(500);
      res.end(String(e?.stack ?? e));
    }
  });
});
server.listen(port, "127.0.0.1", () => {
  console.log(`mock tblog-view on http://127.0.0.1:${server.address().port}/`);
});
