// Browser tests of the Profile dashboard against the real tblog-view (TBLOG_VIEW_BIN), one
// per view, on generated traces (known counts: tests/support/profile-trace.mjs) and on the
// traces of a real LibTorch run made for the test (TBLOG_LIBTORCH_RUN: the logdir
// examples/libtorch_train.cpp wrote — tblog::TorchOpRecorder, steps 20..24, as JSON and as
// XSpace; tools/run_tests.sh passes the one its LibTorch suite just wrote). Screenshots go
// to build/screenshots/profile-*.png (docs/profiler.md shows them).
//
//   TBLOG_VIEW_BIN=/path/to/tblog-view [TBLOG_LIBTORCH_RUN=<logdir>] node --test tests/profile.test.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { launchBrowser, newPage, screenshot, startServer, usingRealServer } from "./support/harness.mjs";
import { generateTrace, writeTrace } from "./support/profile-trace.mjs";

const libtorchRun = process.env.TBLOG_LIBTORCH_RUN;
const libtorchSkip = !libtorchRun && "needs TBLOG_LIBTORCH_RUN (a logdir of examples/libtorch_train)";
let server, browser, closeBrowser, logdir;

before(async () => {
  if (!usingRealServer) return;
  logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-web-profile-"));
  writeTrace(logdir, "gen", generateTrace());
  writeTrace(logdir, "gen_slow", generateTrace({ scale: 2 }), { session: "2024_01_02_00_00_00" });
  if (libtorchRun) {
    // only the run's newest session (a rerun of the example adds one): its traces, not its
    // event files, which would make it a run of /data/runs like any other
    const traces = path.join(libtorchRun, "plugins", "profile");
    const session = fs.existsSync(traces) ? fs.readdirSync(traces).sort().at(-1) : undefined;
    assert.ok(session, `${traces}: no profiler session (did examples/libtorch_train run?)`);
    fs.cpSync(path.join(traces, session), path.join(logdir, "libtorch", "plugins", "profile", session), { recursive: true });
  }
  server = await startServer({ logdir });
  ({ browser, close: closeBrowser } = await launchBrowser());
});

after(async () => {
  await closeBrowser?.();
  await server?.stop();
  if (logdir) fs.rmSync(logdir, { recursive: true, force: true });
});

/** Opens the Profile dashboard on `view` with the trace whose label matches `trace` (a
 *  regex source: labels are "<run> · <session> · <host> (<format>)"). */
async function open(view, trace = "^gen · ") {
  const p = await newPage(browser);
  await p.page.goto(`${server.base}#tab=profile&view=${view}`);
  await p.page.waitForSelector(`.profile-pane[data-view="${view}"]`, { timeout: 20000, state: "attached" });
  const value = await p.page.$$eval("select[aria-label=Trace] option", (os, t) => os.find((o) => new RegExp(t).test(o.textContent))?.value, trace);
  assert.ok(value !== undefined, `trace ${trace} listed`);
  if ((await p.page.$eval("select[aria-label=Trace]", (s) => s.value)) !== value) {
    await p.page.selectOption("select[aria-label=Trace]", value);
  }
  await p.page.waitForFunction((t) => new RegExp(t).test(document.querySelector(".profile-pane")?.dataset.trace ?? "") && !document.querySelector(".profile-pane").dataset.loading, trace);
  await p.page.waitForSelector(`.profile-pane [data-view="${view}"]`, { state: "attached" });
  return p;
}

async function done(p, shot) {
  if (shot) await screenshot(p.page, shot);
  assert.deepEqual(p.errors, [], "console errors");
  await p.context.close();
}

const texts = (p, sel) => p.page.$$eval(sel, (es) => es.map((e) => e.textContent.trim()));

