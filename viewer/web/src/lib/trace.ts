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
/** A thread track's spans, one typed array per field, sorted by start (longer first). */
export interface SpanColumns {
  ts: Float64Array; dur: Float64Array; self: Float64Array; depth: Uint32Array; parent: Int32Array;
  /** indices into the trace's `strings` */
  name: Uint32Array; cat: Uint32Array;
}
/** A thread track. The views read its spans from `cols` (no object per span: a million-span
 *  trace opens without making a million objects); `span(i)` makes one span's object when a
 *  view needs it (selection, args), and `spans` / `levels` make them all on first use. */
export interface ThreadTrack {
  kind: "thread"; key: string; label: string; depth: number;
  /** its position among the trace's thread tracks (what flows name) */
  index: number;
  /** number of spans */
  n: number;
  cols: SpanColumns;
  /** span indices by depth, each sorted by start (they do not overlap within a depth) */
  levelIdx: Uint32Array[];
  /** span i as an object, the same one each time */
  span(i: number): Span;
  readonly spans: Span[];
  /** spans by depth, each sorted by start. */
  readonly levels: Span[][];
}
export interface CounterTrack { kind: "counter"; key: string; label: string; ts: number[]; values: number[]; max: number; min: number }
export type Track = ThreadTrack | CounterTrack;
export interface Flow { cat: string; id: string; from: Span; to: Span; fromTrack: ThreadTrack; toTrack: ThreadTrack }
/** Flows as columns, sorted by their start's time: thread track index and span index of each end. */
export interface FlowColumns { n: number; fromTrack: Uint32Array; fromSpan: Uint32Array; toTrack: Uint32Array; toSpan: Uint32Array }
/** A Kineto allocator event: bytes > 0 allocates, < 0 frees; totals after it. */
export interface MemoryEvent { ts: number; bytes: number; allocated: number; reserved: number; device: string }
export interface Trace {
  tracks: Track[]; start: number; end: number; events: number; memory: MemoryEvent[];
  /** the thread tracks, by `index` */
  threads: ThreadTrack[];
  /** span names and categories (SpanColumns' name and cat index them) */
  strings: string[];
  flowCols: FlowColumns;
  /** flow f's category and id */
  flowMeta(f: number): { cat: string; id: string };
  /** the flows as objects (made on first use) */
  readonly flows: Flow[];
  /** "ProfilerStep#<n>" spans (tblog, PyTorch) in time order. */
  steps: { step: number; span: Span; track: ThreadTrack; index: number }[];
}

interface RawEvent {
  ph?: string; name?: string; cat?: string; ts?: number | string; dur?: number | string; bp?: string;
  pid?: number | string; tid?: number | string; args?: Record<string, unknown>; id?: unknown; s?: string;
}

const STEP_RE = /^ProfilerStep#(\d+)$/;

/** The deepest span of a track whose [ts, ts+dur] holds t (or starts at t): its index, or -1. */
function spanAt(c: { ts: ArrayLike<number>; dur: ArrayLike<number> }, n: number, t: number): number {
  let lo = 0, hi = n;
  while (lo < hi) { const m = (lo + hi) >> 1; if (c.ts[m] <= t) lo = m + 1; else hi = m; }
  // the latest-starting span that still contains t is the innermost one
  for (let i = lo - 1, k = 0; i >= 0 && k < 256; i--, k++) if (c.ts[i] + c.dur[i] >= t) return i;
  return -1;
}

/** Span indices by depth, each in start order (one pass over the depth column). */
function levelsOf(depth: Uint32Array): Uint32Array[] {
  const count: number[] = [];
  for (let i = 0; i < depth.length; i++) count[depth[i]] = (count[depth[i]] ?? 0) + 1;
  const levels = Array.from(count, (c) => new Uint32Array(c ?? 0)), fill = new Array<number>(count.length).fill(0);
  for (let i = 0; i < depth.length; i++) levels[depth[i]][fill[depth[i]]++] = i;
  return levels;
}

const UNREAD = Symbol("unread");

/** A span's object, made from its track's columns when a view asks for it. */
class ColumnSpan implements Span {
  name: string; cat: string; ts: number; dur: number; depth: number; self: number; parent: number;
  pid: number | string; tid: number | string;
  private argsValue: Record<string, unknown> | undefined | typeof UNREAD = UNREAD;
  constructor(private track: ColumnTrack, private i: number) {
    const c = track.cols;
    this.name = track.strings[c.name[i]]; this.cat = track.strings[c.cat[i]];
    this.ts = c.ts[i]; this.dur = c.dur[i]; this.depth = c.depth[i]; this.self = c.self[i]; this.parent = c.parent[i];
    this.pid = track.pid; this.tid = track.tid;
  }
  get args(): Record<string, unknown> | undefined {
    if (this.argsValue === UNREAD) this.argsValue = this.track.argsOf(this.i);
    return this.argsValue;
  }
}

