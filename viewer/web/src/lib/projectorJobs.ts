// Messages between the projector page and its worker (projector.worker.ts),
// and the page side: one worker per loaded tensor, jobs with progress and
// cancellation. The tensor is transferred to the worker, not copied: the page
// keeps only metadata and 2-3 coordinates per point.
import type { Metric } from "./projection";
import { startProjectorWorker } from "./projectorWorkerStart";

export type Job =
  | { kind: "pca"; dims: 2 | 3; spherize: boolean; subset?: Int32Array }
  | { kind: "tsne"; dims: 2 | 3; spherize: boolean; subset?: Int32Array; sample: number; perplexity: number; iterations: number }
  | { kind: "umap"; dims: 2 | 3; spherize: boolean; subset?: Int32Array; sample: number; neighbors: number }
  | { kind: "custom"; spherize: boolean; subset?: Int32Array; axes: { pos: Int32Array; neg: Int32Array }[] }
  | { kind: "neighbors"; spherize: boolean; index: number; k: number; metric: Metric };

export interface Layout {
  /** Rows of the tensor laid out (null: all of them, in order). */
  indices: Int32Array | null;
  /** indices.length x dims coordinates. */
  coords: Float32Array;
  dims: number;
  /** PCA: fraction of variance per component. */
  variance?: number[];
  /** t-SNE / UMAP iterations done. */
  iterations?: number;
  /** Width the PCA saw after random projection. */
  projectedDim?: number;
}

export type JobResult = Layout | { neighbors: { index: number; distance: number }[] };

export type ToWorker =
  | { type: "data"; data: Float32Array; n: number; d: number }
  | { type: "run"; id: number; job: Job }
  | { type: "cancel"; id: number };

export type FromWorker =
  | { type: "progress"; id: number; fraction: number; phase: string; partial?: Layout }
  | { type: "result"; id: number; result: JobResult }
  | { type: "error"; id: number; message: string; cancelled: boolean };

export class Cancelled extends Error {
  constructor() { super("cancelled"); }
}

export interface Running<T> {
  promise: Promise<T>;
  cancel(): void;
}

/** The page's handle on a projector worker. */
export class ProjectorWorker {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void; progress?: (m: Extract<FromWorker, { type: "progress" }>) => void }>();

  constructor() {
    this.worker = startProjectorWorker();
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === "progress") { p.progress?.(m); return; }
      this.pending.delete(m.id);
      if (m.type === "result") p.resolve(m.result);
      else p.reject(m.cancelled ? new Cancelled() : new Error(m.message));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(e.message || "projector worker failed"));
      this.pending.clear();
    };
  }

  /** Hands the tensor to the worker (the buffer moves: `data` is empty afterwards). */
  setData(data: Float32Array, n: number, d: number) {
    this.post({ type: "data", data, n, d }, [data.buffer as ArrayBuffer]);
  }

  run<T extends JobResult>(job: Job, progress?: (m: Extract<FromWorker, { type: "progress" }>) => void): Running<T> {
    const id = this.nextId++;
    const promise = new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: JobResult) => void, reject, progress });
    });
    this.post({ type: "run", id, job });
    return { promise, cancel: () => this.post({ type: "cancel", id }) };
  }

  private post(m: ToWorker, transfer: Transferable[] = []) {
    this.worker.postMessage(m, transfer);
  }

  dispose() {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Cancelled());
    this.pending.clear();
  }
}
