// Data routes of tblog-view (TensorBoard's HTTP API plus /data/tblog/...).
// Paths are relative so the UI also works when served under a path prefix. A page opened
// from `tblog-view export` answers them from the export instead (staticSite.ts).
import { site } from "./staticSite";

export class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export function url(path: string, params: Record<string, string | number | string[] | undefined> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => qs.append(k, x));
    else qs.append(k, String(v));
  }
  const s = qs.toString();
  return `data/${path}${s ? `?${s}` : ""}`;
}

// At most this many requests in flight; the rest wait in order. Thousands of parallel fetches
// make Chromium fail them (ERR_INSUFFICIENT_RESOURCES) and starve the cards on screen.
const MAX_IN_FLIGHT = 6;
let inFlight = 0;
const waiting: Array<() => void> = [];

/** fetch() through the page-wide bound on requests in flight; an aborted signal drops a queued request. */
export async function boundedFetch(u: string, init: RequestInit = {}): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (inFlight >= MAX_IN_FLIGHT) {
    await new Promise<void>((resolve, reject) => {
      const go = () => { signal?.removeEventListener("abort", drop); resolve(); };
      const drop = () => {
        const i = waiting.indexOf(go);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal?.reason ?? new DOMException("aborted", "AbortError"));
      };
      signal?.addEventListener("abort", drop, { once: true });
      waiting.push(go);
    });
  }
  inFlight++;
  try {
    return await (site ? site.fetch(u, init) : fetch(u, init));
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

/** Requests in flight and waiting (tests and the perf harness read this). */
export function requestLoad() {
  return { inFlight, waiting: waiting.length };
}

/** A data URL for an element's src or href (images, audio, downloads), also in an export. */
export function srcUrl(raw: string): string {
  return site ? site.src(raw) : raw;
}

async function check(r: Response, u: string) {
  if (!r.ok) throw new HttpError(r.status, `${u}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r;
}

export async function getJson<T>(path: string, params?: Record<string, string | number | string[] | undefined>, signal?: AbortSignal): Promise<T> {
  const u = url(path, params);
  const early = prefetched.get(u);
  if (early) {
    prefetched.delete(u);
    return early as Promise<T>;
  }
  return (await check(await boundedFetch(u, { signal }), u)).json();
}

const prefetched = new Map<string, Promise<unknown>>();

/** Starts a GET whose answer the next getJson of the same route takes: the first dashboard's
 * tag index, asked for beside the run list instead of after it. */
export function prefetchJson(path: string) {
  const answer = getJson(path);
  answer.catch(() => undefined);  // a failure is the taker's to report
  prefetched.set(url(path), answer);
}

/** Forgets prefetched answers nobody took (they would be stale by the time anyone asks). */
export function dropPrefetched() {
  prefetched.clear();
}

/** POST of form fields (repeated keys for arrays), as TensorBoard's *_multirun routes take them. */
export async function postForm<T>(path: string, fields: Record<string, string | number | string[] | undefined>, signal?: AbortSignal): Promise<T> {
  return (await postFormResponse(path, fields, signal)).json();
}

/** postForm's answer before it is read (a 2xx; other statuses throw HttpError). */
export async function postFormResponse(path: string, fields: Record<string, string | number | string[] | undefined>, signal?: AbortSignal): Promise<Response> {
  const u = url(path);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) v.forEach((x) => body.append(k, x));
    else body.append(k, String(v));
  }
  return check(await boundedFetch(u, { method: "POST", body, signal }), u);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const u = url(path);
  const r = await boundedFetch(u, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await check(r, u)).json();
}

export async function getText(path: string, params?: Record<string, string | number | undefined>): Promise<string> {
  const u = url(path, params);
  return (await check(await boundedFetch(u), u)).text();
}

export async function getBytes(path: string, params?: Record<string, string | number | undefined>): Promise<ArrayBuffer> {
  const u = url(path, params);
  return (await check(await boundedFetch(u), u)).arrayBuffer();
}

/** Like getJson but a 404 (route absent on this server) gives undefined. */
export async function getJsonOptional<T>(path: string, params?: Record<string, string | number | undefined>): Promise<T | undefined> {
  const u = url(path, params);
  const r = await boundedFetch(u);
  if (r.status === 404) return undefined;
  return (await check(r, u)).json();
}

/** A TensorBoard scalar point: [wall time (s), step, value]. */
export type ScalarPoint = [number, number, number];
export type TagsByRun<T = unknown> = Record<string, Record<string, T>>;

/**
 * One (run, tag) answer of a route that also has a batched form (`<route>_multirun`, POST
 * tag=&runs=...): calls made in the same tick for the same route, tag and parameters go out as
 * one request for all their runs. A run the batched answer lacks is a 404, as the single route.
 */
export function getRunTag<T>(route: string, run: string, tag: string, extra: Record<string, string | number> = {}): Promise<T> {
  const key = JSON.stringify([route, tag, extra]);
  let b = batches.get(key);
  if (!b) {
    const batch: Batch = { runs: new Map() };
    b = batch;
    batches.set(key, batch);
    queueMicrotask(() => {
      batches.delete(key);
      void sendBatch(route, tag, extra, batch);
    });
  }
  return new Promise<T>((resolve, reject) => {
    const waiters = b!.runs.get(run) ?? [];
    waiters.push({ resolve: resolve as (v: unknown) => void, reject });
    b!.runs.set(run, waiters);
  });
}

interface Batch { runs: Map<string, Array<{ resolve: (v: unknown) => void; reject: (e: unknown) => void }>> }
const batches = new Map<string, Batch>();
const noBatchRoute = new Set<string>();  // routes this server lacks a _multirun form of

async function sendBatch(route: string, tag: string, extra: Record<string, string | number>, b: Batch) {
  const runs = [...b.runs.keys()];
  const settle = (run: string, f: (w: { resolve: (v: unknown) => void; reject: (e: unknown) => void }) => void) => b.runs.get(run)!.forEach(f);
  const single = (run: string) => getJson(route, { ...extra, run, tag }).then(
    (v) => settle(run, (w) => w.resolve(v)), (e) => settle(run, (w) => w.reject(e)));
  if (runs.length === 1 || noBatchRoute.has(route)) return void runs.forEach(single);
  try {
    const all = await postForm<Record<string, unknown>>(`${route}_multirun`, { ...extra, tag, runs });
    for (const run of runs) {
      if (run in all) settle(run, (w) => w.resolve(all[run]));
      else settle(run, (w) => w.reject(new HttpError(404, `${route}: no data for run "${run}", tag "${tag}"`)));
    }
  } catch (e) {
    if (!(e instanceof HttpError) || (e.status !== 404 && e.status !== 405)) return void runs.forEach((r) => settle(r, (w) => w.reject(e)));
    noBatchRoute.add(route);  // an older or stock server: one request per run
    runs.forEach(single);
  }
}
