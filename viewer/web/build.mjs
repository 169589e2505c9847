// npm run build: the UI as tblog-view serves it (dist/), plus dist/single/: the same UI as
// one script and one stylesheet (no chunks, no worker files), which `tblog-view export
// --single-file` inlines into one HTML file that opens from file://.
//   node build.mjs [--outDir DIR] [--emptyOutDir]
import { build } from "vite";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const at = args.indexOf("--outDir");
const outDir = resolve(at >= 0 ? args[at + 1] : "dist");
await build({ build: { outDir, emptyOutDir: true } });
await build({
  configFile: resolve("vite.config.ts"),
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
  worker: { format: "es" },
});
