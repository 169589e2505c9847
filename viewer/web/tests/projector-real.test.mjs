// The projector against the real tblog-view on a logdir written by the library itself:
// examples/embedding.cpp calls SummaryWriter::add_embedding (300 points in 16 dims, three
// clusters by index % 3, a label per point, sprites; and the same points with two metadata
// columns), which writes PyTorch's layout — tensors.tsv, metadata.tsv, sprite.png and
// projector_config.pbtxt. tblog-view must stream that TSV as raw float32 (byte for byte the
// values in the file), and the page must lay it out with the clusters apart, find neighbours
// in the point's own cluster, and compute every layout in its worker, none on the main thread.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view TBLOG_EMBEDDING_BIN=/path/to/example_embedding \
//     node --test tests/projector-real.test.mjs
// TBLOG_EMBEDDING_BIN defaults to example_embedding beside TBLOG_DEMO_BIN; without the server
// and the example the suite is skipped (the mock server does not run the library).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { assertLayoutsInWorker, closePage, openTab, usingRealServer, useServer } from "./support/harness.mjs";
import { assertSeparated } from "./support/layout.mjs";

const example = process.env.TBLOG_EMBEDDING_BIN
  ?? (process.env.TBLOG_DEMO_BIN ? path.join(path.dirname(process.env.TBLOG_DEMO_BIN), "example_embedding") : "");
const enabled = usingRealServer && !!example && fs.existsSync(example);
const N = 300, D = 16, COLOURS = ["red", "green", "blue"];
const clusterOf = (i) => i % 3;

describe("projector on add_embedding's files, served by tblog-view", { skip: enabled ? false : "needs TBLOG_VIEW_BIN and example_embedding" }, () => {
  const f = useServer({ prefix: "tblog-projector-real-", fill: (dir) => execFileSync(example, [path.join(dir, "emb")], { stdio: "ignore" }) });

  /** The float32 values of a tensors.tsv as add_embedding wrote it. */
  const tsvValues = (file) => Float32Array.from(fs.readFileSync(file, "utf8").trim().split("\n").flatMap((l) => l.split("\t").map(Number)));

  it("serves the TSV tensor as raw little-endian float32, the metadata and the sprite", async () => {
    const get = (route, params) => fetch(`${f.server.base}data/plugin/projector/${route}?${new URLSearchParams(params)}`);
    const runs = await (await get("runs", {})).json();
    assert.ok(runs.includes("emb"), `runs ${runs}`);
    const info = await (await get("info", { run: "emb" })).json();
    const byName = Object.fromEntries(info.embeddings.map((e) => [e.tensorName, e]));
    assert.deepEqual(Object.keys(byName).sort(), ["clusters:00000", "clusters_table:00001"]);
    assert.deepEqual(byName["clusters:00000"].tensorShape, [N, D]);
    const r = await get("tensor", { run: "emb", name: "clusters:00000" });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/octet-stream");
    const bytes = Buffer.from(await r.arrayBuffer());
    assert.equal(bytes.length, N * D * 4);
    const served = new Float32Array(bytes.buffer, bytes.byteOffset, N * D);
    const written = tsvValues(path.join(f.logdir, "emb", byName["clusters:00000"].tensorPath));
    assert.equal(written.length, N * D);
    assert.deepEqual(served, written, "served floats differ from tensors.tsv");
    const labels = (await (await get("metadata", { run: "emb", name: "clusters:00000" })).text()).trim().split("\n");
    assert.deepEqual(labels.slice(0, 4), ["red", "green", "blue", "red"]);
    const sprite = await get("sprite_image", { run: "emb", name: "clusters:00000" });
    assert.equal(sprite.headers.get("content-type"), "image/png");
  });

  async function open(hash) {
    let tensor;
    const p = await openTab(f, "projector", { hash: `&projRun=emb${hash}`,
      onPage: (page) => { tensor = page.waitForResponse((res) => res.url().includes("/data/plugin/projector/tensor")); } });
    const res = await tensor;
    assert.equal(res.headers()["content-type"], "application/octet-stream");
    assert.equal((await res.body()).length, N * D * 4);
    await p.page.waitForSelector('.plot[data-state="done"]', { timeout: 60000 });
    return p;
  }

  async function done(p, shot) {
    await assertLayoutsInWorker(p, [await p.page.$eval(".plot", (e) => e.dataset.method)]);
    await closePage(p, shot);
  }

  const layoutOf = (p, method) => p.page.waitForFunction((m) => {
    const e = document.querySelector(".plot");
    return e.dataset.state === "done" && e.dataset.method === m ? window.__tblogProjector.layout() : null;
  }, method, { timeout: 120000, polling: 100 }).then((h) => h.jsonValue());

  it("PCA and t-SNE of the streamed tensor keep the three clusters apart; neighbours share the point's colour", async () => {
    const p = await open("&projIter=300");
    assert.match(await p.page.$eval(".proj-status", (e) => e.textContent), new RegExp(`PCA: ${N} points × ${D} dims`));
    assertSeparated(await layoutOf(p, "pca"), clusterOf, 3, "PCA of add_embedding's tensor");
    // a point's neighbours (cosine, the default) all carry its label
    await p.page.click('.meta-row[data-index="4"]');
    await p.page.waitForFunction(() => document.querySelectorAll(".nn-list li").length === 10);
    const nn = await p.page.$$eval(".nn-list li", (l) => l.map((e) => [Number(e.dataset.index), e.textContent.split(" — ")[0]]));
    for (const [i, label] of nn) {
      assert.equal(clusterOf(i), clusterOf(4), `neighbour ${i} of point 4`);
      assert.equal(label, COLOURS[clusterOf(4)]);
    }
    await p.page.click('.seg button[data-value="tsne"]');
    assertSeparated(await layoutOf(p, "tsne"), clusterOf, 3, "t-SNE of add_embedding's tensor");
    await done(p, "projector-real-tsne");
  });

  it("the second embedding's metadata columns colour and label the points", async () => {
    const p = await open("&projTensor=clusters_table%3A00001");
    assert.equal(await p.page.$eval('select[aria-label="Colour by"]', (e) => e.selectedOptions[0].textContent), "color");
    const colour = (i) => p.page.evaluate((j) => window.__tblogProjector.colour(j), i);
    assert.deepEqual(await colour(0), await colour(3));
    assert.notDeepEqual(await colour(0), await colour(1));
    await p.page.selectOption('select[aria-label="Label by"]', { label: "index" });
    assert.equal(await p.page.evaluate(() => window.__tblogProjector.labelText(42)), "42");
    assertSeparated(await layoutOf(p, "pca"), clusterOf, 3, "PCA of the table embedding");
    await done(p);
  });
});
