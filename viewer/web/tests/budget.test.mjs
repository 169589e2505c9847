// Browser test of --max_memory (issue 15, "answers equal with and without the budget"): two
// real tblog-view processes on one logdir, one unlimited and one whose budget is ~4 % of the
// scalar points (so they spill to its cache file). The Scalars tab draws the same charts
// (points per run and the largest value, the spike included) and a card's CSV download is
// the same full-resolution file. Real server only (TBLOG_VIEW_BIN).
//
//   TBLOG_VIEW_BIN=... node --test tests/budget.test.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { EventWriter } from "./support/event-writer.mjs";
import { ensureBuilt, launchBrowser, newPage, startServer, usingRealServer } from "./support/harness.mjs";

const RUNS = 5, TAGS = 3, POINTS = 25000;  // 375,000 points: ~7.5 MB in RAM unlimited; 3 cards: all on the first screen
const BUDGET = 320 * 1024;
let full, small, browser, closeBrowser, logdir;

async function status(server) {
  return (await fetch(`${server.base}data/tblog/status`)).json();
}

async function loaded(server) {
  for (let t0 = Date.now(); ;) {
    const s = await status(server);
    if (s.passes >= 1 && s.points >= RUNS * TAGS * POINTS) return s;
    if (Date.now() - t0 > 60000) throw new Error(`not loaded: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("--max_memory: the same charts and downloads with and without the budget", { skip: !usingRealServer && "needs TBLOG_VIEW_BIN" }, () => {
  before(async () => {
    ensureBuilt();
    logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-web-budget-"));
    for (let r = 0; r < RUNS; r++) {
      const w = new EventWriter(path.join(logdir, `run_${r}`));
      for (let t = 0; t < TAGS; t++)
        w.addSeries(`loss_${t}`, Array.from({ length: POINTS }, (_, i) => (i === 7777 * (r + 1) ? 50 + r : Math.sin(i / (50 + t)) / (r + 1))));
    }
    full = await startServer({ logdir, realArgs: ["--max_memory", "0"] });
    small = await startServer({ logdir, realArgs: ["--max_memory", String(BUDGET)] });
    ({ browser, close: closeBrowser } = await launchBrowser());
  });

  after(async () => {
    await closeBrowser?.();
    await full?.stop();
    await small?.stop();
    if (logdir) fs.rmSync(logdir, { recursive: true, force: true });
  });

  it("spills past the budget and keeps its RAM accounting within it", async () => {
    const f = await loaded(full), s = await loaded(small);
    assert.equal(f.scalar_cache_bytes, 0);
    assert.ok(f.scalar_ram_bytes > 20 * BUDGET, `unlimited holds ${f.scalar_ram_bytes} bytes`);
    assert.equal(s.max_memory, BUDGET);
    assert.ok(s.scalar_ram_bytes <= BUDGET, `${s.scalar_ram_bytes} bytes in RAM for a budget of ${BUDGET}`);
    assert.ok(s.scalar_cache_bytes > 0.9 * RUNS * TAGS * POINTS * 20, `${s.scalar_cache_bytes} bytes spilled`);
  });

  /** What the Scalars tab draws on the first screen, and the first card's first CSV download. */
  async function view(server) {
    await loaded(server);
    const p = await newPage(browser);
    await p.page.goto(`${server.base}#tab=scalars`);
    await p.page.waitForFunction((n) => {
      const charts = [...document.querySelectorAll(".chart[data-drawn]")];
      return charts.length === n && charts.every((c) => Object.keys(JSON.parse(c.dataset.series ?? "{}")).length > 0);
    }, TAGS, { timeout: 60000, polling: 100 });
    const charts = await p.page.$$eval(".card", (cards) => cards.map((c) => {
      const chart = c.querySelector(".chart");
      return { tag: c.dataset.tag, series: JSON.parse(chart.dataset.series), ymax: chart.dataset.ymax };
    }));
    await p.page.click(".card details.downloads summary");  // the links are built when the list opens
    const href = await p.page.$eval(".card a[download$='.csv']", (a) => a.href);
    const csv = await p.page.evaluate(async (u) => (await fetch(u)).text(), href);
    assert.deepEqual(p.errors, []);
    await p.context.close();
    return { charts, href: new URL(href).search, csv };
  }

  it("draws the same charts and downloads the same CSV", async () => {
    const a = await view(full), b = await view(small);
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
