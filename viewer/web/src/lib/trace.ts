// Chrome trace-event JSON — what tblog's profiler writes, what tblog-view makes of an XSpace
// (xplane.pb), and PyTorch's Kineto traces (*.pt.trace.json: cpu_op, python_function,
// kernel, gpu_memcpy, ac2g/fwdbwd flows, [memory] instant events) — into timeline tracks:
// one track per (process, thread) with spans stacked by nesting depth (and each span's self
// time), one counter track per (process, counter, series), flow arrows between spans, and
// the allocator's [memory] events.

export interface Span {
  name: string; cat: string; ts: number; dur: number; depth: number; self: number;
  args?: Record<string, unknown>; pid: number | string; tid: number | string;
  /** Index of the enclosing span in its track's `spans`, -1 at the top. */
  parent: number;
}
export interface ThreadTrack {
  kind: "thread"; key: string; label: string; spans: Span[]; depth: number;
  /** spans by depth, each sorted by start (they do not overlap within a depth). */
  levels: Span[][];
}
export interface CounterTrack { kind: "counter"; key: string; label: string; ts: number[]; values: number[]; max: number; min: number }
export type Track = ThreadTrack | CounterTrack;
export interface Flow { cat: string; id: string; from: Span; to: Span; fromTrack: ThreadTrack; toTrack: ThreadTrack }
/** A Kineto allocator event: bytes > 0 allocates, < 0 frees; totals after it. */
export interface MemoryEvent { ts: number; bytes: number; allocated: number; reserved: number; device: string }
export interface Trace {
  tracks: Track[]; start: number; end: number; events: number; flows: Flow[]; memory: MemoryEvent[];
  /** "ProfilerStep#<n>" spans (tblog, PyTorch) in time order. */
  steps: { step: number; span: Span; track: ThreadTrack }[];
}

interface RawEvent {
  ph?: string; name?: string; cat?: string; ts?: number | string; dur?: number | string; bp?: string;
  pid?: number | string; tid?: number | string; args?: Record<string, unknown>; id?: unknown; s?: string;
}

const STEP_RE = /^ProfilerStep#(\d+)$/;

/** The deepest span of `track` whose [ts, ts+dur] holds t (or starts at t), if any. */
export function spanAt(track: ThreadTrack, t: number): Span | undefined {
  const sp = track.spans;
  let lo = 0, hi = sp.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (sp[m].ts <= t) lo = m + 1; else hi = m; }
  // the latest-starting span that still contains t is the innermost one
  for (let i = lo - 1, n = 0; i >= 0 && n < 256; i--, n++) if (sp[i].ts + sp[i].dur >= t) return sp[i];
  return undefined;
}