class ColumnTrack implements ThreadTrack {
  readonly kind = "thread" as const;
  readonly n: number;
  readonly levelIdx: Uint32Array[];
  private made: (Span | undefined)[];
  private all?: Span[];
  private byLevel?: Span[][];
  constructor(readonly key: string, readonly label: string, readonly depth: number, readonly index: number,
    readonly cols: SpanColumns, readonly strings: string[], readonly pid: number | string, readonly tid: number | string,
    readonly argsOf: (i: number) => Record<string, unknown> | undefined, made?: Span[]) {
    this.n = cols.ts.length;
    this.levelIdx = levelsOf(cols.depth);
    this.made = made ?? new Array(this.n);
  }
  span(i: number): Span { return (this.made[i] ??= new ColumnSpan(this, i)); }
  get spans(): Span[] {
    if (!this.all) { this.all = new Array(this.n); for (let i = 0; i < this.n; i++) this.all[i] = this.span(i); }
    return this.all;
  }
  get levels(): Span[][] { return (this.byLevel ??= this.levelIdx.map((lv) => Array.from(lv, (i) => this.span(i)))); }
}

class ColumnTrace implements Trace {
  steps: Trace["steps"];
  private flowObjects?: Flow[];
  constructor(readonly tracks: Track[], readonly threads: ThreadTrack[], readonly strings: string[], readonly start: number,
    readonly end: number, readonly events: number, readonly memory: MemoryEvent[], readonly flowCols: FlowColumns,
    readonly flowMeta: (f: number) => { cat: string; id: string }) {
    this.steps = stepsOf(threads, strings);
  }
  get flows(): Flow[] {
    if (this.flowObjects) return this.flowObjects;
    const c = this.flowCols, th = this.threads, out: Flow[] = new Array(c.n);
    for (let f = 0; f < c.n; f++) {
      const a = th[c.fromTrack[f]], b = th[c.toTrack[f]];
      out[f] = { ...this.flowMeta(f), from: a.span(c.fromSpan[f]), to: b.span(c.toSpan[f]), fromTrack: a, toTrack: b };
    }
    return (this.flowObjects = out);
  }
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
  const threadTracks: ThreadTrack[] = [];
  const byKey = new Map<string, ColumnTrack>();
  const strings: string[] = [], stringIndex = new Map<string, number>();
  const intern = (x: string) => {
    let k = stringIndex.get(x);
    if (k === undefined) { stringIndex.set(x, (k = strings.length)); strings.push(x); }
    return k;
  };
  const sortedKeys = [...threads.keys()].sort(trackKeyOrder);
  for (const k of sortedKeys) {
    const spans = threads.get(k)!.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    // nesting depth: a span sits below every still-open span that contains it; its
    // duration comes off the parent's self time
    const stack: number[] = [];
    let depth = 1;
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i];
      while (stack.length && spans[stack[stack.length - 1]].ts + spans[stack[stack.length - 1]].dur <= s.ts) stack.pop();
      s.depth = stack.length;
      if (stack.length) {
        const p = spans[stack[stack.length - 1]];
        s.parent = stack[stack.length - 1];
        p.self -= Math.min(s.dur, p.self);
      }
      depth = Math.max(depth, s.depth + 1);
      stack.push(i);
    }
    const n = spans.length;
    const cols: SpanColumns = { ts: new Float64Array(n), dur: new Float64Array(n), self: new Float64Array(n), depth: new Uint32Array(n),
      parent: new Int32Array(n), name: new Uint32Array(n), cat: new Uint32Array(n) };
    spans.forEach((s, i) => {
      cols.ts[i] = s.ts; cols.dur[i] = s.dur; cols.self[i] = s.self; cols.depth[i] = s.depth; cols.parent[i] = s.parent;
      cols.name[i] = intern(s.name); cols.cat[i] = intern(s.cat);
    });
    const [pid, tid] = k.split("\u0000");
    const pname = procNames.get(pid) || `pid ${pid}`;
    const tname = threadNames.get(k) || `tid ${tid}`;
    const t = new ColumnTrack(k, `${pname} / ${tname}`, depth, threadTracks.length, cols, strings, pid, tid, (i) => spans[i].args, spans);
    tracks.push(t);
    threadTracks.push(t);
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
  let flows: IndexedFlow[] = [];
  const endpoint = (e: RawEvent) => {
    const track = byKey.get(tkey(e));
    const span = track ? spanAt(track.cols, track.n, Number(e.ts)) : -1;
    return track && span >= 0 ? { track: track.index, span } : undefined;
  };
  for (const [, fe] of flowEnds) {
    if (!fe.s || !fe.f) continue;
    const a = endpoint(fe.s), b = endpoint(fe.f);
    if (a && b) flows.push({ cat: fe.s.cat ?? "", id: String(fe.s.id), from: a, to: b });
  }
  if (!flows.some((f) => f.cat === "fwdbwd")) flows.push(...sequenceFlows(threadTracks));
  const fromTs = (f: IndexedFlow) => threadTracks[f.from.track].cols.ts[f.from.span];
  flows = flows.map((f) => [fromTs(f), f] as const).sort((a, b) => a[0] - b[0]).map(([, f]) => f);
  memory.sort((a, b) => a.ts - b.ts);
  if (!Number.isFinite(start)) { start = 0; end = 1; }
  const flowCols: FlowColumns = { n: flows.length, fromTrack: Uint32Array.from(flows, (f) => f.from.track), fromSpan: Uint32Array.from(flows, (f) => f.from.span),
    toTrack: Uint32Array.from(flows, (f) => f.to.track), toSpan: Uint32Array.from(flows, (f) => f.to.span) };
  return new ColumnTrace(tracks, threadTracks, strings, start, Math.max(end, start + 1), events.length, memory, flowCols, (f) => flows[f]);
}

