import { describe, expect, it } from "vitest";
import type { KnnGraph } from "./projection";
import { knnGraph, pca, undirectedPairs } from "./projection";
import { clusters, nnAgreement, separation } from "./testClusters";
import { UMAP, fitAB, fuzzyMemberships, powPositive } from "./umap";

describe("fitAB", () => {
  it("gives umap-learn's a, b for its defaults (min_dist 0.1, spread 1)", () => {
    const { a, b } = fitAB(0.1, 1);
    // umap-learn's find_ab_params(1.0, 0.1): a = 1.5769, b = 0.8951
    expect(a).toBeCloseTo(1.577, 2);
    expect(b).toBeCloseTo(0.895, 2);
  });

  it("fits the target curve closely, flatter near 0 for a larger min_dist", () => {
    for (const minDist of [0.01, 0.1, 0.5]) {
      const { a, b } = fitAB(minDist, 1);
      let worst = 0;
      for (let i = 0; i < 300; i++) {
        const x = (3 * i) / 299, y = x < minDist ? 1 : Math.exp(-(x - minDist));
        worst = Math.max(worst, Math.abs(1 / (1 + a * x ** (2 * b)) - y));
      }
      expect(worst).toBeLessThan(0.1);
    }
    const at = (minDist: number, x: number) => { const { a, b } = fitAB(minDist, 1); return 1 / (1 + a * x ** (2 * b)); };
    expect(at(0.5, 0.3)).toBeGreaterThan(at(0.1, 0.3));
  });
});

describe("powPositive", () => {
  it("matches Math.pow to 1e-4 relative over the range of squared distances", () => {
    let worst = 0;
    for (const b of [0.79, 0.895, 1.3]) for (let e = -30; e <= 30; e += 0.01) {
      const x = Math.exp(e);
      worst = Math.max(worst, Math.abs(powPositive(x, b) / Math.pow(x, b) - 1));
    }
    expect(worst).toBeLessThan(1e-4);
    expect(powPositive(4, 0.5)).toBeCloseTo(2, 4);
  });
});

/** A k-NN graph from a distance table: each row's k nearest others, ascending. */
function exactGraph(dist: number[][], k: number): KnnGraph {
  const n = dist.length, indices = new Int32Array(n * k), distances = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const order = dist[i].map((d, j) => [d, j]).filter(([, j]) => j !== i).sort((x, y) => x[0] - y[0]).slice(0, k);
    order.forEach(([d, j], t) => { indices[i * k + t] = j; distances[i * k + t] = d; });
  }
  return { n, k, indices, distances };
}

describe("fuzzy simplicial set", () => {
  const pts = [0, 1, 3, 7, 15, 16];
  const g = exactGraph(pts.map((x) => pts.map((y) => Math.abs(x - y))), 3);

  it("gives the nearest neighbour membership 1 and each row log2(k + 1) in total", () => {
    const w = fuzzyMemberships(g);
    for (let i = 0; i < g.n; i++) {
      const row = Array.from(w.subarray(i * 3, i * 3 + 3));
      expect(row[0]).toBe(1);
      expect(row[1]).toBeLessThan(1);
      expect(row[1]).toBeGreaterThanOrEqual(row[2]);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(2, 4);
    }
  });

  it("lists each undirected pair once with both directions' weights", () => {
    const w = Float32Array.from({ length: g.n * 3 }, (_, e) => e + 1);
    const p = undirectedPairs(g, w);
    const seen = new Set<string>();
    for (let e = 0; e < p.a.length; e++) {
      const a = p.a[e], b = p.b[e];
      expect(a).toBeLessThan(b);
      expect(seen.has(`${a},${b}`)).toBe(false);
      seen.add(`${a},${b}`);
      const inRow = (i: number, j: number) => { for (let t = 0; t < 3; t++) if (g.indices[i * 3 + t] === j) return w[i * 3 + t]; return 0; };
      expect(p.ab[e]).toBe(inRow(a, b));
      expect(p.ba[e]).toBe(inRow(b, a));
    }
    // every directed edge is in some pair
    for (let i = 0; i < g.n; i++) for (let t = 0; t < 3; t++) {
      const j = g.indices[i * 3 + t];
      expect(seen.has(`${Math.min(i, j)},${Math.max(i, j)}`)).toBe(true);
    }
  });
});

describe("UMAP", () => {
  for (const dim of [2, 3] as const) {
    it(`converges to separated clusters in ${dim}-D, from PCA and from random starts`, async () => {
      const { X, n, d, label } = clusters(4, 60, 30, 8);
      const g = await knnGraph(X, n, d, 14);
      const init = (await pca(X, n, d, dim)).coords;
      for (const start of [init, undefined]) {
        const u = new UMAP(g, { dim, init: start });
        expect(u.epochs).toBe(500);
        while (!u.done) u.step();
        expect(u.epoch).toBe(500);
        expect(nnAgreement(u.Y, n, dim, label)).toBeGreaterThan(0.97);
        expect(separation(u.Y, n, dim, label)).toBeGreaterThan(2);
      }
    }, 60000);
  }

  it("is reproducible from its seed and moves points every epoch", async () => {
    const { X, n, d } = clusters(3, 40, 10, 8);
    const g = await knnGraph(X, n, d, 10);
    const run = (seed: number, epochs: number) => { const u = new UMAP(g, { dim: 2, seed, epochs: 50 }); for (let e = 0; e < epochs; e++) u.step(); return u.Y; };
    expect(run(3, 50)).toEqual(run(3, 50));
    expect(run(3, 50)).not.toEqual(run(4, 50));
    expect(run(3, 2)).not.toEqual(run(3, 1));
  });
});
