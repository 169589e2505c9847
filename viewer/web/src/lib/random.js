// Seeded random numbers, plain JavaScript so that both the projector (TypeScript,
// src/lib/projection.ts) and the Node test fixtures (tests/support/embedding.mjs)
// draw from the same generator: projections and test data are reproducible.

/** A seeded PRNG in [0, 1) (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller) from a generator `r`. */
export function gauss(r) {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
