// UMAP (McInnes, Healy & Melville 2018) in 2-D or 3-D on a precomputed k-NN graph (the
// worker's, lib/projection.ts), typed arrays throughout. The algorithm of the paper and of
// umap-learn, with its defaults:
//  1. fuzzy simplicial set: per point, rho_i = distance to its nearest neighbour and sigma_i
//     found by bisection so that sum_j exp(-(d_ij - rho_i) / sigma_i) = log2(k + 1) (k
//     neighbours besides the point itself: umap-learn's n_neighbors = k + 1), giving the
//     directed memberships w_ij = exp(-max(0, d_ij - rho_i) / sigma_i);
//  2. symmetrised by fuzzy union, w = w_ij + w_ji - w_ij w_ji;
//  3. the embedding's similarity curve 1 / (1 + a d^2b), a and b fitted by least squares to
//     1 below min_dist and exp(-(d - min_dist) / spread) above it;
//  4. SGD: every edge is sampled in proportion to its weight (once per epoch for the
//     heaviest; edges under max / epochs never, as umap-learn drops them), pulling both ends
//     together, and each sample pushes the head away from 5 random points; gradients
//     clipped to +-4, learning rate falling linearly to 0.
// Initialisation: the given layout (the worker passes the leading principal components)
// scaled to [0, 10] per axis, or uniform random. step() runs one epoch, so the worker can
// post layouts and stop at any time.
import type { KnnGraph } from "./projection";
import { gauss, rng, undirectedPairs } from "./projection";

export interface UmapOptions {
  dim: 2 | 3;
  minDist?: number;
  spread?: number;
  /** Default as umap-learn: 500 up to 10,000 points, 200 above. */
  epochs?: number;
  /** n x dim starting layout; uniform random when absent. */
  init?: Float32Array;
  negativeSampleRate?: number;
  learningRate?: number;
  seed?: number;
}

/**
 * a, b of 1 / (1 + a x^2b) closest (least squares on 300 points of [0, 3 spread]) to the
 * curve that is 1 up to minDist and exp(-(x - minDist) / spread) beyond: Levenberg-Marquardt
 * on the two parameters, as umap-learn's find_ab_params does with scipy's curve_fit.
 */
export function fitAB(minDist = 0.1, spread = 1): { a: number; b: number } {
  const m = 300;
  const xs = new Float64Array(m), ys = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = (3 * spread * i) / (m - 1);
    xs[i] = x;
    ys[i] = x < minDist ? 1 : Math.exp(-(x - minDist) / spread);
  }
  const cost = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += (1 / (1 + a * xs[i] ** (2 * b)) - ys[i]) ** 2;
    return s;
  };
  let a = 1, b = 1, lambda = 1e-3, c = cost(a, b);
  for (let it = 0; it < 200; it++) {
    // normal equations J^T J d = -J^T r of the residuals r_i = f(x_i) - y_i
    let jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
    for (let i = 0; i < m; i++) {
      const x = xs[i];
      if (x === 0) continue;  // f(0) = 1 = y: no residual, no gradient
      const u = x ** (2 * b), f = 1 / (1 + a * u);
      const r = f - ys[i];
      const da = -u * f * f, db = -a * u * 2 * Math.log(x) * f * f;
      jaa += da * da; jab += da * db; jbb += db * db; ga += da * r; gb += db * r;
    }
    const A = jaa * (1 + lambda), B = jbb * (1 + lambda), det = A * B - jab * jab;
    if (!(Math.abs(det) > 0)) break;
    const sa = -(B * ga - jab * gb) / det, sb = -(A * gb - jab * ga) / det;
    const na = a + sa, nb = b + sb;
    const nc = na > 0 && nb > 0 ? cost(na, nb) : Infinity;
    if (nc < c) {
      const gain = c - nc;
      a = na; b = nb; c = nc; lambda = Math.max(lambda / 10, 1e-12);
      if (gain < 1e-14 * (1 + c)) break;
    } else {
      lambda *= 10;
      if (lambda > 1e12) break;
    }
  }
  return { a, b };
}

/**
 * Directed memberships (n x k, aligned with knn.indices) of the fuzzy simplicial set: per row,
 * rho = the nearest non-zero distance, sigma by bisection to log2(k + 1) total membership,
 * with umap-learn's floor of 1e-3 x the row's (or, for rho = 0, the graph's) mean distance.
 */
