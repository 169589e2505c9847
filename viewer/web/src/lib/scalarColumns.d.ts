// Types of scalarColumns.js (plain JavaScript, shared with the Node browser tests).
import type { ScalarPoint } from "./api";

/** A scalar series as columns, in step order; value is float32 when it came from the binary answer. */
export interface ScalarColumns {
  wall: Float64Array;
  step: Float64Array;
  value: Float32Array | Float64Array;
}

/** One run's answer of /data/tblog/scalars_multirun, points as columns. */
export interface ColumnsAnswer {
  run: string;
  tag: string;
  total: number;
  buckets: number;
  cursor?: string;
  from?: number;
  columns: ScalarColumns;
}

export function columnsOf(points: ArrayLike<ScalarPoint | [unknown, unknown, unknown]>): ScalarColumns;
export function pointsOf(c: ScalarColumns): ScalarPoint[];
export function concatColumns(...parts: ScalarColumns[]): ScalarColumns;
export function spliceWindow(overview: ScalarColumns, detail: ScalarColumns): ScalarColumns;
export function isScalarBatch(buf: ArrayBuffer): boolean;
export function decodeScalarBatch(buf: ArrayBuffer): Record<string, ColumnsAnswer>;
