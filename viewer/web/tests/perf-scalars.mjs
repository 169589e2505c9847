// Scalars dashboard performance with 100 tags x 5 runs x 100k points, measured
// in headless chromium through the Performance API and printed as a markdown
// table (no timed assertions: numbers depend on the machine).
//
//   npm run build && npm run perf                      (mock server, generated data)
//   node tests/make-perf-logdir.mjs /tmp/perf 100 5 20000
//   TBLOG_VIEW_BIN=... TBLOG_PERF_LOGDIR=/tmp/perf TBLOG_PERF_SHAPE=100x5x20000 npm run perf
//   TBLOG_PERF_URL=http://127.0.0.1:PORT/ TBLOG_PERF_SERVER_PID=PID ...   (a server already running)
// Each row gives the wall time beside the CPU time all of chromium's processes spent on it (CDP
// SystemInfo.getProcessInfo) and the server's (/proc/PID/stat): on a shared, loaded machine the
// wall time is mostly waiting for a core, the CPU time is what the page and the server cost.
import fs from "node:fs";
import os from "node:os";
import { launchBrowser, newPage, startServer, usingRealServer } from "./support/harness.mjs";

// TBLOG_PERF_SHAPE=TAGSxRUNSxPOINTS describes the logdir given to the real server
// (written by tests/make-perf-logdir.mjs); the mock generates that shape itself.
const [TAGS, RUNS, POINTS] = (process.env.TBLOG_PERF_SHAPE ?? "100x5x100000").split("x").map(Number);
const running = process.env.TBLOG_PERF_URL;
const server = running
  ? { base: running, proc: { pid: Number(process.env.TBLOG_PERF_SERVER_PID) }, stop: async () => {} }
  : await startServer(usingRealServer
    // loaded once: a rescan of 1,000 run directories every second would count as serving time
    ? { logdir: process.env.TBLOG_PERF_LOGDIR, realArgs: ["--reload_interval", "0"] }
    : { mockArgs: ["--perf", `${TAGS}x${RUNS}x${POINTS}`] });