describe("profile dashboard", { skip: !usingRealServer && "needs TBLOG_VIEW_BIN (the real server)" }, () => {
  it("lists every generated trace", async () => {
    const p = await open("overview");
    const labels = await texts(p, "select[aria-label=Trace] option");
    assert.deepEqual(labels.filter((l) => l.startsWith("gen")),
      ["gen · 2024_01_01_00_00_00 · host (JSON)", "gen_slow · 2024_01_02_00_00_00 · host (JSON)"]);
    await done(p);
  });

  it("overview: one stacked bar per step, category averages, slowest steps; a click opens the step in the trace", async () => {
    const p = await open("overview");
    assert.equal(await p.page.$eval(".bar-chart", (c) => c.dataset.bars), "8");
    // a step: data 100 + forward ops 6 x 22 + 2 + backward ops 6 x 32 + 2 + optimizer 50 + 10 =
    // 488 µs; step 5 runs 3x slower (1436 µs): mean 606.5 µs
    const mean = await p.page.$eval("[data-stat=mean]", (e) => e.textContent);
    assert.equal(parseFloat(mean), 606.5, mean);
    assert.match(mean, /µs$/);
    assert.deepEqual((await texts(p, ".slowest tr[data-step] td:first-child"))[0], "5");  // the slow step
    const data = await p.page.$eval("tr[data-category='data loading'] td", (e) => e.textContent);
    assert.match(data, /%$/);
    await screenshot(p.page, "profile-overview");
    await p.page.click(".slowest tr[data-step='5'] a");
    await p.page.waitForSelector(".profile-pane[data-view=trace] .timeline[data-drawn]");
    await done(p);
  });

  it("operators: sortable, filterable table over a step range; call trees top-down and bottom-up", async () => {
    const p = await open("operators");
    const calls = async (op) => p.page.$eval(`tr[data-op="${op}"] td[data-key=calls]`, (e) => e.textContent);
    assert.equal(await calls("aten::mm"), "24");  // 3 per step x 8 steps
    assert.equal(await calls("forward"), "8");
    await p.page.click("th[data-key=calls]");
    const first = (await texts(p, ".op-table tbody tr td[data-key=name]"))[0];
    assert.ok(["aten::mm", "aten::relu"].includes(first), first);
    await p.page.fill("input[aria-label='Filter ops']", "^aten::");
    await p.page.waitForFunction(() => document.querySelectorAll(".op-table tbody tr").length === 2);
    await p.page.selectOption("select[aria-label='First step']", "2");
    await p.page.selectOption("select[aria-label='Last step']", "3");
    await p.page.waitForFunction(() => document.querySelector('tr[data-op="aten::mm"] td[data-key=calls]')?.textContent === "6");
    await screenshot(p.page, "profile-operators");
    await p.page.fill("input[aria-label='Filter ops']", "");
    await p.page.click("button[data-mode=top-down]");
    await p.page.waitForSelector(".op-tree tr[data-path='/forward']");
    await p.page.click(".op-tree tr[data-path='/forward']");
    await p.page.waitForSelector(".op-tree tr[data-path='/forward/aten::mm']");
    await p.page.click("button[data-mode=bottom-up]");
    await p.page.waitForSelector(".op-tree tr[data-path='/aten::mm']");
    await p.page.click(".op-tree tr[data-path='/aten::mm']");
    await p.page.waitForSelector(".op-tree tr[data-path='/aten::mm/forward']");
    await done(p, "profile-calltree");
  });

  it("trace: every span and flow, search, selection with args", async () => {
    const p = await open("trace");
    const box = ".timeline";
    assert.equal(await p.page.$eval(box, (e) => e.dataset.spans), String(8 * (5 + 12)));
    assert.equal(await p.page.$eval(box, (e) => e.dataset.flows), "48");
    await p.page.waitForFunction(() => Number(document.querySelector(".timeline").dataset.flowsDrawn) === 48);
    await p.page.fill("input[aria-label='Search spans']", "aten::mm");
    await p.page.waitForFunction(() => document.querySelector(".timeline").dataset.matches === "24");
    await p.page.click(".trace-tools button");  // next match: zooms to it and selects it
    await p.page.waitForSelector(".span-details .card-title");
    assert.equal(await p.page.$eval(".span-details .card-title", (e) => e.textContent), "aten::mm");
    const args = JSON.parse(await p.page.$eval(".span-details pre", (e) => e.textContent));
    assert.deepEqual(args["Input Dims"], [[16, 4], [4, 8]]);
    assert.match(await p.page.$eval(".span-details", (e) => e.textContent), /Flow to.*Backward0/);
    // panning redraws through the level-of-detail path without errors
    const ms = await p.page.$eval(box, (e) => { let t = 0; for (let i = 0; i < 20; i++) t += e.tblogPan(15); return t; });
    assert.ok(Number.isFinite(ms));
    await done(p, "profile-trace");
  });

  it("memory & CPU: sampler counters as charts, allocator events", async () => {
    const p = await open("memory");
    const counters = await p.page.$$eval(".counter-card", (es) => es.map((e) => [e.dataset.counter, e.querySelector("canvas").dataset.points]));
    assert.deepEqual(counters.map((c) => c[1]), ["8", "8"]);
    assert.ok(counters.some((c) => /Resident memory/.test(c[0])));
    assert.equal(await p.page.$eval(".allocator-card", (e) => e.dataset.events), "8");
    assert.match(await p.page.$eval("[data-stat=peak]", (e) => e.textContent), /32/);  // 8 x 4096 bytes
    await done(p, "profile-memory");
  });

  it("compare: step time and op totals of two runs", async () => {
    const p = await open("compare");
    const value = await p.page.$$eval("select[aria-label='Compare with'] option", (os) => os.find((o) => o.textContent.startsWith("gen_slow"))?.value);
    await p.page.selectOption("select[aria-label='Compare with']", value);
    await p.page.waitForSelector(".compare-body[data-compared]");
    const mean = await p.page.$$eval(".compare-steps tr[data-row=mean] td", (es) => es.map((e) => e.textContent));
    assert.match(mean[2], /^\+/);  // B is slower
    const mm = await p.page.$$eval('.op-diff tr[data-op="aten::mm"] td', (es) => es.map((e) => e.textContent));
    assert.deepEqual(mm.slice(1, 3), ["24", "24"]);
    assert.match(mm[5], /^\+/);
    await done(p, "profile-compare");
  });

  it("LibTorch run: its JSON and XSpace traces listed", { skip: libtorchSkip }, async () => {
    const p = await open("overview");
    const labels = await texts(p, "select[aria-label=Trace] option");
    assert.equal(labels.filter((l) => /^libtorch · .* \(XSpace\)$/.test(l)).length, 1, labels.join("\n"));
    assert.equal(labels.filter((l) => /^libtorch · .* \(JSON\)$/.test(l)).length, 1, labels.join("\n"));
    await done(p);
  });

  it("LibTorch run (JSON): steps 20..24 split by category, aten ops with flows to their backward", { skip: libtorchSkip }, async () => {
    const p = await open("overview", "^libtorch · .* \\(JSON\\)$");
    assert.equal(await p.page.$eval(".bar-chart", (c) => c.dataset.bars), "5");
    assert.deepEqual((await texts(p, ".slowest tr[data-step] td:first-child")).map(Number).sort(), [20, 21, 22, 23, 24]);
    for (const c of ["data loading", "forward", "backward", "optimizer"])
      assert.doesNotMatch(await p.page.$eval(`tr[data-category='${c}'] td`, (e) => e.textContent), /^0 µs/, c);
    await screenshot(p.page, "profile-libtorch-overview");
    await p.page.click("button[data-view=operators]");
    await p.page.waitForSelector('tr[data-op="aten::addmm"]');
    assert.equal(await p.page.$eval('tr[data-op="aten::addmm"] td[data-key=calls]', (e) => e.textContent), "10");  // 2 layers x 5 steps
    await screenshot(p.page, "profile-libtorch-operators");
    await p.page.click("button[data-view=trace]");
    await p.page.waitForSelector(".timeline[data-flows]");
    assert.ok(Number(await p.page.$eval(".timeline", (e) => e.dataset.flows)) >= 5 * 5);
    await done(p, "profile-libtorch-trace");
  });

  it("LibTorch run from its XSpace file: the same spans and flows as from its JSON", { skip: libtorchSkip }, async () => {
    const counts = {};
    for (const fmt of ["JSON", "XSpace"]) {
      const p = await open("trace", `^libtorch · .* \\(${fmt}\\)$`);
      counts[fmt] = [await p.page.$eval(".timeline", (e) => e.dataset.spans), await p.page.$eval(".timeline", (e) => e.dataset.flows)];
      await done(p);
    }
    assert.deepEqual(counts.XSpace, counts.JSON);
  });
});
