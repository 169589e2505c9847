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
  // by track, the step of each step span's index
  const byTrack = new Map<ThreadTrack, Map<number, StepBreakdown>>();
  for (const st of trace.steps) {
    const b: StepBreakdown = { step: st.step, start: st.span.ts, total: st.span.dur, parts: {} };
    out.push(b);
    let m = byTrack.get(st.track);
    if (!m) byTrack.set(st.track, (m = new Map()));
    m.set(st.index, b);
  }
  for (const [track, m] of byTrack) {
    for (const i of track.levelIdx[1] ?? []) {
      const b = m.get(track.cols.parent[i]);
      if (!b) continue;
      const c = categorize(track.span(i), compiled);
      b.parts[c] = (b.parts[c] ?? 0) + track.cols.dur[i];
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

/** Framework ops and device work, as opposed to user spans and annotations (by category). */
const isOpCat = (cat: string) => cat === "cpu_op" || cat === "kernel" || cat === "cuda_runtime" || cat.startsWith("gpu_");
const isStepName = (name: string) => /^ProfilerStep#\d+$/.test(name);

/** Per string of the trace (names and categories index it): is it an op category, a step
 *  category, a step name — each string tested once rather than once per span. */
function stringFlags(trace: Trace) {
  return { op: trace.strings.map(isOpCat), stepCat: trace.strings.map((c) => c === "step"), stepName: trace.strings.map(isStepName) };
}

/** Per-name statistics of the spans starting in [t0, t1] (with opsOnly: cat cpu_op, kernel,
 *  gpu_* and cuda_runtime only, no user spans), sorted by total time. */
export function opTable(trace: Trace, t0: number, t1: number, stepTime: number, opsOnly = false): OpRow[] {
  const f = stringFlags(trace);
  const rows: (OpRow | undefined)[] = new Array(trace.strings.length);  // by name index
  for (const t of trace.threads) {
    const { ts, dur, self, name, cat } = t.cols;
    for (let i = 0; i < t.n; i++) {
      const d = dur[i];
      if (ts[i] < t0 || ts[i] > t1 || d === 0 || f.stepCat[cat[i]] || f.stepName[name[i]]) continue;
      if (opsOnly && !f.op[cat[i]]) continue;
      const r = (rows[name[i]] ??= { name: trace.strings[name[i]], calls: 0, total: 0, self: 0, mean: 0, max: 0, pctOfStep: 0 });
      r.calls++; r.total += d; r.self += self[i];
      if (d > r.max) r.max = d;
    }
  }
  const out = rows.filter((r): r is OpRow => !!r);
  for (const r of out) { r.mean = r.total / r.calls; r.pctOfStep = stepTime > 0 ? (100 * r.total) / stepTime : 0; }
  return out.sort((a, b) => b.total - a.total);
}

export interface TreeNode { name: string; total: number; self: number; calls: number; children: Map<string, TreeNode> }
const node = (name: string): TreeNode => ({ name, total: 0, self: 0, calls: 0, children: new Map() });

/** Top-down: the call paths (step markers left out) with their time; bottom-up: each name's
 *  self time, then who called it (its callers' chains, each credited with that self time). */
export function callTree(trace: Trace, t0: number, t1: number, mode: "top-down" | "bottom-up"): TreeNode {
  const root = node("(all)");
  const f = stringFlags(trace), str = trace.strings;
  for (const t of trace.threads) {
    const { ts, dur, self, name, cat, parent } = t.cols;
    const isStep = (i: number) => f.stepCat[cat[i]] || f.stepName[name[i]];
    const nodes: (TreeNode | undefined)[] = new Array(t.n);
    for (let i = 0; i < t.n; i++) {
      if (ts[i] < t0 || ts[i] > t1 || dur[i] === 0 || isStep(i)) continue;
      const nm = str[name[i]];
      if (mode === "top-down") {
        let p = parent[i];
        while (p >= 0 && !nodes[p]) p = parent[p];  // skip left-out ancestors
        const up = p >= 0 ? nodes[p]! : root;
        let n = up.children.get(nm);
        if (!n) up.children.set(nm, (n = node(nm)));
        n.total += dur[i]; n.self += self[i]; n.calls++;
        nodes[i] = n;
      } else {
        nodes[i] = root;  // marks it included
        let n: TreeNode | undefined = root.children.get(nm);
        if (!n) root.children.set(nm, (n = node(nm)));
        n.total += self[i]; n.self += self[i]; n.calls++;
        for (let p = parent[i]; p >= 0; p = parent[p]) {
          if (isStep(p)) break;
          const pn = str[name[p]];
          let c: TreeNode | undefined = n.children.get(pn);
          if (!c) n.children.set(pn, (c = node(pn)));
          c.total += self[i]; c.calls++;
          n = c;
        }
      }
      root.total += mode === "top-down" ? (parent[i] < 0 || !nodes[parent[i]] ? dur[i] : 0) : self[i];
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
