// Cluster checks on a projector layout ({coords, dims, indices?} from window.__tblogProjector.layout());
// `clusterOf(row)` names each tensor row's cluster (0..C-1). Measures: src/lib/layoutQuality.js.
import assert from "node:assert/strict";
import { agreement, separation } from "../../src/lib/layoutQuality.js";

/** Clusters separated (centroid gap > 2 x spread) and > 97% of nearest layout neighbours in the same cluster. */
export function assertSeparated(layout, clusterOf, C, what) {
  const of = layout.indices ? (r) => clusterOf(layout.indices[r]) : clusterOf;
  const s = separation(layout.coords, layout.dims, of, C), a = agreement(layout.coords, layout.dims, of);
  assert.ok(s > 2, `${what}: clusters not separated (centroid gap / spread = ${s.toFixed(2)})`);
  assert.ok(a > 0.97, `${what}: only ${(a * 100).toFixed(1)}% of nearest points share their cluster`);
}
