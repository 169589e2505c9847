// What the Profile dashboard computes from a parsed trace (lib/trace.ts): the time of each
// step split into categories, per-op statistics over a step range, call trees (top-down and
// bottom-up) and the differences between two traces. Pure functions, unit-tested.
import type { Span, ThreadTrack, Trace } from "./trace";

/** A category of step time: spans whose name matches `pattern` (a regex, case-insensitive). */
export interface CategoryRule { name: string; pattern: string }

/** The defaults cover tblog's span names (data, forward, backward, optimizer.step) and
 *  PyTorch's (enumerate(DataLoader)#..., Optimizer.step#SGD.step, autograd::engine::...). */
export const DEFAULT_RULES: CategoryRule[] = [
  { name: "data loading", pattern: "data|loader|batch|enumerate\\(DataLoader\\)" },
  { name: "backward", pattern: "backward|autograd::engine" },
  { name: "optimizer", pattern: "optim|zero_grad" },
  { name: "forward", pattern: "forward|^aten::|^nn\\.Module|^cpu_op" },
];
export const OTHER = "other";

export interface StepBreakdown { step: number; start: number; total: number; parts: Record<string, number> }

function compile(rules: CategoryRule[]) {
  return rules.map((r) => {
    try { return { name: r.name, re: new RegExp(r.pattern, "i") }; } catch { return { name: r.name, re: null }; }
  });
}

/** The category a span's time falls into: the first matching rule, then its scope arg. */
export function categorize(s: Span, rules: ReturnType<typeof compile>): string {
  for (const r of rules) if (r.re && r.re.test(s.name)) return r.name;
  if (s.args?.["scope"] === "backward") return rules.find((r) => r.name === "backward")?.name ?? OTHER;
  return OTHER;
}

/** Each step's time: its direct children by category, the rest of the step as "other". */
export function stepBreakdown(trace: Trace, rules: CategoryRule[] = DEFAULT_RULES): StepBreakdown[] {
  const compiled = compile(rules);
  const out: StepBreakdown[] = [];
  const byTrack = new Map<ThreadTrack, Map<Span, StepBreakdown>>();
  for (const st of trace.steps) {
    const b: StepBreakdown = { step: st.step, start: st.span.ts, total: st.span.dur, parts: {} };
    out.push(b);
    let m = byTrack.get(st.track);
    if (!m) byTrack.set(st.track, (m = new Map()));
    m.set(st.span, b);
  }
  for (const [track, m] of byTrack) {
    for (const s of track.levels[1] ?? []) {
      const b = s.parent >= 0 ? m.get(track.spans[s.parent]) : undefined;
      if (!b) continue;
      const c = categorize(s, compiled);
      b.parts[c] = (b.parts[c] ?? 0) + s.dur;
    }
  }
  for (const b of out) {
    const covered = Object.values(b.parts).reduce((a, v) => a + v, 0);
    b.parts[OTHER] = (b.parts[OTHER] ?? 0) + Math.max(0, b.total - covered);
  }
  return out;
}

export interface OpRow { name: string; calls: number; total: number; self: number; mean: number; max: number; pctOfStep: number }

/** The time range of steps [first, last] (all of the trace when it has no steps). */
export function stepRange(trace: Trace, first?: number, last?: number): { t0: number; t1: number; stepTime: number } {
  const steps = trace.steps.filter((s) => (first === undefined || s.step >= first) && (last === undefined || s.step <= last));
  if (!trace.steps.length || !steps.length) return { t0: trace.start, t1: trace.end, stepTime: trace.end - trace.start };
  return { t0: Math.min(...steps.map((s) => s.span.ts)), t1: Math.max(...steps.map((s) => s.span.ts + s.span.dur)),
    stepTime: steps.reduce((a, s) => a + s.span.dur, 0) };
}

/** Framework ops and device work, as opposed to user spans and annotations. */
const isOp = (s: Span) => s.cat === "cpu_op" || s.cat === "kernel" || s.cat === "cuda_runtime" || s.cat.startsWith("gpu_");
const isStep = (s: Span) => s.cat === "step" || /^ProfilerStep#\d+$/.test(s.name);

/** Per-name statistics of the spans starting in [t0, t1] (with opsOnly: cat cpu_op, kernel,
 *  gpu_* and cuda_runtime only, no user spans), sorted by total time. */