export function fuzzyMemberships(knn: KnnGraph): Float32Array {
  const { n, k, distances } = knn;
  const w = new Float32Array(n * k);
  const target = Math.log2(k + 1);
  let meanAll = 0;
  for (let i = 0; i < n * k; i++) meanAll += distances[i];
  meanAll /= n * k || 1;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let rho = 0, meanRow = 0;
    for (let t = 0; t < k; t++) { const d = distances[o + t]; meanRow += d; if (rho === 0 && d > 0) rho = d; }
    meanRow /= k || 1;
    let lo = 0, hi = Infinity, sigma = 1;
    for (let it = 0; it < 64; it++) {
      let sum = 0;
      for (let t = 0; t < k; t++) { const d = distances[o + t] - rho; sum += d > 0 ? Math.exp(-d / sigma) : 1; }
      if (Math.abs(sum - target) < 1e-5) break;
      if (sum > target) { hi = sigma; sigma = (lo + hi) / 2; }
      else { lo = sigma; sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2; }
    }
    sigma = Math.max(sigma, 1e-3 * (rho > 0 ? meanRow : meanAll));
    for (let t = 0; t < k; t++) { const d = distances[o + t] - rho; w[o + t] = d > 0 && sigma > 0 ? Math.exp(-d / sigma) : 1; }
  }
  return w;
}

export class UMAP {
  readonly n: number;
  readonly dim: 2 | 3;
  readonly Y: Float32Array;
  readonly epochs: number;
  epoch = 0;
  readonly a: number;
  readonly b: number;
  // directed edges (both directions of every kept pair), grouped by head
  private head: Int32Array;
  private tail: Int32Array;
  private perSample: Float32Array;
  private nextSample: Float32Array;
  private nextNegative: Float32Array;
  private negativeRate: number;
  private lr: number;
  private seed: number;

  constructor(knn: KnnGraph, opts: UmapOptions) {
    const n = knn.n, dim = opts.dim;
    this.n = n; this.dim = dim;
    this.epochs = opts.epochs ?? (n <= 10000 ? 500 : 200);
    ({ a: this.a, b: this.b } = fitAB(opts.minDist ?? 0.1, opts.spread ?? 1));
    this.negativeRate = opts.negativeSampleRate ?? 5;
    this.lr = opts.learningRate ?? 1;
    const pairs = undirectedPairs(knn, fuzzyMemberships(knn));
    const m = pairs.a.length;
    const w = new Float32Array(m);
    let wMax = 0;
    for (let e = 0; e < m; e++) {
      const x = pairs.ab[e], y = pairs.ba[e];
      w[e] = x + y - x * y;
      if (w[e] > wMax) wMax = w[e];
    }
    const keep = (e: number) => w[e] > 0 && w[e] >= wMax / this.epochs;
    const degree = new Int32Array(n + 1);
    for (let e = 0; e < m; e++) if (keep(e)) { degree[pairs.a[e] + 1]++; degree[pairs.b[e] + 1]++; }
    for (let i = 0; i < n; i++) degree[i + 1] += degree[i];
    const edges = degree[n], fill = degree.slice(0, n);
    this.head = new Int32Array(edges); this.tail = new Int32Array(edges);
    this.perSample = new Float32Array(edges);
    for (let e = 0; e < m; e++) {
      if (!keep(e)) continue;
      const a = pairs.a[e], b = pairs.b[e], every = wMax / w[e];
      let q = fill[a]++;
      this.head[q] = a; this.tail[q] = b; this.perSample[q] = every;
      q = fill[b]++;
      this.head[q] = b; this.tail[q] = a; this.perSample[q] = every;
    }
    this.nextSample = this.perSample.slice();
    this.nextNegative = this.perSample.map((v) => v / this.negativeRate);
    this.Y = initialLayout(n, dim, opts.init, opts.seed ?? 42);
    this.seed = ((opts.seed ?? 42) * 2654435761) >>> 0 || 1;
  }

  get done(): boolean {
    return this.epoch >= this.epochs;
  }

