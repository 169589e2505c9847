// How the page starts the projector's worker: from its own script file (dist/assets), which
// the browser caches. The single-file build (build.mjs, for `tblog-view export --single-file`)
// replaces this module with projectorWorkerStart.single.ts, since a page opened from file://
// cannot start a worker from a file.
export function startProjectorWorker(): Worker {
  return new Worker(new URL("./projector.worker.ts", import.meta.url), { type: "module" });
}
