// Browser tests of the web UI on the foreign corpus: logdirs written by Keras, TF2 summary ops,
// TF1, TensorBoard's hparams API, tensorboardX and awkward-but-legal files
// (viewer/tests/foreign/make_foreign_logdir.py). The real tblog-view serves them; every
// dashboard opens, draws the corpus's data (checked in the DOM by content) and logs no console
// error; each screenshot is decoded and must show a drawing, not a blank or error page.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view node --test tests/foreign.test.mjs
// Without TBLOG_VIEW_BIN the suite is skipped (the mock server serves the golden logdir only).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, it } from "node:test";
import { assertTabsAndRuns, closePage, openTab, repoDir, useServer } from "./support/harness.mjs";

const enabled = !!process.env.TBLOG_VIEW_BIN;
const python = process.env.TBLOG_PYTHON ?? "/usr/bin/python3";

/** RGBA pixels of an 8-bit RGB/RGBA PNG (what Chromium's screenshots are). */
function decodePng(buf) {
  let pos = 8, width = 0, height = 0, channels = 4;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString("latin1", pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, "8-bit PNG");
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[y * stride + x - channels] : 0, b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y ? out[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][f];
      out[y * stride + x] = (line[x] + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels: out };
}

/** How a screenshot looks: distinct colours and the share of pixels unlike the background. */
function pictureStats(file) {
  const { width, height, channels, pixels } = decodePng(fs.readFileSync(file));
  const colours = new Map();
  for (let i = 0; i < width * height; i++) {
    const k = (pixels[i * channels] << 16) | (pixels[i * channels + 1] << 8) | pixels[i * channels + 2];
    colours.set(k, (colours.get(k) ?? 0) + 1);
  }
  const background = Math.max(...colours.values());
  return { colours: colours.size, drawn: 1 - background / (width * height) };
}

describe("foreign logdir (Keras, TF1, hparams API, tensorboardX, awkward files)", { skip: enabled ? false : "needs TBLOG_VIEW_BIN" }, () => {
  const f = useServer({ prefix: "tblog-web-foreign-",
    fill: (dir) => execFileSync(python, [path.join(repoDir, "viewer/tests/foreign/make_foreign_logdir.py"), dir], { stdio: "inherit" }) });
  // Generous: CI machines are shared, and the projector lays points out in a worker first.
  const open = (tab, waitFor, hash = "") => openTab(f, tab, { hash, waitFor, timeout: 60000 });

  async function done(p, name) {
    const file = await closePage(p, `foreign-${name}`);
    const { colours, drawn } = pictureStats(file);
    assert.ok(colours > 12 && drawn > 0.03, `screenshot ${name} looks blank: ${colours} colours, ${(drawn * 100).toFixed(1)}% drawn`);
  }

  it("lists every foreign run and a tab for each kind in the corpus", async () => {
    const p = await open("scalars", ".card");
    const runs = await assertTabsAndRuns(p.page, ["keras/train", "keras/validation", "tf1", "tbx/loss_val", "hparams/session_2/validation",
      "awkward/level1/level2/level3", "awkward/odd_tags"]);
    assert.ok(!runs.includes("awkward/empty_dir"));
    await done(p, "scalars");
  });

  it("draws Keras epoch scalars and tags with odd characters", async () => {
    const p = await open("scalars", ".card");
    for (const tag of ["epoch_loss", "evaluation_loss_vs_iterations", "a&b?c#d%e+f", "ünïcødé/λ", "loss with spaces"]) {
      const card = p.page.locator(`.card[data-tag="${tag}"]`).first();
      await card.scrollIntoViewIfNeeded();
      await p.page.locator(`.card[data-tag="${tag}"] .chart[data-series]`).waitFor({ timeout: 20000 });
    }
    await p.page.locator('.card[data-tag="epoch_loss"]').scrollIntoViewIfNeeded();
    await done(p, "scalars-keras");
  });

  it("switches the Keras run between its op graph and its conceptual graph", async () => {
    const p = await open("graphs", ".graph-view[data-ops]", "&graphRun=keras%2Ftrain");
    assert.equal(await p.page.locator(".graph-view").getAttribute("data-graph-type"), "op");
    assert.equal(await p.page.locator(".graph-view").getAttribute("data-ops"), "3");
    assert.match(await p.page.locator(".dash-controls").innerText(), /1 functions in the library/);
    await p.page.getByLabel("Conceptual graph").check();
    await p.page.waitForSelector('.graph-view[data-graph-type="conceptual"][data-ops="4"]', { timeout: 20000 });
    const text = await p.page.locator(".graph-view svg").evaluate((e) => e.textContent);
    assert.match(text, /sequential/);
    await done(p, "graphs-conceptual");
  });

  it("shows merged tf.function graphs of a trace", async () => {
    const p = await open("graphs", ".graph-view[data-ops]", "&graphRun=tf_function&graphTag=my_trace");
    assert.equal(await p.page.locator(".graph-view").getAttribute("data-ops"), "6");
    const text = await p.page.locator(".graph-view svg").evaluate((e) => e.textContent);
    assert.match(text, /graph_1/);
    assert.match(text, /graph_2/);
    await done(p, "graphs-functions");
  });

  it("shows the hparams sessions with metrics from their sub-runs", async () => {
    const p = await open("hparams", "table.data tbody tr");
    const rows = await p.page.$$eval("table.data tbody tr", (els) => els.map((e) => e.innerText));
    assert.equal(rows.length, 3);
    assert.match(rows.join("\n"), /adam/);
    assert.match(rows.join("\n"), /sgd/);
    // TensorBoard's download links: the CSV holds a header of display names and one row a group.
    const href = await p.page.locator('a[data-format="csv"]').getAttribute("href");
    const csv = await (await p.page.request.get(new URL(href, f.server.base).href)).text();
    assert.equal(csv.split("\r\n")[0], "learning_rate,optimizer,batch norm,val loss,train_acc");
    assert.equal(csv.trim().split("\r\n").length, 4);
    await done(p, "hparams");
  });

  // Every other dashboard, with the selector that appears once its data is drawn and text the
  // corpus put there (and, where that text may come after the selector, the element holding it).
  const dashboards = {
    histograms: [".card", /dense\/kernel\/histogram/],
    distributions: [".card", /weights/],
    images: [".card img", /dense\/kernel\/image/],
    audio: [".card audio", /tone\/audio\/0/],
    // each text card fetches its entries on its own: the first entry may be another card's
    text: [".text-entry", /hello from tensorboardX/, "", '.card[data-tag="tbx/text"] .text-entry'],
    pr_curves: [".card [data-lines]", /cat\/pr_curves/],
    custom_scalars: [".card .chart[data-series]", /all losses/],
    projector: [".plot[data-points]", /word_embedding/],
    mesh: [".three-box[data-vertices]", /tetra/],
    // The trace view: span names are drawn there (the overview shows step categories).
    profile: [".timeline[data-tracks]", /train_step|MatMul|keras\/train/, "&view=trace"],
  };
  for (const [tab, [selector, content, hash, holder]] of Object.entries(dashboards)) {
    it(`opens ${tab} and draws the corpus's data`, async () => {
      const p = await open(tab, selector, hash);
      if (holder) await p.page.waitForSelector(holder, { timeout: 60000 });
      assert.ok((await p.page.$$(selector)).length > 0);
      assert.match(await p.page.locator("body").innerText(), content);
      await done(p, tab);
    });
  }
});
