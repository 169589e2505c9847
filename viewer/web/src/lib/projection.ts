// Numeric parts of the projector, on flat row-major Float32Arrays (N rows x D):
// spherize, sparse random projection, PCA (covariance of a row sample, Jacobi
// eigendecomposition), linear "custom" axes, nearest neighbours of one point
// (cosine or euclidean) and approximate k-NN of all points (random-projection
// forest, then one neighbours-of-neighbours pass) for t-SNE and UMAP.
//
// Long loops call `tick(fraction)` now and then; in the projector's worker it
// yields to the event loop (so a cancel message gets through) and throws when
// the job was cancelled. Without it the functions simply run to the end.

export type Tick = (fraction: number) => Promise<void> | void;
const noTick: Tick = () => undefined;

import { rng } from "./random.js";
export { gauss, rng } from "./random.js";

/** `count` distinct indices of [0, n) in random order (all of them when count >= n). */
export function sampleIndices(n: number, count: number, seed = 7): Int32Array {
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const r = rng(seed);
  const m = Math.min(n, count);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(r() * (n - i));
    const t = all[i]; all[i] = all[j]; all[j] = t;
  }
  return all.slice(0, m);
}

/** Rows `idx` of X as a new matrix. */
export function takeRows(X: Float32Array, d: number, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * d);
  for (let r = 0; r < idx.length; r++) out.set(X.subarray(idx[r] * d, idx[r] * d + d), r * d);
  return out;
}

/** TensorBoard's "spherize": shift by the centroid, then scale every row to unit norm. */
export function spherize(X: Float32Array, n: number, d: number): Float32Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n || 1;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const v = X[i * d + j] - mean[j]; out[i * d + j] = v; s += v * v; }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] *= inv;
  }
  return out;
}

/**
 * Sparse random projection to m dimensions (Li, Hastie & Church's "very sparse"
 * matrix: each entry is non-zero with probability 1/sqrt(d), +-1 then), which
 * keeps distances in expectation like the dense Gaussian matrix TensorBoard
 * uses, at 1/sqrt(d) of its cost.
 */
export async function randomProject(X: Float32Array, n: number, d: number, m: number, seed = 11, tick: Tick = noTick): Promise<Float32Array> {
  const r = rng(seed);
  const p = 1 / Math.sqrt(d);
  const cols: Int32Array[] = [];
  const signs: Float32Array[] = [];
  const scale = 1 / Math.sqrt(m * p);
  for (let c = 0; c < m; c++) {
    const js: number[] = [], ss: number[] = [];
    for (let j = 0; j < d; j++) if (r() < p) { js.push(j); ss.push(r() < 0.5 ? -scale : scale); }
    if (!js.length) { js.push(Math.floor(r() * d)); ss.push(scale); }
    cols.push(Int32Array.from(js)); signs.push(Float32Array.from(ss));
  }
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let c = 0; c < m; c++) {
      const js = cols[c], ss = signs[c];
      let s = 0;
      for (let t = 0; t < js.length; t++) s += X[o + js[t]] * ss[t];
      out[i * m + c] = s;
    }
    if ((i & 4095) === 4095) await tick(i / n);
  }
  return out;
}

/**
 * Eigen-decomposition of a symmetric d x d matrix (row-major, overwritten) by
 * cyclic Jacobi rotations. Returns eigenvalues in decreasing order and the
 * matching unit eigenvectors as rows of `vectors`.
 */
