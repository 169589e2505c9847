// Browser tests of the web UI on the golden logdir (shared/reference/pytorch):
// every dashboard opens in headless chromium at 1280x800, shows the expected
// tags, runs and values (asserted on text and on what was drawn: series
// lengths, point counts), live reload picks up an appended point, and no
// console errors occur. Screenshots go to build/screenshots/.
//
//   npm run build && npm run test:browser                       (mock server)
//   TBLOG_VIEW_BIN=/path/to/tblog-view npm run test:browser      (real server)
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { EventWriter } from "./support/event-writer.mjs";
import { ensureBuilt, goldenDir, launchBrowser, newPage, screenshot, startServer, usingRealServer } from "./support/harness.mjs";

let server, browser, closeBrowser, logdir;

// The real server reads a scratch copy of the golden logdir, so the live test can write to it.
before(async () => {
  ensureBuilt();
  logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-web-logdir-"));
  fs.cpSync(goldenDir, logdir, { recursive: true, filter: (src) => !src.endsWith(".npy") });
  if (usingRealServer) {
    // a run whose file the live-reload test appends to
    const w = new EventWriter(path.join(logdir, "live"));
    for (let s = 0; s < 3; s++) w.addScalar("loss", 1 - s * 0.1, s);
    globalThis.liveWriter = w;
    // the mock's "big" run: 50k points, one spike of 10 at step 31337
    new EventWriter(path.join(logdir, "big")).addSeries("spiky", Array.from({ length: 50000 }, (_, i) => (i === 31337 ? 10 : Math.sin(i / 500))));
  }
  server = await startServer({ logdir, mockArgs: ["--extras"] });
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  await server?.stop();
  if (logdir) fs.rmSync(logdir, { recursive: true, force: true });
});

/** Opens the UI on a tab and waits for the dashboard's first content. */
async function open(tab, { hash = "", waitFor = ".card", theme } = {}) {
  const p = await newPage(browser, { theme });
  await p.page.goto(`${server.base}#tab=${tab}${hash}`);
  await p.page.waitForSelector(`#pane[data-dashboard="${tab}"]`);
  if (waitFor) await p.page.waitForSelector(waitFor, { timeout: 15000 });
  return p;
}

async function done(p, shot) {
  if (shot) await screenshot(p.page, shot);
  assert.deepEqual(p.errors, [], "console errors");
  await p.context.close();
}

const cardFor = (tag) => `.card[data-tag="${tag}"]`;

/** Cards load when scrolled into view: bring one there and wait for `inner`. */
async function waitCard(p, tag, inner) {
  await p.page.waitForSelector(cardFor(tag));
  await p.page.locator(cardFor(tag)).scrollIntoViewIfNeeded();
  await p.page.waitForSelector(`${cardFor(tag)} ${inner}`, { timeout: 15000 });
}

