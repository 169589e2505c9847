// The projector's worker: runs ProjectorEngine's jobs (projectorEngine.ts) off the page's
// main thread. Jobs are async and yield every ~30 ms (see tick), so progress is posted, a
// cancel message is seen promptly, and a neighbour query can run while t-SNE iterates.
import type { FromWorker, Job, ToWorker } from "./projectorJobs";
import { Cancelled } from "./projectorJobs";
import type { Tick } from "./projection";
import { ProjectorEngine } from "./projectorEngine";

const engine = new ProjectorEngine();
const cancelled = new Set<number>();

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "data") engine.setData(m.data, m.n, m.d);
  else if (m.type === "cancel") cancelled.add(m.id);
  else void runJob(m.id, m.job);
};

async function runJob(id: number, job: Job) {
  let last = performance.now();
  let phase = "";
  let span: [number, number] = [0, 1];
  const setPhase = (name: string, from: number, to: number) => { phase = name; span = [from, to]; };
  const tick: Tick = async (f) => {
    if (cancelled.has(id)) throw new Cancelled();
    const now = performance.now();
    if (now - last < 30) return;
    last = now;
    post({ type: "progress", id, fraction: span[0] + (span[1] - span[0]) * Math.min(1, f), phase });
    await new Promise((r) => setTimeout(r, 0));
    if (cancelled.has(id)) throw new Cancelled();
  };
  try {
    const result = await engine.execute(job, tick, setPhase, (partial, f) => post({ type: "progress", id, fraction: f, phase, partial }));
    const transfer = "coords" in result ? [result.coords.buffer as ArrayBuffer] : [];
    post({ type: "result", id, result }, transfer);
  } catch (err) {
    post({ type: "error", id, message: (err as Error).message ?? String(err), cancelled: err instanceof Cancelled });
  } finally {
    cancelled.delete(id);
  }
}
