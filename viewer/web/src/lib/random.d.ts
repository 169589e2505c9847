// Types of random.js (plain JavaScript, shared with the Node test fixtures).
export function rng(seed: number): () => number;
export function gauss(r: () => number): number;
