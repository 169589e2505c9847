// Browser tests of `tblog-view export` (needs TBLOG_VIEW_BIN): the golden logdir (plus a 50k-
// point run) is shown by a live tblog-view, by its folder export behind a plain static file
// server (no tblog-view running) and by its single-file export opened from file://; every
// dashboard must show the same content in all three (chart point counts, image pixels,
// hparams rows, graph node count, projector point count, ...), no request may leave for
// another origin, and a 1,000-run export must stay usable.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view node --test tests/export.test.mjs
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { EventWriter } from "./support/event-writer.mjs";
import { goldenDir, launchBrowser, newPage, startServer } from "./support/harness.mjs";

const bin = process.env.TBLOG_VIEW_BIN;
let tmp, logdir, live, browser, closeBrowser, folder, statics, single;

/** A plain static file server: files by path (query ignored), content type by extension. */
function staticServer(root) {
  const types = { html: "text/html", js: "text/javascript", css: "text/css", json: "application/json", png: "image/png", wav: "audio/wav", csv: "text/csv" };
  const srv = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    const file = path.join(root, rel);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "Content-Type": types[path.extname(file).slice(1)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => srv.listen(0, "127.0.0.1", () =>
    resolve({ base: `http://127.0.0.1:${srv.address().port}/`, stop: () => new Promise((r) => srv.close(r)) })));
}

