// Browser tests of the projector on a generated embedding with known structure
// (tests/support/embedding.mjs: 4 Gaussian clusters of 100 points in 32-D),
// against the mock server or the real tblog-view (TBLOG_VIEW_BIN). Every
// projection must separate the clusters in its layout, neighbours must come
// from the point's own cluster, and every layout must have been computed in the
// projector's worker, none on the page's main thread (how long the main thread's
// tasks take meanwhile is measured by tests/perf-projector.mjs, not asserted).
//
//   npm run build && node --test tests/projector.test.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { writeClusters } from "./support/embedding.mjs";
import { assertSeparated as separate } from "./support/layout.mjs";
import { assertLayoutsInWorker, closePage, newPage, openTab, useServer } from "./support/harness.mjs";

let emb;
const f = useServer({ prefix: "tblog-projector-", fill: (dir) => { emb = writeClusters(dir); } });

/** Opens the projector (with `hash` state) and waits for the first finished layout. */
async function open(hash = "") {
  return openTab(f, "projector", { hash: `&projRun=clusters${hash}`, waitFor: '.plot[data-state="done"]', timeout: 60000 });
}

/**
 * Ends a test: the worker ran the layout on screen (its method) and the `also` job kinds, and the
 * page's main thread ran none; then the screenshot.
 */
async function done(p, shot, also = []) {
  const shown = await p.page.$eval(".plot", (e) => e.dataset.method);
  await assertLayoutsInWorker(p, [shown, ...also]);
  await closePage(p, shot);
}

/** Waits for the next finished projection of `method` (after an action that starts one). */
async function projected(p, method, points = emb.n) {
  await p.page.waitForFunction(([m, n]) => {
    const e = document.querySelector(".plot");
    return e.dataset.state === "done" && e.dataset.method === m && e.dataset.points === String(n);
  }, [method, String(points)], { timeout: 120000, polling: 100 });
  return p.page.evaluate(() => window.__tblogProjector.layout());
}

const clusterOf = (i) => Math.floor(i / emb.perCluster);
const assertSeparated = (layout, what) => separate(layout, clusterOf, emb.clusters, what);

/** Pixels of the WebGL canvas within `tol` of an RGB colour. */
async function countColour(page, rgb, tol = 40) {
  return page.evaluate(([c, t]) => {
    const src = document.querySelector(".plot canvas:not(.labels-overlay)");
    const cv = document.createElement("canvas");
    cv.width = src.width; cv.height = src.height;
    const g = cv.getContext("2d");
    g.drawImage(src, 0, 0);
    const px = g.getImageData(0, 0, cv.width, cv.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.abs(px[i] - c[0]) < t && Math.abs(px[i + 1] - c[1]) < t && Math.abs(px[i + 2] - c[2]) < t) n++;
    return n;
  }, [rgb, tol]);
}


