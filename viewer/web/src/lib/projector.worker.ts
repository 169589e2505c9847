// The projector's worker: holds the tensor and runs PCA, t-SNE, UMAP, custom
// projections and neighbour queries off the page's main thread. Jobs are async
// and yield every ~30 ms (see tick), so progress is posted, a cancel message
// is seen promptly, and a neighbour query can run while t-SNE iterates.
import { UMAP } from "umap-js";
import type { FromWorker, Job, JobResult, Layout, ToWorker } from "./projectorJobs";
import { Cancelled } from "./projectorJobs";
import type { KnnGraph, Tick } from "./projection";
import { knnGraph, linearAxes, nearestNeighbors, pca, rng, sampleIndices, spherize, takeRows } from "./projection";
import { TSNE } from "./tsne";

/** Width t-SNE and UMAP work in: wider data is reduced by PCA first (the usual t-SNE practice). */
const REDUCED_DIM = 50;

let raw: Float32Array<ArrayBufferLike> = new Float32Array(0), N = 0, D = 0;
let sphered: Float32Array<ArrayBufferLike> | null = null;
const cancelled = new Set<number>();
// the reduced data and k-NN graph of the last t-SNE/UMAP input, reused when only the method or k changes
let prepared: { key: string; X: Float32Array; d: number; knn: Map<number, KnnGraph> } | null = null;

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

function data(sph: boolean): Float32Array {
  if (!sph) return raw;
  return (sphered ??= spherize(raw, N, D));
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "data") {
    raw = m.data; N = m.n; D = m.d; sphered = null; prepared = null;
  } else if (m.type === "cancel") {
    cancelled.add(m.id);
  } else {
    void runJob(m.id, m.job);
  }
};

async function runJob(id: number, job: Job) {
  let last = performance.now();
  let phase = "";
  let span: [number, number] = [0, 1];
  const setPhase = (name: string, from: number, to: number) => { phase = name; span = [from, to]; };
  const tick: Tick = async (f) => {
    if (cancelled.has(id)) throw new Cancelled();
    const now = performance.now();
    if (now - last < 30) return;
    last = now;
    post({ type: "progress", id, fraction: span[0] + (span[1] - span[0]) * Math.min(1, f), phase });
    await new Promise((r) => setTimeout(r, 0));
    if (cancelled.has(id)) throw new Cancelled();
  };
  try {
    const result = await execute(job, tick, setPhase, (partial, f) => post({ type: "progress", id, fraction: f, phase, partial }));
    const transfer = "coords" in result ? [result.coords.buffer as ArrayBuffer] : [];
    post({ type: "result", id, result }, transfer);
  } catch (err) {
    post({ type: "error", id, message: (err as Error).message ?? String(err), cancelled: err instanceof Cancelled });
  } finally {
    cancelled.delete(id);
  }
}

type Phase = (name: string, from: number, to: number) => void;

