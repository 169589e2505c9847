import { describe, expect, it } from "vitest";
import { callTree, diffOps, opTable, stepBreakdown, stepRange, summarizeSteps } from "./profileModel";
import { parseTrace } from "./trace";

// Two steps on thread 1: data / forward (aten::mm inside) / backward (autograd node with the
// same sequence number) / optimizer; 100 µs and 200 µs.
const ev = (name: string, ts: number, dur: number, extra: Record<string, unknown> = {}) => ({ ph: "X", pid: 1, tid: 1, name, ts, dur, ...extra });
const trace = parseTrace({ traceEvents: [
  ev("ProfilerStep#3", 0, 100, { cat: "step" }),
  ev("data", 0, 10), ev("forward", 10, 40), ev("aten::mm", 15, 20, { cat: "cpu_op", args: { "Sequence number": 5, scope: "forward" } }),
  ev("backward", 50, 30), ev("MmBackward0", 55, 10, { cat: "cpu_op", args: { "Sequence number": 5, scope: "backward" } }),
  ev("optimizer.step", 80, 15),
  ev("ProfilerStep#4", 100, 200, { cat: "step" }),
  ev("data", 100, 110), ev("forward", 210, 40), ev("aten::mm", 215, 30, { cat: "cpu_op" }),
] });

describe("profileModel", () => {
  it("splits each step into categories; the uncovered rest is other", () => {
    const b = stepBreakdown(trace);
    expect(b.map((s) => s.step)).toEqual([3, 4]);
    expect(b[0].parts).toEqual({ "data loading": 10, forward: 40, backward: 30, optimizer: 15, other: 5 });
    expect(b[1].parts).toEqual({ "data loading": 110, forward: 40, other: 50 });
    const sum = summarizeSteps(b);
    expect(sum.mean).toBe(150);
    expect(sum.slowest[0].step).toBe(4);
    expect(stepBreakdown(trace, [{ name: "io", pattern: "^data$" }])[0].parts).toEqual({ io: 10, other: 90 });
  });
  it("per-op table: calls, total, self, max, % of step over a step range", () => {
    const all = stepRange(trace);
    const rows = opTable(trace, all.t0, all.t1, all.stepTime);
    const mm = rows.find((r) => r.name === "aten::mm")!;
    expect([mm.calls, mm.total, mm.max, mm.mean]).toEqual([2, 50, 30, 25]);
    const fwd = rows.find((r) => r.name === "forward")!;
    expect([fwd.total, fwd.self]).toEqual([80, 30]);
    expect(mm.pctOfStep).toBeCloseTo(100 * 50 / 300);
    const s3 = stepRange(trace, 3, 3);
    expect(opTable(trace, s3.t0, s3.t1, s3.stepTime).find((r) => r.name === "aten::mm")!.calls).toBe(1);
    expect(opTable(trace, all.t0, all.t1, all.stepTime, true).map((r) => r.name).sort()).toEqual(["MmBackward0", "aten::mm"]);
  });
  it("call trees top-down and bottom-up", () => {
    const td = callTree(trace, trace.start, trace.end, "top-down");
    expect([...td.children.keys()].sort()).toEqual(["backward", "data", "forward", "optimizer.step"]);
    expect(td.children.get("forward")!.children.get("aten::mm")!.total).toBe(50);
    const bu = callTree(trace, trace.start, trace.end, "bottom-up");
    expect(bu.children.get("aten::mm")!.self).toBe(50);
    expect(bu.children.get("aten::mm")!.children.get("forward")!.total).toBe(50);
    expect(bu.children.get("forward")!.self).toBe(30);
  });
  it("forward -> backward flows from sequence numbers when the trace has none", () => {
    expect(trace.flows.map((f) => [f.from.name, f.to.name])).toEqual([["aten::mm", "MmBackward0"]]);
  });
  it("op diff: largest change first", () => {
    const d = diffOps([{ name: "a", calls: 1, total: 10, self: 0, mean: 0, max: 0, pctOfStep: 0 }], [{ name: "a", calls: 2, total: 50, self: 0, mean: 0, max: 0, pctOfStep: 0 }, { name: "b", calls: 1, total: 5, self: 0, mean: 0, max: 0, pctOfStep: 0 }]);
    expect(d.map((x) => [x.name, x.delta])).toEqual([["a", 40], ["b", 5]]);
  });
  it("Kineto flows and [memory] events", () => {
    const t = parseTrace({ traceEvents: [
      ev("aten::add", 0, 10, { cat: "cpu_op" }), { ph: "X", pid: 0, tid: 7, name: "kernel_x", cat: "kernel", ts: 20, dur: 5 },
      { ph: "s", cat: "ac2g", id: 9, pid: 1, tid: 1, ts: 2 }, { ph: "f", cat: "ac2g", id: 9, pid: 0, tid: 7, ts: 20, bp: "e" },
      { ph: "i", s: "t", name: "[memory]", pid: 1, tid: 1, ts: 3, args: { Bytes: 64, "Total Allocated": 64, "Total Reserved": 128 } },
    ] });
    expect(t.flows.map((f) => [f.cat, f.from.name, f.to.name])).toEqual([["ac2g", "aten::add", "kernel_x"]]);
    expect(t.memory).toEqual([{ ts: 3, bytes: 64, allocated: 64, reserved: 128, device: "" }]);
  });
});
