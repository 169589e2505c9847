// Browser tests of the web UI on the demo logdir (examples/all_kinds.cpp, the README's demo):
// the real tblog-view serves what the demo wrote and every dashboard the demo fills opens,
// draws its data, and logs no console error. Screenshots go to build/screenshots/demo-*.png.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view TBLOG_DEMO_BIN=/path/to/example_all_kinds \
//     node --test tests/demo.test.mjs
// Without both variables the suite is skipped (the mock server has no demo data).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { assertTabsAndRuns, closePage, openTab, useServer } from "./support/harness.mjs";

const enabled = !!(process.env.TBLOG_VIEW_BIN && process.env.TBLOG_DEMO_BIN);

describe("demo logdir", { skip: enabled ? false : "needs TBLOG_VIEW_BIN and TBLOG_DEMO_BIN" }, () => {
  const f = useServer({ prefix: "tblog-web-demo-", fill: (dir) => execFileSync(process.env.TBLOG_DEMO_BIN, [dir], { stdio: "ignore", cwd: dir }) });
  const open = (tab, waitFor) => openTab(f, tab, { waitFor, timeout: 20000 });
  const done = (p, tab) => closePage(p, `demo-${tab}`);

  it("lists the demo's runs and a tab for every kind it logged", async () => {
    const p = await open("scalars", ".card");
    await assertTabsAndRuns(p.page, ["train", "train/loss_compare_train", "train/loss_compare_val", "hparams"]);
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
