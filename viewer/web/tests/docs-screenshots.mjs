// Writes the README's screenshots to docs/screenshots/ (run after `npm run build`):
// scalars on generated training-like curves (3 runs x 20k points, spikes kept by the
// min/max downsampling), and other dashboards on the golden logdir.
import fs from "node:fs";
import path from "node:path";
import { launchBrowser, newPage, repoDir, startServer } from "./support/harness.mjs";

const out = path.join(repoDir, "docs", "screenshots");
fs.mkdirSync(out, { recursive: true });
const { browser, close } = await launchBrowser();

async function shoot(server, hash, file, ready, theme = "light") {
  const { page, context, errors } = await newPage(browser, { theme });
  await page.goto(`${server.base}#${hash}&theme=${theme}`);
  await page.waitForSelector(ready, { timeout: 30000 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(out, file) });
  if (errors.length) console.log(file, errors);
  await context.close();
  console.log("wrote", path.join("docs/screenshots", file));
}

const demo = await startServer({ mockArgs: ["--perf", "9x3x20000"] });
try {
  await shoot(demo, "tab=scalars&tagFilter=metric_%5B0-8%5D%24", "scalars.png", ".card:nth-child(1) .chart[data-drawn]");
  await shoot(demo, "tab=scalars&tagFilter=metric_%5B0-8%5D%24&smoothing=0.9", "scalars-dark.png", ".card:nth-child(1) .chart[data-drawn]", "dark");
} finally {
  await demo.stop();
}
const golden = await startServer({ mockArgs: ["--extras"] });
try {
  await shoot(golden, "tab=histograms&tagFilter=normal", "histograms.png", ".chart[data-steps]");
  await shoot(golden, "tab=graphs", "graphs.png", ".graph-view[data-ops]");
  await shoot(golden, "tab=projector", "projector.png", ".plot[data-points]");
  await shoot(golden, "tab=hparams&hpView=parallel", "hparams.png", ".canvas-box[data-lines]");
  await shoot(golden, "tab=profile&view=trace", "profile.png", ".timeline[data-tracks]");
} finally {
  await golden.stop();
  await close();
}
