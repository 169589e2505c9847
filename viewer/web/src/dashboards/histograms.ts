// Histograms: one card per (tag, run). Offset mode stacks the steps as a
// ridgeline (oldest at the back/top), overlay mode draws every step on one
// axis; both on a shared re-binned grid. Hover shows step, bin and count.
import { getRunTag } from "../lib/api";
import { card, control, errorBanner, segmented } from "../lib/cards";
import type { Bucket } from "../lib/compressHistogram";
import { cssVar, h } from "../lib/dom";
import { fmtNum } from "../lib/format";
import { rebin } from "../lib/histogramBins";
import { Line, niceTicks, Plot2D } from "../lib/plot2d";
import { runTagDashboard } from "../lib/runTagCards";
import type { Dashboard, DashboardContext } from "./types";

type Mode = "offset" | "overlay";
export type HistoEntry = [number, number, Bucket[]];

function stepColor(t: number, dark: boolean) {
  // older steps lighter, newer steps darker (TensorBoard's convention)
  return `hsl(24, 85%, ${dark ? 30 + 40 * t : 80 - 45 * t}%)`;
}


/** A (tag, run) card holding that histogram series; subclasses draw it. */
export abstract class HistogramSeriesCard {
  readonly el: HTMLElement;
  protected box: HTMLElement;
  protected data: HistoEntry[] = [];

  constructor(readonly tag: string, readonly run: string, color: string, boxSpec: "div.chart" | "div.chart.tall") {
    const c = card(tag, run);
    c.el.querySelector(".card-sub")?.prepend(h("span.swatch", { style: { background: color, display: "inline-block", marginRight: "4px" } }));
    this.el = c.el;
    this.box = h(boxSpec);
    c.body.append(this.box);
  }

  async load() {
    try {
      this.data = await getRunTag<HistoEntry[]>("plugin/histograms/histograms", this.run, this.tag);
    } catch (e) {
      this.box.replaceChildren(errorBanner(e));
      return;
    }
    this.draw();
  }

  abstract draw(): void;
}

class HistogramCard extends HistogramSeriesCard {
  private plot?: Plot2D;
  private tip = h("div.tooltip", { style: { display: "none" } });

  constructor(tag: string, run: string, private d: { mode: Mode; ctx: DashboardContext }) {
    super(tag, run, d.ctx.color(run), "div.chart.tall");
  }

  draw() {
    this.box.dataset.steps = String(this.data.length);
    this.box.replaceChildren();
    this.plot?.destroy();
    this.plot = undefined;
    if (this.d.mode === "overlay") this.drawOverlay();
    else this.drawOffset();
  }

  private drawOverlay() {
    const { edges, counts } = rebin(this.data.map((e) => e[2]));
    const dark = this.d.ctx.dark();
    const n = this.data.length;
    const lines: Line[] = counts.map((cs, i) => ({
      color: stepColor(n > 1 ? i / (n - 1) : 1, dark), width: 1.4,
      points: cs.map((c, b) => [(edges[b] + edges[b + 1]) / 2, c] as [number, number]),
      meta: cs.map((c, b) => ({ step: this.data[i][1], lo: edges[b], hi: edges[b + 1], c })),
    }));
    this.plot = new Plot2D(this.box, 300);
    this.plot.tooltipFor = (hit) => {
      const m = hit.line.meta![hit.index] as { step: number; lo: number; hi: number; c: number };
      return `step ${m.step}: [${fmtNum(m.lo)}, ${fmtNum(m.hi)}) ${fmtNum(m.c)}`;
    };
    this.plot.draw({ lines });
  }