describe("shell", () => {
  it("shows a tab for each plugin with data and nothing else", async () => {
    const p = await open("scalars");
    // the tab bar fills in after the first dashboard opens (the listing, then the probes)
    await p.page.waitForSelector("nav.tabs[data-complete]");
    const tabs = await p.page.$$eval(".tab", (els) => els.map((e) => e.dataset.plugin));
    const expected = ["scalars", "custom_scalars", "images", "audio", "graphs", "distributions", "histograms", "text",
      "pr_curves", "hparams", "projector", "mesh"];
    if (!usingRealServer) expected.push("profile"); // the mock's --extras adds a trace
    assert.deepEqual(tabs, expected);
    await done(p);
  });

  it("keeps run colours when the run filter changes, and filters runs by regex", async () => {
    const p = await open("scalars");
    const colour = () => p.page.$eval('.run[data-run="scalars"] .swatch', (e) => e.style.background);
    const before = await colour();
    await p.page.fill(".run-filter", "^scalars$");
    await p.page.waitForFunction(() => document.querySelectorAll(".run").length === 1);
    assert.equal(await colour(), before);
    assert.match(await p.page.evaluate(() => location.hash), /runFilter=%5Escalars%24/);
    // only the scalars run's tags remain
    await p.page.waitForFunction(() => !document.querySelector('.card[data-tag="dow/aaa"]'));
    await done(p);
  });

  it("restores tab, tag filter and theme from the URL", async () => {
    const p = await open("scalars", { hash: "&tagFilter=%5Eloss%2F&theme=dark" });
    assert.equal(await p.page.inputValue(".tag-filter"), "^loss/");
    const tags = await p.page.$$eval(".card", (els) => els.map((e) => e.dataset.tag));
    assert.deepEqual(tags, ["loss/train"]);
    assert.equal(await p.page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await p.page.waitForSelector(`${cardFor("loss/train")} .chart[data-drawn]`);
    await done(p, "scalars-dark");
  });

  it("switches theme with the toggle", async () => {
    const p = await open("scalars", { hash: "&theme=light" });
    await p.page.click('button[aria-label="Toggle theme"]');
    assert.equal(await p.page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await done(p);
  });
});

describe("scalars", () => {
  it("draws every tag with the runs overlaid and full series", async () => {
    const p = await open("scalars");
    const tags = await p.page.$$eval(".card", (els) => els.map((e) => e.dataset.tag));
    for (const t of ["loss/train", "lr", "double/pi", "newstyle/x", "special/nan", "special/inf", "multi", "dow/aaa"]) assert.ok(tags.includes(t), t);
    await waitCard(p, "loss/train", ".chart[data-drawn]");
    const series = JSON.parse(await p.page.$eval(`${cardFor("loss/train")} .chart`, (e) => e.dataset.series));
    assert.deepEqual(series, { scalars: 100 });
    await waitCard(p, "multi", ".chart[data-drawn]");
    const multi = JSON.parse(await p.page.$eval(`${cardFor("multi")} .chart`, (e) => e.dataset.series));
    assert.deepEqual(multi, { "scalars/multi_a": 1, "scalars/multi_b": 1 });
    await p.page.evaluate(() => document.querySelector(".pane").scrollTo(0, 0));
    await done(p, "scalars");
  });

  it("shows run, step and value in the tooltip", async () => {
    const p = await open("scalars", { hash: "&tagFilter=%5Eloss%2F" });
    await p.page.waitForSelector(`${cardFor("loss/train")} .chart[data-drawn]`);
    const over = await p.page.$(`${cardFor("loss/train")} .u-over`);
    const box = await over.boundingBox();
    await p.page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    const head = await p.page.$$eval(`${cardFor("loss/train")} .tooltip th`, (c) => c.map((x) => x.textContent));
    const row = await p.page.$$eval(`${cardFor("loss/train")} .tooltip tr:nth-child(2) td`, (c) => c.map((x) => x.textContent));
    assert.deepEqual(head, ["", "Run", "Smoothed", "Value", "Step", "Time", "Relative"]);
    assert.equal(row[1], "scalars");
    const step = Number(row[4]);
    assert.ok(step > 20 && step < 40, `step ${step}`);
    assert.ok(Math.abs(Number(row[3]) - 1 / (step + 1)) < 1e-4, `value ${row[3]} at step ${step}`);
    await done(p, "scalars-tooltip");
  });

  it("changes smoothing, axis and log scale, keeping them in the URL", async () => {
    const p = await open("scalars", { hash: "&tagFilter=%5Eloss%2F" });
    await p.page.waitForSelector(`${cardFor("loss/train")} .chart[data-drawn]`);
    await p.page.fill('.dash-controls input[type="number"]', "0.9");
    await p.page.press('.dash-controls input[type="number"]', "Enter");
    await p.page.waitForFunction(() => location.hash.includes("smoothing=0.9"));
    await p.page.click('.seg button[data-value="wall"]');
    await p.page.click("#log-y");
    await p.page.waitForFunction(() => location.hash.includes("xAxis=wall") && location.hash.includes("logY=1"));
    const series = JSON.parse(await p.page.$eval(`${cardFor("loss/train")} .chart`, (e) => e.dataset.series));
    assert.deepEqual(series, { scalars: 100 });
    const perf = await p.page.evaluate(() => window.__tblogPerf);
    assert.ok(perf.smoothingCount >= 1);
    await done(p);
  });

  it("downsamples a 50k-point series without losing its spike, and zooms into full detail", async () => {
    const p = await open("scalars", { hash: "&tagFilter=%5Espiky%24", waitFor: `${cardFor("spiky")} .chart[data-series]` });
    const drawn = () => p.page.$eval(`${cardFor("spiky")} .chart`, (e) => [JSON.parse(e.dataset.series).big, Number(e.dataset.ymax)]);
    const [n, ymax] = await drawn();
    assert.ok(n < 5000, `${n} points drawn`);
    assert.equal(ymax, 10, "the spike survives downsampling");
    assert.match(await p.page.$eval(`${cardFor("spiky")} .card-sub`, (e) => e.textContent), /^50,000 pts/);
    // drag over ~5% of the x axis: the window is fetched again at full detail
    const b = await (await p.page.$(`${cardFor("spiky")} .u-over`)).boundingBox();
    await p.page.mouse.move(b.x + b.width * 0.5, b.y + b.height / 2);
    await p.page.mouse.down();
    await p.page.mouse.move(b.x + b.width * 0.55, b.y + b.height / 2, { steps: 4 });
    await p.page.mouse.up();
    await p.page.waitForFunction((m) => JSON.parse(document.querySelector('.card[data-tag="spiky"] .chart').dataset.series).big > m, n);
    await screenshot(p.page, "scalars-zoomed");
    await p.page.mouse.dblclick(b.x + b.width * 0.5, b.y + b.height / 2);
    await p.page.waitForFunction((m) => JSON.parse(document.querySelector('.card[data-tag="spiky"] .chart').dataset.series).big === m, n);
    await done(p);
  });

  it("offers full-resolution CSV and JSON downloads", async () => {
    const p = await open("scalars", { hash: "&tagFilter=%5Eloss%2F" });
    await p.page.click(`${cardFor("loss/train")} .downloads summary`);  // the links are built when opened
    await p.page.waitForSelector(`${cardFor("loss/train")} .downloads a`);
    const hrefs = await p.page.$$eval(`${cardFor("loss/train")} .downloads a`, (as) => as.map((a) => a.href));
    assert.equal(hrefs.length, 2);
    const csv = await (await fetch(hrefs.find((h) => h.includes("format=csv")))).text();
    const lines = csv.trim().split(/\r?\n/);
    assert.equal(lines[0], "Wall time,Step,Value");
    assert.equal(lines.length, 101);
    const json = await (await fetch(hrefs.find((h) => !h.includes("format=csv")))).json();
    assert.equal(json.length, 100);
    await done(p);
  });
});

describe("other dashboards", () => {
  it("histograms: offset and overlay modes draw every step", async () => {
    const p = await open("histograms");
    await waitCard(p, "weights/normal", ".chart[data-steps]");
    assert.equal(await p.page.$eval(`${cardFor("weights/normal")} .chart`, (e) => e.dataset.steps), "3");
    const tags = await p.page.$$eval(".card", (els) => els.map((e) => e.dataset.tag).sort());
    assert.deepEqual(tags, ["raw", "weights/auto", "weights/const", "weights/ints", "weights/normal"]);
    await screenshot(p.page, "histograms");
    await p.page.click('.seg button[data-value="overlay"]');
    await waitCard(p, "weights/normal", ".chart[data-lines]");
    assert.deepEqual(JSON.parse(await p.page.$eval(`${cardFor("weights/normal")} .chart`, (e) => e.dataset.lines)), [30, 30, 30]);
    await done(p, "histograms-overlay");
  });

  it("distributions: percentile bands per step", async () => {
    const p = await open("distributions");
    await waitCard(p, "weights/normal", ".chart[data-steps]");
    assert.equal(await p.page.$eval(`${cardFor("weights/normal")} .chart`, (e) => e.dataset.steps), "3");
    await done(p, "distributions");
  });

  it("images: one card per tag, pixels at actual size on request", async () => {
    const p = await open("images", { hash: "&actualSize=1", waitFor: `${cardFor("batch_nchw")} img` });
    const tags = await p.page.$$eval(".card", (els) => els.map((e) => e.dataset.tag).sort());
    assert.deepEqual(tags, ["batch_nchw", "boxes", "chw_float", "gray_hw", "hwc_uint8"]);
    // each card fetches its image list on its own: chw_float's image may come after batch_nchw's
    await p.page.waitForSelector(`${cardFor("chw_float")} img`);
    await p.page.waitForFunction(() => [...document.querySelectorAll(".card img")].every((i) => i.complete && i.naturalWidth > 0));
    const size = await p.page.$eval(`${cardFor("chw_float")} img`, (i) => [i.naturalWidth, i.naturalHeight, i.clientWidth]);
    assert.deepEqual(size, [16, 8, 16]);
    assert.equal(await p.page.$eval(`${cardFor("batch_nchw")} img`, (i) => i.naturalWidth), 64);
    await p.page.click("#actual-size");
    await p.page.waitForFunction(() => document.querySelector('.card[data-tag="chw_float"] img').clientWidth > 16);
    await done(p, "images");
  });

  it("audio: a player per step that decodes the clip", async () => {
    const p = await open("audio", { waitFor: `${cardFor("tone")} audio` });
    const dur = await p.page.$eval(`${cardFor("tone")} audio`, (a) => new Promise((res) => {
      if (a.readyState >= 1) res(a.duration);
      a.addEventListener("loadedmetadata", () => res(a.duration));
      a.load();
    }));
    assert.ok(Math.abs(dur - 0.1) < 0.01, `duration ${dur}`);
    await done(p, "audio");
  });

  it("text: markdown rendered, sanitized, one entry per step", async () => {
    const p = await open("text", { waitFor: ".text-entry" });
    assert.equal(await p.page.$$eval(".text-entry", (e) => e.length), 2);
    assert.equal(await p.page.$eval(".text-body strong", (e) => e.textContent), "bold");
    assert.equal(await p.page.$eval(".text-body a", (e) => e.getAttribute("rel")), "noopener noreferrer");
    await done(p, "text");
  });

  it("PR curves: every threshold drawn, tooltip with the threshold", async () => {
    const p = await open("pr_curves", { waitFor: `${cardFor("pr")} [data-lines]` });
    assert.deepEqual(JSON.parse(await p.page.$eval(`${cardFor("pr")} [data-lines]`, (e) => e.dataset.lines)), [10]);
    await waitCard(p, "pr_raw", "[data-lines]");
    assert.deepEqual(JSON.parse(await p.page.$eval(`${cardFor("pr_raw")} [data-lines]`, (e) => e.dataset.lines)), [3]);
    // hover the pr_raw point recall 1.0 / precision 0.5 (threshold 0)
    const canvas = await p.page.$(`${cardFor("pr_raw")} canvas`);
    const b = await canvas.boundingBox();
    const x = b.x + 52 + (b.width - 52 - 12) * 1.0, y = b.y + 10 + (240 - 10 - 40) * (1 - 0.5 / 1.02);
    await p.page.mouse.move(x - 1, y);
    const tip = await p.page.$eval(`${cardFor("pr_raw")} .tooltip`, (e) => e.textContent);
    assert.match(tip, /Threshold0Precision0\.5Recall1/);
    assert.match(tip, /TP \/ FP10 \/ 10/);
    await done(p, "pr_curves");
  });

  it("custom scalars: multiline and margin charts from the layout", async () => {
    const p = await open("custom_scalars", { waitFor: `${cardFor("twse")} .chart[data-series]` });
    assert.deepEqual(JSON.parse(await p.page.$eval(`${cardFor("twse")} .chart`, (e) => e.dataset.series)), { "twse/0050": 3 });
    await waitCard(p, "dow", ".chart[data-series]");
    assert.deepEqual(JSON.parse(await p.page.$eval(`${cardFor("dow")} .chart`, (e) => e.dataset.series)), { "dow/aaa": 3 });
    const groups = await p.page.$$eval("details.group", (els) => els.map((e) => e.dataset.group));
    assert.deepEqual(groups, ["Taiwan", "USA"]);
    await done(p, "custom_scalars");
  });

  it("hparams: sortable, filterable table, parallel coordinates, scatter matrix", async () => {
    const p = await open("hparams", { waitFor: "table.data tbody tr" });
    const trials = () => p.page.$$eval("table.data tbody tr", (rs) => rs.map((r) => r.dataset.trial));
    assert.deepEqual(await trials(), ["hparams/trial0", "hparams/trial1"]);
    const head = await p.page.$$eval("table.data thead th[data-key]", (hs) => hs.map((h) => h.textContent.trim()));
    assert.deepEqual(head, ["Trial ▲", "batch_size", "lr", "optimizer", "use_bn", "hparam/accuracy", "hparam/loss"]);
    await p.page.click('th[data-key="m:/hparam/accuracy"]');
    await p.page.click('th[data-key="m:/hparam/accuracy"]');
    assert.deepEqual(await trials(), ["hparams/trial1", "hparams/trial0"]);
    assert.match(await p.page.$eval('tr[data-trial="hparams/trial1"]', (r) => r.textContent), /adam.*0\.9/);
    await screenshot(p.page, "hparams");
    await p.page.fill('input[data-key="h:optimizer"]', "sgd");
    await p.page.press('input[data-key="h:optimizer"]', "Enter");
    await p.page.waitForFunction(() => document.querySelectorAll("table.data tbody tr").length === 1);
    await p.page.fill('input[data-key="h:optimizer"]', "");
    await p.page.press('input[data-key="h:optimizer"]', "Enter");
    await p.page.click('.seg button[data-value="parallel"]');
    assert.equal(await p.page.$eval(".canvas-box[data-lines]", (e) => e.dataset.lines), "2");
    await screenshot(p.page, "hparams-parallel");
    await p.page.click('.seg button[data-value="scatter"]');
    assert.equal(await p.page.$$eval(".hp-views .canvas-box canvas", (c) => c.length), 8);
    await done(p, "hparams-scatter");
  });

  it("graphs: scopes, hover details, search and fit", async () => {
    const p = await open("graphs", { waitFor: ".graph-view[data-ops]" });
    assert.equal(await p.page.$eval(".graph-view", (e) => e.dataset.ops), "9");
    assert.ok(Number(await p.page.$eval(".graph-view", (e) => e.dataset.nodes)) >= 3);
    await screenshot(p.page, "graphs");
    await p.page.click("text=Collapse all");
    await p.page.waitForSelector('.gnode.group[data-id="Sequential"]');
    assert.equal(await p.page.$eval(".graph-view", (e) => e.dataset.nodes), "3");
    await p.page.fill('input[aria-label="Search nodes"]', "relu");
    await p.page.waitForSelector(".gnode.match");
    const id = await p.page.$eval(".gnode.match", (e) => e.dataset.id);
    assert.equal(id, "Sequential/ReLU[1]/input");
    await p.page.hover(".gnode.match");
    const tip = await p.page.$eval(".graph-view .tooltip", (e) => e.textContent);
    assert.match(tip, /aten::relu/);
    assert.match(tip, /\[1×8\]/);
    await p.page.click("text=Fit to screen");
    await done(p, "graphs-search");
  });

  it("projector: PCA, t-SNE and UMAP of the 20 words, neighbours of a point, 3-D", async () => {
    const p = await open("projector", { waitFor: ".plot[data-points]" });
    assert.equal(await p.page.$eval(".plot", (e) => e.dataset.points), "20");
    await p.page.fill('input[aria-label="Find point"]', "w3");
    await p.page.press('input[aria-label="Find point"]', "Enter");
    await p.page.waitForSelector(".nn-list li");
    assert.match(await p.page.$eval(".side .selected-point .card-sub", (e) => e.textContent), /label: w3/);
    assert.equal(await p.page.$$eval(".nn-list li", (l) => l.length), 10);
    await screenshot(p.page, "projector");
    await p.page.check("#sprites"); // thumbnails from the sprite sheet instead of dots
    await screenshot(p.page, "projector-sprites");
    await p.page.click('.seg button[data-value="tsne"]');
    await p.page.waitForSelector('.plot[data-method="tsne"]');
    assert.equal(await p.page.$eval(".plot", (e) => e.dataset.points), "20");
    await p.page.click('.seg button[data-value="umap"]');
    await p.page.waitForSelector('.plot[data-method="umap"]', { timeout: 30000 });
    assert.equal(await p.page.$eval(".plot", (e) => e.dataset.points), "20");
    await p.page.click('.seg button[data-value="3"]');
    await p.page.waitForSelector('.plot[data-dims="3"] canvas');
    await p.page.selectOption('select[aria-label="Embedding"]', { index: 1 });
    await p.page.waitForFunction(() => document.querySelector('select[aria-label="Colour by"]').selectedOptions[0]?.textContent === "parity");
    await done(p, "projector-3d");
  });

  it("mesh: the tetrahedron with its 4 vertices and 4 faces", async () => {
    const p = await open("mesh", { waitFor: ".three-box[data-vertices]" });
    assert.equal(await p.page.$eval(".three-box", (e) => e.dataset.vertices), "4");
    assert.equal(await p.page.$eval(".three-box", (e) => e.dataset.faces), "4");
    // something was drawn: the canvas centre is not the background colour
    const px = await p.page.$eval(".three-box canvas", (c) => {
      const g = document.createElement("canvas");
      g.width = c.width; g.height = c.height;
      const x = g.getContext("2d");
      x.drawImage(c, 0, 0);
      const d = x.getImageData(0, 0, c.width, c.height).data;
      let colored = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) colored++;
      return colored;
    });
    assert.ok(px > 500, `coloured pixels ${px}`);
    await done(p, "mesh");
  });

  it("profile: thread and counter tracks, span details on click", { skip: usingRealServer && "golden logdir has no trace" }, async () => {
    const p = await open("profile", { hash: "&view=trace", waitFor: ".timeline[data-tracks]" });
    assert.equal(await p.page.$eval(".timeline", (e) => e.dataset.tracks), "4");
    assert.equal(await p.page.$eval(".timeline", (e) => e.dataset.spans), "100");
    // the tracks a click is matched against are laid out by the first draw, in an animation frame
    await p.page.waitForSelector(".timeline[data-drawn]");
    const b = await (await p.page.$(".timeline canvas")).boundingBox();
    await p.page.mouse.click(b.x + 170 + 10, b.y + 24 + 3 + 8); // first ProfilerStep span
    await p.page.waitForSelector(".span-details .card-title");
    assert.match(await p.page.$eval(".span-details .card-title", (e) => e.textContent), /^ProfilerStep#0$/);
    await p.page.mouse.move(b.x + 600, b.y + 60);
    await p.page.mouse.wheel(0, -400);
    await done(p, "profile");
  });
});

describe("live reload", () => {
  it("shows a point appended while the page is open", async () => {
    const p = await open("scalars", { hash: "&reloadSecs=0.5&tagFilter=%5Eloss%24&runFilter=live", waitFor: `${cardFor("loss")} .chart[data-series]` });
    const len = () => p.page.$eval(`${cardFor("loss")} .chart`, (e) => JSON.parse(e.dataset.series).live);
    assert.equal(await len(), 3);
    if (usingRealServer) globalThis.liveWriter.addScalar("loss", 0.5, 3);
    else await fetch(`${server.base}__mock/append?run=live&tag=loss&step=3&value=0.5`, { method: "POST" });
    await p.page.waitForFunction(() => JSON.parse(document.querySelector('.card[data-tag="loss"] .chart').dataset.series).live === 4, null, { timeout: 15000 });
    await done(p);
  });
});
