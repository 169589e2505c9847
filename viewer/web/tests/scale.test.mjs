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
  const requests = [];
  p.page.on("request", (r) => { if (r.url().includes("/data/")) requests.push(new URL(r.url()).pathname); });
  const failed = [];
  p.page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  await p.page.goto(`${server.base}#tab=scalars${hash}`);
  return { ...p, requests, failed };
}

const onScreenDrawn = () => {
  const pane = document.querySelector(".pane").getBoundingClientRect();
  const visible = [...document.querySelectorAll(".card")].filter((c) => {
    const r = c.getBoundingClientRect();
    return r.bottom > pane.top && r.top < pane.bottom;
  });
  return visible.length > 0 && visible.every((c) => c.querySelector(".chart[data-drawn]"));
};

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
    // the chart draws 1,000 runs' lines itself (lib/scalarChart.ts, past MANY_SERIES runs): the
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
    const batched = p.requests.filter((r) => r.endsWith("/scalars_multirun")).length;
    const single = p.requests.filter((r) => r.endsWith("/data/tblog/scalars")).length;
    // 1,000 runs in batches of 100 per drawn card (+ the one-time probe), never one per run
    assert.ok(batched <= drawnCards * Math.ceil(RUNS / 100), `${batched} batched requests for ${drawnCards} cards`);
    assert.ok(single <= 1, `${single} single-series requests`);
    assert.equal(await p.page.$$eval(".card .error-banner", (els) => els.length), 0, "failed cards");
    assert.deepEqual(p.failed, []);
    assert.deepEqual(p.errors, []);
    await p.context.close();
  });

  it("fetches cards below the fold only when scrolled to", async () => {
    const p = await openScalars();
    await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
    const last = "system/metric_17";
    const lastCard = `.card[data-tag="${last}"]`;
    assert.equal(await p.page.$(`${lastCard} .chart[data-drawn]`), null, "the last card loaded before it was scrolled to");
    await p.page.locator(lastCard).scrollIntoViewIfNeeded();
    await p.page.waitForSelector(`${lastCard} .chart[data-drawn]`, { timeout: 60000 });
    assert.equal(await p.page.$$eval(".card .error-banner", (els) => els.length), 0);
    assert.deepEqual(p.errors, []);
    await p.context.close();
  });

  it("lists 1,000 runs virtualised, filters them by regex and redraws with the matching runs", async () => {
    const p = await openScalars();
    await p.page.waitForFunction(onScreenDrawn, null, { timeout: 60000, polling: 50 });
    const rows = await p.page.$$eval(".run[data-run]", (els) => els.length);
    assert.ok(rows > 0 && rows < RUNS, `${rows} run rows in the DOM for ${RUNS} runs`);
    await p.page.fill(".run-filter", "^run_99\\d$");
    await p.page.waitForFunction(() => document.querySelectorAll(".run[data-run]").length === 10);
    await p.page.waitForFunction(() => {
      const c = document.querySelector(".chart[data-series]");
      return c && Object.keys(JSON.parse(c.dataset.series)).length === 10;
    }, null, { timeout: 30000 });
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
