// Profile dashboard performance on a 1,000,000-event trace, measured in headless chromium
// against the real tblog-view and printed as a markdown table (no timed assertions: the
// numbers depend on the machine). README: "Profile dashboard".
// Each row gives the wall time and the CPU time all of chromium's processes spent on it
// (CDP SystemInfo.getProcessInfo): on a shared, loaded machine the wall time is mostly
// waiting for a core, the CPU time is what the page costs (fps from CPU = frames / CPU s).
//
// The page reads the trace in columns (/data/tblog/profile/trace_columns); with --json that
// route answers 404, so the page parses the JSON trace as it did before the columns.
// tblog-view's loader builds the columns when it finds the trace (kept in its Store): the
// script waits for that build (its wall and CPU time are a row of their own) before opening
// the page, as a user opening the dashboard after tblog-view has read the logdir would.
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view node tests/perf-profile.mjs [events] [--json]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser, newPage, startServer } from "./support/harness.mjs";
import { generateTrace, writeTrace } from "./support/profile-trace.mjs";

if (!process.env.TBLOG_VIEW_BIN) throw new Error("set TBLOG_VIEW_BIN to a tblog-view binary");
const args = process.argv.slice(2);
const viaJson = args.includes("--json");
const target = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const opsPerStep = 250, perStep = 5 + 2 * opsPerStep + 2 * opsPerStep + 3;  // spans, flow ends, counters
const steps = Math.ceil(target / perStep);
const logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-perf-profile-"));
const trace = generateTrace({ steps, opsPerStep, slowStep: 3 });
writeTrace(logdir, "big", trace);
const events = trace.traceEvents.length;
const server = await startServer({ logdir });
const { browser, close } = await launchBrowser();
const rows = [];
const cdp = await browser.newBrowserCDPSession();
// tblog-view's own CPU time (it now builds the timeline): utime + stime from /proc
const serverCpuS = () => {
  const f = fs.readFileSync(`/proc/${server.proc.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
const timelines = async () => (await (await fetch(`${server.base}data/tblog/status`)).json()).trace_timelines;
const tb = Date.now(), sb = serverCpuS();
while ((await timelines()).entries < 1) await new Promise((r) => setTimeout(r, 50));
rows.push(["tblog-view builds the timeline (at load, once per trace file version)", `${Date.now() - tb} ms wall, ${Math.round(1000 * (serverCpuS() - sb))} ms CPU (tblog-view, from its start: ${Math.round(1000 * serverCpuS())} ms)`]);
const cpuS = async () => (await cdp.send("SystemInfo.getProcessInfo")).processInfo.reduce((a, p) => a + p.cpuTime, 0);
try {
  const p = await newPage(browser);
  if (viaJson) await p.page.route("**/trace_columns?*", (r) => r.fulfill({ status: 404, body: "left out (--json)" }));
  const t0 = Date.now(), c0 = await cpuS(), s0 = serverCpuS();
  await p.page.goto(`${server.base}#tab=profile&view=trace`);
  await p.page.waitForSelector(".timeline[data-drawn]", { timeout: 600000 });
  const load = Date.now() - t0, loadCpu = Math.round(1000 * ((await cpuS()) - c0)), loadServer = Math.round(1000 * (serverCpuS() - s0));
  const fetchParse = Number(await p.page.$eval(".profile-pane", (e) => e.dataset.loadMs));
  if ((await timelines()).builds !== 1) throw new Error("the page's open rebuilt the timeline");
  rows.push(["open the Trace view (navigation to first frame)", `${load} ms wall, ${loadCpu} ms CPU (chromium) + ${loadServer} ms CPU (tblog-view)`], ["  of which: fetch + parse (wall)", `${fetchParse} ms`]);
  const pan = async (zoom) => {
    const c = await cpuS();
    const r = await panFrames(zoom);
    return { ...r, cpuFps: r.frames / ((await cpuS()) - c) };
  };
  const panFrames = (zoom) => p.page.$eval(".timeline", async (e, zoom) => {
    if (zoom) e.dispatchEvent(new WheelEvent("wheel", { deltaY: -zoom, clientX: 700, clientY: 100, bubbles: true, cancelable: true }));
    await new Promise((r) => requestAnimationFrame(r));
    let frames = 0, drawMs = 0;
    const start = performance.now();
    await new Promise((res) => {
      // back and forth (40 frames each way), so a fast pan does not leave the trace behind
      const f = () => { drawMs += e.tblogPan(Math.floor(frames / 40) % 2 ? -8 : 8); frames++; if (performance.now() - start < 3000) requestAnimationFrame(f); else res(); };
      requestAnimationFrame(f);
    });
    return { frames, fps: frames / ((performance.now() - start) / 1000), drawMs: drawMs / frames, drawn: Number(e.dataset.drawn) };
  }, zoom);
  const full = await pan(0);
  const fps = (r) => `${r.fps.toFixed(1)} fps wall, ${r.cpuFps.toFixed(0)} fps per CPU-second (draw ${r.drawMs.toFixed(2)} ms wall, ${r.drawn} rects)`;
  rows.push(["pan, whole trace visible", fps(full)]);
  const zoomed = await pan(2500);
  rows.push(["pan, zoomed in", fps(zoomed)]);
  const timed = async (label, act) => {
    const t = Date.now(), c = await cpuS();
    await act();
    rows.push([label, `${Date.now() - t} ms wall, ${Math.round(1000 * ((await cpuS()) - c))} ms CPU`]);
  };
  await timed("Operators view (table over all steps)", async () => {
    await p.page.click("button[data-view=operators]");
    await p.page.waitForSelector(".op-table tbody tr", { timeout: 600000 });
  });
  await timed("Overview (step breakdown)", async () => {
    await p.page.click("button[data-view=overview]");
    await p.page.waitForSelector(".bar-chart", { timeout: 600000 });
  });
  await p.context.close();
} finally {
  await close();
  await server.stop();
  fs.rmSync(logdir, { recursive: true, force: true });
}
console.log(`\nProfile dashboard, ${events.toLocaleString("en")} trace events (${steps} steps, ${viaJson ? "JSON trace" : "columns"}), ${os.cpus().length} cores (load average ${os.loadavg()[0].toFixed(1)}), headless chromium 1280x800\n`);
console.log("| measurement | result |\n| --- | --- |");
for (const [a, b] of rows) console.log(`| ${a} | ${b} |`);
