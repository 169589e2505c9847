// Chrome trace-event JSON — what tblog's profiler writes, what tblog-view makes of an XSpace
// (xplane.pb), and PyTorch's Kineto traces (*.pt.trace.json: cpu_op, python_function,
// kernel, gpu_memcpy, ac2g/fwdbwd flows, [memory] instant events) — into timeline tracks:
// one track per (process, thread) with spans stacked by nesting depth (and each span's self
// time), one counter track per (process, counter, series), flow arrows between spans, and
// the allocator's [memory] events. tblog-view builds the same timeline on the server and
// sends it in columns (/data/tblog/profile/trace_columns, decodeTraceColumns): parseTrace is
// for servers without that route (the mock) and the reference the columns are tested against.

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
        if (b && Number.isFinite(ts) && Number.isFinite(Number(b.ts))) addSpan({ ...b, args: { ...b.args, ...e.args } }, Number(b.ts), ts - Number(b.ts));
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
  const sortedKeys = [...threads.keys()].sort(trackKeyOrder);
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
  if (!Number.isFinite(start)) { start = 0; end = 1; }
  return { tracks, start, end: Math.max(end, start + 1), events: events.length, flows, memory, steps: stepsOf(tracks) };
}

/** Thread tracks in order of "pid\0tid": part by part, numerically where both are numbers. */
function trackKeyOrder(a: string, b: string): number {
  const [ap, at = ""] = a.split("\u0000"), [bp, bt = ""] = b.split("\u0000");
  const part = (x: string, y: string) => {
    const num = /^-?\d+(\.\d+)?$/;
    if (num.test(x) && num.test(y) && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  return part(ap, bp) || part(at, bt);
}

/** The "ProfilerStep#<n>" spans at the top of thread tracks, in time order. */
function stepsOf(tracks: Track[]): Trace["steps"] {
  const steps: Trace["steps"] = [];
  for (const t of tracks) {
    if (t.kind !== "thread") continue;
    for (const s of t.levels[0] ?? []) {
      const m = STEP_RE.exec(s.name);
      if (m) steps.push({ step: Number(m[1]), span: s, track: t });
    }
  }
  return steps.sort((a, b) => a.span.ts - b.span.ts);
}

interface ColumnsHeader {
  events: number; start: number; end: number;
  threads: { key: string; label: string; pid: number | string; tid: number | string; spans: number; depth: number }[];
  counters: { key: string; label: string; n: number; max: number; min: number }[];
  memory: [number, number, number, number, string][];
  arrays: Record<string, [number, number]>;
}

/** Span args kept as JSON text in the columns' byte array, parsed when first read. */
class ArgsStore {
  private decoder = new TextDecoder();
  constructor(private bytes: Uint8Array, private at: Uint32Array) {}
  get(i: number): Record<string, unknown> | undefined {
    const a = this.at[i], b = this.at[i + 1];
    return a === b ? undefined : JSON.parse(this.decoder.decode(this.bytes.subarray(a, b)));
  }
}

const UNREAD = Symbol("unread");
/** What the spans of one track share (kept out of each of a million spans). */
interface TrackOf { pid: number | string; tid: number | string; store: ArgsStore }

class ColumnSpan implements Span {
  private argsValue: Record<string, unknown> | undefined | typeof UNREAD = UNREAD;
  constructor(public name: string, public cat: string, public ts: number, public dur: number, public depth: number,
    public self: number, public parent: number, private index: number, private of: TrackOf) {}
  get pid() { return this.of.pid; }
  get tid() { return this.of.tid; }
  get args(): Record<string, unknown> | undefined {
    if (this.argsValue === UNREAD) this.argsValue = this.of.store.get(this.index);
    return this.argsValue;
  }
}

/** The timeline from tblog-view's trace_columns answer (server/plugins/profile/
 *  trace_columns.hpp): the same Trace parseTrace makes of the JSON. */
export function decodeTraceColumns(buf: ArrayBuffer): Trace {
  const u8 = new Uint8Array(buf);
  if (u8.length < 16 || new TextDecoder().decode(u8.subarray(0, 8)) !== "TBTRACE1") throw new Error("not a trace_columns answer");
  const headLen = new DataView(buf).getUint32(8, true);
  const head: ColumnsHeader = JSON.parse(new TextDecoder().decode(u8.subarray(16, 16 + headLen)));
  const base = (16 + headLen + 7) & ~7;
  const arr = <T>(name: string, C: new (b: ArrayBuffer, off: number, n: number) => T): T => {
    const [off, n] = head.arrays[name];
    return new C(buf, base + off, n);
  };
  const ts = arr("span_ts", Float64Array), dur = arr("span_dur", Float64Array), self = arr("span_self", Float64Array);
  const name = arr("span_name", Uint32Array), cat = arr("span_cat", Uint32Array), depth = arr("span_depth", Uint32Array);
  const parent = arr("span_parent", Int32Array);
  const store = new ArgsStore(arr("args", Uint8Array), arr("span_args", Uint32Array));
  // names and categories, flow ids: one text each, cut at UTF-16 offsets
  const strings = (key: string) => {
    const text = new TextDecoder().decode(arr(key, Uint8Array)), at = arr(`${key}_at`, Uint32Array);
    const out: string[] = new Array(at.length - 1);
    for (let k = 0; k + 1 < at.length; k++) out[k] = text.slice(at[k], at[k + 1]);
    return out;
  };
  const str = strings("strings");
  const tracks: Track[] = [];
  const threads: ThreadTrack[] = [];
  let i = 0;
  for (const t of head.threads) {
    const spans: Span[] = new Array(t.spans);
    const levels: Span[][] = [];
    const of: TrackOf = { pid: t.pid, tid: t.tid, store };
    for (let k = 0; k < t.spans; k++, i++) {
      const s = new ColumnSpan(str[name[i]], str[cat[i]], ts[i], dur[i], depth[i], self[i], parent[i], i, of);
      spans[k] = s;
      (levels[s.depth] ??= []).push(s);
    }
    const track: ThreadTrack = { kind: "thread", key: t.key, label: t.label, spans, depth: t.depth, levels };
    tracks.push(track);
    threads.push(track);
  }
  const cts = arr("counter_ts", Float64Array), cval = arr("counter_value", Float64Array);
  let c = 0;
  for (const ct of head.counters) {
    tracks.push({ kind: "counter", key: ct.key, label: ct.label, ts: Array.from(cts.subarray(c, c + ct.n)),
      values: Array.from(cval.subarray(c, c + ct.n)), max: ct.max, min: ct.min });
    c += ct.n;
  }
  const ft = arr("flow_from_track", Uint32Array), fs = arr("flow_from_span", Uint32Array);
  const tt = arr("flow_to_track", Uint32Array), tsp = arr("flow_to_span", Uint32Array), fc = arr("flow_cat", Uint32Array);
  const fid = strings("flow_ids");
  const flows: Flow[] = new Array(fid.length);
  for (let f = 0; f < fid.length; f++)
    flows[f] = { cat: str[fc[f]], id: fid[f], from: threads[ft[f]].spans[fs[f]], to: threads[tt[f]].spans[tsp[f]], fromTrack: threads[ft[f]], toTrack: threads[tt[f]] };
  const memory = head.memory.map(([ts, bytes, allocated, reserved, device]) => ({ ts, bytes, allocated, reserved, device }));
  return { tracks, start: head.start, end: head.end, events: head.events, flows, memory, steps: stepsOf(tracks) };
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
