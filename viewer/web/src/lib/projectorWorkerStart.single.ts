// The single-file build's projectorWorkerStart.ts: the worker's bundled code is inlined in the
// page's script (Vite's ?worker&inline) and started from a Blob URL, so the projector works in
// an HTML file opened from file://. build.mjs bundles it as a classic script: from a file://
// page, Chromium starts a classic worker from a blob: URL but not a module worker.
import InlineWorker from "./projector.worker.ts?worker&inline";

export function startProjectorWorker(): Worker {
  return new InlineWorker();
}
