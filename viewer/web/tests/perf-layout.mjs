// CPU and wall time of the projector worker's own code (src/lib/projectorEngine.ts, bundled
// as it is for the worker) in Node, per phase, on Gaussian clusters of 20,000 x 256
// (tests/support/embedding.mjs, as perf-projector.mjs serves them to the browser). On a
// shared machine the browser's wall clock measures the load more than the code; process CPU
// time does not. Prints a markdown table; no assertions.
//
//   node tests/perf-layout.mjs [--n 20000] [--d 256] [--methods umap,tsne] [--dims 2]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "vite";
import { clusterTensor } from "./support/embedding.mjs";
import { agreement } from "../src/lib/layoutQuality.js";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : dflt; };
const n = Number(arg("n", 20000)), d = Number(arg("d", 256)), dims = Number(arg("dims", 2));
const methods = arg("methods", "umap,tsne").split(",");

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tblog-perf-layout-"));
await build({ configFile: false, logLevel: "silent", build: { outDir: tmp, minify: false,
  lib: { entry: path.join(here, "../src/lib/projectorEngine.ts"), formats: ["es"], fileName: "engine" } } });
const file = path.join(tmp, fs.readdirSync(tmp).find((f) => f.startsWith("engine")));
const { ProjectorEngine } = await import(pathToFileURL(file).href);
fs.rmSync(tmp, { recursive: true, force: true });

const clusters = 20;
const X = clusterTensor({ clusters, perCluster: n / clusters, dims: d, sep: 6, seed: 1 });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

console.log(`| job, ${n.toLocaleString()} x ${d} | phase | CPU | wall |\n| --- | --- | --- | --- |`);
for (const method of methods) {
  const engine = new ProjectorEngine();  // fresh: no k-NN graph reused between jobs
  engine.setData(X, n, d);
  const job = method === "umap"
    ? { kind: "umap", dims, spherize: true, sample: n, neighbors: 15 }
    : { kind: "tsne", dims, spherize: true, sample: n, perplexity: 30, iterations: 500 };
  const phases = [];
  let cur = null;
  const close = () => { if (cur) { cur.cpu = cpu() - cur.cpu0; cur.wall = performance.now() - cur.wall0; phases.push(cur); } };
  const setPhase = (name) => { close(); cur = { name, cpu0: cpu(), wall0: performance.now() }; };
  const cpu0 = cpu(), wall0 = performance.now();
  const r = await engine.execute(job, () => undefined, setPhase, () => undefined);
  close();
  const label = method === "umap" ? `UMAP (${r.iterations} epochs)` : `t-SNE (${r.iterations} iterations)`;
  for (const p of phases) console.log(`| ${label} | ${p.name} | ${p.cpu.toFixed(1)} s | ${(p.wall / 1000).toFixed(1)} s |`);
  const total = [cpu() - cpu0, (performance.now() - wall0) / 1000];
  // how well the layout keeps the clusters: share of points whose nearest layout neighbour is in their cluster
  const same = agreement(r.coords, dims, (i) => Math.floor(i / (n / clusters)));
  console.log(`| ${label} | **total** (nearest layout neighbour in the same cluster: ${(100 * same).toFixed(1)}%) | **${total[0].toFixed(1)} s** | **${total[1].toFixed(1)} s** |`);
}
console.log(`\nNode ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores`);