export function symmetricEigen(A: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  const V = new Float64Array(d * d);
  for (let i = 0; i < d; i++) V[i * d + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0, diag = 0;
    for (let p = 0; p < d; p++) {
      diag += A[p * d + p] ** 2;
      for (let q = p + 1; q < d; q++) off += A[p * d + q] ** 2;
    }
    if (off <= 1e-22 * (diag || 1)) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = A[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = A[p * d + p], aqq = A[q * d + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = A[k * d + p], akq = A[k * d + q];
          A[k * d + p] = c * akp - s * akq;
          A[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = A[p * d + k], aqk = A[q * d + k];
          A[p * d + k] = c * apk - s * aqk;
          A[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = V[k * d + p], vkq = V[k * d + q];
          V[k * d + p] = c * vkp - s * vkq;
          V[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => A[b * d + b] - A[a * d + a]);
  const values = new Float64Array(d), vectors = new Float64Array(d * d);
  order.forEach((col, r) => {
    values[r] = A[col * d + col];
    for (let k = 0; k < d; k++) vectors[r * d + k] = V[k * d + col];
  });
  return { values, vectors };
}

export interface PcaResult {
  /** n x k projected coordinates. */
  coords: Float32Array;
  /** Fraction of the total variance along each of the k components. */
  variance: number[];
  /** Dimensions the PCA saw (after random projection when d was larger). */
  dim: number;
}

export interface PcaOptions {
  /** Above this width the data is randomly projected first (TensorBoard: 200). */
  maxDim?: number;
  /** Rows sampled for the covariance (all rows are projected). */
  sample?: number;
  seed?: number;
  tick?: Tick;
}

/** Top-k principal components of X (n x d), the covariance estimated from a row sample. */
export async function pca(X: Float32Array, n: number, d: number, k: number, opts: PcaOptions = {}): Promise<PcaResult> {
  const tick = opts.tick ?? noTick;
  const maxDim = opts.maxDim ?? 200;
  let Y = X, dim = d;
  if (d > maxDim) {
    Y = await randomProject(X, n, d, maxDim, opts.seed ?? 11, (f) => tick(0.4 * f));
    dim = maxDim;
  }
  k = Math.min(k, dim);
  const rows = sampleIndices(n, opts.sample ?? 20000, opts.seed ?? 7);
  const mean = new Float64Array(dim);
  for (const i of rows) for (let j = 0; j < dim; j++) mean[j] += Y[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= rows.length || 1;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < rows.length; r++) {
    const o = rows[r] * dim;
    for (let j = 0; j < dim; j++) row[j] = Y[o + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const base = a * dim;
      for (let b = a; b < dim; b++) cov[base + b] += ra * row[b];
    }
    if ((r & 1023) === 1023) await tick(0.4 + 0.4 * (r / rows.length));
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) cov[a * dim + b] = cov[b * dim + a];
  let total = 0;
  for (let a = 0; a < dim; a++) total += cov[a * dim + a];
  const { values, vectors } = symmetricEigen(cov, dim);
  await tick(0.85);
  const coords = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let c = 0; c < k; c++) {
      let s = 0;
      const v = c * dim;
      for (let j = 0; j < dim; j++) s += (Y[o + j] - mean[j]) * vectors[v + j];
      coords[i * k + c] = s;
    }
    if ((i & 16383) === 16383) await tick(0.85 + 0.15 * (i / n));
  }
  const variance = Array.from(values.subarray(0, k), (v) => (total > 0 ? Math.max(0, v) / total : 0));
  return { coords, variance, dim };
}

/**
 * TensorBoard's custom projection: each axis is the direction from the centroid
 * of `neg` rows (all rows when empty) to the centroid of `pos` rows; points are
 * placed by their (centred) dot product with the unit direction.
 */
export function linearAxes(X: Float32Array, n: number, d: number, axes: { pos: ArrayLike<number>; neg: ArrayLike<number> }[]): Float32Array {
  const centroid = (idx: ArrayLike<number> | null) => {
    const c = new Float64Array(d);
    const m = idx ? idx.length : n;
    for (let r = 0; r < m; r++) { const i = idx ? idx[r] : r; for (let j = 0; j < d; j++) c[j] += X[i * d + j]; }
    for (let j = 0; j < d; j++) c[j] /= m || 1;
    return c;
  };
  const all = centroid(null);
  const k = axes.length;
  const out = new Float32Array(n * k);
  axes.forEach((ax, c) => {
    const p = ax.pos.length ? centroid(ax.pos) : all, q = ax.neg.length ? centroid(ax.neg) : all;
    const dir = p.map((v, j) => v - q[j]);
    const len = Math.hypot(...dir) || 1;
    for (let j = 0; j < d; j++) dir[j] /= len;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (X[i * d + j] - all[j]) * dir[j];
      out[i * k + c] = s;
    }
  });
  return out;
}

export type Metric = "cosine" | "euclidean";

/** The k nearest rows to row i by cosine or euclidean distance (i itself left out). */
export async function nearestNeighbors(X: Float32Array, n: number, d: number, i: number, k: number,
  metric: Metric = "cosine", tick: Tick = noTick): Promise<{ index: number; distance: number }[]> {
  const dist = new Float64Array(n);
  let ni = 0;
  for (let j = 0; j < d; j++) ni += X[i * d + j] ** 2;
  ni = Math.sqrt(ni) || 1;
  for (let r = 0; r < n; r++) {
    const o = r * d;
    if (metric === "cosine") {
      let dot = 0, nr = 0;
      for (let j = 0; j < d; j++) { const v = X[o + j]; dot += X[i * d + j] * v; nr += v * v; }
      dist[r] = 1 - dot / (ni * (Math.sqrt(nr) || 1));
    } else {
      let s = 0;
      for (let j = 0; j < d; j++) { const v = X[i * d + j] - X[o + j]; s += v * v; }
      dist[r] = Math.sqrt(s);
    }
    if ((r & 32767) === 32767) await tick(r / n);
  }
  dist[i] = Infinity;
  const heap = new TopK(Math.min(k, n - 1));
  for (let r = 0; r < n; r++) if (r !== i) heap.push(r, dist[r]);
  return heap.sorted().map(([index, distance]) => ({ index, distance }));
}

/** The k smallest (index, value) pairs seen, in a max-heap. */
class TopK {
  private idx: Int32Array; private val: Float64Array; private size = 0;
  constructor(private k: number) { this.idx = new Int32Array(k); this.val = new Float64Array(k); }
  push(i: number, v: number) {
    const { idx, val, k } = this;
    if (this.size < k) {
      let c = this.size++;
      while (c > 0) { const p = (c - 1) >> 1; if (val[p] >= v) break; idx[c] = idx[p]; val[c] = val[p]; c = p; }
      idx[c] = i; val[c] = v;
    } else if (k && v < val[0]) siftDown(idx, val, 0, k, i, v);
  }
  sorted(): [number, number][] {
    const out: [number, number][] = [];
    for (let t = 0; t < this.size; t++) out.push([this.idx[t], this.val[t]]);
    return out.sort((a, b) => a[1] - b[1]);
  }
}

/** Replaces the root of a max-heap (idx, val)[off..off+k) with (i, v) and restores the heap. */
function siftDown(idx: Int32Array, val: Float32Array | Float64Array, off: number, k: number, i: number, v: number) {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= k) break;
    const r = l + 1;
    const m = r < k && val[off + r] > val[off + l] ? r : l;
    if (val[off + m] <= v) break;
    idx[off + c] = idx[off + m]; val[off + c] = val[off + m]; c = m;
  }
  idx[off + c] = i; val[off + c] = v;
}

