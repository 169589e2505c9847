// Projector performance in headless chromium, printed as a markdown table (no
// timed assertions: numbers depend on the machine). Generates Gaussian-cluster
// embeddings (tests/support/embedding.mjs) of 100,000 x 256 and 20,000 x 256,
// serves them with the mock (or TBLOG_VIEW_BIN), and measures
//   - navigation to the first PCA plot of 100k x 256 (download + worker PCA + WebGL),
//   - t-SNE and UMAP of 20k x 256, and at TensorBoard's sample sizes (10k, 5k),
//   - frame time while rotating the 100k points in 3-D,
//   - the page's main thread while t-SNE of 5k x 256 runs in the worker: its long tasks
//     (over 50 ms wall) and the most CPU any of them took (the figure the browser tests once
//     asserted; they now check that the layouts run in the worker).
//
//   npm run build && node tests/perf-projector.mjs [--quick] [--only pca|tsne|umap]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeClusters } from "./support/embedding.mjs";
import { launchBrowser, mainThreadWindow, newPage, openTab, startServer, usingRealServer } from "./support/harness.mjs";

const quick = process.argv.includes("--quick");
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const wanted = (what) => !only || only === what;
const BIG = quick ? 20000 : 100000, MID = quick ? 4000 : 20000, D = 256;
const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-projector-perf-"));
if (wanted("pca")) writeClusters(logdir, { name: "big", clusters: 20, perCluster: BIG / 20, dims: D, sprites: false, bookmarks: false });
writeClusters(logdir, { name: "mid", clusters: 20, perCluster: MID / 20, dims: D, sprites: false, bookmarks: false });
const server = await startServer({ logdir });
const { browser, close } = await launchBrowser();
const rows = [];
// rows are printed as they complete too (t-SNE on a slow machine takes a while)
const push = (r) => { rows.push(r); console.log(`| ${r.join(" | ")} |`); };

/** CPU time (ms) of the traced top-level tasks, by "process/thread" name. */
function threadCpu(events) {
  const meta = (type) => new Map(events.filter((e) => e.ph === "M" && e.name === type).map((e) => [type === "process_name" ? e.pid : `${e.pid}:${e.tid}`, e.args.name]));
  const processes = meta("process_name"), threads = meta("thread_name");
  const cpu = new Map();
  for (const e of events) {
    if (e.ph !== "X" || e.name !== "ThreadControllerImpl::RunTask") continue;
    const k = `${processes.get(e.pid)}/${threads.get(`${e.pid}:${e.tid}`)}`;
    cpu.set(k, (cpu.get(k) ?? 0) + (e.tdur ?? e.dur) / 1000);
  }
  return cpu;
}

async function timeTo(hash, { method = "pca", dims = 2, timeout = 3600000 } = {}) {
  const p = await newPage(browser);
  await p.page.goto(`${server.base}#tab=projector${hash}`);
  await p.page.waitForFunction(([m, d]) => {
    const e = document.querySelector(".plot");
    return e?.dataset.state === "done" && e.dataset.method === m && e.dataset.dims === String(d);
  }, [method, dims], { timeout, polling: 200 });
  const r = await p.page.evaluate(() => ({ now: performance.now(), seconds: Number(document.querySelector(".plot").dataset.seconds),
    status: document.querySelector(".proj-status").textContent }));
  return { p, ...r };
}

