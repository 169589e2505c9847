// The single-file export (`tblog-view export --single-file`) in Firefox: Debian's firefox-esr,
// driven over WebDriver BiDi by puppeteer-core, opens the file from file:// and must show on
// every dashboard what Chromium shows from the same file (export.test.mjs shows that Chromium's
// single file equals the live server), with no request beyond the file and no page error.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view node --test tests/export-firefox.test.mjs
//   (FIREFOX_BIN overrides /usr/bin/firefox-esr)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import puppeteer from "puppeteer-core";
import { goldenDir, launchBrowser, newPage } from "./support/harness.mjs";

const bin = process.env.TBLOG_VIEW_BIN;
const firefoxBin = process.env.FIREFOX_BIN ?? "/usr/bin/firefox-esr";
let tmp, fileUrl, chromium, closeChromium, firefox;

before(async () => {
  if (!bin) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-export-firefox-"));
  const logdir = path.join(tmp, "logdir");
  fs.cpSync(goldenDir, logdir, { recursive: true, filter: (src) => !src.endsWith(".npy") });
  const single = path.join(tmp, "report.html");
  execFileSync(bin, ["export", "--logdir", logdir, "--single-file", single, "--name", "Golden logdir"], { encoding: "utf8" });
  fileUrl = pathToFileURL(single).href;
  ({ browser: chromium, close: closeChromium } = await launchBrowser());
  firefox = await puppeteer.launch({ browser: "firefox", executablePath: firefoxBin, headless: true });
});

after(async () => {
  await closeChromium?.();
  await firefox?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * Runs in the page (either browser): waits for the dashboard, then reads `what`:
 * { cards: [selector, data field] } — each card scrolled into view until its element has the
 * field — or { one: [selector, fields...] }, or { rows: selector } — the elements' texts.
 */
async function probeInPage({ tab, what }) {
  const until = async (f) => {
    for (const t0 = performance.now(); ;) {
      const v = f();
      if (v) return v;
      if (performance.now() - t0 > 30000) throw new Error(`${tab}: timed out waiting for ${JSON.stringify(what)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until(() => document.querySelector(`#pane[data-dashboard="${tab}"]`));
  if (what.rows) {
    // cards fetch their data one by one: wait for the rows of every card, not of the first
    await until(() => document.querySelector(what.rows) && [...document.querySelectorAll("#pane .card")].every((c) => c.querySelector(what.rows)));
    return [...document.querySelectorAll(what.rows)].map((e) => e.textContent);
  }
  if (what.one) {
    const [sel, ...fields] = what.one;
    const e = await until(() => document.querySelector(`${sel}[data-${fields[0]}]`));
    return fields.map((f) => e.dataset[f]);
  }
  const [inner, field] = what.cards;
  await until(() => document.querySelector(".card"));
  document.querySelectorAll("details.group").forEach((d) => (d.open = true));
  const out = {};
  for (const card of document.querySelectorAll(".card")) {
    card.scrollIntoView();
    const e = await until(() => card.querySelector(`${inner}[data-${field}]`));
    out[`${card.dataset.tag}\u0000${card.dataset.run ?? ""}`] = e.dataset[field];
  }
  return out;
}

// What each dashboard shows (the numbers export.test.mjs compares with the live server).
const probes = {
  scalars: { cards: [".chart", "series"] },
  histograms: { cards: [".chart", "steps"] },
  distributions: { cards: [".chart", "steps"] },
  pr_curves: { cards: ["[data-lines]", "lines"] },
  text: { rows: ".text-entry" },
  hparams: { rows: "table.data tbody tr" },
  graphs: { one: [".graph-view", "ops", "nodes"] },
  images: { rows: ".card img" },
  // laid out by the worker, which the single file starts from its inlined script
  projector: { one: ['.plot[data-state="done"]', "points", "method"] },
};

/** Image cards: each image decoded, its natural size (the pixels are export.test.mjs's check). */
async function imageSizes() {
  const imgs = [...document.querySelectorAll(".card img")];
  await Promise.all(imgs.map((i) => (i.complete && i.naturalWidth ? null : i.decode())));
  return imgs.map((i) => `${i.closest(".card").dataset.tag} ${i.naturalWidth}x${i.naturalHeight}`);
}

async function inChromium(tab, what) {
  const p = await newPage(chromium);
  try {
    await p.page.goto(`${fileUrl}#tab=${tab}`);
    const got = await p.page.evaluate(probeInPage, { tab, what });
    return tab === "images" ? await p.page.evaluate(imageSizes) : got;
  } finally {
    await p.context.close();
  }
}

async function inFirefox(tab, what) {
  const page = await firefox.newPage();
  const errors = [], requests = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  try {
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${fileUrl}#tab=${tab}`);
    const got = await page.evaluate(probeInPage, { tab, what });
    return { got: tab === "images" ? await page.evaluate(imageSizes) : got, errors, requests };
  } finally {
    await page.close();
  }
}

describe("single-file export in Firefox", { skip: !bin && "TBLOG_VIEW_BIN is not set" }, () => {
  it("opens from file:// with the export's name", async () => {
    const page = await firefox.newPage();
    await page.goto(`${fileUrl}#tab=scalars`);
    await page.waitForSelector(".export-info");
    assert.match(await page.$eval(".export-info", (e) => e.textContent), /Golden logdir/);
    assert.equal(await page.title(), "Golden logdir");
    await page.close();
  });

  for (const [tab, what] of Object.entries(probes)) {
    it(`${tab}: Firefox shows what Chromium shows`, async () => {
      const want = await inChromium(tab, what);
      assert.ok(Object.keys(want).length > 0, `${tab}: nothing shown in Chromium`);
      const ff = await inFirefox(tab, what);
      assert.deepEqual(ff.got, want);
      assert.deepEqual(ff.errors, [], "page errors");
      assert.deepEqual(ff.requests.filter((u) => !(u.startsWith(fileUrl.split("#")[0]) || u.startsWith("blob:") || u.startsWith("data:"))), [],
        "requests beyond the file");
    });
  }
});