async function execute(job: Job, tick: Tick, setPhase: Phase, partial: (l: Layout, f: number) => void): Promise<JobResult> {
  if (!N) throw new Error("no tensor loaded");
  const X = data(job.spherize);
  if (job.kind === "neighbors") {
    setPhase("neighbours", 0, 1);
    return { neighbors: await nearestNeighbors(X, N, D, job.index, job.k, job.metric, tick) };
  }
  const subset = job.subset ?? null;
  if (job.kind === "custom") {
    const rows = subset ? takeRows(X, D, subset) : X;
    const pos = (a: Int32Array) => remap(a, subset);
    const coords = linearAxes(rows, subset ? subset.length : N, D, job.axes.map((a) => ({ pos: pos(a.pos), neg: pos(a.neg) })));
    return { indices: subset, coords, dims: job.axes.length };
  }
  if (job.kind === "pca") {
    setPhase("PCA", 0, 1);
    const rows = subset ? takeRows(X, D, subset) : X;
    const r = await pca(rows, subset ? subset.length : N, D, job.dims, { tick });
    return { indices: subset, coords: r.coords, dims: job.dims, variance: r.variance, projectedDim: r.dim };
  }
  // t-SNE / UMAP: sample, reduce, k-NN, then iterate
  let indices: Int32Array | null = subset;
  const pool = subset ? subset.length : N;
  if (pool > job.sample) {
    const pick = sampleIndices(pool, job.sample, 13).sort();
    indices = subset ? pick.map((i) => subset[i]) : pick;
  }
  const n = indices ? indices.length : N;
  const k = job.kind === "tsne" ? Math.min(n - 1, Math.floor(3 * job.perplexity)) : Math.min(n - 1, job.neighbors);
  if (n < 3) throw new Error(`${n} points are too few for ${job.kind === "tsne" ? "t-SNE" : "UMAP"}`);
  const key = `${job.spherize}|${n}|${indices ? hash(indices) : "all"}`;
  if (prepared?.key !== key) {
    const rows = indices ? takeRows(X, D, indices) : X;
    let Xr = rows, dr = D;
    if (D > REDUCED_DIM) {
      setPhase(`PCA to ${REDUCED_DIM} dimensions`, 0, 0.15);
      Xr = (await pca(rows, n, D, REDUCED_DIM, { tick })).coords;
      dr = REDUCED_DIM;
    }
    prepared = { key, X: Xr, d: dr, knn: new Map() };
  }
  const prep = prepared;
  let knn = prep.knn.get(k);
  if (!knn) {
    setPhase(`nearest neighbours (k = ${k})`, 0.15, 0.4);
    knn = await knnGraph(prep.X, n, prep.d, k, { tick });
    prep.knn.set(k, knn);
  }
  const dims = job.dims;
  // the first iteration's layout is posted at once (so a short run still shows a partial layout and
  // its iteration count), later ones at most every 400 ms
  let lastPost = -Infinity;
  const maybePost = (Y: Float32Array, iter: number, f: number) => {
    const now = performance.now();
    if (now - lastPost < 400) return;
    lastPost = now;
    partial({ indices, coords: Y.slice(), dims, iterations: iter }, f);
  };
  if (job.kind === "tsne") {
    const init = new Float32Array(n * dims);
    // start from the leading principal components (the reduced data's first columns when reduced)
    const lead = prep.d === REDUCED_DIM && D > REDUCED_DIM ? prep.X : (await pca(prep.X, n, prep.d, dims)).coords;
    const w = lead === prep.X ? prep.d : dims;
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) init[i * dims + c] = lead[i * w + c] ?? 0;
    setPhase("t-SNE", 0.4, 1);
    const t = new TSNE(knn, { dim: dims, perplexity: job.perplexity, init });
    for (let it = 0; it < job.iterations; it++) {
      t.step();
      await tick(it / job.iterations);
      maybePost(t.Y, t.iter, 0.4 + 0.6 * (it / job.iterations));
    }
    return { indices, coords: t.Y.slice(), dims, iterations: t.iter };
  }
  setPhase("UMAP set-up", 0.4, 0.45);
  await tick(0);
  const u = new UMAP({ nComponents: dims, nNeighbors: k, minDist: 0.1, random: rng(42) });
  const kk = knn.k;
  const idxRows: number[][] = [], distRows: number[][] = [];
  for (let i = 0; i < n; i++) {
    // umap-js expects each row to start with the point itself at distance 0
    idxRows.push([i, ...Array.from(knn.indices.subarray(i * kk, i * kk + kk - 1))]);
    distRows.push([0, ...Array.from(knn.distances.subarray(i * kk, i * kk + kk - 1))]);
  }
  u.setPrecomputedKNN(idxRows, distRows);
  const rowsArr: number[][] = [];
  for (let i = 0; i < n; i++) rowsArr.push(Array.from(prep.X.subarray(i * prep.d, i * prep.d + prep.d)));
  const epochs = u.initializeFit(rowsArr);
  setPhase("UMAP", 0.45, 1);
  const flat = (emb: number[][]) => {
    const out = new Float32Array(n * dims);
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) out[i * dims + c] = emb[i][c];
    return out;
  };
  for (let ep = 0; ep < epochs; ep++) {
    u.step();
    await tick(ep / epochs);
    if (performance.now() - lastPost >= 400) maybePost(flat(u.getEmbedding()), ep + 1, 0.45 + 0.55 * (ep / epochs));
  }
  return { indices, coords: flat(u.getEmbedding()), dims, iterations: epochs };
}

/** Positions within `subset` of the given tensor rows (rows outside it are dropped). */
function remap(rows: Int32Array, subset: Int32Array | null): Int32Array {
  if (!subset) return rows;
  const at = new Map<number, number>();
  subset.forEach((r, i) => at.set(r, i));
  return Int32Array.from([...rows].filter((r) => at.has(r)).map((r) => at.get(r)!));
}

function hash(a: Int32Array): string {
  let h = 2166136261;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a[i], 16777619);
  return `${a.length}:${h >>> 0}`;
}