try {
  // 1. first PCA plot of the big tensor, then 3-D rotation
  if (wanted("pca")) {
    const pca = await timeTo("&projRun=big");
    push([`PCA, ${BIG.toLocaleString()} x ${D}: navigation to first plot`, `${(pca.now / 1000).toFixed(1)} s`,
      `of which PCA in the worker ${pca.seconds.toFixed(1)} s (${pca.status.replace(/ in [\d.]+ s$/, "")})`, "PCA on a 50,000-point sample (all points projected), 200 dims after random projection"]);
    await pca.p.page.click('.seg button[data-value="3"]');
    await pca.p.page.waitForFunction(() => document.querySelector(".plot").dataset.dims === "3" && document.querySelector(".plot").dataset.state === "done", null, { timeout: 600000 });
    // traced, to tell the page's own per-frame work (renderer main thread) from the rasteriser's
    await browser.startTracing(pca.p.page, { categories: ["toplevel"] });
    const { frames, gpu } = await pca.p.page.evaluate(async () => {
      const gl = document.querySelector(".plot canvas:not(.labels-overlay)").getContext("webgl2");
      const info = gl?.getExtension("WEBGL_debug_renderer_info");
      return { frames: await window.__tblogProjector.rotate(60), gpu: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "unknown" };
    });
    const cpu = threadCpu(JSON.parse((await browser.stopTracing()).toString()).traceEvents);
    frames.sort((a, b) => a - b);
    const perFrame = (k) => `${((cpu.get(k) ?? 0) / frames.length).toFixed(1)} ms`;
    push([`3-D rotation, ${BIG.toLocaleString()} points: frame time`, `median ${frames[frames.length >> 1].toFixed(1)} ms`,
      `95th percentile ${frames[Math.floor(frames.length * 0.95)].toFixed(1)} ms; CPU per frame: page main thread ${perFrame("Renderer/CrRendererMain")}, ` +
      `GPU process ${perFrame("GPU Process/CrGpuMain")} + ${perFrame("GPU Process/VizCompositorThread")} (compositor); WebGL: ${gpu}`, "(same three.js point cloud approach)"]);
    await pca.p.context.close();
  }
  // 2. t-SNE and UMAP, ours at 20k and at TensorBoard's sample sizes
  for (const [method, sample, tb] of [["tsne", MID, "t-SNE sample: 10,000 points"], ["tsne", Math.min(MID, 10000), "10,000 (its cap)"],
    ["umap", MID, "UMAP sample: 5,000 points"], ["umap", Math.min(MID, 5000), "5,000 (its cap)"]]) {
    if (!wanted(method)) continue;
    const r = await timeTo(`&projRun=mid&projMethod=${method}&projSample=${sample}`, { method });
    push([`${method === "tsne" ? "t-SNE (500 iterations)" : "UMAP"}, ${sample.toLocaleString()} x ${D}`, `${r.seconds.toFixed(1)} s`,
      r.status.replace(/ in [\d.]+ s$/, ""), tb]);
    await r.p.context.close();
  }
  // 3. the page's main thread while the worker runs t-SNE
  if (wanted("tsne")) {
    const SAMPLE = Math.min(MID, 5000);
    const p = await openTab({ browser, server }, "projector", { hash: `&projRun=mid&projIter=200&projSample=${SAMPLE}`,
      waitFor: '.plot[data-state="done"]', timeout: 600000, longTasks: true });
    const win = await mainThreadWindow(p);
    await p.page.click('.seg button[data-value="tsne"]');
    await p.page.waitForFunction(() => document.querySelector(".plot").dataset.state === "done" && document.querySelector(".plot").dataset.method === "tsne",
      null, { timeout: 3600000, polling: 200 });
    const long = await win.end();
    const worst = long.reduce((m, t) => (t.cpu > m.cpu ? t : m), { cpu: 0, wall: 0 });
    push([`page's main thread during t-SNE (200 iterations) of ${SAMPLE.toLocaleString()} x ${D} in the worker`, `${long.length} long tasks`,
      `most CPU in one: ${worst.cpu.toFixed(0)} ms (its wall time ${worst.wall.toFixed(0)} ms)`, "-"]);
    await p.context.close();
  }
  console.log(`\nProjector, ${usingRealServer ? "tblog-view" : "mock server"}, chromium headless 1280x800; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores\n`);
  console.log("| measure | result | detail | TensorBoard's projector |\n| --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
} finally {
  await close();
  await server.stop();
  fs.rmSync(logdir, { recursive: true, force: true });
}
