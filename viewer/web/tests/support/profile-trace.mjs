// Generated profiler traces for the Profile dashboard's browser tests and its perf script:
// tblog's Chrome-trace layout (ProfilerStep#<n> spans, data/forward/backward/optimizer
// spans, cpu_op ops with sequence numbers and fwdbwd flows, CPU/memory counters, Kineto
// [memory] allocator events), with known counts so tests can assert what is drawn.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

/** steps x (4 user spans + opsPerStep forward ops + as many backward ops), on tid 1. */
export function generateTrace({ steps = 8, opsPerStep = 6, slowStep = 5, scale = 1, withMemory = true } = {}) {
  const ev = [
    { ph: "M", name: "process_name", pid: 1, tid: 0, args: { name: "train" } },
    { ph: "M", name: "thread_name", pid: 1, tid: 1, args: { name: "main" } },
  ];
  let t = 0, seq = 0;
  const X = (name, ts, dur, cat = "span", args) => ev.push({ ph: "X", cat, name, pid: 1, tid: 1, ts, dur, ...(args ? { args } : {}) });
  for (let s = 0; s < steps; s++) {
    const k = (s === slowStep ? 3 : 1) * scale;
    const t0 = t;
    X("data", t, 100 * k); t += 100 * k;
    const fwd0 = t, fwdOps = [];
    for (let i = 0; i < opsPerStep; i++) {
      const name = i % 2 ? "aten::relu" : "aten::mm";
      X(name, t + 1, 20 * k, "cpu_op", { scope: "forward", "Sequence number": seq, "Fwd thread id": 0, "Input Dims": [[16, 4], [4, 8]] });
      fwdOps.push([seq++, t + 1]);
      t += 22 * k;
    }
    X("forward", fwd0, t - fwd0 + 1);
    t += 2;
    const bwd0 = t;
    for (const [q, fts] of fwdOps.reverse()) {
      X(`autograd::engine::evaluate_function: Op${q}Backward0`, t + 1, 30 * k, "cpu_op", { scope: "backward", "Sequence number": q, "Fwd thread id": 1 });
      ev.push({ ph: "s", cat: "fwdbwd", name: "fwdbwd", id: q, pid: 1, tid: 1, ts: fts });
      ev.push({ ph: "f", cat: "fwdbwd", name: "fwdbwd", id: q, pid: 1, tid: 1, ts: t + 1, bp: "e" });
      t += 32 * k;
    }
    X("backward", bwd0, t - bwd0 + 1);
    t += 2;
    X("optimizer.step", t, 50 * k); t += 50 * k;
    t += 10;
    X(`ProfilerStep#${s}`, t0, t - t0, "step", { step: s });
    if (withMemory) ev.push({ ph: "i", s: "t", name: "[memory]", pid: 1, tid: 1, ts: t0 + 5, args: { Bytes: 4096 * (s + 1), "Total Allocated": 4096 * (s + 1), "Total Reserved": 1 << 20, "Device Type": 0 } });
    ev.push({ ph: "C", name: "Resident memory", pid: 1, tid: 0, ts: t0, args: { MiB: 100 + s } });
    ev.push({ ph: "C", name: "CPU utilization", pid: 1, tid: 0, ts: t0, args: { percent: 50 + s } });
  }
  return { displayTimeUnit: "ms", otherData: { producer: "test" }, traceEvents: ev };
}

/** Writes `trace` as <logdir>/<run>/plugins/profile/<session>/<host>.trace.json.gz. */
export function writeTrace(logdir, run, trace, { session = "2024_01_01_00_00_00", host = "host" } = {}) {
  const dir = path.join(logdir, run, "plugins", "profile", session);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${host}.trace.json.gz`), zlib.gzipSync(JSON.stringify(trace), { level: 1 }));
  return dir;
}
