// How well a 2-D/3-D layout keeps known clusters apart: the measures the projector's unit
// tests (vitest) and browser tests (node) both assert. Plain JavaScript so both can import it.
// coords: m x dims row-major; clusterOf(r): the cluster (0..C-1) of layout row r.

/** Smallest distance between cluster centroids over the mean distance of points to their centroid. */
export function separation(coords, dims, clusterOf, C) {
  const m = coords.length / dims;
  const cent = Array.from({ length: C }, () => new Array(dims).fill(0)), cnt = new Array(C).fill(0);
  for (let r = 0; r < m; r++) { const c = clusterOf(r); cnt[c]++; for (let a = 0; a < dims; a++) cent[c][a] += coords[r * dims + a]; }
  cent.forEach((v, c) => v.forEach((_, a) => (v[a] /= cnt[c])));
  let spread = 0;
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let a = 0; a < dims; a++) s += (coords[r * dims + a] - cent[clusterOf(r)][a]) ** 2;
    spread += Math.sqrt(s) / m;
  }
  let gap = Infinity;
  for (let a = 0; a < C; a++) for (let b = a + 1; b < C; b++) gap = Math.min(gap, Math.hypot(...cent[a].map((v, c) => v - cent[b][c])));
  return gap / spread;
}

/** Fraction of points whose nearest other point in the layout is in the same cluster. */
export function agreement(coords, dims, clusterOf) {
  const m = coords.length / dims;
  let ok = 0;
  for (let i = 0; i < m; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      let s = 0;
      for (let a = 0; a < dims; a++) s += (coords[i * dims + a] - coords[j * dims + a]) ** 2;
      if (s < bd) { bd = s; best = j; }
    }
    if (clusterOf(best) === clusterOf(i)) ok++;
  }
  return ok / m;
}
