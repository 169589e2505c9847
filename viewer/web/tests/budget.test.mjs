// Browser test of --max_memory (issue 15, "answers equal with and without the budget"): two
// real tblog-view processes on one logdir, one unlimited and one whose budget is far below
// what the logdir takes in RAM (so they spill to its cache file).
//   Scalars: the budget is ~4 % of the scalar points; the Scalars tab draws the same charts
//   (points per run and the largest value, the spike included) and a card's CSV download is
//   the same full-resolution file.
//   Every other kind: a mixed logdir (viewer/bench/make_scale_logdir --kinds: histograms,
//   images, audio, text, PR curves, meshes, graphs, an embedding, custom scalars, hparams)
//   under a budget that spills every payload; every dashboard draws the same on both (cards,
//   what their elements report drawing, the images' pixels, the text) and every data route
//   the page asked for (image and audio bytes included) answered the same bytes on both.
// Real server only (TBLOG_VIEW_BIN); make_scale_logdir is found beside it in bench/ (the
// CMake build's benchmarks, on by default) or at TBLOG_SCALE_LOGDIR_BIN.
//
//   TBLOG_VIEW_BIN=... node --test tests/budget.test.mjs
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { EventWriter } from "./support/event-writer.mjs";
import { ensureBuilt, launchBrowser, newPage, startServer, usingRealServer } from "./support/harness.mjs";

/**
 * The fixture of a suite: before its tests, a scratch logdir filled by `fill(dir)`, served by two
 * tblog-view processes, `full` (--max_memory 0) and `small` (--max_memory `budget`), and a
 * browser; after them, all are gone.
 */
