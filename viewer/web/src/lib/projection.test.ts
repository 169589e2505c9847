import { describe, expect, it } from "vitest";
import {
  columnStats, gauss, knnGraph, linearAxes, nearestNeighbors, parseMetadata, pca, randomProject, rng, spherize, symmetricEigen,
} from "./projection";
import { clusters, nnAgreement, separation } from "./testClusters";
import { TSNE } from "./tsne";

describe("pca", () => {
  it("finds the direction of largest variance first", async () => {
    // points along (1, 1, 0) with a little noise on z
    const pts = [-2, -2, 0.1, -1, -1, -0.1, 0, 0, 0.05, 1, 1, -0.05, 2, 2, 0];
    const { coords, variance } = await pca(new Float32Array(pts), 5, 3, 2);
    expect(variance[0]).toBeGreaterThan(0.99);
    const first = [0, 1, 2, 3, 4].map((i) => coords[i * 2]);
    expect(Math.abs(first[4] - first[0])).toBeCloseTo(4 * Math.SQRT2, 2);
  });

  it("separates Gaussian clusters, also after random projection of wide data", async () => {
    const { X, n, d, label } = clusters(4, 100, 400);
    const r = await pca(X, n, d, 2, { maxDim: 100 });
    expect(r.dim).toBe(100);
    expect(separation(r.coords, n, 2, label)).toBeGreaterThan(3);
    expect(r.variance[0] + r.variance[1]).toBeGreaterThan(0.5);
  });

  it("matches the exact eigen-decomposition", () => {
    const A = new Float64Array([4, 1, 0, 1, 3, 0, 0, 0, 1]);
    const { values, vectors } = symmetricEigen(A, 3);
    expect(values[0]).toBeCloseTo((7 + Math.sqrt(5)) / 2, 10);
    expect(values[1]).toBeCloseTo((7 - Math.sqrt(5)) / 2, 10);
    expect(values[2]).toBeCloseTo(1, 10);
    // A v = lambda v for the first vector
    const v = vectors.subarray(0, 3);
    expect(4 * v[0] + v[1]).toBeCloseTo(values[0] * v[0], 8);
  });
});

describe("random projection", () => {
  it("keeps pairwise distances on average", async () => {
    const r = rng(3);
    const n = 50, d = 1000, m = 200;
    const X = new Float32Array(n * d).map(() => gauss(r));
    const Y = await randomProject(X, n, d, m);
    let ratio = 0, pairs = 0;
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) {
      let sx = 0, sy = 0;
      for (let j = 0; j < d; j++) sx += (X[a * d + j] - X[b * d + j]) ** 2;
      for (let j = 0; j < m; j++) sy += (Y[a * m + j] - Y[b * m + j]) ** 2;
      ratio += Math.sqrt(sy / sx); pairs++;
    }
    expect(ratio / pairs).toBeGreaterThan(0.85);
    expect(ratio / pairs).toBeLessThan(1.15);
  });
});

describe("spherize", () => {
  it("centres the data and gives every row unit norm", () => {
    const X = new Float32Array([1, 2, 3, 4, 5, 6, 10, 0]);
    const S = spherize(X, 4, 2);
    for (let i = 0; i < 4; i++) expect(Math.hypot(S[i * 2], S[i * 2 + 1])).toBeCloseTo(1, 5);
    // direction of row 0 from the centroid (4.75, 3)
    expect(S[1] / S[0]).toBeCloseTo((2 - 3) / (1 - 4.75), 5);
  });
});

describe("custom projection", () => {
  it("places points along the direction between the two query centroids", () => {
    // x-axis query: right = rows 2,3 (x ~ 5), left = rows 0,1 (x ~ -5); y separates rows 1,3 from 0,2
    const X = new Float32Array([-5, -1, 0, -5, 1, 0, 5, -1, 0, 5, 1, 0]);
    const Y = linearAxes(X, 4, 3, [{ pos: [2, 3], neg: [0, 1] }, { pos: [1, 3], neg: [0, 2] }]);
    expect(Array.from(Y)).toEqual([-5, -1, -5, 1, 5, -1, 5, 1]);
  });
});

describe("nearestNeighbors", () => {
  it("ranks by cosine distance", async () => {
    const d = new Float32Array([1, 0, 0.9, 0.1, 0, 1, -1, 0]);
    expect((await nearestNeighbors(d, 4, 2, 0, 3)).map((r) => r.index)).toEqual([1, 2, 3]);
  });
  it("ranks by euclidean distance, which can differ from cosine", async () => {
    const d = new Float32Array([1, 0, 10, 0, 0, 1]);
    expect((await nearestNeighbors(d, 3, 2, 0, 2, "cosine")).map((r) => r.index)).toEqual([1, 2]);
    const eu = await nearestNeighbors(d, 3, 2, 0, 2, "euclidean");
    expect(eu.map((r) => r.index)).toEqual([2, 1]);
    expect(eu[0].distance).toBeCloseTo(Math.SQRT2, 6);
  });
});

describe("knnGraph", () => {
  it("finds nearly all exact neighbours", async () => {
    const { X, n, d } = clusters(5, 200, 20, 6);
    const k = 10;
    const g = await knnGraph(X, n, d, k);
    let hit = 0;
    for (const i of [0, 137, 401, 650, 999]) {
      const exact = (await nearestNeighbors(X, n, d, i, k, "euclidean")).map((r) => r.index);
      const got = new Set(g.indices.subarray(i * k, i * k + k));
      hit += exact.filter((j) => got.has(j)).length;
      for (let t = 1; t < k; t++) expect(g.distances[i * k + t]).toBeGreaterThanOrEqual(g.distances[i * k + t - 1]);
    }
    expect(hit / (5 * k)).toBeGreaterThan(0.9);
  });
});

describe("t-SNE (Barnes-Hut)", () => {
  for (const dim of [2, 3] as const) {
    it(`converges to separated clusters in ${dim}-D`, async () => {
      const { X, n, d, label } = clusters(4, 60, 30, 8);
      const g = await knnGraph(X, n, d, 45);
      const t = new TSNE(g, { dim, perplexity: 15 });
      for (let i = 0; i < 400; i++) t.step();
      expect(nnAgreement(t.Y, n, dim, label)).toBeGreaterThan(0.97);
      expect(separation(t.Y, n, dim, label)).toBeGreaterThan(2);
    }, 60000);
  }
});

describe("parseMetadata", () => {
  it("treats a single column as header-less and several columns as headed", () => {
    expect(parseMetadata("a\nb\n", 10)).toEqual({ columns: ["label"], values: [["a"], ["b"]] });
    expect(parseMetadata("word\tparity\nw0\t0\n", 10)).toEqual({ columns: ["word", "parity"], values: [["w0", "0"]] });
  });
});

describe("columnStats", () => {
  it("tells numeric columns from categorical ones", () => {
    const v = [["a", "1.5"], ["b", "-2"], ["a", ""]];
    expect(columnStats("c", v, 0)).toMatchObject({ numeric: false, unique: ["a", "b"] });
    expect(columnStats("x", v, 1)).toMatchObject({ numeric: true, min: -2, max: 1.5 });
  });
});