export function opTable(trace: Trace, t0: number, t1: number, stepTime: number, opsOnly = false): OpRow[] {
  const rows = new Map<string, OpRow>();
  for (const t of trace.tracks) {
    if (t.kind !== "thread") continue;
    for (const s of t.spans) {
      if (s.ts < t0 || s.ts > t1 || isStep(s) || s.dur === 0) continue;
      if (opsOnly && !isOp(s)) continue;
      let r = rows.get(s.name);
      if (!r) rows.set(s.name, (r = { name: s.name, calls: 0, total: 0, self: 0, mean: 0, max: 0, pctOfStep: 0 }));
      r.calls++; r.total += s.dur; r.self += s.self;
      if (s.dur > r.max) r.max = s.dur;
    }
  }
  const out = [...rows.values()];
  for (const r of out) { r.mean = r.total / r.calls; r.pctOfStep = stepTime > 0 ? (100 * r.total) / stepTime : 0; }
  return out.sort((a, b) => b.total - a.total);
}

export interface TreeNode { name: string; total: number; self: number; calls: number; children: Map<string, TreeNode> }
const node = (name: string): TreeNode => ({ name, total: 0, self: 0, calls: 0, children: new Map() });

/** Top-down: the call paths (step markers left out) with their time; bottom-up: each name's
 *  self time, then who called it (its callers' chains, each credited with that self time). */
export function callTree(trace: Trace, t0: number, t1: number, mode: "top-down" | "bottom-up"): TreeNode {
  const root = node("(all)");
  for (const t of trace.tracks) {
    if (t.kind !== "thread") continue;
    const nodes: (TreeNode | undefined)[] = new Array(t.spans.length);
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i];
      if (s.ts < t0 || s.ts > t1 || s.dur === 0 || isStep(s)) continue;
      if (mode === "top-down") {
        let p = s.parent;
        while (p >= 0 && !nodes[p]) p = t.spans[p].parent;  // skip left-out ancestors
        const parent = p >= 0 ? nodes[p]! : root;
        let n = parent.children.get(s.name);
        if (!n) parent.children.set(s.name, (n = node(s.name)));
        n.total += s.dur; n.self += s.self; n.calls++;
        nodes[i] = n;
      } else {
        nodes[i] = root;  // marks it included
        let n: TreeNode | undefined = root.children.get(s.name);
        if (!n) root.children.set(s.name, (n = node(s.name)));
        n.total += s.self; n.self += s.self; n.calls++;
        for (let p = s.parent; p >= 0; p = t.spans[p].parent) {
          const ps = t.spans[p];
          if (isStep(ps)) break;
          let c: TreeNode | undefined = n.children.get(ps.name);
          if (!c) n.children.set(ps.name, (c = node(ps.name)));
          c.total += s.self; c.calls++;
          n = c;
        }
      }
      root.total += mode === "top-down" ? (s.parent < 0 || !nodes[s.parent] ? s.dur : 0) : s.self;
    }
  }
  return root;
}

export interface StepSummary { count: number; mean: number; max: number; min: number; slowest: StepBreakdown[]; meanParts: Record<string, number> }

export function summarizeSteps(steps: StepBreakdown[], slowest = 5): StepSummary {
  const n = steps.length;
  const meanParts: Record<string, number> = {};
  for (const s of steps) for (const [k, v] of Object.entries(s.parts)) meanParts[k] = (meanParts[k] ?? 0) + v / n;
  return {
    count: n, mean: n ? steps.reduce((a, s) => a + s.total, 0) / n : 0,
    max: n ? Math.max(...steps.map((s) => s.total)) : 0, min: n ? Math.min(...steps.map((s) => s.total)) : 0,
    slowest: [...steps].sort((a, b) => b.total - a.total).slice(0, slowest), meanParts,
  };
}

export interface OpDiff { name: string; callsA: number; callsB: number; totalA: number; totalB: number; delta: number }

/** Per-op totals of two traces side by side, largest absolute change first. */
export function diffOps(a: OpRow[], b: OpRow[]): OpDiff[] {
  const m = new Map<string, OpDiff>();
  const get = (name: string) => {
    let d = m.get(name);
    if (!d) m.set(name, (d = { name, callsA: 0, callsB: 0, totalA: 0, totalB: 0, delta: 0 }));
    return d;
  };
  for (const r of a) { const d = get(r.name); d.callsA = r.calls; d.totalA = r.total; }
  for (const r of b) { const d = get(r.name); d.callsB = r.calls; d.totalB = r.total; }
  const out = [...m.values()];
  for (const d of out) d.delta = d.totalB - d.totalA;
  return out.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
}
