// npm run build: the UI as tblog-view serves it (dist/), plus dist/single/: the same UI as
// one script and one stylesheet (no chunks, no worker files: the projector's worker is inlined
// and started from a Blob URL, see src/lib/projectorWorkerStart.single.ts), which `tblog-view
// export --single-file` inlines into one HTML file that opens from file://.
//   node build.mjs [--outDir DIR] [--emptyOutDir]
import { build } from "vite";
import { readdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const at = args.indexOf("--outDir");
const outDir = resolve(at >= 0 ? args[at + 1] : "dist");
await build({ build: { outDir, emptyOutDir: true } });
await build({
  configFile: resolve("vite.config.ts"),
  resolve: { alias: [{ find: /^\.\/projectorWorkerStart$/, replacement: resolve("src/lib/projectorWorkerStart.single.ts") }] },
  build: {
    outDir: resolve(outDir, "single"),
    emptyOutDir: true,
    cssCodeSplit: false,
    modulePreload: false,
    rollupOptions: {
      input: resolve("src/main.ts"),
      output: { inlineDynamicImports: true, entryFileNames: "app.js", assetFileNames: "app[extname]" },
    },
  },
  // a classic worker: Chromium refuses module workers from blob: URLs on a file:// page
  worker: { format: "iife" },
});
// Vite also writes the inlined worker as a file of its own: nothing uses it
for (const f of readdirSync(resolve(outDir, "single"))) if (f !== "app.js" && f !== "app.css") rmSync(resolve(outDir, "single", f));
