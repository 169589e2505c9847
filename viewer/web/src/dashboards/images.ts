// Images: one card per (tag, run, sample) with a step slider; images are
// scaled to the card unless "actual size" is on (pixelated, never smoothed,
// so small images stay readable).
import { getRunTag, srcUrl, TagsByRun } from "../lib/api";
import { card, control, errorBanner, stepSlider } from "../lib/cards";
import { h } from "../lib/dom";
import { fmtWall } from "../lib/format";
import { runTagDashboard } from "../lib/runTagCards";
import type { Dashboard, DashboardContext } from "./types";

interface BlobEntry { wall_time: number; step: number; query: string; contentType?: string; label?: string }

export class BlobCard {
  readonly el: HTMLElement;
  private body: HTMLElement;
  private entries: BlobEntry[] = [];
  private index = -1;
  private media = h("div");
  private meta = h("div.card-sub");

  constructor(readonly plugin: "images" | "audio", readonly tag: string, readonly run: string, readonly sample: number, samples: number, private actualSize: () => boolean) {
    const c = card(tag, samples > 1 ? `${run} · sample ${sample + 1}/${samples}` : run);
    this.el = c.el;
    this.body = c.body;
  }

  async load() {
    try {
      this.entries = await getRunTag<BlobEntry[]>(`plugin/${this.plugin}/${this.plugin}`, this.run, this.tag, { sample: this.sample });
    } catch (e) {
      this.body.replaceChildren(errorBanner(e));
      return;
    }
    const follow = this.index < 0 || this.index >= this.entries.length - 2;
    this.index = follow ? this.entries.length - 1 : this.index;
    const slider = stepSlider(this.entries.map((e) => e.step), this.index, (i) => { this.index = i; this.show(); });
    this.body.replaceChildren(slider.el, this.media, this.meta);
    this.el.dataset.steps = String(this.entries.length);
    this.show();
  }

  show() {
    const e = this.entries[this.index];
    if (!e) { this.media.replaceChildren(h("div.muted", null, "no data")); return; }
    const src = srcUrl(`data/plugin/${this.plugin}/${this.plugin === "images" ? "individualImage" : "individualAudio"}?${e.query}`);
    if (this.plugin === "images") {
      const img = h("img", { src, alt: `${this.tag} step ${e.step}` });
      this.media.replaceChildren(h(this.actualSize() ? "div.img-wrap" : "div.img-wrap.fit", null, img));
    } else {
      this.media.replaceChildren(h("audio", { controls: true, src, preload: "metadata", style: { width: "100%" } }));
    }
    this.meta.textContent = `step ${e.step} · ${fmtWall(e.wall_time)}${e.label ? ` · ${e.label}` : ""}`;
  }
}

/** Tags answer {run: {tag: {samples}}}; expand into one (tag, run) card per sample. */
export function expandSamples(tags: TagsByRun<{ samples?: number }>): TagsByRun {
  const out: TagsByRun = {};
  for (const [run, ts] of Object.entries(tags)) {
    out[run] = {};
    for (const [tag, info] of Object.entries(ts)) {
      const n = Math.max(1, info?.samples ?? 1);
      for (let s = 0; s < n; s++) out[run][n > 1 ? `${tag}\u0000${s}` : tag] = { tag, sample: s, samples: n };
    }
  }
  return out;
}

export function blobDashboard(plugin: "images" | "audio", ctx: DashboardContext): Dashboard {
  let actual = ctx.state.getBool("actualSize");
  const { dashboard, redrawAll } = runTagDashboard<BlobCard>(ctx, {
    tagsRoute: `plugin/${plugin}/tags`,
    toTags: expandSamples,
    make: (_key, run, info) => {
      const i = info as { tag: string; sample: number; samples: number };
      return new BlobCard(plugin, i.tag, run, i.sample, i.samples, () => actual);
    },
    emptyText: `No ${plugin} match the selected runs and filters.`,
    redraw: (c) => c.show(),
  });
  if (plugin === "images") {
    const box = h("input", { type: "checkbox", checked: actual, id: "actual-size" });
    box.addEventListener("change", () => {
      actual = box.checked;
      ctx.state.set({ actualSize: actual || null });
      redrawAll();
    });
    ctx.controls.append(control("Images", h("label.toggle", null, box, " Show actual image size")));
  }
  return dashboard;
}

export default (ctx: DashboardContext): Dashboard => blobDashboard("images", ctx);
