// Browser tests of the web UI on the demo logdir (examples/all_kinds.cpp, the README's demo):
// the real tblog-view serves what the demo wrote and every dashboard the demo fills opens,
// draws its data, and logs no console error. Screenshots go to build/screenshots/demo-*.png.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view TBLOG_DEMO_BIN=/path/to/example_all_kinds \
//     node --test tests/demo.test.mjs
// Without both variables the suite is skipped (the mock server has no demo data).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureBuilt, launchBrowser, newPage, screenshot, startServer } from "./support/harness.mjs";

const enabled = !!(process.env.TBLOG_VIEW_BIN && process.env.TBLOG_DEMO_BIN);
let server, browser, closeBrowser, logdir;

describe("demo logdir", { skip: enabled ? false : "needs TBLOG_VIEW_BIN and TBLOG_DEMO_BIN" }, () => {
  before(async () => {
    ensureBuilt();
    logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-web-demo-"));
    execFileSync(process.env.TBLOG_DEMO_BIN, [logdir], { stdio: "ignore", cwd: logdir });
    server = await startServer({ logdir });
    ({ browser, close: closeBrowser } = await launchBrowser());
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
    if (logdir) fs.rmSync(logdir, { recursive: true, force: true });
  });

  async function open(tab, waitFor) {
    const p = await newPage(browser);
    await p.page.goto(`${server.base}#tab=${tab}`);
    await p.page.waitForSelector(`#pane[data-dashboard="${tab}"]`);
    await p.page.waitForSelector(waitFor, { timeout: 20000 });
    return p;
  }

  async function done(p, tab) {
    await screenshot(p.page, `demo-${tab}`);
    assert.deepEqual(p.errors, [], "console errors");
    await p.context.close();
  }

  it("lists the demo's runs and a tab for every kind it logged", async () => {
    const p = await open("scalars", ".card");
    const tabs = await p.page.$$eval(".tab", (els) => els.map((e) => e.dataset.plugin));
    for (const t of ["scalars", "custom_scalars", "images", "audio", "graphs", "distributions", "histograms", "text",
      "pr_curves", "hparams", "projector", "mesh", "profile"]) assert.ok(tabs.includes(t), `tab ${t} missing: ${tabs}`);
    const runs = await p.page.$$eval(".run[data-run]", (els) => els.map((e) => e.dataset.run));
    for (const r of ["train", "train/loss_compare_train", "train/loss_compare_val", "hparams"]) assert.ok(runs.includes(r), `run ${r}`);
    await done(p, "scalars");
  });

  it("draws every point of the training loss (240 steps)", async () => {
    const p = await open("scalars", '.card[data-tag="loss/train"]');
    await p.page.locator('.card[data-tag="loss/train"]').scrollIntoViewIfNeeded();
    await p.page.waitForSelector('.card[data-tag="loss/train"] .chart[data-series]', { timeout: 20000 });
    const text = await p.page.locator('.card[data-tag="loss/train"]').innerText();
    assert.match(text, /240 points/);
    await done(p, "loss");
  });

  // Each dashboard with the selector that appears once its data is drawn (as in dashboards.test.mjs).
  const dashboards = {
    histograms: ".card",
    distributions: ".card",
    images: ".card img",
    audio: ".card audio",
    text: ".text-entry",
    pr_curves: ".card [data-lines]",
    custom_scalars: ".card .chart[data-series]",
    hparams: "table.data tbody tr",
    graphs: ".graph-view[data-ops]",
    projector: ".plot[data-points]",
    mesh: ".three-box[data-vertices]",
    profile: ".profile-pane[data-trace] [data-view]",
  };
  for (const [tab, selector] of Object.entries(dashboards)) {
    it(`opens ${tab} and draws the demo's data`, async () => {
      const p = await open(tab, selector);
      assert.ok((await p.page.$$(selector)).length > 0);
      await done(p, tab);
    });
  }
});