export interface KnnGraph {
  n: number; k: number;
  /** n x k neighbour indices, nearest first. */
  indices: Int32Array;
  /** n x k euclidean distances, ascending. */
  distances: Float32Array;
}

/**
 * Approximate k nearest neighbours of every row (euclidean): candidates from
 * the leaves of a few random-projection trees, then one pass that also tries
 * the neighbours' neighbours. Exact-on-leaves plus the refinement finds almost
 * all true neighbours on clustered data at a small fraction of the n^2 cost.
 */
export async function knnGraph(X: Float32Array, n: number, d: number, k: number,
  opts: { trees?: number; leaf?: number; seed?: number; tick?: Tick } = {}): Promise<KnnGraph> {
  k = Math.min(k, n - 1);
  const tick = opts.tick ?? noTick;
  const trees = opts.trees ?? (n > 5000 ? 4 : 6);
  const leaf = Math.max(opts.leaf ?? 2 * k, 32);
  const r = rng(opts.seed ?? 5);
  const idx = new Int32Array(n * k).fill(-1);
  const val = new Float32Array(n * k).fill(Infinity);
  const d2 = (a: number, b: number) => {
    let s = 0;
    const oa = a * d, ob = b * d;
    for (let j = 0; j < d; j++) { const t = X[oa + j] - X[ob + j]; s += t * t; }
    return s;
  };
  const offer = (a: number, b: number, v: number) => {
    const o = a * k;
    if (v >= val[o]) return;
    for (let t = 0; t < k; t++) if (idx[o + t] === b) return;
    siftDown(idx, val, o, k, b, v);
  };
  let work = 0;
  const totalWork = trees + 1;
  const order = new Int32Array(n);
  const side = new Float64Array(n);
  const normal = new Float64Array(d);
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < n; i++) order[i] = i;
    const stack: [number, number][] = [[0, n]];
    let done = 0;
    while (stack.length) {
      const [lo, hi] = stack.pop()!;
      const m = hi - lo;
      if (m <= leaf) {
        for (let a = lo; a < hi; a++) for (let b = a + 1; b < hi; b++) {
          const v = d2(order[a], order[b]);
          offer(order[a], order[b], v);
          offer(order[b], order[a], v);
        }
        done += m;
        if (done > 4096) { work += done / n; done = 0; await tick(work / totalWork); }
        continue;
      }
      // hyperplane halfway between two random rows of this node
      const pa = order[lo + Math.floor(r() * m)];
      let pb = order[lo + Math.floor(r() * m)];
      for (let tries = 0; pb === pa && tries < 5; tries++) pb = order[lo + Math.floor(r() * m)];
      let offset = 0;
      for (let j = 0; j < d; j++) {
        const a = X[pa * d + j], b = X[pb * d + j];
        normal[j] = a - b; offset += (a - b) * (a + b) / 2;
      }
      for (let q = lo; q < hi; q++) {
        const o = order[q] * d;
        let s = -offset;
        for (let j = 0; j < d; j++) s += normal[j] * X[o + j];
        side[q] = s;
      }
      let a = lo, b = hi - 1;
      while (a <= b) {
        if (side[a] > 0 || (side[a] === 0 && r() < 0.5)) a++;
        else { const t1 = order[a]; order[a] = order[b]; order[b] = t1; const t2 = side[a]; side[a] = side[b]; side[b] = t2; b--; }
      }
      let mid = a;
      if (mid - lo < 1 || hi - mid < 1) mid = lo + (m >> 1);
      stack.push([lo, mid], [mid, hi]);
    }
    work = t + 1;
    await tick(work / totalWork);
  }
  // neighbours of neighbours, restricted to the closest few of each (found once per row)
  const few = Math.min(k, 10);
  const near = new Int32Array(n * few).fill(-1);
  const order2 = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let m = 0;
    for (let t = 0; t < k; t++) if (idx[o + t] >= 0) order2[m++] = t;
    const row = order2.subarray(0, m).sort((x, y) => val[o + x] - val[o + y]);
    for (let t = 0; t < Math.min(few, m); t++) near[i * few + t] = idx[o + row[t]];
  }
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < few; a++) {
      const j = near[i * few + a];
      if (j < 0) continue;
      for (let b = 0; b < few; b++) { const q = near[j * few + b]; if (q >= 0 && q !== i) offer(i, q, d2(i, q)); }
    }
    if ((i & 1023) === 1023) await tick((trees + i / n) / totalWork);
  }
  // sort each row nearest-first, euclidean distances
  const indices = new Int32Array(n * k), distances = new Float32Array(n * k);
  const perm = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    // a row the trees left short (a tiny leaf every time) gets random fill-ins
    for (let t = 0; t < k; t++) if (idx[o + t] < 0) {
      let j = Math.floor(r() * n);
      while (j === i || idx.subarray(o, o + k).includes(j)) j = (j + 1) % n;
      idx[o + t] = j; val[o + t] = d2(i, j);
    }
    for (let t = 0; t < k; t++) perm[t] = t;
    perm.sort((x, y) => val[o + x] - val[o + y]);
    for (let t = 0; t < k; t++) { indices[o + t] = idx[o + perm[t]]; distances[o + t] = Math.sqrt(val[o + perm[t]]); }
  }
  return { n, k, indices, distances };
}

