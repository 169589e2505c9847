// Browser test of the run selector's sort by hparam and metric columns (issue 15), on the golden
// logdir (shared/reference/pytorch: hparams/trial0 lr 0.1 sgd accuracy 0.8 loss 0.5, hparams/trial1
// lr 0.01 adam accuracy 0.9 loss 0.4): the hparams plugin's columns become sort keys, the order
// follows the values (runs without one last), and the choice stays in the URL across a reload.
//
//   npm run build && node --test tests/runs.test.mjs                      (mock server)
//   TBLOG_VIEW_BIN=... node --test tests/runs.test.mjs                    (real server)
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ensureBuilt, launchBrowser, newPage, startServer } from "./support/harness.mjs";

let server, browser, closeBrowser;

before(async () => {
  ensureBuilt();
  server = await startServer();
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const order = (page) => page.$$eval(".run[data-run]", (els) => els.map((e) => e.dataset.run));

async function sortBy(page, key, expected) {
  await page.selectOption(".run-sort", key);
  await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll(".run[data-run]")].map((e) => e.dataset.run)) === want,
    JSON.stringify(expected), { timeout: 15000 });
  assert.equal(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get("runSort"), key);
}

describe("run selector", () => {
  it("sorts runs by an hparam or a metric, runs without the value last, and keeps the sort in the URL", async () => {
    const p = await newPage(browser);
    await p.page.goto(`${server.base}#tab=scalars&runFilter=${encodeURIComponent("^(scalars|hparams/trial\\d)$")}`);
    await p.page.waitForFunction(() => document.querySelectorAll(".run[data-run]").length === 3, null, { timeout: 30000 });
    // the hparams columns arrive as sort options
    await p.page.waitForSelector('.run-sort option[value="h:lr"]', { state: "attached", timeout: 30000 });
    const labels = await p.page.$$eval(".run-sort option", (els) => els.map((e) => e.textContent));
    for (const l of ["hparam: lr", "hparam: optimizer", "metric: hparam/accuracy", "metric: hparam/loss"]) assert.ok(labels.includes(l), `${l} in ${labels}`);
    await sortBy(p.page, "h:lr", ["hparams/trial1", "hparams/trial0", "scalars"]);
    await sortBy(p.page, "m:/hparam/accuracy", ["hparams/trial0", "hparams/trial1", "scalars"]);
    await sortBy(p.page, "m:/hparam/loss", ["hparams/trial1", "hparams/trial0", "scalars"]);
    await sortBy(p.page, "name", ["hparams/trial0", "hparams/trial1", "scalars"]);
    await sortBy(p.page, "h:optimizer", ["hparams/trial1", "hparams/trial0", "scalars"]);  // adam < sgd
    // a copied link reproduces the sort (and the filter)
    const link = await p.page.evaluate(() => location.href);
    const q = await newPage(browser);
    await q.page.goto(link);
    await q.page.waitForFunction(() => document.querySelector(".run-sort")?.value === "h:optimizer", null, { timeout: 30000 });
    assert.deepEqual(await order(q.page), ["hparams/trial1", "hparams/trial0", "scalars"]);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(q.errors, []);
    await p.context.close();
    await q.context.close();
  });
});
