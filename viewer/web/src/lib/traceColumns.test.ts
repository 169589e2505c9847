// The real tblog-view's /data/tblog/profile/trace_columns (the timeline built on the server)
// against parseTrace of the same trace's JSON route: the same tracks, spans (depth, parent,
// self time, args), counters, flows, memory events and steps. Needs TBLOG_VIEW_BIN (skipped
// without it; viewer/web/ci.sh and tools/run_tests.sh set it).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeTraceColumns, parseTrace, type Trace } from "./trace";

const bin = process.env.TBLOG_VIEW_BIN;
let server: ChildProcess | undefined, base = "", logdir = "";

// Cases parseTrace's rules reach: B/E pairs (args merged), instants, [memory] events, counters
// with several series, string pids and tids, numbers as strings, unresolvable flows, non-finite
// times, escapes and non-ASCII names, metadata names, a trace given as a bare array.
const edge = { displayTimeUnit: "ms", traceEvents: [
  { ph: "M", name: "process_name", pid: 1, args: { name: "tr\u00e4in \"p\"" } },
  { ph: "M", name: "thread_name", pid: 1, tid: 2, args: { name: 7 } },
  { ph: "X", name: "outer \u2603", cat: "span", pid: 1, tid: 2, ts: 0, dur: 100, args: { z: 1, a: [1, { b: null }] } },
  { ph: "X", name: "inner", pid: 1, tid: 2, ts: "10.5", dur: "20" },
  { ph: "X", name: "same start, shorter", pid: 1, tid: 2, ts: 0, dur: 5 },
  { ph: "X", name: "no dur", pid: 1, tid: 2, ts: 40 },
  { ph: "X", name: "bad ts", pid: 1, tid: 2, ts: "soon", dur: 3 },
  { ph: "X", name: "negative dur", pid: 1, tid: 2, ts: 60, dur: -4 },
  { ph: "B", name: "begin", pid: 1, tid: 2, ts: 200, args: { a: 1, k: "b" } },
  { ph: "B", name: "nested", pid: 1, tid: 2, ts: 210 },
  { ph: "E", pid: 1, tid: 2, ts: 220, args: { k: "e" } },
  { ph: "E", pid: 1, tid: 2, ts: 250, args: { k: "e2", extra: true } },
  { ph: "E", pid: 1, tid: 2, ts: 260 },
  { ph: "i", name: "mark", pid: "host", tid: "worker", ts: 30, s: "t" },
  { ph: "I", name: "mark2", pid: "host", tid: "worker", ts: 31 },
  { ph: "i", name: "[memory]", pid: 1, tid: 2, ts: 35, args: { Bytes: 512, "Total Allocated": 1024, "Total Reserved": 4096, "Device Type": 1 } },
  { ph: "i", name: "[memory]", pid: 1, tid: 2, ts: 33, args: { Bytes: -256, "Total Allocated": "768" } },
  { ph: "C", name: "mem", pid: 1, ts: 50, args: { used: 5, free: "9" } },
  { ph: "C", name: "mem", pid: 1, ts: 20, args: { used: -3, free: 1 } },
  { ph: "C", name: "cpu", pid: 3, ts: 5, args: { value: 40 } },
  { ph: "X", name: "t10", pid: 1, tid: 10, ts: 1, dur: 1 },
  { ph: "X", name: "t9", pid: 1, tid: 9, ts: 1, dur: 1 },
  { ph: "X", name: "p10", pid: 10, tid: 1, ts: 1, dur: 1 },
  { ph: "s", cat: "fwdbwd", name: "f", id: 1, pid: 1, tid: 2, ts: 11 },
  { ph: "f", cat: "fwdbwd", name: "f", id: 1, pid: 1, tid: 2, ts: 215, bp: "e" },
  { ph: "s", cat: "ac2g", name: "g", id: "x", pid: 1, tid: 2, ts: 1 },
  { ph: "f", cat: "ac2g", name: "g", id: "x", pid: 9, tid: 9, ts: 1 },
  { ph: "s", cat: "lonely", id: 5, pid: 1, tid: 2, ts: 1 },
  { ph: "X", name: "ProfilerStep#3", cat: "step", pid: 1, tid: 20, ts: 0, dur: 50 },
  { ph: "X", name: "ProfilerStep#1", cat: "step", pid: 1, tid: 20, ts: 60, dur: 50 },
  { ph: "Q", name: "unknown phase", pid: 1, tid: 2, ts: 1 },
  5, "text",
] };