  /** Ridgeline: each step's outline, shifted down by its position in time, front (newest) drawn last. */
  private drawOffset() {
    const { edges, counts } = rebin(this.data.map((e) => e[2]));
    const canvas = h("canvas");
    this.box.append(canvas, this.tip);
    const w = Math.max(120, this.box.clientWidth), H = 300, dpr = window.devicePixelRatio || 1;
    canvas.width = w * dpr; canvas.height = H * dpr;
    canvas.style.width = `${w}px`; canvas.style.height = `${H}px`;
    const g = canvas.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const m = { l: 48, r: 12, t: 10, b: 24 };
    const n = this.data.length;
    const maxC = Math.max(1e-12, ...counts.flat());
    const ridge = n > 1 ? 0.45 : 0.9; // share of the height one outline may use
    const plotH = H - m.t - m.b;
    const X = (v: number) => m.l + ((v - edges[0]) / (edges[edges.length - 1] - edges[0])) * (w - m.l - m.r);
    const base = (i: number) => m.t + plotH * ridge + (n > 1 ? (i / (n - 1)) * plotH * (1 - ridge) : plotH * (1 - ridge));
    const dark = this.d.ctx.dark();
    const axis = cssVar("--axis"), grid = cssVar("--grid"), panel = cssVar("--panel");
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = axis; g.strokeStyle = grid; g.textAlign = "center"; g.textBaseline = "top";
    for (const t of niceTicks(edges[0], edges[edges.length - 1], Math.floor(w / 80))) {
      g.beginPath(); g.moveTo(X(t), m.t); g.lineTo(X(t), H - m.b); g.stroke();
      g.fillText(fmtNum(t), X(t), H - m.b + 4);
    }
    g.textAlign = "right"; g.textBaseline = "middle";
    const labelEvery = Math.max(1, Math.ceil(n / 8));
    for (let i = 0; i < n; i += labelEvery) g.fillText(String(this.data[i][1]), m.l - 6, base(i));
    for (let i = 0; i < n; i++) {
      const y0 = base(i);
      const Y = (c: number) => y0 - (c / maxC) * plotH * ridge;
      g.beginPath();
      g.moveTo(X(edges[0]), y0);
      counts[i].forEach((c, b) => g.lineTo(X((edges[b] + edges[b + 1]) / 2), Y(c)));
      g.lineTo(X(edges[edges.length - 1]), y0);
      g.closePath();
      g.fillStyle = panel; g.globalAlpha = 0.85; g.fill(); g.globalAlpha = 1;
      g.strokeStyle = stepColor(n > 1 ? i / (n - 1) : 1, dark); g.lineWidth = 1.3; g.stroke();
    }
    canvas.onmousemove = (e) => {
      const r = canvas.getBoundingClientRect();
      const mx = e.clientX - r.left, my = e.clientY - r.top;
      let i = 0;
      for (let k = 0; k < n; k++) if (Math.abs(base(k) - my) < Math.abs(base(i) - my)) i = k;
      const b = Math.floor(((mx - m.l) / (w - m.l - m.r)) * counts[0].length);
      if (!n || b < 0 || b >= counts[0].length) { this.tip.style.display = "none"; return; }
      this.tip.textContent = `step ${this.data[i][1]}: [${fmtNum(edges[b])}, ${fmtNum(edges[b + 1])}) ${fmtNum(counts[i][b])}`;
      this.tip.style.display = "block";
      this.tip.style.left = `${Math.min(mx + 12, w - this.tip.offsetWidth)}px`;
      this.tip.style.top = `${my + 12}px`;
    };
    canvas.onmouseleave = () => (this.tip.style.display = "none");
  }

  destroy() { this.plot?.destroy(); }
}

export default (ctx: DashboardContext): Dashboard => {
  const opts = { mode: (ctx.state.get("histMode") === "overlay" ? "overlay" : "offset") as Mode, ctx };
  const { dashboard, redrawAll } = runTagDashboard(ctx, {
    tagsRoute: "plugin/histograms/tags",
    make: (t, r) => new HistogramCard(t, r, opts),
    emptyText: "No histograms match the selected runs and filters.",
    redraw: (c) => c.draw(),
  });
  ctx.controls.append(control("Histogram mode", segmented<Mode>([["offset", "Offset"], ["overlay", "Overlay"]], opts.mode, (m) => {
    opts.mode = m;
    ctx.state.set({ histMode: m === "offset" ? null : m });
    redrawAll();
  })));
  return dashboard;
};
