// Browser tests of the UI at scale: a logdir of 1,000 runs x 20 tags (small series, so CI
// stays quick). The first chart draws, no card fails, requests are batched (one per on-screen
// card, not one per run x tag) and bounded in flight, cards below the fold fetch nothing until
// scrolled to, and the virtualised run list filters 1,000 runs. No timing assertions: the
// figures are in viewer/bench/README.md.
//
//   npm run build && node --test tests/scale.test.mjs                      (mock server, generated)
//   TBLOG_VIEW_BIN=... node --test tests/scale.test.mjs                    (real server, written here)
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeScalarBatch, pointsOf } from "../src/lib/scalarColumns.js";
import { EventWriter } from "./support/event-writer.mjs";
import { ensureBuilt, launchBrowser, newPage, startServer, usingRealServer } from "./support/harness.mjs";

const TAGS = 20, RUNS = 1000, POINTS = 50;
let server, browser, closeBrowser, logdir;

before(async () => {
  ensureBuilt();
  if (usingRealServer) {
    logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-web-scale-"));
    for (let r = 0; r < RUNS; r++) {
      const w = new EventWriter(path.join(logdir, `run_${r}`));
      for (let t = 0; t < TAGS; t++)
        w.addSeries(`${["train", "eval", "system"][t % 3]}/metric_${t}`, Array.from({ length: POINTS }, (_, i) => (r + 1) / (i + 1 + t)));
    }
  }
  server = await startServer(usingRealServer ? { logdir } : { mockArgs: ["--perf", `${TAGS}x${RUNS}x${POINTS}`] });
  if (usingRealServer) {
    for (let t0 = Date.now(); ;) {
      const tags = await (await fetch(`${server.base}data/plugin/scalars/tags`)).json();
      if (Object.keys(tags).length >= RUNS) break;
      if (Date.now() - t0 > 120000) throw new Error("tblog-view did not load the scale logdir");
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  await server?.stop();
  if (logdir) fs.rmSync(logdir, { recursive: true, force: true });
});

/** Opens the scalars tab, counting data requests by route. */
async function openScalars(hash = "") {
  const p = await newPage(browser);
  const requests = [], batches = [];
  // batched scalar requests in flight, and the most there ever were at once
  const load = { now: 0, max: 0 };
  const isBatch = (r) => r.url().endsWith("/data/tblog/scalars_multirun");
  p.page.on("request", (r) => {
    if (r.url().includes("/data/")) requests.push(new URL(r.url()).pathname);
    if (!isBatch(r)) return;
    const form = new URLSearchParams(r.postData() ?? "");
    batches.push({ tag: form.get("tag"), runs: form.getAll("runs"), format: form.get("format") });
    load.max = Math.max(load.max, ++load.now);
  });
  const settled = (r) => { if (isBatch(r)) load.now--; };
  p.page.on("requestfinished", settled);
  // the content types of the batched answers (the binary form: application/octet-stream)
  const answers = [];
  p.page.on("response", (r) => { if (isBatch(r.request())) answers.push(r.headers()["content-type"]); });
  const failed = [];
  p.page.on("requestfailed", (r) => { settled(r); failed.push(`${r.url()}: ${r.failure()?.errorText}`); });
  await p.page.goto(`${server.base}#tab=scalars${hash}`);
  return { ...p, requests, batches, answers, load, failed };
}

/** Waits until no batched scalar request is in flight (they are all answered and drawn). */
async function batchesSettled(p) {
  for (let t0 = Date.now(); p.load.now > 0;) {
    if (Date.now() - t0 > 60000) throw new Error(`${p.load.now} batched requests still in flight`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const drawnSeries = () => [...document.querySelectorAll(".chart[data-drawn]")].map((c) => Object.keys(JSON.parse(c.dataset.series)));

const onScreenDrawn = () => {
  const pane = document.querySelector(".pane").getBoundingClientRect();
  const visible = [...document.querySelectorAll(".card")].filter((c) => {
    const r = c.getBoundingClientRect();
    return r.bottom > pane.top && r.top < pane.bottom;
  });
  return visible.length > 0 && visible.every((c) => c.querySelector(".chart[data-drawn]"));
};

describe("a server without tblog's routes (mock --no-tblog-routes)", { skip: usingRealServer && "the mock's option" }, () => {
  it("draws every chart from TensorBoard's route once the batched one answered 404", async () => {
    const plain = await startServer({ mockArgs: ["--no-tblog-routes"] });
    try {
      const p = await newPage(browser);
      const batched = [], full = [];
      p.page.on("request", (r) => {
        const u = new URL(r.url()).pathname;
        if (u.endsWith("/data/tblog/scalars_multirun")) batched.push(u);
        if (u.endsWith("/data/plugin/scalars/scalars")) full.push(u);
      });
      await p.page.goto(`${plain.base}#tab=scalars`);
      await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
      // the one or two batches in flight when the first 404 came, none after
      assert.ok(batched.length >= 1 && batched.length <= 2, `${batched.length} batched requests`);
      assert.ok(full.length > 0, "requests of TensorBoard's route");
      assert.equal(await p.page.$$eval(".card .error-banner", (els) => els.length), 0, "failed cards");
      assert.deepEqual(p.errors, []);
      await p.context.close();
    } finally {
      await plain.stop();
    }
  });
});

describe("1,000 runs x 20 tags", () => {
  it("draws the first screen with one batched request per card and no failed card", async () => {
    const p = await openScalars();
    await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
    const cards = await p.page.$$eval(".card", (els) => els.length);
    assert.equal(cards, TAGS);
    const drawnCards = await p.page.$$eval(".chart[data-drawn]", (els) => els.length);
    // every run is in a drawn chart
    const series = await p.page.$eval(".chart[data-series]", (e) => Object.keys(JSON.parse(e.dataset.series)).length);
    assert.equal(series, RUNS);
    // the chart draws the runs' lines itself (lib/scalarChart.ts, any chart without bands): the
    // last run, the highest curve here and drawn last, shows in its own colour along the top,
    // and the dense band below is a blend of many runs' colours
    const palette = [...fs.readFileSync(new URL("../src/lib/colors.ts", import.meta.url), "utf8")
      .match(/const PALETTE = \[([^\]]*)\]/)[1].matchAll(/#([0-9a-f]{6})/g)].map((m) => m[1]);
    assert.equal(palette.length, 16);
    const top = palette[(RUNS - 1) % palette.length];
    const drawn = await p.page.$eval(".chart[data-drawn] canvas", (c, hex) => {
      const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let own = 0;
      const colours = new Set();
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] < 255) continue;
        colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        if (Math.abs(px[i] - r) < 8 && Math.abs(px[i + 1] - g) < 8 && Math.abs(px[i + 2] - b) < 8) own++;
      }
      return { own, colours: colours.size };
    }, top);
    assert.ok(drawn.own >= 20, `the last run's colour #${top}: ${drawn.own} pixels`);
    assert.ok(drawn.colours >= 64, `${drawn.colours} distinct colours drawn`);
    // one batched request per card, for all its 1,000 runs (16 buckets a run: 64,000 points at
    // most), never one per run, and no single-series probe before them
    assert.ok(p.batches.length >= drawnCards, `${p.batches.length} batched requests for ${drawnCards} drawn cards`);
    for (const b of p.batches) assert.equal(b.runs.length, RUNS, `runs in the request for ${b.tag}`);
    // in the binary form (columns of floats; the next test compares it with the JSON form)
    for (const b of p.batches) assert.equal(b.format, "binary");
    assert.ok(p.answers.length >= drawnCards);
    for (const type of p.answers) assert.equal(type, "application/octet-stream");
    assert.equal(new Set(p.batches.map((b) => b.tag)).size, p.batches.length, "a tag asked for twice");
    assert.equal(p.requests.filter((r) => r.endsWith("/data/tblog/scalars")).length, 0, "single-series requests");
    assert.ok(p.load.max <= 2, `${p.load.max} batched requests in flight at once`);
    assert.equal(await p.page.$$eval(".card .error-banner", (els) => els.length), 0, "failed cards");
    assert.deepEqual(p.failed, []);
    assert.deepEqual(p.errors, []);
    await p.context.close();
  });

  it("answers the binary batch with the JSON batch's series: same runs, fields and values, decoded as the page does", async () => {
    const post = async (extra) => {
      const body = new URLSearchParams({ tag: "eval/metric_1", buckets: "16", ...extra });
      for (let r = 0; r < RUNS; r++) body.append("runs", `run_${r}`);
      body.append("runs", "no_such_run");
      const res = await fetch(`${server.base}data/tblog/scalars_multirun`, { method: "POST", body });
      assert.equal(res.status, 200);
      return res;
    };
    const json = await (await post({})).json();
    const bin = await post({ format: "binary" });
    assert.equal(bin.headers.get("content-type"), "application/octet-stream");
    const decoded = decodeScalarBatch(await bin.arrayBuffer());
    assert.deepEqual(Object.keys(decoded), Object.keys(json));
    assert.equal(Object.keys(decoded).length, RUNS);
    // tblog-view keeps values as float32, so its JSON numbers are float32 values; the mock's are
    // doubles, sent as float32 in its binary form
    const value = usingRealServer ? (v) => v : Math.fround;
    let points = 0;
    for (const [run, { columns, ...fields }] of Object.entries(decoded)) {
      const { points: want, ...wantFields } = json[run];
      assert.deepEqual(fields, wantFields, run);
      assert.deepEqual(pointsOf(columns), want.map(([w, s, v]) => [w, s, value(v)]), run);
      points += want.length;
    }
    assert.ok(points >= RUNS * POINTS / 2, `${points} points compared`);
  });

  it("fetches cards below the fold only when scrolled to; scrolled through at once, none fails", async () => {
    const p = await openScalars();
    await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
    const last = "system/metric_17";
    const lastCard = `.card[data-tag="${last}"]`;
    assert.equal(await p.page.$(`${lastCard} .chart[data-drawn]`), null, "the last card loaded before it was scrolled to");
    // every card passes through the viewport within a frame: the ones left behind drop their
    // unsent requests (or keep the answer coming), none may end in an error
    await p.page.evaluate(async () => {
      for (const c of document.querySelectorAll(".card")) {
        c.scrollIntoView();
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
    await p.page.locator(lastCard).scrollIntoViewIfNeeded();
    await p.page.waitForSelector(`${lastCard} .chart[data-drawn]`, { timeout: 60000 });
    await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
    await batchesSettled(p);
    assert.equal(await p.page.$$eval(".card .error-banner", (els) => els.length), 0, "failed cards");
    assert.deepEqual(p.failed, []);
    for (const series of await p.page.evaluate(drawnSeries)) assert.equal(series.length, RUNS);
    // at most one request per card (none asked twice), at most two at once
    assert.equal(new Set(p.batches.map((b) => b.tag)).size, p.batches.length, "a tag asked for twice");
    assert.ok(p.load.max <= 2, `${p.load.max} batched requests in flight at once`);
    assert.deepEqual(p.errors, []);
    await p.context.close();
  });

  it("lists 1,000 runs virtualised, filters them by regex and redraws the same cards from the series they hold, then finer", async () => {
    const p = await openScalars();
    await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
    const rows = await p.page.$$eval(".run[data-run]", (els) => els.length);
    assert.ok(rows > 0 && rows < RUNS, `${rows} run rows in the DOM for ${RUNS} runs`);
    await batchesSettled(p);
    // mark the cards and their charts' canvases: a redraw keeps them, a rebuilt card or chart would not
    const drawn = await p.page.evaluate(() => {
      for (const e of document.querySelectorAll(".card, .chart canvas")) e.tblogMark = true;
      return [...document.querySelectorAll(".chart[data-drawn]")].map((c) => Number(c.dataset.drawn));
    });
    // from now on the server answers nothing: what the charts draw next is what they already hold
    const held = [];
    let hold = true;
    await p.page.route("**/data/tblog/scalars_multirun", (route) => (hold ? held.push(route) : route.continue()));
    await p.page.fill(".run-filter", "^run_99\\d$");
    const want = Array.from({ length: 10 }, (_, i) => `run_${990 + i}`);
    await p.page.waitForFunction((n) => {
      const charts = [...document.querySelectorAll(".chart[data-drawn]")];
      return charts.length === n && charts.every((c) => Object.keys(JSON.parse(c.dataset.series)).length === 10);
    }, drawn.length, { timeout: 30000 });
    for (const series of await p.page.evaluate(drawnSeries)) assert.deepEqual(series.sort(), want);
    assert.deepEqual(await p.page.evaluate(() => [...document.querySelectorAll(".card, .chart canvas")].filter((e) => !e.tblogMark).length), 0,
      "cards or charts built anew");
    assert.equal(await p.page.$$eval(".card", (els) => els.length), TAGS);
    // then the drawn cards ask for their 10 runs at a finer resolution (fewer runs share the
    // chart), two requests at a time: the others wait in the page for these to be answered
    const sent = Math.min(2, drawn.length);
    for (let t0 = Date.now(); held.length < sent && Date.now() - t0 < 30000;) await new Promise((r) => setTimeout(r, 100));
    assert.equal(held.length, sent, "requests for finer series");
    for (const r of held) {
      const form = new URLSearchParams(r.request().postData());
      assert.deepEqual(form.getAll("runs").sort(), want);
      assert.ok(Number(form.get("buckets")) > 16, `buckets=${form.get("buckets")}`);
    }
    // answered, every chart draws again
    hold = false;
    for (const r of held) await r.continue();
    await p.page.waitForFunction((before) => [...document.querySelectorAll(".chart[data-drawn]")]
      .every((c, i) => Number(c.dataset.drawn) > before[i] + 1), drawn, { timeout: 30000 });
    await p.page.waitForFunction(() => document.querySelectorAll(".run[data-run]").length === 10);
    assert.equal(await p.page.$$eval(".card .error-banner", (els) => els.length), 0, "failed cards");
    assert.match(await p.page.evaluate(() => location.hash), /runFilter=/);
    // select-all-matching: "none" hides the 10 matching runs only
    await p.page.click(".run-actions button:has-text('none')");
    await p.page.fill(".run-filter", "");
    await p.page.waitForFunction((n) => document.querySelector(".run-rows").style.height === `${n * 22}px`, RUNS);
    const unticked = await p.page.evaluate(() => JSON.parse(new URLSearchParams(location.hash.slice(1)).get("hidden") ?? "[]").length);
    assert.equal(unticked, 10);
    assert.deepEqual(p.errors, []);
    await p.context.close();
  });
});