export function parseTrace(json: unknown): Trace {
  const events: RawEvent[] = Array.isArray(json) ? json : ((json as { traceEvents?: RawEvent[] })?.traceEvents ?? []);
  const procNames = new Map<string, string>(), threadNames = new Map<string, string>();
  const threads = new Map<string, Span[]>();
  const counters = new Map<string, { ts: number[]; values: number[]; label: string }>();
  const open = new Map<string, RawEvent[]>();
  const flowEnds = new Map<string, { s?: RawEvent; f?: RawEvent }>();
  const memory: MemoryEvent[] = [];
  let start = Infinity, end = -Infinity;
  const tkey = (e: RawEvent) => `${e.pid ?? 0}\u0000${e.tid ?? 0}`;
  const addSpan = (e: RawEvent, ts: number, dur: number) => {
    const k = tkey(e);
    let list = threads.get(k);
    if (!list) threads.set(k, (list = []));
    const d = dur > 0 ? dur : 0;
    list.push({ name: e.name ?? "", cat: e.cat ?? "", ts, dur: d, depth: 0, self: d, args: e.args, pid: e.pid ?? 0, tid: e.tid ?? 0, parent: -1 });
    if (ts < start) start = ts;
    if (ts + d > end) end = ts + d;
  };
  for (const e of events) {
    const ts = Number(e.ts);
    switch (e.ph) {
      case "M":
        if (e.name === "process_name") procNames.set(String(e.pid ?? 0), String(e.args?.name ?? ""));
        if (e.name === "thread_name") threadNames.set(tkey(e), String(e.args?.name ?? ""));
        break;
      case "X":
        if (Number.isFinite(ts)) addSpan(e, ts, Number(e.dur) || 0);
        break;
      case "i": case "I":
        if (!Number.isFinite(ts)) break;
        if (e.name === "[memory]") {
          const a = e.args ?? {};
          memory.push({ ts, bytes: Number(a["Bytes"]) || 0, allocated: Number(a["Total Allocated"]) || 0,
            reserved: Number(a["Total Reserved"]) || 0, device: String(a["Device Type"] ?? "") });
          break;
        }
        addSpan(e, ts, 0);
        break;
      case "B": {
        const k = tkey(e);
        if (!open.has(k)) open.set(k, []);
        open.get(k)!.push(e);
        break;
      }
      case "E": {
        const b = open.get(tkey(e))?.pop();
        if (b && Number.isFinite(ts)) addSpan({ ...b, args: { ...b.args, ...e.args } }, Number(b.ts), ts - Number(b.ts));
        break;
      }
      case "s": case "f": {
        if (!Number.isFinite(ts)) break;
        const k = `${e.cat ?? ""}\u0000${String(e.id)}`;
        let fe = flowEnds.get(k);
        if (!fe) flowEnds.set(k, (fe = {}));
        fe[e.ph] = e;
        break;
      }
      case "C":
        if (!Number.isFinite(ts)) break;
        for (const [series, v] of Object.entries(e.args ?? {})) {
          const k = `${e.pid ?? 0}\u0000${e.name}\u0000${series}`;
          if (!counters.has(k)) counters.set(k, { ts: [], values: [], label: `${e.name}${series !== "value" ? `.${series}` : ""}` });
          const c = counters.get(k)!;
          c.ts.push(ts);
          c.values.push(Number(v));
          if (ts < start) start = ts;
          if (ts > end) end = ts;
        }
        break;
    }
  }
  const tracks: Track[] = [];
  const byKey = new Map<string, ThreadTrack>();
  const sortedKeys = [...threads.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  for (const k of sortedKeys) {
    const spans = threads.get(k)!.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // nesting depth: a span sits below every still-open span that contains it; its
    // duration comes off the parent's self time
    const stack: number[] = [];
    const levels: Span[][] = [];
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i];
      while (stack.length && spans[stack[stack.length - 1]].ts + spans[stack[stack.length - 1]].dur <= s.ts) stack.pop();
      s.depth = stack.length;
      if (stack.length) {
        const p = spans[stack[stack.length - 1]];
        s.parent = stack[stack.length - 1];
        p.self -= Math.min(s.dur, p.self);
      }
      (levels[s.depth] ??= []).push(s);
      stack.push(i);
    }
    const [pid, tid] = k.split("\u0000");
    const pname = procNames.get(pid) || `pid ${pid}`;
    const tname = threadNames.get(k) || `tid ${tid}`;
    const t: ThreadTrack = { kind: "thread", key: k, label: `${pname} / ${tname}`, spans, depth: Math.max(1, levels.length), levels };
    tracks.push(t);
    byKey.set(k, t);
  }
  for (const [k, c] of [...counters.entries()].sort()) {
    const order = c.ts.map((_, i) => i).sort((a, b) => c.ts[a] - c.ts[b]);
    const ts = order.map((i) => c.ts[i]), values = order.map((i) => c.values[i]);
    const pid = k.split("\u0000")[0];
    let max = 0, min = 0;
    for (const v of values) if (Number.isFinite(v)) { if (v > max) max = v; if (v < min) min = v; }
    tracks.push({ kind: "counter", key: k, label: `${procNames.get(pid) || `pid ${pid}`} / ${c.label}`, ts, values, max, min });
  }
  // Flows: "s" on its span, "f" bound to the enclosing span (bp "e") or the one starting there.
  const flows: Flow[] = [];
  const endpoint = (e: RawEvent) => {
    const track = byKey.get(tkey(e));
    const span = track && spanAt(track, Number(e.ts));
    return track && span ? { track, span } : undefined;
  };
  for (const [, fe] of flowEnds) {
    if (!fe.s || !fe.f) continue;
    const a = endpoint(fe.s), b = endpoint(fe.f);
    if (a && b) flows.push({ cat: fe.s.cat ?? "", id: String(fe.s.id), from: a.span, to: b.span, fromTrack: a.track, toTrack: b.track });
  }
  if (!flows.some((f) => f.cat === "fwdbwd")) flows.push(...sequenceFlows(tracks));
  flows.sort((a, b) => a.from.ts - b.from.ts);
  memory.sort((a, b) => a.ts - b.ts);
  const steps: Trace["steps"] = [];
  for (const t of tracks) {
    if (t.kind !== "thread") continue;
    for (const s of t.levels[0] ?? []) {
      const m = STEP_RE.exec(s.name);
      if (m) steps.push({ step: Number(m[1]), span: s, track: t });
    }
  }
  steps.sort((a, b) => a.span.ts - b.span.ts);
  if (!Number.isFinite(start)) { start = 0; end = 1; }
  return { tracks, start, end: Math.max(end, start + 1), events: events.length, flows, memory, steps };
}

/** Forward -> backward links from ops' "Sequence number" args, for traces that carry no
 *  fwdbwd flows (an XSpace): the first forward op and the first backward op of each number. */
function sequenceFlows(tracks: Track[]): Flow[] {
  const fwd = new Map<number, { s: Span; t: ThreadTrack }>(), bwd = new Map<number, { s: Span; t: ThreadTrack }>();
  for (const t of tracks) {
    if (t.kind !== "thread") continue;
    for (const s of t.spans) {
      const seq = Number(s.args?.["Sequence number"]);
      if (s.cat !== "cpu_op" || !Number.isFinite(seq) || seq < 0) continue;
      const backward = s.args?.["scope"] === "backward" || /Backward|autograd::engine/.test(s.name);
      const m = backward ? bwd : fwd;
      const cur = m.get(seq);
      if (!cur || s.ts < cur.s.ts) m.set(seq, { s, t });
    }
  }
  const out: Flow[] = [];
  for (const [seq, b] of bwd) {
    const f = fwd.get(seq);
    if (f) out.push({ cat: "fwdbwd", id: String(seq), from: f.s, to: b.s, fromTrack: f.t, toTrack: b.t });
  }
  return out;
}