function useServerPair({ prefix, fill, budget }) {
  const f = { logdir: null, full: null, small: null, browser: null };
  let closeBrowser;
  before(async () => {
    ensureBuilt();
    f.logdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fill(f.logdir);
    f.full = await startServer({ logdir: f.logdir, realArgs: ["--max_memory", "0"] });
    f.small = await startServer({ logdir: f.logdir, realArgs: ["--max_memory", String(budget)] });
    ({ browser: f.browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => {
    await closeBrowser?.();
    await f.full?.stop();
    await f.small?.stop();
    if (f.logdir) fs.rmSync(f.logdir, { recursive: true, force: true });
  });
  return f;
}

const RUNS = 5, TAGS = 3, POINTS = 25000;  // 375,000 points: ~7.5 MB in RAM unlimited; 3 cards: all on the first screen
const BUDGET = 320 * 1024;

async function status(server) {
  return (await fetch(`${server.base}data/tblog/status`)).json();
}

async function loaded(server, points = RUNS * TAGS * POINTS) {
  for (let t0 = Date.now(); ;) {
    const s = await status(server);
    if (s.passes >= 1 && s.points >= points) return s;
    if (Date.now() - t0 > 60000) throw new Error(`not loaded: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("--max_memory: the same charts and downloads with and without the budget", { skip: !usingRealServer && "needs TBLOG_VIEW_BIN" }, () => {
  const f = useServerPair({
    prefix: "tblog-web-budget-", budget: BUDGET, fill: (logdir) => {
      for (let r = 0; r < RUNS; r++) {
        const w = new EventWriter(path.join(logdir, `run_${r}`));
        for (let t = 0; t < TAGS; t++)
          w.addSeries(`loss_${t}`, Array.from({ length: POINTS }, (_, i) => (i === 7777 * (r + 1) ? 50 + r : Math.sin(i / (50 + t)) / (r + 1))));
      }
    },
  });

  it("spills past the budget and keeps its RAM accounting within it", async () => {
    const a = await loaded(f.full), s = await loaded(f.small);
    assert.equal(a.scalar_cache_bytes, 0);
    assert.ok(a.scalar_ram_bytes > 20 * BUDGET, `unlimited holds ${a.scalar_ram_bytes} bytes`);
    assert.equal(s.max_memory, BUDGET);
    assert.ok(s.scalar_ram_bytes <= BUDGET, `${s.scalar_ram_bytes} bytes in RAM for a budget of ${BUDGET}`);
    assert.ok(s.scalar_cache_bytes > 0.9 * RUNS * TAGS * POINTS * 20, `${s.scalar_cache_bytes} bytes spilled`);
  });

  /** What the Scalars tab draws on the first screen, and the first card's first CSV download. */
  async function view(server) {
    await loaded(server);
    const p = await newPage(f.browser);
    await p.page.goto(`${server.base}#tab=scalars`);
    await p.page.waitForFunction((n) => {
      const charts = [...document.querySelectorAll(".chart[data-drawn]")];
      return charts.length === n && charts.every((c) => Object.keys(JSON.parse(c.dataset.series ?? "{}")).length > 0);
    }, TAGS, { timeout: 60000, polling: 100 });
    const charts = await p.page.$$eval(".card", (cards) => cards.map((c) => {
      const chart = c.querySelector(".chart");
      return { tag: c.dataset.tag, series: JSON.parse(chart.dataset.series), ymax: chart.dataset.ymax };
    }));
    // The links are built by the list's toggle event, which fires after the click returns.
    await p.page.click(".card details.downloads summary");
    await p.page.waitForSelector(".card a[download$='.csv']", { state: "attached" });
    const href = await p.page.$eval(".card a[download$='.csv']", (a) => a.href);
    const csv = await p.page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert.deepEqual(p.errors, []);
    await p.context.close();
    return { charts, href: new URL(href).search, csv };
  }

  it("draws the same charts and downloads the same CSV", async () => {
    const a = await view(f.full), b = await view(f.small);
    assert.equal(a.charts.length, TAGS);
    for (const c of a.charts) {
      assert.equal(Object.keys(c.series).length, RUNS, c.tag);
      for (const n of Object.values(c.series)) assert.ok(n > 100 && n < POINTS, `${c.tag}: ${n} points drawn`);
    }
    assert.deepEqual(b.charts, a.charts);
    assert.equal(b.href, a.href);
    assert.equal(a.csv.trimEnd().split("\r\n").length, POINTS + 1);  // header + every point
    assert.equal(b.csv, a.csv);
  });
});

// The mixed logdir: make_scale_logdir DIR 2 3 300 --kinds 12 writes 3 runs x 2 scalar tags x
// 300 steps and, per run, 12 steps of every other kind (64 px images: ~1.7 MB of payloads, more
// records than the images' and audio's samples keep) plus a graph, an embedding, a
// custom-scalars layout and an hparams sub-run.
const KIND_RUNS = 3, KIND_TAGS = 2, KIND_POINTS = 300, KIND_STEPS = 12;
const KIND_BUDGET = 256 * 1024;  // below what tblog-view sets aside for itself: every payload spills
// Each dashboard, with the selector of a drawn element and how many of them it draws.
const KIND_TABS = {
  histograms: [".chart[data-steps]", KIND_RUNS],
  distributions: [".chart[data-steps]", KIND_RUNS],
  images: [".card img", 2 * KIND_RUNS],  // kinds/image, kinds/batch
  audio: [".card audio", KIND_RUNS],
  text: [".text-entry:first-child", KIND_RUNS],  // a card's first entry (it lists all 12 steps): every card loaded
  pr_curves: [".card [data-lines]", 1],
  mesh: [".three-box[data-vertices]", KIND_RUNS],
  graphs: [".graph-view[data-ops]", 1],
  hparams: ["table.data tbody tr", KIND_RUNS],
  custom_scalars: [".card .chart[data-series]", 1],
  projector: [".plot[data-points]", 1],
};
// The route of each dashboard's data that must be among the page's requests.
const KIND_ROUTES = {
  histograms: "/data/plugin/histograms/histograms?", distributions: "/data/plugin/histograms/histograms?",
  images: "/data/plugin/images/individualImage?", audio: "/data/plugin/audio/individualAudio?", text: "/data/plugin/text/text?",
  pr_curves: "/data/plugin/pr_curves/pr_curves?", mesh: "/data/plugin/mesh/data?", graphs: "/data/plugin/graphs/graph?",
  hparams: "/data/plugin/hparams/session_groups", custom_scalars: "/data/tblog/scalars_multirun", projector: "/data/plugin/projector/tensor?",
};
// Data routes whose answers are about the server, not the data.
const NOT_DATA = [/^\/data\/tblog\/status/];

function scaleLogdirBin() {
  const bin = process.env.TBLOG_SCALE_LOGDIR_BIN ??
    (process.env.TBLOG_VIEW_BIN ? path.join(path.dirname(process.env.TBLOG_VIEW_BIN), "bench", "make_scale_logdir") : "");
  return bin && fs.existsSync(bin) ? bin : null;
}
// Under CI a missing generator fails the suite rather than skipping it.
const kindsSkip = !usingRealServer ? "needs TBLOG_VIEW_BIN"
  : !scaleLogdirBin() && process.env.CI !== "true" ? "needs make_scale_logdir (-DTBLOG_BUILD_BENCHMARKS=ON) or TBLOG_SCALE_LOGDIR_BIN" : false;

describe("--max_memory: every other kind draws the same, from the same bytes, with every payload spilled", { skip: kindsSkip }, () => {
  const k = useServerPair({
    prefix: "tblog-web-budget-kinds-", budget: KIND_BUDGET, fill: (logdir) => {
      const bin = scaleLogdirBin();
      assert.ok(bin, "make_scale_logdir not found beside TBLOG_VIEW_BIN (bench/) nor at TBLOG_SCALE_LOGDIR_BIN");
      execFileSync(bin, [logdir, String(KIND_TAGS), String(KIND_RUNS), String(KIND_POINTS), "--kinds", String(KIND_STEPS)], { stdio: "ignore" });
    },
  });
  const points = () => KIND_RUNS * KIND_TAGS * KIND_POINTS;

  it("spills the payloads: the unbudgeted server holds them in RAM, the budgeted one in its cache file", async () => {
    const f = await loaded(k.full, points()), s = await loaded(k.small, points());
    // what the scalar points could cost at most (20 bytes a point, their summaries, their series)
    const scalars = 64 * f.points;
    assert.equal(f.data_cache_bytes, 0);
    assert.ok(f.data_ram_bytes > 10 * scalars, `unlimited holds ${f.data_ram_bytes} bytes, mostly payloads`);
    assert.equal(s.max_memory, KIND_BUDGET);
    assert.ok(s.data_ram_bytes < f.data_ram_bytes / 10, `${s.data_ram_bytes} bytes in RAM against ${f.data_ram_bytes}`);
    assert.ok(s.data_cache_bytes > 0.8 * (f.data_ram_bytes - scalars), `${s.data_cache_bytes} bytes in the cache file`);
  });

  /** One dashboard on one server: what it draws, and every data answer the page received. */
  async function view(server, tab, [selector, count]) {
    const p = await newPage(k.browser);
    const answers = new Map(), pending = [];
    p.page.on("response", (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith("/data/") || NOT_DATA.some((re) => re.test(u.pathname))) return;
      const key = `${r.request().method()} ${u.pathname}${u.search} ${r.request().postData() ?? ""}`;
      // media elements fetch ranges (206): their bytes are compared whole below
      if (r.status() === 206) return void answers.set(key, "partial");
      pending.push(r.body().then((b) => answers.set(key, `${r.status()} ${b.length} ${crypto.createHash("sha256").update(b).digest("hex")}`),
        () => answers.set(key, `${r.status()} (no body)`)));
    });
    await p.page.goto(`${server.base}#tab=${tab}`);
    await p.page.waitForSelector(`#pane[data-dashboard="${tab}"]`);
    await p.page.waitForFunction(([sel, n]) => {
      const els = [...document.querySelectorAll(`#pane ${sel}`)];
      return els.length >= n && [...document.querySelectorAll("#pane img")].every((i) => i.complete && i.naturalWidth > 0);
    }, [selector, count], { timeout: 30000, polling: 100 });
    for (const card of await p.page.$$("#pane .card")) await card.scrollIntoViewIfNeeded();  // every lazy card loads
    // Images complete, and every clip's metadata in (preload="metadata"): its range requests
    // are made, on both servers alike, before the answers are compared.
    await p.page.waitForFunction(() => [...document.querySelectorAll("#pane img")].every((i) => i.complete && i.naturalWidth > 0) &&
      [...document.querySelectorAll("#pane audio")].every((a) => a.readyState >= 1),
      null, { timeout: 30000, polling: 100 });
    const drawn = await p.page.evaluate(() => {
      const pane = document.querySelector("#pane");
      // what each element reports having drawn (series lengths, steps, lines, vertices, ops, rows...), timings aside
      const attrs = [...pane.querySelectorAll("*")].filter((e) => Object.keys(e.dataset).length)
        .map((e) => { const d = { ...e.dataset }; delete d.seconds; return `${e.tagName} ${JSON.stringify(d)}`; });
      const images = [...pane.querySelectorAll("img")].map((i) => {
        const c = document.createElement("canvas");
        c.width = i.naturalWidth; c.height = i.naturalHeight;
        c.getContext("2d").drawImage(i, 0, 0);
        return c.toDataURL();
      });
      const media = [...pane.querySelectorAll("audio, img")].map((e) => { const u = new URL(e.src); return u.pathname + u.search; });
      return { attrs, images, media, text: pane.innerText };
    });
    // the clips and images the page shows, fetched whole
    drawn.bytes = await Promise.all(drawn.media.map(async (m) => {
      const b = Buffer.from(await (await fetch(server.base + m.slice(1))).arrayBuffer());
      return `${b.length} ${crypto.createHash("sha256").update(b).digest("hex")}`;
    }));
    await Promise.all(pending);
    assert.deepEqual(p.errors, [], `${tab}: console errors`);
    await p.context.close();
    return { drawn, answers: Object.fromEntries([...answers].sort(([a], [b]) => a.localeCompare(b))) };
  }

  for (const [tab, expect] of Object.entries(KIND_TABS)) {
    it(`${tab}: the same drawing and the same answers`, async () => {
      await loaded(k.full, points());
      await loaded(k.small, points());
      const [a, b] = await Promise.all([view(k.full, tab, expect), view(k.small, tab, expect)]);
      assert.ok(Object.keys(a.answers).some((k) => k.includes(KIND_ROUTES[tab])), `${tab}: no ${KIND_ROUTES[tab]} among ${Object.keys(a.answers)}`);
      if (tab === "images") {
        assert.equal(a.drawn.images.length, 2 * KIND_RUNS);
        assert.ok(a.drawn.images.every((u) => u.length > 1000), "the images have pixels");
      }
      if (tab === "audio") assert.equal(a.drawn.media.length, KIND_RUNS);
      if (tab === "text") assert.match(a.drawn.text, /Generated by make_scale_logdir --kinds/);
      assert.deepEqual(b.drawn, a.drawn, `${tab}: drawn differently under the budget`);
      assert.deepEqual(b.answers, a.answers, `${tab}: data answers differ under the budget`);
    });
  }
});
