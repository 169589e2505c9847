// Test fixture of the projector's unit tests (projection.test.ts, umap.test.ts): Gaussian
// clusters with known labels, and the layout measures of layoutQuality.js on them.
import { agreement, separation as separationOf } from "./layoutQuality.js";
import { gauss, rng } from "./random.js";

/** c Gaussian clusters of m points in d dims, centres `sep` apart on random axes; label = cluster. */
export function clusters(c: number, m: number, d: number, sep = 10, seed = 1) {
  const r = rng(seed);
  const centres = Array.from({ length: c }, () => Array.from({ length: d }, () => gauss(r) * sep / Math.sqrt(2)));
  const X = new Float32Array(c * m * d);
  const label: number[] = [];
  for (let k = 0; k < c; k++) for (let i = 0; i < m; i++) {
    const row = k * m + i;
    label.push(k);
    for (let j = 0; j < d; j++) X[row * d + j] = centres[k][j] + gauss(r);
  }
  return { X, n: c * m, d, label };
}

export const nnAgreement = (Y: ArrayLike<number>, _n: number, k: number, label: number[]) => agreement(Y, k, (i) => label[i]);
export const separation = (Y: ArrayLike<number>, _n: number, k: number, label: number[]) => separationOf(Y, k, (i) => label[i], Math.max(...label) + 1);