/** A flow by its ends' (thread track index, span index). */
interface IndexedFlow { cat: string; id: string; from: { track: number; span: number }; to: { track: number; span: number } }

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
function stepsOf(threads: ThreadTrack[], strings: string[]): Trace["steps"] {
  const steps: Trace["steps"] = [];
  // the names matching, tested once each
  const stepOf = strings.map((n) => { const m = STEP_RE.exec(n); return m ? Number(m[1]) : -1; });
  for (const t of threads)
    for (const i of t.levelIdx[0] ?? []) {
      const step = stepOf[t.cols.name[i]];
      if (step >= 0) steps.push({ step, span: t.span(i), track: t, index: i });
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
    const sub = <A extends Float64Array | Uint32Array | Int32Array>(a: A) => a.subarray(i, i + t.spans) as A;
    const base = i;
    const cols: SpanColumns = { ts: sub(ts), dur: sub(dur), self: sub(self), depth: sub(depth), parent: sub(parent), name: sub(name), cat: sub(cat) };
    const track = new ColumnTrack(t.key, t.label, t.depth, threads.length, cols, str, t.pid, t.tid, (k) => store.get(base + k));
    tracks.push(track);
    threads.push(track);
    i += t.spans;
  }
  const cts = arr("counter_ts", Float64Array), cval = arr("counter_value", Float64Array);
  let c = 0;
  for (const ct of head.counters) {
    tracks.push({ kind: "counter", key: ct.key, label: ct.label, ts: Array.from(cts.subarray(c, c + ct.n)),
      values: Array.from(cval.subarray(c, c + ct.n)), max: ct.max, min: ct.min });
    c += ct.n;
  }
  const flowCols: FlowColumns = { n: head.arrays["flow_from_track"][1], fromTrack: arr("flow_from_track", Uint32Array), fromSpan: arr("flow_from_span", Uint32Array),
    toTrack: arr("flow_to_track", Uint32Array), toSpan: arr("flow_to_span", Uint32Array) };
  const fc = arr("flow_cat", Uint32Array);
  let fid: string[] | undefined;  // cut out when the flows' objects are first made
  const memory = head.memory.map(([ts, bytes, allocated, reserved, device]) => ({ ts, bytes, allocated, reserved, device }));
  return new ColumnTrace(tracks, threads, str, head.start, head.end, head.events, memory, flowCols,
    (f) => ({ cat: str[fc[f]], id: (fid ??= strings("flow_ids"))[f] }));
}

/** Forward -> backward links from ops' "Sequence number" args, for traces that carry no
 *  fwdbwd flows (an XSpace): the first forward op and the first backward op of each number. */
function sequenceFlows(threads: ThreadTrack[]): IndexedFlow[] {
  type End = { track: number; span: number; ts: number };
  const fwd = new Map<number, End>(), bwd = new Map<number, End>();
  for (const t of threads) {
    t.spans.forEach((s, i) => {
      const seq = Number(s.args?.["Sequence number"]);
      if (s.cat !== "cpu_op" || !Number.isFinite(seq) || seq < 0) return;
      const backward = s.args?.["scope"] === "backward" || /Backward|autograd::engine/.test(s.name);
      const m = backward ? bwd : fwd;
      const cur = m.get(seq);
      if (!cur || s.ts < cur.ts) m.set(seq, { track: t.index, span: i, ts: s.ts });
    });
  }
  const out: IndexedFlow[] = [];
  for (const [seq, b] of bwd) {
    const f = fwd.get(seq);
    if (f) out.push({ cat: "fwdbwd", id: String(seq), from: { track: f.track, span: f.span }, to: { track: b.track, span: b.span } });
  }
  return out;
}