// the real server loads in the background: wait until every series is in
for (let t0 = Date.now(); usingRealServer || running;) {
  const tags = await (await fetch(`${server.base}data/plugin/scalars/tags`)).json();
  const runs = Object.values(tags);
  if (runs.length >= RUNS && runs.every((r) => Object.keys(r).length >= TAGS)) {
    const probe = await (await fetch(`${server.base}data/tblog/scalars?run=run_0&tag=train/metric_0&buckets=10`)).json();
    if (probe.total >= POINTS) break;
  }
  if (Date.now() - t0 > 300000) throw new Error("tblog-view did not load the perf logdir in 5 minutes");
  await new Promise((r) => setTimeout(r, 500));
}
const { browser, close } = await launchBrowser();
const rows = [];
const cdp = await browser.newBrowserCDPSession();
const serverCpuS = () => {
  if (!server.proc.pid) return NaN;
  const f = fs.readFileSync(`/proc/${server.proc.pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
const cpuNow = async () => ({ page: (await cdp.send("SystemInfo.getProcessInfo")).processInfo.reduce((a, p) => a + p.cpuTime, 0), server: serverCpuS() });
/** "N ms CPU (chromium) + M ms CPU (server)" since `from` */
const cpuSince = async (from) => {
  const now = await cpuNow();
  return `${Math.round(1000 * (now.page - from.page))} + ${Math.round(1000 * (now.server - from.server))}`;
};
let info = "";
try {
  // Pass 1 (cold): the server downsamples every series for the first time.
  // Pass 2 (warm): the mock answers from its cache, about as fast as tblog-view
  // answers from memory, so the numbers are the UI's own (with tblog-view both
  // passes downsample on request).
  let errors = [];
  for (const pass of ["cold", "warm"]) {
    const p = await newPage(browser);
    const page = p.page;
    errors = p.errors;
    const c0 = await cpuNow();
    // auto-reload off: its tick every 30 s (run list, tag index, every card's since= request)
    // would land in one of the measures below at random
    await page.goto(`${server.base}#tab=scalars&autoReload=false`);
    await page.waitForFunction(() => window.__tblogPerf?.firstChartMs, null, { timeout: 60000, polling: 20 });
    const firstCpu = await cpuSince(c0);
    // every card that was on screen when the page opened has drawn its data
    await page.waitForFunction(() => {
      const pane = document.querySelector(".pane").getBoundingClientRect();
      const visible = [...document.querySelectorAll(".card")].filter((c) => {
        const r = c.getBoundingClientRect();
        return r.bottom > pane.top && r.top < pane.bottom;
      });
      return visible.length > 0 && visible.every((c) => c.querySelector(".chart[data-drawn]"));
    }, null, { timeout: 60000, polling: 20 });
    const allCpu = await cpuSince(c0);
    const first = await page.evaluate(() => ({ ...window.__tblogPerf, cards: document.querySelectorAll(".card").length,
      series: JSON.parse(document.querySelector(".chart[data-series]").dataset.series),
      footer: document.querySelector(".card .card-sub").textContent }));
    rows.push([`${pass}: first chart drawn (from navigation start)`, `${first.firstChartMs.toFixed(0)} ms`, firstCpu, "<= 1500 ms"]);
    rows.push([`${pass}: all ${first.chartsDrawn} on-screen charts drawn`, `${first.lastChartMs.toFixed(0)} ms`, allCpu, "<= 3000 ms"]);
    if (pass === "cold") {
      info = `cards: ${first.cards}; points per series drawn: ${Object.values(first.series)[0]} (${first.footer})`;
      await p.context.close();
      continue;
    }
    const times = [];
    const cs = await cpuNow();
    for (const v of [0.3, 0.8, 0.95, 0, 0.6, 0.9, 0.99, 0.5]) {
      const before = await page.evaluate(() => window.__tblogPerf.smoothingCount ?? 0);
      await page.fill('.dash-controls input[type="number"]', String(v));
      await page.press('.dash-controls input[type="number"]', "Enter");
      await page.waitForFunction((n) => (window.__tblogPerf.smoothingCount ?? 0) > n, before);
      times.push(await page.evaluate(() => window.__tblogPerf.smoothingMs));
    }
    const smoothCpu = await cpuSince(cs);
    times.sort((a, b) => a - b);
    rows.push([`smoothing change, median of ${times.length} (${first.chartsDrawn} charts x ${RUNS} runs, raw + smoothed)`, `${times[times.length >> 1].toFixed(1)} ms`, `all ${times.length}: ${smoothCpu}`, ""]);
    rows.push(["smoothing change, worst", `${times[times.length - 1].toFixed(1)} ms`, "", ""]);
    rows.push(["failed cards", String(await page.$$eval(".card .error-banner", (els) => els.length)), "", "0"]);
    // Scrolling to the last tag group: from the scroll until its first card has drawn.
    const cScroll = await cpuNow();
    // Then until every chart on screen there has drawn (the run-filter change below starts from a
    // drawn screen, as a user's would).
    const scrollMs = await page.evaluate(() => new Promise((resolve) => {
      const cards = [...document.querySelectorAll(".card")];
      const last = cards[cards.length - 1];
      const t0 = performance.now();
      last.scrollIntoView();
      const pane = document.querySelector(".pane").getBoundingClientRect();
      const visible = cards.filter((c) => {
        const r = c.getBoundingClientRect();
        return r.bottom > pane.top && r.top < pane.bottom;
      });
      let lastMs;
      const poll = () => {
        if (lastMs === undefined && last.querySelector(".chart[data-drawn]")) lastMs = performance.now() - t0;
        if (lastMs !== undefined && visible.every((c) => c.querySelector(".chart[data-drawn]"))) resolve({ lastMs, allMs: performance.now() - t0, charts: visible.length });
        else requestAnimationFrame(poll);
      };
      poll();
    }));
    rows.push(["scroll to the last tag group: its chart drawn", `${scrollMs.lastMs.toFixed(0)} ms`, "", "<= 1000 ms"]);
    rows.push([`scroll to the last tag group: all ${scrollMs.charts} on-screen charts drawn`, `${scrollMs.allMs.toFixed(0)} ms`, await cpuSince(cScroll), ""]);
    // A run-filter change (typing a regex matching 10 runs; the input is debounced 60 ms)
    // until every on-screen chart shows just those runs.
    const cFilter = await cpuNow();
    const filterMs = await page.evaluate((want) => new Promise((resolve) => {
      const input = document.querySelector(".run-filter");
      const t0 = performance.now();
      input.value = "^run_[0-9]$";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      const pane = document.querySelector(".pane").getBoundingClientRect();
      const done = () => [...document.querySelectorAll(".card")].filter((c) => {
        const r = c.getBoundingClientRect();
        return r.bottom > pane.top && r.top < pane.bottom;
      }).every((c) => {
        const chart = c.querySelector(".chart[data-series]");
        return chart && Object.keys(JSON.parse(chart.dataset.series)).length === want;
      });
      const poll = () => (done() ? resolve(performance.now() - t0) : requestAnimationFrame(poll));
      poll();
    }), Math.min(10, RUNS));
    rows.push([`run-filter change (${RUNS} runs -> 10): on-screen charts redrawn, incl. the 60 ms debounce`, `${filterMs.toFixed(0)} ms`, await cpuSince(cFilter), "<= 300 ms"]);
    await p.context.close();
  }

  console.log(`\nScalars dashboard, ${TAGS} tags x ${RUNS} runs x ${POINTS.toLocaleString()} points (${running ? running : usingRealServer ? "tblog-view" : "mock server"}), chromium headless, 1280x800`);
  console.log(`${info}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores\n`);
  console.log("| measure | wall | CPU ms: chromium + server | target |\n| --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  if (errors.length) console.log("\nconsole errors:", errors);
} finally {
  await close();
  await server.stop();
}
