// Barnes-Hut t-SNE (van der Maaten 2014) in 2-D or 3-D, on a precomputed k-NN
// graph: input affinities only between neighbours (k = 3 x perplexity, as
// TensorBoard), repulsion through a quadtree/octree with opening angle theta.
// Optimisation as in the reference implementation and openTSNE: early
// exaggeration 12 for 250 iterations, momentum 0.5 then 0.8, per-coordinate
// gains, learning rate max(50, n / 12) (Belkina et al. 2019). step() does one iteration, so the
// worker can post intermediate layouts and stop at any time.
import type { KnnGraph } from "./projection";
import { gauss, rng } from "./projection";

export interface TsneOptions {
  dim: 2 | 3;
  perplexity?: number;
  theta?: number;
  learningRate?: number;
  /** n x dim starting layout (e.g. the first principal components); random when absent. */
  init?: Float32Array;
  seed?: number;
}

export class TSNE {
  readonly n: number;
  readonly dim: 2 | 3;
  readonly Y: Float32Array;
  iter = 0;
  private rowStart: Int32Array;
  private cols: Int32Array;
  private P: Float32Array;
  private gains: Float32Array;
  private update: Float32Array;
  private grad: Float64Array;
  private theta: number;
  private lr: number;
  private tree: Tree;

  constructor(knn: KnnGraph, opts: TsneOptions) {
    const { n, k } = knn;
    this.n = n;
    this.dim = opts.dim;
    this.theta = opts.theta ?? 0.5;
    this.lr = opts.learningRate ?? Math.max(50, n / 12);
    const perplexity = Math.min(opts.perplexity ?? 30, Math.max(1, (n - 1) / 3));
    const cond = conditionalP(knn, perplexity);
    // symmetric P = (p_j|i + p_i|j) / 2n, kept as both directed edges of every pair
    const counts = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) { counts[i + 1]++; counts[knn.indices[i * k + t] + 1]++; }
    for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
    this.rowStart = counts.slice();
    const fill = counts.slice(0, n);
    this.cols = new Int32Array(counts[n]);
    this.P = new Float32Array(counts[n]);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) {
      const j = knn.indices[i * k + t], p = cond[i * k + t] / (2 * n);
      this.cols[fill[i]] = j; this.P[fill[i]++] = p;
      this.cols[fill[j]] = i; this.P[fill[j]++] = p;
    }
    const dim = this.dim;
    this.Y = new Float32Array(n * dim);
    if (opts.init) {
      // rescale the given layout to standard deviation 1e-4 (openTSNE's rule for PCA init)
      let s = 0;
      for (let i = 0; i < n; i++) s += opts.init[i * dim] ** 2;
      const sd = Math.sqrt(s / n) || 1;
      for (let i = 0; i < n * dim; i++) this.Y[i] = (opts.init[i] / sd) * 1e-4;
    } else {
      const r = rng(opts.seed ?? 3);
      for (let i = 0; i < n * dim; i++) this.Y[i] = gauss(r) * 1e-4;
    }
    this.gains = new Float32Array(n * dim).fill(1);
    this.update = new Float32Array(n * dim);
    this.grad = new Float64Array(n * dim);
    this.tree = new Tree(dim, n);
  }

  /** One gradient-descent iteration. */
  step() {
    const { n, dim, Y, grad, gains, update } = this;
    const early = this.iter < 250;
    const exaggeration = early ? 12 : 1;
    const momentum = early ? 0.5 : 0.8;
    this.tree.build(Y);
    grad.fill(0);
    // repulsion (summed unnormalised, divided by Z afterwards)
    const rep = new Float64Array(3);
    let Z = 0;
    for (let i = 0; i < n; i++) {
      rep[0] = rep[1] = rep[2] = 0;
      Z += this.tree.repulsion(i, Y, this.theta, rep);
      for (let c = 0; c < dim; c++) grad[i * dim + c] = rep[c];
    }
    const invZ = Z > 0 ? 1 / Z : 0;
    for (let i = 0; i < n * dim; i++) grad[i] = -grad[i] * invZ;
    // attraction along the k-NN edges
    for (let i = 0; i < n; i++) {
      const oi = i * dim;
      for (let e = this.rowStart[i]; e < this.rowStart[i + 1]; e++) {
        const oj = this.cols[e] * dim;
        let d2 = 0;
        for (let c = 0; c < dim; c++) { const t = Y[oi + c] - Y[oj + c]; d2 += t * t; }
        const f = (exaggeration * this.P[e]) / (1 + d2);
        for (let c = 0; c < dim; c++) grad[oi + c] += f * (Y[oi + c] - Y[oj + c]);
      }
    }
    const mean = [0, 0, 0];
    for (let i = 0; i < n * dim; i++) {
      const g = 4 * grad[i];
      gains[i] = Math.sign(g) !== Math.sign(update[i]) ? gains[i] + 0.2 : Math.max(0.01, gains[i] * 0.8);
      update[i] = momentum * update[i] - this.lr * gains[i] * g;
      Y[i] += update[i];
      mean[i % dim] += Y[i];
    }
    for (let i = 0; i < n * dim; i++) Y[i] -= mean[i % dim] / n;
    this.iter++;
  }
}

