// Small canvas charts for the Profile dashboard: stacked step-time bars and a step-line
// chart of a counter over time.
import { cssVar, h } from "../../lib/dom";
import { fmtNum } from "../../lib/format";
import { niceTicks } from "../../lib/plot2d";
import { categoryColor, fmtUs } from "./format";

export interface Bar { label: string; parts: Record<string, number> }

function setup(canvas: HTMLCanvasElement, w: number, hgt: number) {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = w * dpr; canvas.height = hgt * dpr;
  canvas.style.width = `${w}px`; canvas.style.height = `${hgt}px`;
  const g = canvas.getContext("2d")!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.font = "11px system-ui, sans-serif";
  return g;
}

/** Stacked bars (one per step, parts in `order`); returns the canvas and a hit test. */
export function stackedBars(bars: Bar[], order: string[], { width = 900, height = 260, onClick }: { width?: number; height?: number; onClick?: (i: number) => void } = {}) {
  const canvas = h("canvas.bar-chart");
  const L = 64, B = 28, T = 8;
  const g = setup(canvas, width, height);
  const max = Math.max(1e-9, ...bars.map((b) => Object.values(b.parts).reduce((a, v) => a + v, 0)));
  const plotW = width - L - 8, plotH = height - B - T;
  const bw = plotW / Math.max(1, bars.length);
  g.strokeStyle = cssVar("--grid"); g.fillStyle = cssVar("--axis"); g.textAlign = "right"; g.textBaseline = "middle";
  for (const v of niceTicks(0, max, 5)) {
    const y = T + plotH - (v / max) * plotH;
    g.beginPath(); g.moveTo(L, y); g.lineTo(width - 8, y); g.stroke();
    g.fillText(fmtUs(v), L - 4, y);
  }
  g.textAlign = "center";
  const every = Math.ceil(bars.length / Math.max(1, plotW / 40));
  bars.forEach((b, i) => {
    let y = T + plotH;
    for (const k of order) {
      const v = b.parts[k] ?? 0;
      if (!v) continue;
      const hh = (v / max) * plotH;
      g.fillStyle = categoryColor(k);
      g.fillRect(L + i * bw + bw * 0.1, y - hh, Math.max(1, bw * 0.8), hh);
      y -= hh;
    }
    if (i % every === 0) { g.fillStyle = cssVar("--axis"); g.fillText(b.label, L + i * bw + bw / 2, height - B / 2); }
  });
  canvas.dataset.bars = String(bars.length);
  if (onClick) canvas.addEventListener("click", (e) => {
    const r = canvas.getBoundingClientRect();
    const i = Math.floor((e.clientX - r.left - L) / bw);
    if (i >= 0 && i < bars.length) onClick(i);
  });
  return canvas;
}

export function legend(order: string[]) {
  return h("div.legend", null, ...order.map((k) => h("span.legend-item", null, h("span.swatch", { style: { background: categoryColor(k) } }), k)));
}

/** A counter over time (held until the next sample), x in µs from `t0`. */
export function lineChart(ts: number[], values: number[], t0: number, t1: number, { width = 900, height = 160, unit = "" } = {}) {
  const canvas = h("canvas.line-chart");
  const g = setup(canvas, width, height);
  const L = 64, B = 22, T = 8, plotW = width - L - 8, plotH = height - B - T;
  let lo = Math.min(0, ...values), hi = Math.max(...values, 1e-9);
  if (hi === lo) hi = lo + 1;
  const X = (t: number) => L + ((t - t0) / Math.max(1e-9, t1 - t0)) * plotW;
  const Y = (v: number) => T + plotH - ((v - lo) / (hi - lo)) * plotH;
  g.strokeStyle = cssVar("--grid"); g.fillStyle = cssVar("--axis"); g.textAlign = "right"; g.textBaseline = "middle";
  for (const v of niceTicks(lo, hi, 4)) { g.beginPath(); g.moveTo(L, Y(v)); g.lineTo(width - 8, Y(v)); g.stroke(); g.fillText(`${fmtNum(v)}${unit}`, L - 4, Y(v)); }
  g.textAlign = "center";
  for (const t of niceTicks(t0, t1, 6)) g.fillText(fmtUs(t - t0), X(t), height - B / 2);
  g.strokeStyle = "#3399cc"; g.lineWidth = 1.5; g.beginPath();
  ts.forEach((t, i) => { if (i) g.lineTo(X(t), Y(values[i - 1])); else g.moveTo(X(t), Y(values[i])); g.lineTo(X(t), Y(values[i])); });
  if (ts.length) g.lineTo(X(t1), Y(values[values.length - 1]));
  g.stroke();
  canvas.dataset.points = String(ts.length);
  return canvas;
}