function exportTo(args) {
  return execFileSync(bin, ["export", "--logdir", logdir, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
}

/** The buckets a live page asks for at 1280x800 (so the export draws as many points). */
async function liveBuckets() {
  const p = await newPage(browser);
  let buckets;
  p.page.on("request", (r) => {
    if (r.url().includes("tblog/scalars_multirun")) buckets ??= new URLSearchParams(r.postData() ?? "").get("buckets");
  });
  await p.page.goto(`${live.base}#tab=scalars`);
  await p.page.waitForSelector(".card .chart[data-series]", { timeout: 30000 });
  await p.context.close();
  return buckets;
}

before(async () => {
  if (!bin) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-export-web-"));
  logdir = path.join(tmp, "logdir");
  fs.cpSync(goldenDir, logdir, { recursive: true, filter: (src) => !src.endsWith(".npy") });
  new EventWriter(path.join(logdir, "big")).addSeries("spiky", Array.from({ length: 50000 }, (_, i) => (i === 31337 ? 10 : Math.sin(i / 500))));
  live = await startServer({ logdir });
  ({ browser, close: closeBrowser } = await launchBrowser());
  const buckets = await liveBuckets();
  assert.ok(Number(buckets) >= 64, `live buckets ${buckets}`);
  folder = path.join(tmp, "site");
  exportTo(["--out", folder, "--name", "Golden logdir", "--description", "every kind PyTorch writes", "--max_points", buckets]);
  statics = await staticServer(folder);
  single = path.join(tmp, "report.html");
  exportTo(["--single-file", single, "--name", "Golden logdir", "--max_points", buckets]);
});

after(async () => {
  await closeBrowser?.();
  await live?.stop();
  await statics?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cardFor = (tag) => `.card[data-tag="${tag}"]`;

/** Opens `base` on a tab; records every request's URL. */
async function open(base, tab, waitFor) {
  const p = await newPage(browser);
  p.requests = [];
  p.page.on("request", (r) => p.requests.push(r.url()));
  await p.page.goto(`${base}#tab=${tab}`);
  await p.page.waitForSelector(`#pane[data-dashboard="${tab}"]`, { timeout: 30000 });
  if (waitFor) await p.page.waitForSelector(waitFor, { timeout: 30000, state: "attached" });
  return p;
}

/** `read(card)` of every card (by tag and run), each scrolled into view and waited for `inner`. */
async function eachCard(p, inner, read) {
  await p.page.waitForSelector(".card", { timeout: 30000, state: "attached" });
  await p.page.$$eval("details.group", (ds) => ds.forEach((d) => (d.open = true)));
  const keys = await p.page.$$eval(".card", (els) => els.map((e) => `${e.dataset.tag}\u0000${e.dataset.run ?? ""}`));
  const out = {};
  for (const [i, key] of keys.entries()) {
    const card = p.page.locator(".card").nth(i);
    await card.scrollIntoViewIfNeeded();
    await card.locator(inner).first().waitFor({ timeout: 30000 });
    out[key] = await read(card);
  }
  return out;
}

const perCard = (p, inner, field) =>
  eachCard(p, `${inner}[data-${field}]`, (card) => card.locator(`${inner}[data-${field}]`).first().evaluate((e, f) => e.dataset[f], field));

/** Width, height and a hash of the decoded pixels of each card's image. */
const imagePixels = (p) => eachCard(p, "img", (card) => card.locator("img").first().evaluate(async (img) => {
  if (!img.complete || !img.naturalWidth) await img.decode();
  const c = document.createElement("canvas");
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const g = c.getContext("2d");
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", d));
  return `${c.width}x${c.height} ${[...sum.slice(0, 8)].map((b) => b.toString(16)).join("")}`;
}));

// What each dashboard shows, as numbers and strings to compare across the three pages.
const probes = {
  scalars: async (p) => ({ series: await perCard(p, ".chart", "series"), spikeSub: await p.page.$eval(`${cardFor("spiky")} .card-sub`, (e) => e.textContent.split(" ")[0]) }),
  // a chart whose tags no run has says so instead of drawing
  custom_scalars: (p) => eachCard(p, ".chart[data-series], .chart .empty",
    (card) => card.locator(".chart").first().evaluate((e) => e.dataset.series ?? e.textContent)),
  histograms: (p) => perCard(p, ".chart", "steps"),
  distributions: (p) => perCard(p, ".chart", "steps"),
  images: (p) => imagePixels(p),
  audio: (p) => eachCard(p, "audio", (card) => card.locator("audio").first().evaluate((a) => new Promise((res) => {
    if (a.readyState >= 1) res(a.duration.toFixed(3));
    a.addEventListener("loadedmetadata", () => res(a.duration.toFixed(3)));
    a.load();
  }))),
  text: (p) => eachCard(p, ".text-entry", (card) => card.locator(".text-entry").allTextContents()),
  pr_curves: (p) => perCard(p, "[data-lines]", "lines"),
  hparams: async (p) => {
    await p.page.waitForSelector("table.data tbody tr", { timeout: 30000 });
    return p.page.$$eval("table.data tbody tr", (rs) => rs.map((r) => r.textContent));
  },
  graphs: async (p) => {
    await p.page.waitForSelector(".graph-view[data-ops]", { timeout: 30000 });
    return p.page.$eval(".graph-view", (e) => [e.dataset.ops, e.dataset.nodes]);
  },
  // points laid out by the worker (in the single file, started from the inlined script)
  projector: async (p) => {
    await p.page.waitForSelector('.plot[data-state="done"][data-points]', { timeout: 60000 });
    return p.page.$eval(".plot", (e) => [e.dataset.method, e.dataset.points]);
  },
  mesh: async (p) => {
    await p.page.waitForSelector(".three-box[data-vertices]", { timeout: 30000 });
    return p.page.$eval(".three-box", (e) => [e.dataset.vertices, e.dataset.faces]);
  },
};

/** Requests that left the page's own origin (file:// pages: anything but the file, blob: and data:). */
function foreign(p, base) {
  return p.requests.filter((u) => !(u.startsWith(base) || u.startsWith("blob:") || u.startsWith("data:")));
}

describe("export", { skip: !bin && "TBLOG_VIEW_BIN is not set" }, () => {
  it("shows the export's name, description, creation time and version", async () => {
    const p = await open(statics.base, "scalars", ".export-info");
    const text = await p.page.$eval(".export-info", (e) => e.textContent);
    assert.match(text, /Golden logdir/);
    assert.match(text, /every kind PyTorch writes/);
    assert.match(text, /exported .* by tblog-view \d+\.\d+\.\d+/);
    assert.ok(!Number.isNaN(Date.parse(await p.page.$eval(".export-info", (e) => e.dataset.created))));
    assert.equal(await p.page.title(), "Golden logdir");
    await p.context.close();
  });

  for (const [tab, probe] of Object.entries(probes)) {
    it(`${tab}: the folder and the single file show what the live server shows`, async () => {
      const want = await (async () => { const p = await open(live.base, tab); const v = await probe(p); await p.context.close(); return v; })();
      const p = await open(statics.base, tab);
      assert.deepEqual(await probe(p), want, "folder export");
      assert.deepEqual(foreign(p, statics.base), [], "requests to another origin");
      assert.ok(!p.requests.some((u) => u.includes("/data/plugin/") || u.includes("/data/tblog/")), "a data route was asked");
      assert.deepEqual(p.errors, [], "console errors");
      await p.context.close();
      const s = await open(pathToFileURL(single).href, tab);
      assert.deepEqual(await probe(s), want, "single file");
      assert.deepEqual(foreign(s, pathToFileURL(single).href), [], "requests beyond the file");
      assert.deepEqual(s.errors, [], "console errors");
      await s.context.close();
    });
  }

  it("offers the full-resolution series as CSV from the folder", async () => {
    const p = await open(statics.base, "scalars", `${cardFor("spiky")} .downloads summary`);
    await p.page.click(`${cardFor("spiky")} .downloads summary`);  // the links are built when opened
    await p.page.waitForSelector(`${cardFor("spiky")} .downloads a`, { state: "attached" });
    const href = await p.page.$eval(`${cardFor("spiky")} .downloads a`, (a) => a.href);
    const csv = await (await fetch(href)).text();
    assert.equal(csv.trim().split(/\r?\n/).length, 50001);  // header + every point
    await p.context.close();
  });

  it("offers hparams' Download data links with the live server's bytes", async () => {
    const links = async (base) => {
      const p = await open(base, "hparams", 'a[data-format="csv"]');
      const hrefs = await p.page.$$eval("a[data-format]", (as) => as.map((a) => a.href));
      await p.context.close();
      return Promise.all(hrefs.map(async (h) => (await fetch(h)).text()));
    };
    const want = await links(live.base);
    assert.equal(want.length, 3);
    assert.deepEqual(await links(statics.base), want);
  });

  it("--open serves the folder once on 127.0.0.1, for a check", async () => {
    const out = path.join(tmp, "opened");
    const proc = spawn(bin, ["export", "--logdir", logdir, "--out", out, "--include", "scalars", "--open", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      let log = "";
      const url = await new Promise((resolve, reject) => {
        proc.stdout.on("data", (d) => { log += d; const m = /serving the export at (\S+)/.exec(log); if (m) resolve(m[1]); });
        proc.once("exit", (c) => reject(new Error(`exited with ${c}: ${log}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.equal(await (await fetch(url)).text(), fs.readFileSync(path.join(out, "index.html"), "utf8"));
      const p = await open(url, "scalars", cardFor("spiky"));
      await p.page.locator(cardFor("spiky")).scrollIntoViewIfNeeded();
      await p.page.waitForSelector(`${cardFor("spiky")} .chart[data-series]`, { timeout: 30000 });
      assert.deepEqual(p.errors, []);
      await p.context.close();
    } finally {
      proc.kill();
    }
  });

  it("keeps a 1,000-run export usable", async () => {
    const many = path.join(tmp, "many");
    for (let r = 0; r < 1000; r++) {
      const w = new EventWriter(path.join(many, `run${String(r).padStart(4, "0")}`));
      w.addSeries("loss", Array.from({ length: 20 }, (_, i) => 1 / (i + 1) + r / 1000));
      w.addSeries("acc", Array.from({ length: 20 }, (_, i) => i / 20));
    }
    const out = path.join(tmp, "many-site");
    execFileSync(bin, ["export", "--logdir", many, "--out", out]);
    const srv = await staticServer(out);
    try {
      const p = await open(srv.base, "scalars", `${cardFor("loss")} .chart[data-series]`);
      const series = JSON.parse(await p.page.$eval(`${cardFor("loss")} .chart`, (e) => e.dataset.series));
      assert.ok(Object.keys(series).length > 0 && Object.values(series).every((n) => n === 20), JSON.stringify(series).slice(0, 200));
      assert.ok(p.requests.length < 200, `${p.requests.length} requests for the first screen`);
      assert.deepEqual(p.errors, []);
      await p.context.close();
    } finally {
      await srv.stop();
    }
  });
});
