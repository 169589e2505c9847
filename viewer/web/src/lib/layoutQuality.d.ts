// Types of layoutQuality.js (plain JavaScript, shared with the Node browser tests).
export function separation(coords: ArrayLike<number>, dims: number, clusterOf: (row: number) => number, C: number): number;
export function agreement(coords: ArrayLike<number>, dims: number, clusterOf: (row: number) => number): number;
