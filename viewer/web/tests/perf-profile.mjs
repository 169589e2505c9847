// Profile dashboard performance on a 1,000,000-event trace, measured in headless chromium
// against the real tblog-view and printed as a markdown table (no timed assertions: the
// numbers depend on the machine). README: "Profile dashboard".
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view node tests/perf-profile.mjs [events]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser, newPage, startServer } from "./support/harness.mjs";
import { generateTrace, writeTrace } from "./support/profile-trace.mjs";

if (!process.env.TBLOG_VIEW_BIN) throw new Error("set TBLOG_VIEW_BIN to a tblog-view binary");
const target = Number(process.argv[2] ?? 1_000_000);
const opsPerStep = 250, perStep = 5 + 2 * opsPerStep + 2 * opsPerStep + 3;  // spans, flow ends, counters
const steps = Math.ceil(target / perStep);
const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-perf-profile-"));
const trace = generateTrace({ steps, opsPerStep, slowStep: 3 });
writeTrace(logdir, "big", trace);
const events = trace.traceEvents.length;
const server = await startServer({ logdir });
const { browser, close } = await launchBrowser();
const rows = [];
try {
  const p = await newPage(browser);
  const t0 = Date.now();
  await p.page.goto(`${server.base}#tab=profile&view=trace`);
  await p.page.waitForSelector(".timeline[data-drawn]", { timeout: 120000 });
  const load = Date.now() - t0;
  const fetchParse = Number(await p.page.$eval(".profile-pane", (e) => e.dataset.loadMs));
  rows.push(["open the Trace view (navigation to first frame)", `${load} ms`], ["  of which: fetch + parse", `${fetchParse} ms`]);
  const pan = (zoom) => p.page.$eval(".timeline", async (e, zoom) => {
    if (zoom) e.dispatchEvent(new WheelEvent("wheel", { deltaY: -zoom, clientX: 700, clientY: 100, bubbles: true, cancelable: true }));
    await new Promise((r) => requestAnimationFrame(r));
    let frames = 0, drawMs = 0;
    const start = performance.now();
    await new Promise((res) => {
      const f = () => { drawMs += e.tblogPan(8); frames++; if (performance.now() - start < 3000) requestAnimationFrame(f); else res(); };
      requestAnimationFrame(f);
    });
    return { fps: frames / ((performance.now() - start) / 1000), drawMs: drawMs / frames, drawn: Number(e.dataset.drawn) };
  }, zoom);
  const full = await pan(0);
  rows.push(["pan, whole trace visible", `${full.fps.toFixed(1)} fps (draw ${full.drawMs.toFixed(2)} ms, ${full.drawn} rects)`]);
  const zoomed = await pan(2500);
  rows.push(["pan, zoomed in", `${zoomed.fps.toFixed(1)} fps (draw ${zoomed.drawMs.toFixed(2)} ms, ${zoomed.drawn} rects)`]);
  const t1 = Date.now();
  await p.page.click("button[data-view=operators]");
  await p.page.waitForSelector(".op-table tbody tr");
  rows.push(["Operators view (table over all steps)", `${Date.now() - t1} ms`]);
  const t2 = Date.now();
  await p.page.click("button[data-view=overview]");
  await p.page.waitForSelector(".bar-chart");
  rows.push(["Overview (step breakdown)", `${Date.now() - t2} ms`]);
  await p.context.close();
} finally {
  await close();
  await server.stop();
  fs.rmSync(logdir, { recursive: true, force: true });
}
console.log(`\nProfile dashboard, ${events.toLocaleString("en")} trace events (${steps} steps), ${os.cpus().length} cores, headless chromium 1280x800\n`);
console.log("| measurement | result |\n| --- | --- |");
for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
