// Fetching scalar series. tblog-view's /data/tblog/scalars?run=&tag=&buckets=N
// [&start_step=&end_step=][&since=CURSOR] answers {total, cursor, from, points: [[wall,
// step, value]...]}, a series downsampled to `buckets` columns keeping each column's
// first/min/max/last point (so no spike is ever hidden) plus the full count; its batched
// form POST /data/tblog/scalars_multirun answers many runs of one tag at once, asked for in
// its binary form (format=binary: columns of floats, scalarColumns.js) and read as JSON when
// the server answers JSON (an older tblog-view, an export).
//
// This module is the UI's one way to get scalar series:
// - calls made in the same tick for one tag (a card's runs, or many cards) share a request;
// - answers are kept (bounded) and reused by every dashboard and tab that asks again;
// - a refresh sends each series' cursor, so the server answers only the points added since
//   (or the whole series when the job restarted and points were dropped);
// - on a plain TensorBoard-compatible server it falls back to the full series per run.
// Series are held as columns (typed arrays), never as one array per point.
import { getJson, HttpError, postFormResponse, ScalarPoint, srcUrl, url } from "./api";
import { ColumnsAnswer, columnsOf, concatColumns, decodeScalarBatch, isScalarBatch, ScalarColumns } from "./scalarColumns.js";

export interface Series {
  columns: ScalarColumns;
  /** points in the requested window on the server (> points.length when downsampled) */
  total: number;
  /** the server's cursor for this series: what to send to get only newer points */
  cursor?: string;
}

export interface FetchOptions {
  /** ask the server for what changed since the cached answer (live reload) */
  refresh?: boolean;
  /** series drawn in the same chart: with many, each gets fewer buckets (CHART_POINTS) */
  overlaid?: number;
  /** the caller no longer wants the answer: a batch not sent yet that nobody else waits for is
   * dropped (the promise rejects with an AbortError) */
  signal?: AbortSignal;
}

/** Set once the server answered the batched route with 404 (a plain TensorBoard-compatible one). */
let noTblogRoute = false;
/** Set once the server refused format=binary (400): JSON from then on. */
let noBinary = false;

/** Points per batched request (4 per bucket and run): bounds an answer's size (1.3 MB binary, 2.5 MB as JSON)
 * while a card of 1,000 runs at 16 buckets each still takes one request, not ten queued behind
 * the other cards' (the page keeps at most 6 requests in flight). */
const POINTS_PER_REQUEST = 64_000;
/** Cached points across all series; least recently used series go first beyond it. */
const CACHE_POINTS = 4_000_000;

const cache = new Map<string, Series & { gen?: number }>();
let cachedPoints = 0;
let generation = 0;

/** A reload tick: cached series are still used, but the next request for each asks the server what changed. */
export function markStale() {
  generation++;
}

function remember(key: string, s: Series & { gen?: number }) {
  const old = cache.get(key);
  if (old) { cachedPoints -= old.columns.step.length; cache.delete(key); }
  cache.set(key, s);
  cachedPoints += s.columns.step.length;
  for (const [k, v] of cache) {
    if (cachedPoints <= CACHE_POINTS || k === key) break;
    cache.delete(k);
    cachedPoints -= v.columns.step.length;
  }
}

/** Points a chart asks for across its series: 1,000 runs x 1,000 steps would otherwise be 1 M
 * points (40 MB of JSON) per chart. Each bucket keeps its first/min/max/last point, so a spike
 * still shows; zooming asks for the window in full detail. */
const CHART_POINTS = 64_000;

/** Buckets per series: one per pixel column, fewer when many series share the chart; rounded
 * up so cards of slightly different widths (and run counts) share answers. */
function bucketsFor(width: number, overlaid = 1) {
  const b = Math.max(16, Math.min(width, Math.floor(CHART_POINTS / (4 * Math.max(1, overlaid)))));
  return b >= 64 ? Math.ceil(b / 64) * 64 : 2 ** Math.ceil(Math.log2(b));
}

type Waiter = { resolve: (s: Series) => void; reject: (e: unknown) => void; signal?: AbortSignal };
type Pending = Map<string, Waiter[]>;
const pending = new Map<string, { tag: string; buckets: number; range?: [number, number]; runs: Pending }>();

const keyOf = (tag: string, buckets: number, range?: [number, number]) =>
  JSON.stringify([tag, buckets, range ? [Math.floor(range[0]), Math.ceil(range[1])] : null]);

