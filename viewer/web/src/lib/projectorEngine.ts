// What the projector's worker (projector.worker.ts) computes, without the messaging: holds
// the tensor and runs PCA, t-SNE, UMAP, custom projections and neighbour queries. Kept apart
// from the worker so that Node can run the very same code (tests/perf-layout.mjs measures
// its CPU time there). Long loops await `tick`, which in the worker yields, posts progress
// and throws when the job was cancelled.
import type { Job, JobResult, Layout } from "./projectorJobs";
import type { KnnGraph, Tick } from "./projection";
import { knnGraph, linearAxes, nearestNeighbors, pca, sampleIndices, spherize, takeRows } from "./projection";
import { TSNE } from "./tsne";
import { UMAP } from "./umap";

/** Width t-SNE and UMAP work in: wider data is reduced by PCA first (the usual t-SNE practice). */
const REDUCED_DIM = 50;

export type Phase = (name: string, from: number, to: number) => void;

/**
 * Jobs run, by kind, in this JavaScript realm (the worker's, or the page's if the engine were
 * ever run there): the browser tests read it from the worker and from the page to check that
 * every layout is computed off the page's main thread.
 */
export interface EngineRecord { jobs: Record<string, number> }
function record(): EngineRecord {
  const g = globalThis as unknown as { __tblogProjectorEngine?: EngineRecord };
  return (g.__tblogProjectorEngine ??= { jobs: {} });
}

export class ProjectorEngine {
  private raw: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private N = 0;
  private D = 0;
  private sphered: Float32Array<ArrayBufferLike> | null = null;
  // the reduced data and k-NN graph of the last t-SNE/UMAP input, reused when only the method or k changes
  private prepared: { key: string; X: Float32Array; d: number; knn: Map<number, KnnGraph> } | null = null;

  setData(data: Float32Array, n: number, d: number) {
    this.raw = data; this.N = n; this.D = d; this.sphered = null; this.prepared = null;
  }

  private data(sph: boolean): Float32Array {
    if (!sph) return this.raw;
    return (this.sphered ??= spherize(this.raw, this.N, this.D));
  }

  /** Runs a job; `partial` receives intermediate t-SNE/UMAP layouts (the first at once, then every 400 ms). */
  async execute(job: Job, tick: Tick, setPhase: Phase, partial: (l: Layout, f: number) => void): Promise<JobResult> {
    const { N, D } = this;
    if (!N) throw new Error("no tensor loaded");
    const jobs = record().jobs;
    jobs[job.kind] = (jobs[job.kind] ?? 0) + 1;
    const X = this.data(job.spherize);
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
    // UMAP's n_neighbors counts the point itself (umap-learn's convention): k - 1 others
    const k = job.kind === "tsne" ? Math.min(n - 1, Math.floor(3 * job.perplexity)) : Math.min(n - 1, job.neighbors - 1);
    if (n < 3) throw new Error(`${n} points are too few for ${job.kind === "tsne" ? "t-SNE" : "UMAP"}`);
    const key = `${job.spherize}|${n}|${indices ? hash(indices) : "all"}`;
    if (this.prepared?.key !== key) {
      const rows = indices ? takeRows(X, D, indices) : X;
      let Xr = rows, dr = D;
      if (D > REDUCED_DIM) {
        setPhase(`PCA to ${REDUCED_DIM} dimensions`, 0, 0.15);
        Xr = (await pca(rows, n, D, REDUCED_DIM, { tick })).coords;
        dr = REDUCED_DIM;
      }
      this.prepared = { key, X: Xr, d: dr, knn: new Map() };
    }
    const prep = this.prepared;
    let knn = prep.knn.get(k);
    if (!knn) {
      setPhase(`nearest neighbours (k = ${k})`, 0.15, 0.4);
      knn = await knnGraph(prep.X, n, prep.d, k, { tick });
      prep.knn.set(k, knn);
    }
    const dims = job.dims;
    // both start from the leading principal components (the reduced data's first columns when reduced)
    const init = new Float32Array(n * dims);
    const lead = prep.d === REDUCED_DIM && D > REDUCED_DIM ? prep.X : (await pca(prep.X, n, prep.d, dims)).coords;
    const w = lead === prep.X ? prep.d : dims;
    for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) init[i * dims + c] = lead[i * w + c] ?? 0;
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
    const u = new UMAP(knn, { dim: dims, minDist: 0.1, init });
    setPhase("UMAP", 0.45, 1);
    while (!u.done) {
      u.step();
      await tick(u.epoch / u.epochs);
      maybePost(u.Y, u.epoch, 0.45 + 0.55 * (u.epoch / u.epochs));
    }
    return { indices, coords: u.Y.slice(), dims, iterations: u.epoch };
  }
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