/** p_j|i over each row's neighbours, each row's Gaussian bandwidth found by bisection to match the perplexity. */
function conditionalP(knn: KnnGraph, perplexity: number): Float32Array {
  const { n, k, distances } = knn;
  const out = new Float32Array(n * k);
  const target = Math.log(perplexity);
  const w = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const d0 = distances[o] ** 2;
    let beta = 1, lo = 0, hi = Infinity;
    for (let it = 0; it < 64; it++) {
      let sum = 0, hsum = 0;
      for (let t = 0; t < k; t++) {
        const dd = distances[o + t] ** 2 - d0;
        w[t] = Math.exp(-beta * dd);
        sum += w[t];
        hsum += beta * dd * w[t];
      }
      const H = Math.log(sum) + hsum / sum;
      if (Math.abs(H - target) < 1e-5) break;
      if (H > target) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; }
      else { hi = beta; beta = (beta + lo) / 2; }
    }
    let sum = 0;
    for (let t = 0; t < k; t++) sum += w[t];
    for (let t = 0; t < k; t++) out[o + t] = w[t] / (sum || 1);
  }
  return out;
}

/** A flat quadtree (dim 2) or octree (dim 3) over the current layout, rebuilt every iteration. */
class Tree {
  private kids: number;
  private cap = 0;
  private center = new Float64Array(0);
  private half = new Float64Array(0);
  private com = new Float64Array(0);
  private count = new Int32Array(0);
  private child = new Int32Array(0);
  private start = new Int32Array(0);
  private nodes = 0;
  private perm: Int32Array;
  private scratch: Int32Array;
  private stack = new Int32Array(4096);

  constructor(private dim: number, n: number) {
    this.kids = 1 << dim;
    this.perm = new Int32Array(n);
    this.scratch = new Int32Array(n);
    this.grow(Math.max(64, 4 * n));
  }

  private grow(cap: number) {
    const d = this.dim;
    const copy = <T extends Float64Array | Int32Array>(a: T, size: number): T => {
      const b = new (a.constructor as { new(n: number): T })(size);
      b.set(a.subarray(0, Math.min(a.length, size)));
      return b;
    };
    this.center = copy(this.center, cap * d);
    this.com = copy(this.com, cap * d);
    this.half = copy(this.half, cap);
    this.count = copy(this.count, cap);
    this.child = copy(this.child, cap);
    this.start = copy(this.start, cap);
    this.cap = cap;
  }