/** The undirected edges of a k-NN graph, each pair once as (a < b), with the weights of both directions. */
export interface UndirectedPairs {
  a: Int32Array; b: Int32Array;
  /** Weight of a -> b (b in a's row), 0 when b is not among a's neighbours. */
  ab: Float32Array;
  /** Weight of b -> a. */
  ba: Float32Array;
}

/**
 * Pairs of `knn` with the directed weights `w` (n x k, aligned with knn.indices): the directed
 * edges bucketed by their lower end, then merged within each bucket (no hashing, no sorting).
 */
export function undirectedPairs(knn: KnnGraph, w: Float32Array): UndirectedPairs {
  const { n, k, indices } = knn;
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) { const j = indices[i * k + t]; if (j !== i) start[Math.min(i, j) + 1]++; }
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const fill = start.slice(0, n), hi = new Int32Array(start[n]), wt = new Float32Array(start[n]);
  const up = new Uint8Array(start[n]);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
    const j = indices[i * k + t];
    if (j === i) continue;
    const e = fill[Math.min(i, j)]++;
    hi[e] = Math.max(i, j); wt[e] = w[i * k + t]; up[e] = i < j ? 1 : 0;
  }
  const seenIn = new Int32Array(n).fill(-1), at = new Int32Array(n);
  const m = start[n];
  const A = new Int32Array(m), B = new Int32Array(m), AB = new Float32Array(m), BA = new Float32Array(m);
  let q = 0;
  for (let a = 0; a < n; a++) for (let e = start[a]; e < start[a + 1]; e++) {
    const b = hi[e];
    if (seenIn[b] !== a) { seenIn[b] = a; at[b] = q; A[q] = a; B[q] = b; q++; }
    if (up[e]) AB[at[b]] += wt[e]; else BA[at[b]] += wt[e];
  }
  return { a: A.slice(0, q), b: B.slice(0, q), ab: AB.slice(0, q), ba: BA.slice(0, q) };
}

