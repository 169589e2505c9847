// Barnes-Hut t-SNE (van der Maaten 2014) in 2-D or 3-D, on a precomputed k-NN
// graph: input affinities only between neighbours (k = 3 x perplexity, as
// TensorBoard), repulsion through a quadtree/octree with opening angle theta (0.8, as
// TensorBoard's bh_tsne.ts; node visits grow as 1/theta^2, so 0.5 would cost ~2.5x).
// Optimisation as in the reference implementation and openTSNE: early
// exaggeration 12 for 250 iterations, momentum 0.5 then 0.8, per-coordinate
// gains, learning rate max(50, n / 12) (Belkina et al. 2019). step() does one iteration, so the
// worker can post intermediate layouts and stop at any time.
import type { KnnGraph } from "./projection";
import { gauss, rng, undirectedPairs } from "./projection";

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
  private edgeA: Int32Array;
  private edgeB: Int32Array;
  private P: Float32Array;
  private gains: Float32Array;
  private update: Float32Array;
  private grad: Float64Array;
  private theta: number;
  private lr: number;
  private tree: Tree;

  constructor(knn: KnnGraph, opts: TsneOptions) {
    const { n } = knn;
    this.n = n;
    this.dim = opts.dim;
    this.theta = opts.theta ?? 0.8;
    this.lr = opts.learningRate ?? Math.max(50, n / 12);
    const perplexity = Math.min(opts.perplexity ?? 30, Math.max(1, (n - 1) / 3));
    const cond = conditionalP(knn, perplexity);
    // symmetric P_ij = (p_j|i + p_i|j) / 2n, one entry per pair (i < j): the attraction
    // loop visits each pair once and moves both ends
    const pairs = undirectedPairs(knn, cond);
    const P = new Float32Array(pairs.ab.length);
    for (let e = 0; e < P.length; e++) P[e] = (pairs.ab[e] + pairs.ba[e]) / (2 * n);
    this.edgeA = pairs.a; this.edgeB = pairs.b; this.P = P;
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
    // in tree order: consecutive points walk nearly the same nodes (cache-friendly)
    const perm = this.tree.perm;
    for (let q = 0; q < n; q++) {
      const i = perm[q];
      rep[0] = rep[1] = rep[2] = 0;
      Z += this.tree.repulsion(i, Y, this.theta, rep);
      for (let c = 0; c < dim; c++) grad[i * dim + c] = rep[c];
    }
    const invZ = Z > 0 ? 1 / Z : 0;
    for (let i = 0; i < n * dim; i++) grad[i] = -grad[i] * invZ;
    // attraction along the k-NN edges
    const { edgeA, edgeB, P } = this;
    for (let e = 0; e < P.length; e++) {
      const oi = edgeA[e] * dim, oj = edgeB[e] * dim;
      const dx = Y[oi] - Y[oj], dy = Y[oi + 1] - Y[oj + 1], dz = dim === 3 ? Y[oi + 2] - Y[oj + 2] : 0;
      const f = (exaggeration * P[e]) / (1 + dx * dx + dy * dy + dz * dz);
      grad[oi] += f * dx; grad[oj] -= f * dx;
      grad[oi + 1] += f * dy; grad[oj + 1] -= f * dy;
      if (dim === 3) { grad[oi + 2] += f * dz; grad[oj + 2] -= f * dz; }
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

/**
 * A flat quadtree (dim 2) or octree (dim 3) over the current layout, rebuilt every iteration
 * without allocating: nodes in typed arrays, each node's points a contiguous range of `perm`
 * (their coordinates copied to `pos` in that order, so leaves read memory in sequence), and
 * only non-empty children stored (`first`..`first + kids`).
 */
class Tree {
  private cap = 0;
  private center = new Float64Array(0);
  private half = new Float64Array(0);
  private com = new Float64Array(0);
  private count = new Int32Array(0);
  private first = new Int32Array(0);
  private kids = new Int32Array(0);
  private start = new Int32Array(0);
  private depth = new Int32Array(0);
  private nodes = 0;
  /** Points in tree order. */
  readonly perm: Int32Array;
  private scratch: Int32Array;
  private code: Uint8Array;
  private pos: Float64Array;
  private stack = new Int32Array(4096);

  constructor(private dim: number, n: number) {
    this.perm = new Int32Array(n);
    this.scratch = new Int32Array(n);
    this.code = new Uint8Array(n);
    this.pos = new Float64Array(n * dim);
    this.grow(Math.max(64, 3 * n));
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
    this.first = copy(this.first, cap);
    this.kids = copy(this.kids, cap);
    this.start = copy(this.start, cap);
    this.depth = copy(this.depth, cap);
    this.cap = cap;
  }

  build(Y: Float32Array) {
    const d = this.dim, n = this.perm.length, K = 1 << d;
    const { perm, scratch, code } = this;
    for (let i = 0; i < n; i++) perm[i] = i;
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) { const v = Y[i * d + c]; if (v < lo[c]) lo[c] = v; if (v > hi[c]) hi[c] = v; }
    let half = 0;
    for (let c = 0; c < d; c++) { this.center[c] = (lo[c] + hi[c]) / 2; half = Math.max(half, (hi[c] - lo[c]) / 2); }
    this.half[0] = half * 1.0001 + 1e-12;
    this.start[0] = 0; this.count[0] = n; this.depth[0] = 0;
    this.nodes = 1;
    const cnt = new Int32Array(K + 1), at = new Int32Array(K);
    // nodes are split in creation order, so the node array doubles as the work queue
    for (let node = 0; node < this.nodes; node++) {
      const from = this.start[node], m = this.count[node];
      const to = from + m;
      for (let c = 0; c < d; c++) {
        let sum = 0;
        for (let q = from; q < to; q++) sum += Y[perm[q] * d + c];
        this.com[node * d + c] = sum / m;
      }
      this.kids[node] = 0;
      if (m <= 1 || this.depth[node] > 40) continue;
      // counting sort of the node's points into its 2^d cells
      cnt.fill(0);
      for (let q = from; q < to; q++) {
        const p = perm[q];
        let b = 0;
        for (let c = 0; c < d; c++) if (Y[p * d + c] >= this.center[node * d + c]) b |= 1 << c;
        code[q] = b;
        cnt[b + 1]++;
      }
      for (let b = 0; b < K; b++) { cnt[b + 1] += cnt[b]; at[b] = cnt[b]; }
      for (let q = from; q < to; q++) scratch[from + at[code[q]]++] = perm[q];
      perm.set(scratch.subarray(from, to), from);
      if (this.nodes + K > this.cap) this.grow(this.cap * 2);
      const h = this.half[node] / 2;
      this.first[node] = this.nodes;
      for (let b = 0; b < K; b++) {
        const size = cnt[b + 1] - cnt[b];
        if (!size) continue;
        const ch = this.nodes++;
        this.kids[node]++;
        this.half[ch] = h;
        this.start[ch] = from + cnt[b];
        this.count[ch] = size;
        this.depth[ch] = this.depth[node] + 1;
        for (let c = 0; c < d; c++) this.center[ch * d + c] = this.center[node * d + c] + ((b >> c) & 1 ? h : -h);
      }
    }
    for (let q = 0; q < n; q++) for (let c = 0; c < d; c++) this.pos[q * d + c] = Y[perm[q] * d + c];
  }

  /** Adds sum_j q_ij^2 (y_i - y_j) into out (unnormalised) and returns sum_j q_ij (this point's share of Z). */
  repulsion(i: number, Y: Float32Array, theta: number, out: Float64Array): number {
    const d = this.dim, t2 = theta * theta;
    const { count, first, kids, start, com, half, pos, perm } = this;
    let stack = this.stack, sp = 0, z = 0;
    let fx = 0, fy = 0, fz = 0;
    stack[sp++] = 0;
    const yi0 = Y[i * d], yi1 = Y[i * d + 1], yi2 = d === 3 ? Y[i * d + 2] : 0;
    while (sp) {
      const node = stack[--sp];
      const m = count[node];
      if (!kids[node]) {
        for (let q = start[node]; q < start[node] + m; q++) {
          if (perm[q] === i) continue;
          const dx = yi0 - pos[q * d], dy = yi1 - pos[q * d + 1], dz = d === 3 ? yi2 - pos[q * d + 2] : 0;
          const qij = 1 / (1 + dx * dx + dy * dy + dz * dz);
          z += qij;
          const f = qij * qij;
          fx += f * dx; fy += f * dy; fz += f * dz;
        }
        continue;
      }
      const dx = yi0 - com[node * d], dy = yi1 - com[node * d + 1], dz = d === 3 ? yi2 - com[node * d + 2] : 0;
      const d2 = dx * dx + dy * dy + dz * dz;
      const w = 2 * half[node];
      if (w * w < t2 * d2) {
        const qij = 1 / (1 + d2);
        z += m * qij;
        const f = m * qij * qij;
        fx += f * dx; fy += f * dy; fz += f * dz;
        continue;
      }
      if (sp + 8 > stack.length) { const s2 = new Int32Array(stack.length * 2); s2.set(stack); stack = this.stack = s2; }
      for (let c = first[node], e = c + kids[node]; c < e; c++) stack[sp++] = c;
    }
    out[0] += fx; out[1] += fy; out[2] += fz;
    return z;
  }
}