  build(Y: Float32Array) {
    const d = this.dim, n = this.perm.length;
    for (let i = 0; i < n; i++) this.perm[i] = i;
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) { const v = Y[i * d + c]; if (v < lo[c]) lo[c] = v; if (v > hi[c]) hi[c] = v; }
    let half = 0;
    for (let c = 0; c < d; c++) { this.center[c] = (lo[c] + hi[c]) / 2; half = Math.max(half, (hi[c] - lo[c]) / 2); }
    this.half[0] = half * 1.0001 + 1e-12;
    this.nodes = 1;
    this.fill(0, 0, n, Y, 0);
  }

  private fill(node: number, lo: number, hi: number, Y: Float32Array, depth: number) {
    const d = this.dim, K = this.kids;
    const m = hi - lo;
    this.count[node] = m;
    this.start[node] = lo;
    this.child[node] = -1;
    for (let c = 0; c < d; c++) {
      let s = 0;
      for (let q = lo; q < hi; q++) s += Y[this.perm[q] * d + c];
      this.com[node * d + c] = m ? s / m : 0;
    }
    if (m <= 1 || depth > 40) return;
    // counting sort of the node's points into its 2^d cells
    const cnt = new Int32Array(K + 1);
    const code = (p: number) => {
      let b = 0;
      for (let c = 0; c < d; c++) if (Y[p * d + c] >= this.center[node * d + c]) b |= 1 << c;
      return b;
    };
    for (let q = lo; q < hi; q++) cnt[code(this.perm[q]) + 1]++;
    for (let b = 0; b < K; b++) cnt[b + 1] += cnt[b];
    const pos = cnt.slice(0, K);
    for (let q = lo; q < hi; q++) { const p = this.perm[q]; this.scratch[lo + pos[code(p)]++] = p; }
    this.perm.set(this.scratch.subarray(lo, hi), lo);
    if (this.nodes + K > this.cap) this.grow(this.cap * 2);
    const first = this.nodes;
    this.nodes += K;
    this.child[node] = first;
    const h = this.half[node] / 2;
    for (let b = 0; b < K; b++) {
      const ch = first + b;
      this.half[ch] = h;
      for (let c = 0; c < d; c++) this.center[ch * d + c] = this.center[node * d + c] + ((b >> c) & 1 ? h : -h);
      this.fill(ch, lo + cnt[b], lo + cnt[b + 1], Y, depth + 1);
    }
  }

  /** Adds sum_j q_ij^2 (y_i - y_j) into out (unnormalised) and returns sum_j q_ij (this point's share of Z). */
  repulsion(i: number, Y: Float32Array, theta: number, out: Float64Array): number {
    const d = this.dim, K = this.kids, t2 = theta * theta;
    let stack = this.stack, sp = 0, z = 0;
    stack[sp++] = 0;
    const yi0 = Y[i * d], yi1 = Y[i * d + 1], yi2 = d === 3 ? Y[i * d + 2] : 0;
    while (sp) {
      const node = stack[--sp];
      const m = this.count[node];
      if (!m) continue;
      const leaf = this.child[node] < 0;
      if (leaf) {
        for (let q = this.start[node]; q < this.start[node] + m; q++) {
          const j = this.perm[q];
          if (j === i) continue;
          const dx = yi0 - Y[j * d], dy = yi1 - Y[j * d + 1], dz = d === 3 ? yi2 - Y[j * d + 2] : 0;
          const qij = 1 / (1 + dx * dx + dy * dy + dz * dz);
          z += qij;
          const f = qij * qij;
          out[0] += f * dx; out[1] += f * dy; out[2] += f * dz;
        }
        continue;
      }
      const dx = yi0 - this.com[node * d], dy = yi1 - this.com[node * d + 1], dz = d === 3 ? yi2 - this.com[node * d + 2] : 0;
      const d2 = dx * dx + dy * dy + dz * dz;
      const w = 2 * this.half[node];
      if (w * w < t2 * d2) {
        const qij = 1 / (1 + d2);
        z += m * qij;
        const f = m * qij * qij;
        out[0] += f * dx; out[1] += f * dy; out[2] += f * dz;
        continue;
      }
      if (sp + K > stack.length) { const s2 = new Int32Array(stack.length * 2); s2.set(stack); stack = this.stack = s2; }
      for (let b = 0; b < K; b++) stack[sp++] = this.child[node] + b;
    }
    return z;
  }
}