describe("projector", () => {
  it("streams the float32 tensor, separates the clusters with PCA in 2-D and 3-D, and draws them with WebGL", async () => {
    const p = await open();
    const l2 = await projected(p, "pca");
    assert.equal(l2.dims, 2);
    assert.equal(l2.coords.length, emb.n * 2);
    assertSeparated(l2, "PCA 2-D");
    assert.match(await p.page.$eval(".proj-status", (e) => e.textContent), /PCA: 400 points × 32 dims; variance explained/);
    // coloured by the class-like column (fewest distinct values), so four palette colours are on screen
    assert.equal(await p.page.$eval('select[aria-label="Colour by"]', (e) => e.selectedOptions[0].textContent), "cluster");
    await p.page.click('.seg button[data-value="3"]');
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.dims === "3" && document.querySelector(".plot").dataset.state === "done");
    const l3 = await projected(p, "pca");
    assert.equal(l3.dims, 3);
    assertSeparated(l3, "PCA 3-D");
    const frames = await p.page.evaluate(() => window.__tblogProjector.rotate(10));
    assert.equal(frames.length, 10);
    await done(p, "projector-pca-3d");
  });

  it("t-SNE (Barnes-Hut, in a worker) separates the clusters, with progress and partial layouts", async () => {
    const p = await open("&projIter=300");
    const seen = [];
    await p.page.exposeFunction("__progress", (v) => seen.push(v));
    await p.page.evaluate(() => new MutationObserver(() => window.__progress(document.querySelector(".proj-status").textContent))
      .observe(document.querySelector(".proj-status"), { childList: true, characterData: true, subtree: true }));
    await p.page.click('.seg button[data-value="tsne"]');
    const l = await projected(p, "tsne");
    assertSeparated(l, "t-SNE 2-D");
    assert.ok(seen.some((s) => /t-SNE… \d+% \(iteration \d+\)/.test(s)), `no t-SNE progress among ${JSON.stringify(seen.slice(0, 5))}`);
    assert.match(await p.page.$eval(".proj-status", (e) => e.textContent), /t-SNE: 400 points, 300 iterations/);
    await done(p, "projector-tsne");
  });

  it("UMAP separates the clusters in 3-D", async () => {
    const p = await open("&projMethod=umap&projDims=3");
    const l = await projected(p, "umap");
    assert.equal(l.dims, 3);
    assertSeparated(l, "UMAP 3-D");
    await done(p, "projector-umap-3d");
  });

  it("a long t-SNE can be stopped; the page stays responsive meanwhile", async () => {
    const p = await open("&projIter=100000");
    await p.page.click('.seg button[data-value="tsne"]');
    assert.equal(await p.page.$eval('input[aria-label="Iterations"]', (e) => e.value), "100000");
    await p.page.waitForFunction(() => /iteration \d+/.test(document.querySelector(".proj-status").textContent), null, { timeout: 60000 });
    // the main thread keeps drawing frames while the worker iterates: polled in the page's
    // animation frames (waitForFunction's default), the iteration count the status shows moves on
    const shown = (after) => p.page.waitForFunction((n) => {
      const m = /iteration (\d+)/.exec(document.querySelector(".proj-status").textContent);
      return m && Number(m[1]) > n ? Number(m[1]) : false;
    }, after, { timeout: 60000 }).then((h) => h.jsonValue());
    const first = await shown(-1);
    assert.ok((await shown(first)) > first);
    await p.page.click(".proj-stop");
    await p.page.waitForSelector('.plot[data-state="stopped"]', { timeout: 10000 });
    assert.match(await p.page.$eval(".proj-status", (e) => e.textContent), /stopped \(showing the last layout\)/);
    await done(p);
  });

  it("nearest neighbours come from the point's own cluster, by cosine and euclidean distance, as many as the slider says", async () => {
    const p = await open();
    await p.page.fill('input[aria-label="Find point"]', "c2_7");
    await p.page.press('input[aria-label="Find point"]', "Enter");
    await p.page.waitForFunction(() => document.querySelectorAll(".nn-list li").length === 10);
    assert.match(await p.page.$eval(".selected-point .card-title", (e) => e.textContent), /Selected: c2_7/);
    const labels = () => p.page.$$eval(".nn-list li", (l) => l.map((e) => e.textContent.split(" — ")[0]));
    for (const l of await labels()) assert.match(l, /^c2_/);
    assert.match(await p.page.$eval(".selected-point", (e) => e.textContent), /Nearest neighbours \(cosine\)/);
    const nn = () => p.page.$$eval(".nn-list li", (l) => l.map((e) => [Number(e.dataset.index), Number(e.textContent.split(" — ")[1])]));
    const cosine = await nn();
    await p.page.click('.nn-metric button[data-value="euclidean"]');
    await p.page.waitForFunction(() => /euclidean/.test(document.querySelector(".selected-point").textContent) && document.querySelectorAll(".nn-list li").length === 10);
    for (const l of await labels()) assert.match(l, /^c2_/);
    // on spherized (unit) vectors |a - b| = sqrt(2 (1 - cos)): the same neighbours, distances transformed
    const euclid = await nn();
    assert.deepEqual(euclid.map((e) => e[0]), cosine.map((e) => e[0]));
    euclid.forEach(([, d], i) => assert.ok(Math.abs(d - Math.sqrt(2 * cosine[i][1])) < 2e-3, `${d} vs cosine ${cosine[i][1]}`));
    await p.page.$eval('input[aria-label="Neighbour count"]', (e) => { e.value = "60"; e.dispatchEvent(new Event("change")); });
    await p.page.waitForFunction(() => document.querySelectorAll(".nn-list li").length === 60);
    for (const l of await labels()) assert.match(l, /^c2_/);
    // neighbours are highlighted and labelled in the plot
    const shown = await p.page.evaluate(() => window.__tblogProjector.labels());
    assert.ok(shown.includes(207));
    await done(p, "projector-neighbours", ["neighbors"]);
  });

  it("regex search highlights matches, the table lists them, isolate re-projects only them, clear and show-all undo it", async () => {
    const p = await open();
    await p.page.check("#search-regex");
    await p.page.fill('input[aria-label="Find point"]', "^c1_[0-9]$");
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.highlighted === "10");
    assert.deepEqual(await p.page.evaluate(() => window.__tblogProjector.matches()), Array.from({ length: 10 }, (_, i) => 100 + i));
    assert.match(await p.page.$eval(".match-count", (e) => e.textContent), /10 matches/);
    assert.equal(await p.page.$eval(".meta-table", (e) => e.dataset.rows), "10");
    // an invalid regex matches nothing and is flagged
    await p.page.fill('input[aria-label="Find point"]', "c1_[");
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.highlighted === "0");
    assert.ok(await p.page.$eval('input[aria-label="Find point"]', (e) => e.classList.contains("invalid")));
    // a search in one column: cluster k3 (100 points), then isolate them
    await p.page.selectOption('select[aria-label="Search column"]', { label: "cluster" });
    await p.page.fill('input[aria-label="Find point"]', "^k3$");
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.highlighted === "100");
    await p.page.click("button.isolate");
    const iso = await projected(p, "pca", 100);
    assert.deepEqual(iso.indices, Array.from({ length: 100 }, (_, i) => 300 + i));
    await p.page.click("button.show-all");
    await projected(p, "pca", emb.n);
    await p.page.fill('input[aria-label="Find point"]', "^k0$");
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.highlighted === "100");
    await p.page.click("button.clear-selection");
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.highlighted === "0");
    assert.equal(await p.page.$eval(".meta-table", (e) => e.dataset.rows), String(emb.n));
    await done(p, "projector-search");
  });

  it("custom projection: axes from two pairs of queries put the clusters where the queries say", async () => {
    const p = await open("&projMethod=custom&projXl=%5Ec0_&projXr=%5Ec1_&projYd=%5Ec2_&projYu=%5Ec3_");
    const l = await projected(p, "custom");
    const mean = (c, a) => { let s = 0; for (let i = c * 100; i < c * 100 + 100; i++) s += l.coords[i * 2 + a]; return s / 100; };
    assert.ok(mean(1, 0) > mean(0, 0) + 1, "c1 right of c0");
    assert.ok(mean(3, 1) > mean(2, 1) + 1, "c3 above c2");
    assertSeparated(l, "custom");
    await done(p, "projector-custom");
  });

  it("spherize changes the data PCA sees", async () => {
    const p = await open();
    const a = await projected(p, "pca");
    await p.page.uncheck("#spherize");
    await p.page.waitForFunction((c) => JSON.stringify(window.__tblogProjector.layout()?.coords.slice(0, 4)) !== JSON.stringify(c), a.coords.slice(0, 4));
    const b = await projected(p, "pca");
    // unsphered coordinates are on the data's own scale (centres ~6 apart per axis); sphered rows have unit norm, so |coordinate| <= 2 after centring
    const r = (l) => Math.max(...l.coords.map(Math.abs));
    assert.ok(r(a) <= 2 && r(b) > 5, `ranges ${r(a)} ${r(b)}`);
    await done(p);
  });

  it("colours by categorical and numeric columns and labels by any column", async () => {
    const p = await open();
    const colour = (i) => p.page.evaluate((j) => window.__tblogProjector.colour(j), i);
    assert.deepEqual(await colour(0), await colour(99));
    assert.notDeepEqual(await colour(0), await colour(100));
    await p.page.selectOption('select[aria-label="Colour by"]', { label: "score" });
    // numeric: a ramp along score, equal for equal scores across clusters
    assert.notDeepEqual(await colour(0), await colour(99));
    assert.deepEqual(await colour(5), await colour(105));
    await p.page.selectOption('select[aria-label="Label by"]', { label: "cluster" });
    await p.page.fill('input[aria-label="Find point"]', "c3_42");
    await p.page.press('input[aria-label="Find point"]', "Enter");
    await p.page.waitForSelector(".nn-list li");
    assert.match(await p.page.$eval(".selected-point .card-title", (e) => e.textContent), /Selected: k3/);
    assert.equal(await p.page.evaluate(() => window.__tblogProjector.labelText(342)), "k3");
    await done(p);
  });

  it("sprites are drawn in 2-D and in 3-D", async () => {
    const p = await open();
    const magenta = [255, 0, 255];
    assert.equal(await countColour(p.page, magenta), 0);
    await p.page.check("#sprites");
    await p.page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
    const flat = await countColour(p.page, magenta);
    assert.ok(flat > 2000, `2-D sprites: ${flat} magenta pixels`);
    await p.page.click('.seg button[data-value="3"]');
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.dims === "3" && document.querySelector(".plot").dataset.state === "done");
    await p.page.waitForFunction(() => new Promise((r) => requestAnimationFrame(() => r(true))));
    const deep = await countColour(p.page, magenta);
    assert.ok(deep > 2000, `3-D sprites: ${deep} magenta pixels`);
    await done(p, "projector-sprites-3d");
  });

  it("the metadata table selects a point when a row is clicked", async () => {
    const p = await open();
    assert.equal(await p.page.$eval(".meta-table", (e) => e.dataset.rows), String(emb.n));
    await p.page.click('.meta-row[data-index="3"]');
    await p.page.waitForSelector(".nn-list li");
    assert.equal(await p.page.evaluate(() => window.__tblogProjector.selected()), 3);
    assert.ok(await p.page.$eval('.meta-row[data-index="3"]', (e) => e.classList.contains("selected")));
    await p.page.locator(".meta-table").evaluate((e) => (e.scrollTop = 300 * 22));
    await p.page.waitForSelector('.meta-row[data-index="300"]');
    await done(p);
  });

  it("bookmarks: loads TensorBoard-format states from the config's bookmarks file, saves new ones, and the URL keeps the view", async () => {
    const p = await open();
    await p.page.click('.bm-list.server button[data-bookmark="Saved circle"]');
    await p.page.waitForFunction(() => /from bookmark/.test(document.querySelector(".proj-status").textContent));
    const l = await p.page.evaluate(() => window.__tblogProjector.layout());
    for (const i of [0, 100, 250]) {
      assert.ok(Math.abs(l.coords[i * 2] - Math.cos((2 * Math.PI * i) / emb.n)) < 1e-5);
      assert.ok(Math.abs(l.coords[i * 2 + 1] - Math.sin((2 * Math.PI * i) / emb.n)) < 1e-5);
    }
    assert.equal(await p.page.evaluate(() => window.__tblogProjector.selected()), 5);
    await p.page.waitForSelector(".nn-list li");
    // save the current view in this browser and download the list in TensorBoard's format
    await p.page.click("text=Add bookmark");
    await p.page.waitForSelector('.bm-list.local button[data-bookmark="State 1"]');
    const [download] = await Promise.all([p.page.waitForEvent("download"), p.page.click("text=Download")]);
    const saved = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
    assert.equal(saved[0].selectedProjection, "pca");
    assert.deepEqual(saved[0].selectedPoints, [5]);
    assert.equal(saved[0].projections.length, emb.n);
    assert.ok(Math.abs(saved[0].projections[100]["pca-0"] - Math.cos((2 * Math.PI * 100) / emb.n)) < 1e-5);
    // the URL carries the view: a new page on it shows UMAP in 3-D with the same selection
    await p.page.click('.seg button[data-value="umap"]');
    await p.page.click('.seg button[data-value="3"]');
    await projected(p, "umap");
    const hash = await p.page.evaluate(() => location.hash);
    assert.match(hash, /projMethod=umap/);
    assert.match(hash, /projSel=5/);
    const q = await newPage(f.browser);
    await q.page.goto(`${f.server.base}${hash}`);
    await q.page.waitForSelector('.plot[data-state="done"][data-method="umap"][data-dims="3"]', { timeout: 120000 });
    await q.page.waitForSelector(".nn-list li");
    assert.equal(await q.page.evaluate(() => window.__tblogProjector.selected()), 5);
    await q.context.close();
    await done(p, "projector-bookmarks");
  });
});