export async function fetchSeries(run: string, tag: string, width: number, range?: [number, number], opts: FetchOptions = {}): Promise<Series> {
  const buckets = bucketsFor(width, opts.overlaid);
  const key = keyOf(tag, buckets, range);
  const cached = cache.get(`${key}\u0000${run}`);
  if (cached && !opts.refresh && cached.gen === generation) {
    remember(`${key}\u0000${run}`, cached);  // most recently used
    return cached;
  }
  if (noTblogRoute) return fullSeries(run, tag, range);
  // already asked for (queued or in flight): wait for that answer instead of asking twice
  const asked = !opts.refresh && open.get(`${key}\u0000${run}`);
  if (asked) return new Promise<Series>((resolve, reject) => asked.push({ resolve, reject, signal: opts.signal }));
  return new Promise<Series>((resolve, reject) => enqueue(key, tag, buckets, range, run, { resolve, reject, signal: opts.signal }, !opts.refresh));
}

/** Adds a waiter for one run to this tick's batch of its tag (and resolution). */
function enqueue(key: string, tag: string, buckets: number, range: [number, number] | undefined, run: string, waiter: Waiter, shared: boolean) {
  let b = pending.get(key);
  if (!b) {
    const batch = { tag, buckets, range, runs: new Map() as Pending };
    b = batch;
    pending.set(key, batch);
    queueMicrotask(() => { pending.delete(key); void send(key, batch); });
  }
  let w = b.runs.get(run);
  if (!w) {
    b.runs.set(run, (w = []));
    if (shared) open.set(`${key}\u0000${run}`, w);
  }
  w.push(waiter);
}

/** The waiters of each series asked for and not answered yet (by cache key). */
const open = new Map<string, Waiter[]>();

/** A server without tblog's routes: the full series, cut to the window here. */
async function fullSeries(run: string, tag: string, range?: [number, number]): Promise<Series> {
  const all = await getJson<ScalarPoint[]>("plugin/scalars/scalars", { run, tag });
  const points = range ? all.filter((p) => p[1] >= range[0] && p[1] <= range[1]) : all;
  return { columns: columnsOf(points), total: points.length };
}

/** One batched request: the binary answer decoded, or the JSON one (a server that ignores or
 * refuses format=binary) turned into columns. */
async function postBatch(fields: Record<string, string | number | string[] | undefined>): Promise<Record<string, ColumnsAnswer>> {
  let r: Response;
  try {
    r = await postFormResponse("tblog/scalars_multirun", { ...fields, format: noBinary ? undefined : "binary" });
  } catch (e) {
    if (noBinary || !(e instanceof HttpError) || e.status !== 400) throw e;
    noBinary = true;
    return postBatch(fields);
  }
  if (!(r.headers.get("Content-Type") ?? "").startsWith("application/json")) {
    const buf = await r.arrayBuffer();
    if (isScalarBatch(buf)) return decodeScalarBatch(buf);
    r = new Response(buf);
  }
  const all = await r.json() as Record<string, Omit<ColumnsAnswer, "columns"> & { points: ScalarPoint[] }>;
  const out: Record<string, ColumnsAnswer> = {};
  for (const [run, { points, ...a }] of Object.entries(all)) out[run] = { ...a, columns: columnsOf(points) };
  return out;
}

/** Batched requests in flight at once. The server answers a batch on one core, so more at once
 * only delay each other: with two, the first cards' answers (cards ask in page order) arrive
 * first instead of all the screen's together, and a chart draws while the next is computed.
 * Until the page's first batch is answered it goes alone: the first chart waits for nothing
 * else on the server's cores (at load 8 on 2 cores it took ~0.8 s beside the second, 0.09 s
 * alone). */
const BATCHES_IN_FLIGHT = 2;
let batchesInFlight = 0;
let firstBatchAnswered = false;
const batchQueue: Array<() => void> = [];
const batchSlots = () => (firstBatchAnswered ? BATCHES_IN_FLIGHT : 1);

/** Runs f in a batch slot, or gives undefined without running it if `wanted` says no once the
 * slot is free (every caller gave up while it waited). A slot is taken for the waiter when it
 * is handed over, so that freeing one can start several (after the first answer). */
async function inBatchSlot<T>(wanted: () => boolean, f: () => Promise<T>): Promise<T | undefined> {
  if (batchesInFlight >= batchSlots()) await new Promise<void>((go) => batchQueue.push(go));
  else batchesInFlight++;
  let ran = false;
  try {
    if (!wanted()) return undefined;
    ran = true;
    return await f();
  } finally {
    batchesInFlight--;
    if (ran) firstBatchAnswered = true;
    while (batchesInFlight < batchSlots() && batchQueue.length) {
      batchesInFlight++;
      batchQueue.shift()!();
    }
  }
}

const routeAbsent = (e: unknown) => e instanceof HttpError && (e.status === 404 || e.status === 405);
const aborted = (ws: Waiter[]) => ws.every((w) => w.signal?.aborted);

