// Test harness: starts the data server (the mock, or the real tblog-view when
// TBLOG_VIEW_BIN is set) and a headless Debian chromium driven by playwright-core.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const repoDir = path.resolve(webDir, "../..");
export const goldenDir = process.env.TBLOG_GOLDEN ?? path.resolve(repoDir, "../shared/reference/pytorch");
export const shotsDir = path.join(webDir, "build", "screenshots");
/** The built UI the mock serves: dist/ (npm run build), or TBLOG_WEB_DIST, the copy a CMake build
 *  made and embedded in its tblog-view (tools/run_tests.sh tests that one instead of building twice). */
export const distDir = process.env.TBLOG_WEB_DIST ? path.resolve(process.env.TBLOG_WEB_DIST) : path.join(webDir, "dist");
export const usingRealServer = !!process.env.TBLOG_VIEW_BIN;

/** A free loopback port: any, or one of TBLOG_TEST_PORTS=LO-HI (a shared machine's share). */
export async function freePort() {
  const range = /^(\d+)-(\d+)$/.exec(process.env.TBLOG_TEST_PORTS ?? "");
  const tryPort = (want) => new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(undefined));
    s.listen(want, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  if (!range) return tryPort(0);
  const [lo, hi] = [Number(range[1]), Number(range[2])];
  for (let i = 0, start = lo + Math.floor(Math.random() * (hi - lo + 1)); i <= hi - lo; i++) {
    const p = await tryPort(lo + ((start - lo + i) % (hi - lo + 1)));
    if (p) return p;
  }
  throw new Error(`no free port in TBLOG_TEST_PORTS=${process.env.TBLOG_TEST_PORTS}`);
}

async function waitForHttp(url, proc, ms = 30000) {
  const t0 = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {}
    if (Date.now() - t0 > ms) throw new Error(`server did not answer ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * Starts a server for `logdir` answering the data routes and serving distDir.
 * Mock: extraArgs go to dev/mock-server.mjs (e.g. ["--extras"]).
 * Real: TBLOG_VIEW_BIN is run as `$TBLOG_VIEW_BIN --logdir DIR --port N --reload_interval 1`
 * (it serves its embedded copy of dist/).
 */
export async function startServer({ logdir = goldenDir, mockArgs = [], realArgs = [] } = {}) {
  const port = await freePort();
  let proc;
  if (usingRealServer) {
    proc = spawn(process.env.TBLOG_VIEW_BIN, ["--logdir", logdir, "--port", String(port), "--reload_interval", "1", ...realArgs], { stdio: ["ignore", "pipe", "pipe"] });
  } else {
    proc = spawn(process.execPath, [path.join(webDir, "dev/mock-server.mjs"), "--port", String(port), "--logdir", logdir,
      "--view", path.join(goldenDir, "TENSORBOARD_VIEW.json"), "--static", distDir, ...mockArgs], { stdio: ["ignore", "pipe", "pipe"] });
  }
  let log = "";
  proc.stdout.on("data", (d) => (log += d));
  proc.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(base + "data/runs", proc);
  } catch (e) {
    proc.kill();
    throw new Error(`${e.message}\n${log}`);
  }
  return { base, port, proc, log: () => log, stop: () => new Promise((r) => { proc.once("exit", r); proc.kill(); }) };
}

export async function launchBrowser() {
  // playwright gives every launch a fresh temporary profile (it refuses an
  // explicit --user-data-dir here), so nothing leaks between runs.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  return { browser, close: () => browser.close() };
}

// Routes the UI probes and that a server may legitimately lack (404 is logged by chromium).
const OPTIONAL = [/\/data\/tblog\//, /\/data\/plugin\/projector\/runs/];

/** A page at 1280x800 that records console errors and uncaught exceptions. */
export async function newPage(browser, { theme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: theme });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const where = m.location()?.url ?? "";
    if (/Failed to load resource/.test(m.text()) && OPTIONAL.some((re) => re.test(where))) return;
    errors.push(`${m.text()} (${where})`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors, context };
}

export async function screenshot(page, name) {
  fs.mkdirSync(shotsDir, { recursive: true });
  const file = path.join(shotsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export function ensureBuilt() {
  if (usingRealServer) return;
  if (!fs.existsSync(path.join(distDir, "index.html"))) throw new Error(`run \`npm run build\` first (${distDir} has no index.html)`);
}

/**
 * The fixture of a browser-test suite (call it at the top of the file or inside `describe`):
 * before the tests, a scratch logdir filled by `fill(dir)`, a server on it and a browser;
 * after them, all three are gone. The returned object's fields are set once `before` ran.
 */
export function useServer({ prefix, fill = () => {}, mockArgs = [], realArgs = [] }) {
  const f = { logdir: null, server: null, browser: null };
  let closeBrowser;
  before(async () => {
    ensureBuilt();
    f.logdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    await fill(f.logdir);
    f.server = await startServer({ logdir: f.logdir, mockArgs, realArgs });
    ({ browser: f.browser, close: closeBrowser } = await launchBrowser());
  });
  after(async () => {
    await closeBrowser?.();
    await f.server?.stop();
    if (f.logdir) fs.rmSync(f.logdir, { recursive: true, force: true });
  });
  return f;
}

/**
 * A new page on `#tab=<tab><hash>`, once the dashboard's pane and `waitFor` are there.
 * `longTasks`: a PerformanceObserver records main-thread long tasks from the first script on
 * (see mainThreadWindow). `onPage(page)` runs before the navigation (e.g. to await a response).
 */