  /** One epoch of SGD (nothing once all epochs are done). */
  step() {
    if (this.done) return;
    const { n, dim, Y, head, tail, perSample, nextSample, nextNegative, a, b } = this;
    const t = this.epoch + 1;  // the samples due by the end of this epoch
    const alpha = this.lr * (1 - this.epoch / this.epochs);
    const perNegative = this.negativeRate;
    const twoAB = 2 * a * b, twoB = 2 * b;
    let s = this.seed;  // xorshift32 state
    const toN = n / 4294967296;
    for (let e = 0; e < head.length; e++) {
      if (nextSample[e] > t) continue;
      const oj = head[e] * dim, ok = tail[e] * dim;
      // attraction along the edge (both ends move)
      let d2 = 0;
      for (let c = 0; c < dim; c++) { const v = Y[oj + c] - Y[ok + c]; d2 += v * v; }
      if (d2 > 0) {
        const pb = powPositive(d2, b);
        const coef = (-twoAB * (pb / d2)) / (a * pb + 1);
        for (let c = 0; c < dim; c++) {
          let g = coef * (Y[oj + c] - Y[ok + c]);
          g = g > 4 ? 4 : g < -4 ? -4 : g;
          Y[oj + c] += g * alpha;
          Y[ok + c] -= g * alpha;
        }
      }
      nextSample[e] += perSample[e];
      // repulsion from random points, as many as are due for this edge
      const every = perSample[e] / perNegative;
      const negatives = Math.floor((t - nextNegative[e]) / every);
      for (let p = 0; p < negatives; p++) {
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        const or = Math.floor((s >>> 0) * toN) * dim;
        if (or === oj) continue;
        let q2 = 0;
        for (let c = 0; c < dim; c++) { const v = Y[oj + c] - Y[or + c]; q2 += v * v; }
        if (q2 <= 0) continue;
        const coef = twoB / ((0.001 + q2) * (a * powPositive(q2, b) + 1));
        for (let c = 0; c < dim; c++) {
          let g = coef * (Y[oj + c] - Y[or + c]);
          g = g > 4 ? 4 : g < -4 ? -4 : g;
          Y[oj + c] += g * alpha;
        }
      }
      if (negatives > 0) nextNegative[e] += negatives * every;
    }
    this.seed = s;
    this.epoch++;
  }
}

// x^b for x > 0 through the bits of x as a float32: log2 x = exponent + log2(1 + mantissa)
// (degree-5 polynomial, error < 3e-5), then 2^(b log2 x) = 2^int x 2^frac (degree 4, < 1e-5):
// a relative error under 1e-4, at a fraction of Math.pow's cost, which otherwise takes most
// of the epochs' time (it runs for every sample).
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
export function powPositive(x: number, b: number): number {
  f32[0] = x;
  const bits = u32[0];
  const m = (bits & 0x7fffff) * (1 / 8388608);
  const log2 = ((bits >>> 23) - 127) +
    m * (1.44182549646614 + m * (-0.7086789117225705 + m * (0.4154111858772399 + m * (-0.19440832276578757 + m * 0.045878950091242085))));
  const y = b * log2;
  let i = Math.floor(y);
  const f = y - i;
  const frac = 1 + f * (0.6930186307765408 + f * (0.24140476782666426 + f * (0.05207393564163986 + f * 0.013493475472318148)));
  i = i < -126 ? -126 : i > 127 ? 127 : i;
  u32[0] = (i + 127) << 23;
  return frac * f32[0];
}

/** The starting layout, scaled to [0, 10] on every axis (umap-learn's rule for any initialisation). */
function initialLayout(n: number, dim: number, init: Float32Array | undefined, seed: number): Float32Array {
  const r = rng(seed);
  const Y = new Float32Array(n * dim);
  for (let i = 0; i < n * dim; i++) Y[i] = init ? init[i] : r() * 20 - 10;
  for (let c = 0; c < dim; c++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { const v = Y[i * dim + c]; if (v < lo) lo = v; if (v > hi) hi = v; }
    const scale = hi > lo ? 10 / (hi - lo) : 1;
    // a little noise (1e-4 of the range) separates coincident points, whose gradients would be 0
    for (let i = 0; i < n; i++) Y[i * dim + c] = (Y[i * dim + c] - lo) * scale + gauss(r) * 1e-3;
  }
  return Y;
}