function windowParams(range?: [number, number]) {
  return { start_step: range ? Math.floor(range[0]) : undefined, end_step: range ? Math.ceil(range[1]) : undefined };
}

async function send(key: string, b: { tag: string; buckets: number; range?: [number, number]; runs: Pending }) {
  const runs = [...b.runs.keys()];
  const perRequest = Math.max(1, Math.floor(POINTS_PER_REQUEST / (4 * b.buckets)));
  for (let i = 0; i < runs.length; i += perRequest) {
    const chunk = runs.slice(i, i + perRequest);
    // what we hold of each series: the server answers only what came after it
    const since = chunk.map((r) => cache.get(`${key}\u0000${r}`)?.cursor ?? "");
    const wanted = () => chunk.some((r) => !aborted(b.runs.get(r)!));
    const settled = () => chunk.forEach((r) => { if (open.get(`${key}\u0000${r}`) === b.runs.get(r)) open.delete(`${key}\u0000${r}`); });
    void inBatchSlot(wanted, async () => {
      // queued before an earlier batch found the route absent: straight to the fallback below
      if (noTblogRoute) throw new HttpError(404, "no tblog/scalars_multirun on this server");
      return postBatch({
        tag: b.tag, buckets: b.buckets, ...windowParams(b.range), runs: chunk, since,
      }).catch((e) => {
        if (routeAbsent(e)) noTblogRoute = true;  // before the slot goes to the next batch
        throw e;
      });
    }).finally(settled).then((all) => {
      if (!all) {
        // dropped unsent; a caller that joined after the check asks again
        const e = new DOMException("nobody waits for these series any more", "AbortError");
        for (const r of chunk) for (const w of b.runs.get(r)!)
          w.signal?.aborted ? w.reject(e) : enqueue(key, b.tag, b.buckets, b.range, r, w, true);
        return;
      }
      for (const r of chunk) {
        const a = all[r];
        const waiters = b.runs.get(r)!;
        if (!a) {
          waiters.forEach((w) => w.reject(new HttpError(404, `no scalars for run "${r}", tag "${b.tag}"`)));
          continue;
        }
        const old = cache.get(`${key}\u0000${r}`);
        // "from" > 0: only the points after what we hold came back; append them.
        const s: Series & { gen: number } = a.from && old
          ? { columns: concatColumns(old.columns, a.columns), total: a.total, cursor: a.cursor, gen: generation }
          : { columns: a.columns, total: a.total, cursor: a.cursor, gen: generation };
        remember(`${key}\u0000${r}`, s);
        waiters.forEach((w) => w.resolve(s));
      }
    }, (e) => {
      const absent = routeAbsent(e);
      for (const r of chunk) {
        const full = absent ? fullSeries(r, b.tag, b.range) : Promise.reject(e);
        b.runs.get(r)!.forEach((w) => full.then(w.resolve, w.reject));
      }
    });
  }
}

/** Which runs have which scalar tags: tag -> runs, and every run having one. */
export interface ScalarTagIndex { runs: Set<string>; tags: Map<string, Set<string>> }

/** The scalar tag index: tblog-view's compact one (/data/tblog/scalar_tags: {runs: [...], tags:
 * {tag: [run index, ...]}}, 58 KB at 1,000 runs x 20 tags), else TensorBoard's {run: {tag:
 * {...}}} (746 KB there). */
export async function scalarTagIndex(): Promise<ScalarTagIndex> {
  const out: ScalarTagIndex = { runs: new Set(), tags: new Map() };
  let compact: { runs: string[]; tags: Record<string, number[]> } | undefined;
  try {
    compact = await getJson("tblog/scalar_tags");
  } catch (e) {
    if (!routeAbsent(e)) throw e;
  }
  if (compact) {
    for (const r of compact.runs) out.runs.add(r);
    for (const [t, ids] of Object.entries(compact.tags)) out.tags.set(t, new Set(ids.map((i) => compact!.runs[i])));
    return out;
  }
  const byRun = await getJson<Record<string, Record<string, unknown>>>("plugin/scalars/tags");
  for (const [r, tags] of Object.entries(byRun)) {
    for (const t of Object.keys(tags)) {
      out.runs.add(r);
      let runs = out.tags.get(t);
      if (!runs) out.tags.set(t, (runs = new Set()));
      runs.add(r);
    }
  }
  return out;
}

/** Full-resolution downloads (TensorBoard's own route). */
export function downloadUrl(run: string, tag: string, format: "csv" | "json") {
  return srcUrl(url("plugin/scalars/scalars", { run, tag, format: format === "csv" ? "csv" : undefined }));
}

/** Pixel columns of a chart's plotting area (the card minus the y axis): one bucket each. */
export function plotColumns(chartEl: HTMLElement) {
  return Math.max(16, (chartEl.clientWidth || 400) - 60);
}