// Ops with sequence numbers and no fwdbwd flow events (as an XSpace gives them): flows come
// from the numbers, the earliest forward and backward op of each.
const sequenced = [
  { ph: "X", name: "aten::mm", cat: "cpu_op", pid: 1, tid: 1, ts: 0, dur: 10, args: { "Sequence number": 4, scope: "forward" } },
  { ph: "X", name: "aten::mm", cat: "cpu_op", pid: 1, tid: 1, ts: 20, dur: 10, args: { "Sequence number": "5", scope: "forward" } },
  { ph: "X", name: "MmBackward0", cat: "cpu_op", pid: 1, tid: 2, ts: 50, dur: 10, args: { "Sequence number": 5 } },
  { ph: "X", name: "aten::mm", cat: "cpu_op", pid: 1, tid: 2, ts: 70, dur: 10, args: { "Sequence number": 4, scope: "backward" } },
  { ph: "X", name: "evaluate", cat: "cpu_op", pid: 1, tid: 2, ts: 65, dur: 2, args: { "Sequence number": 4, scope: "backward" } },
  { ph: "X", name: "user", cat: "span", pid: 1, tid: 2, ts: 90, dur: 1, args: { "Sequence number": 6 } },
  { ph: "X", name: "aten::add", cat: "cpu_op", pid: 1, tid: 1, ts: 95, dur: 1, args: { "Sequence number": -1 } },
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function write(run: string, trace: unknown, gzip = true) {
  const dir = path.join(logdir, run, "plugins", "profile", "s1");
  fs.mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(trace);
  fs.writeFileSync(path.join(dir, `h.trace.json${gzip ? ".gz" : ""}`), gzip ? zlib.gzipSync(text) : text);
}

beforeAll(async () => {
  if (!bin) return;
  logdir = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-trace-columns-"));
  const gen = path.resolve(__dirname, "../../tests/support/profile-trace.mjs");
  const { generateTrace } = await import(/* @vite-ignore */ gen);
  write("generated", generateTrace({ steps: 30, opsPerStep: 20 }));
  write("edge", edge);
  write("sequenced", sequenced, false);
  write("empty", { traceEvents: [] });
  const port = await freePort();
  server = spawn(bin, ["--logdir", logdir, "--port", String(port), "--reload_interval", "1"], { stdio: "ignore" });
  base = `http://127.0.0.1:${port}/data/tblog/profile/`;
  for (let t0 = Date.now(); ; await new Promise((r) => setTimeout(r, 150))) {
    try {
      const runs = await (await fetch(base + "runs")).json();
      if (runs.length === 4) break;
    } catch { /* not up yet */ }
    if (Date.now() - t0 > 30000) throw new Error("tblog-view did not list the traces");
  }
}, 60000);

afterAll(() => {
  server?.kill();
  if (logdir) fs.rmSync(logdir, { recursive: true, force: true });
});

/** A Trace as plain data: spans by value, references as (track key, index). */
function plain(t: Trace) {
  const at = new Map<unknown, [string, number]>();
  for (const tr of t.tracks) if (tr.kind === "thread") tr.spans.forEach((s, i) => at.set(s, [tr.key, i]));
  return {
    start: t.start, end: t.end, events: t.events, memory: t.memory,
    tracks: t.tracks.map((tr) => tr.kind === "counter" ? { ...tr } : {
      kind: tr.kind, key: tr.key, label: tr.label, depth: tr.depth, levels: tr.levels.map((l) => l.map((s) => at.get(s))),
      spans: tr.spans.map((s) => ({ name: s.name, cat: s.cat, ts: s.ts, dur: s.dur, depth: s.depth, self: s.self, pid: s.pid, tid: s.tid, parent: s.parent, args: s.args })),
    }),
    flows: t.flows.map((f) => ({ cat: f.cat, id: f.id, from: at.get(f.from), to: at.get(f.to), fromTrack: f.fromTrack.key, toTrack: f.toTrack.key })),
    steps: t.steps.map((s) => ({ step: s.step, span: at.get(s.span), track: s.track.key })),
  };
}

describe.skipIf(!bin)("trace_columns (tblog-view) = parseTrace (JSON route)", () => {
  for (const run of ["generated", "edge", "sequenced", "empty"]) {
    it(run, async () => {
      const q = `?run=${run}&session=s1&host=h`;
      const cols = await fetch(base + "trace_columns" + q);
      expect(cols.headers.get("content-type")).toBe("application/octet-stream");
      const fromColumns = decodeTraceColumns(await cols.arrayBuffer());
      const fromJson = parseTrace(await (await fetch(base + "trace" + q)).json());
      expect(plain(fromColumns)).toEqual(plain(fromJson));
      if (run === "generated") {
        expect(fromColumns.flows.length).toBe(30 * 20);
        expect(fromColumns.steps.length).toBe(30);
      }
      if (run === "sequenced") expect(fromColumns.flows.map((f) => f.id)).toEqual(["4", "5"]);
    });
  }

  it("refuses what is not a trace, and names no file it did not list", async () => {
    const bad = path.join(logdir, "bad", "plugins", "profile", "s1");
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, "h.trace.json"), '{"traceEvents":[{"ph":"X",}]}');
    for (let t0 = Date.now(); (await (await fetch(base + "runs")).json()).length < 5 && Date.now() - t0 < 20000;)
      await new Promise((r) => setTimeout(r, 150));
    const r = await fetch(base + "trace_columns?run=bad&session=s1&host=h");
    expect(r.status).toBe(500);
    expect(await r.text()).toMatch(/not valid: trace JSON: object key expected at byte 26/);
    expect([400, 404]).toContain((await fetch(base + "trace_columns?run=edge&session=s1&host=..%2F..")).status);
  }, 30000);
});