export async function openTab(f, tab, { hash = "", waitFor, timeout = 15000, theme, longTasks = false, onPage } = {}) {
  const p = await newPage(f.browser, { theme });
  onPage?.(p.page);
  if (longTasks) {
    await p.page.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push({ start: e.startTime, wall: e.duration }); })
        .observe({ type: "longtask", buffered: true });
    });
  }
  await p.page.goto(`${f.server.base}#tab=${tab}${hash}`);
  await p.page.waitForSelector(`#pane[data-dashboard="${tab}"]`);
  if (waitFor) await p.page.waitForSelector(waitFor, { timeout });
  return p;
}

/** Ends a page: a screenshot named `shot` (if given), then no console error may have occurred. */
export async function closePage(p, shot) {
  const file = shot ? await screenshot(p.page, shot) : null;
  assert.deepEqual(p.errors, [], "console errors");
  await p.context.close();
  return file;
}

/** Every dashboard tab a logdir with all kinds of data shows. */
export const ALL_TABS = ["scalars", "custom_scalars", "images", "audio", "graphs", "distributions", "histograms", "text",
  "pr_curves", "hparams", "projector", "mesh", "profile"];

/** Asserts the shell lists a tab for every kind and every run in `runs`; returns the runs shown. */
export async function assertTabsAndRuns(page, runs) {
  // the tab bar fills in after the first dashboard opens (the listing, then the probes that add
  // the projector and profile tabs): read it once it says it is final
  await page.waitForSelector("nav.tabs[data-complete]", { state: "attached" });
  const tabs = await page.$$eval(".tab", (els) => els.map((e) => e.dataset.plugin));
  for (const t of ALL_TABS) assert.ok(tabs.includes(t), `tab ${t} missing: ${tabs}`);
  const shown = await page.$$eval(".run[data-run]", (els) => els.map((e) => e.dataset.run));
  for (const r of runs) assert.ok(shown.includes(r), `run ${r}`);
  return shown;
}

/**
 * Opens a window on the page's main thread (the page must come from openTab(..., {longTasks: true})):
 * from now until `end()`, Chromium's trace records every task of the page's renderer main
 * thread with its wall and thread-CPU time. `end()` stops it and returns the long tasks (over
 * 50 ms wall clock) the page's observer saw in the window, [{start, wall, cpu}], each with the
 * CPU time of the same task in the trace (its wall time when the trace has no such task).
 * The observer sees the page's own tasks only (not the test's page.evaluate calls), and on a
 * loaded machine a task's wall time is mostly time the process waited to be scheduled: its
 * CPU time is the work the page did.
 */
let tracing = null;
export async function mainThreadWindow(p) {
  const browser = p.context.browser();
  // a test that failed inside its window left the trace running
  if (tracing) await tracing.stopTracing().catch(() => {});
  tracing = browser;
  await browser.startTracing(p.page, { categories: ["toplevel", "blink.user_timing"] });
  const since = await p.page.evaluate(() => { performance.mark("tblog-window"); return performance.now(); });
  return {
    since,
    async end() {
      const observed = await p.page.evaluate((t) => window.__longTasks.filter((e) => e.start >= t), since);
      const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
      tracing = null;
      const mark = events.find((e) => e.name === "tblog-window");
      assert.ok(mark, "the window's mark is in the trace");
      const main = events.find((e) => e.ph === "M" && e.name === "thread_name" && e.pid === mark.pid && e.args.name === "CrRendererMain");
      // trace clock (us) -> the page's performance.now() (ms)
      const shift = mark.ts / 1000 - since;
      const tasks = events.filter((e) => e.ph === "X" && e.pid === main.pid && e.tid === main.tid && e.name === "ThreadControllerImpl::RunTask" && e.ts >= mark.ts)
        .map((e) => ({ start: e.ts / 1000 - shift, wall: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000 }));
      // each long task is matched to the traced task overlapping it most; any part of it no
      // traced task covers counts as work in full (so a mismatch can only make the check stricter)
      return observed.map((o) => {
        let best = null, cover = 0;
        for (const x of tasks) {
          const c = Math.min(o.start + o.wall, x.start + x.wall) - Math.max(o.start, x.start);
          if (c > cover) { cover = c; best = x; }
        }
        return { ...o, cpu: best ? Math.min(o.wall, best.cpu + Math.max(0, o.wall - cover - 1)) : o.wall };
      });
    },
  };
}

/**
 * The projector's layouts ran in its worker, never on the page's main thread: the engine
 * (lib/projectorEngine.ts) counts the jobs it runs, by kind, in the realm it runs in. Fails
 * when the page's own realm ran any job, or when no worker of the page ran each kind in
 * `kinds` at least once. Returns the worker's counts. (How long the main thread's tasks take
 * while the worker computes is a measure, not a check: tests/perf-projector.mjs reports it.)
 */
export async function assertLayoutsInWorker(p, kinds) {
  const onPage = await p.page.evaluate(() => globalThis.__tblogProjectorEngine ?? null);
  assert.equal(onPage, null, `the page's main thread ran projector jobs: ${JSON.stringify(onPage)}`);
  const records = [];
  for (const w of p.page.workers()) records.push(await w.evaluate(() => globalThis.__tblogProjectorEngine ?? null).catch(() => null));
  const ran = records.filter(Boolean);
  assert.equal(ran.length, 1, `one worker runs the projector's jobs (workers: ${p.page.workers().length}, records ${JSON.stringify(records)})`);
  for (const k of kinds) assert.ok((ran[0].jobs[k] ?? 0) > 0, `the worker ran no ${k} job: ${JSON.stringify(ran[0].jobs)}`);
  return ran[0].jobs;
}