/** Metadata TSV: a header row only when there is more than one column (TensorBoard's rule). */
export function parseMetadata(tsv: string, rows: number): { columns: string[]; values: string[][] } {
  const lines = tsv.replace(/\r/g, "").split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const cells = lines.map((l) => l.split("\t"));
  const multi = (cells[0]?.length ?? 1) > 1;
  const columns = multi ? cells[0] : ["label"];
  const values = (multi ? cells.slice(1) : cells).slice(0, rows);
  return { columns, values };
}

export interface ColumnStats {
  name: string;
  numeric: boolean;
  min: number; max: number;
  /** Distinct values, most frequent first (categorical colouring). */
  unique: string[];
}

/** Whether a column is numeric (every non-empty cell a number) and its range / distinct values. */
export function columnStats(name: string, values: string[][], col: number): ColumnStats {
  const counts = new Map<string, number>();
  let numeric = true, min = Infinity, max = -Infinity;
  for (const row of values) {
    const v = row[col] ?? "";
    counts.set(v, (counts.get(v) ?? 0) + 1);
    if (v === "") continue;
    const x = Number(v);
    if (!Number.isFinite(x)) numeric = false;
    else { min = Math.min(min, x); max = Math.max(max, x); }
  }
  if (min === Infinity) numeric = false;
  const unique = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map((e) => e[0]);
  return { name, numeric, min, max, unique };
}
