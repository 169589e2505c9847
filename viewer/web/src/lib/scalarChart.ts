// One time-series chart (uPlot): several runs overlaid, each drawn as a faint
// raw line plus its smoothed line, x = step / relative time / wall time,
// optional log y, drag to zoom (double-click resets), and a tooltip listing
// every run's nearest point. Used by Scalars and Custom Scalars.
//
// Charts with bands (Custom Scalars' margin charts) give uPlot two series per run. Every other
// chart (Scalars, any number of runs) gives uPlot only the axes, scales, cursor and zoom, fed
// with the per-x envelope of all runs so its autoscaling sees every value, and draws the runs'
// lines itself in uPlot's draw hook, from each run's own points: no null-filled column per run
// over the union of every run's x values (2,000 such columns at 1,000 runs), no per-series
// bookkeeping, and a change of the runs shown is new data for the same uPlot, not a new chart.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ScalarPoint } from "./api";
import { columnsOf, type ScalarColumns } from "./scalarColumns.js";
import { withAlpha } from "./colors";
import { cssVar, h } from "./dom";
import { fmtDuration, fmtNum, fmtWall } from "./format";
import { debiasedEma } from "./smoothing";

export type XAxis = "step" | "relative" | "wall";

export interface SeriesInput {
  label: string;
  color: string;
  /** the run's points as columns (Scalars), or as [wall, step, value] arrays (Custom Scalars) */
  columns?: ScalarColumns;
  points?: ScalarPoint[];
  /** Fills between these two series (Custom Scalars margin charts). */
  band?: { lower: ScalarPoint[]; upper: ScalarPoint[] };
}

export interface ChartOptions {
  smoothing: number;
  xAxis: XAxis;
  logY: boolean;
  /** Called with the zoomed step/time window, or null when zoom is reset. */
  onZoom?: (range: [number, number] | null) => void;
}

interface Prepared {
  input: SeriesInput;
  x: Float64Array<ArrayBufferLike>;
  y: Float64Array;
  steps: Float64Array;
  walls: Float64Array;
  smooth: Float64Array;
  /** index of each own point in the joined x array */
  at: Int32Array;
  /** what x and smooth were computed for */
  xAxis: XAxis;
  smoothing: number;
}


/** x ranges of the envelope uPlot autoscales from (a few per pixel column of a wide chart). */
const ENVELOPE_BINS = 4096;

const STEP_INCRS = Array.from({ length: 16 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();


export class ScalarChart {
  private plot?: uPlot;
  private prepared: Prepared[] = [];
  private joinedX: Float64Array = new Float64Array(0);
  private tooltip = h("div.tooltip", { style: { display: "none" } });
  private resize: ResizeObserver;
  private drawnOnce?: () => void;
  private ignoreScale = false;
  private lastZoomKey = "none";
  /** Lines drawn by drawMany, not by uPlot (see the top of this file). */
  private many = false;

  constructor(private el: HTMLElement, private opts: ChartOptions) {
    el.append(this.tooltip);
    this.resize = new ResizeObserver(() => {
      if (this.plot && el.clientWidth > 0) this.plot.setSize(this.size());
    });
    this.resize.observe(el);
    window.addEventListener("tblog-theme", this.onTheme);
  }

  private onTheme = () => {
    if (this.plot) this.rebuild(true);
  };

  private size() {
    return { width: Math.max(100, this.el.clientWidth), height: Math.max(80, this.el.clientHeight) };
  }

  /** Resolves after the next draw (used for the performance marks). */
  nextDraw(): Promise<void> {
    return new Promise((res) => (this.drawnOnce = res));
  }

  /** New data; keepZoom keeps the x window (used when zoomed-in detail arrives). */
  setSeries(series: SeriesInput[], keepZoom = false) {
    const shape = (ss: SeriesInput[]) => ss.map((s) => `${s.label}\u0000${s.color}\u0000${!!s.band}`).join("\u0001");
    // drawn by the chart before and after: the runs shown are only new data for uPlot
    const sameShape = this.plot && (this.many && !series.some((s) => s.band) || shape(series) === shape(this.prepared.map((p) => p.input)));
    this.prepared = series.map((s) => this.prepare(s));
    this.join();
    if (sameShape && this.plot) {
      this.markDrawn();
      this.plot.setData(this.data(), !keepZoom);
    } else {
      this.rebuild(keepZoom);
    }
  }

  setOptions(o: Partial<ChartOptions>) {
    const structural = (o.xAxis !== undefined && o.xAxis !== this.opts.xAxis) || (o.logY !== undefined && o.logY !== this.opts.logY);
    const smoothingOnly = !structural && o.smoothing !== undefined && o.smoothing !== this.opts.smoothing;
    Object.assign(this.opts, o);
    if (structural) {
      this.prepared = this.prepared.map((p) => this.prepare(p.input));
      this.join();
      this.rebuild(false);
    } else if (smoothingOnly && this.plot) {
      // fast path: recompute the averages, keep the chart and its zoom
      for (const p of this.prepared) this.smoothAgain(p);
      this.plot.batch(() => {
        this.showRaw();
        this.plot!.setData(this.refillSmoothed(), false);
      });
    }
  }

  /** Records what is drawn on the element (the browser tests read it). */
  private markDrawn() {
    this.el.dataset.series = JSON.stringify(this.lengths());
    let max = -Infinity;
    for (const p of this.prepared) for (const v of p.y) if (Number.isFinite(v) && v > max) max = v;
    this.el.dataset.ymax = String(max);
  }

  /** Points per series as drawn (for tests and the card footer). */
  lengths(): Record<string, number> {
    return Object.fromEntries(this.prepared.map((p) => [p.input.label, p.x.length]));
  }

  destroy() {
    this.resize.disconnect();
    window.removeEventListener("tblog-theme", this.onTheme);
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** Series prepared before, by their points: a run-filter change draws a subset of the series
   * the chart held (or held earlier) and need not convert them again. */
  private preparedOf = new WeakMap<object, Prepared>();

  private prepare(s: SeriesInput): Prepared {
    const data: object = s.columns ?? s.points ?? [];
    const old = this.preparedOf.get(data);
    if (old && old.xAxis === this.opts.xAxis) {
      if (old.smoothing !== this.opts.smoothing) this.smoothAgain(old);
      old.input = s;
      return old;
    }
    const p = this.convert(s);
    this.preparedOf.set(data, p);
    return p;
  }

  private smoothAgain(p: Prepared) {
    debiasedEma(p.y, this.opts.smoothing, p.smooth);
    p.smoothing = this.opts.smoothing;
  }

  private convert(s: SeriesInput): Prepared {
    const c = s.columns ?? columnsOf(s.points ?? []);
    const n = c.step.length;
    const order = this.orderForAxis(c);
    const x = new Float64Array(n), y = new Float64Array(n), steps = new Float64Array(n), walls = new Float64Array(n);
    const t0 = n ? c.wall[order ? order[0] : 0] : 0;
    const mode = this.opts.xAxis;
    for (let k = 0; k < n; k++) {
      const i = order ? order[k] : k, wall = c.wall[i], step = c.step[i];
      steps[k] = step;
      walls[k] = wall;
      x[k] = mode === "step" ? step : mode === "relative" ? wall - t0 : wall;
      y[k] = c.value[i];
    }
    return { input: s, x, y, steps, walls, smooth: debiasedEma(y, this.opts.smoothing), at: new Int32Array(0),
      xAxis: this.opts.xAxis, smoothing: this.opts.smoothing };
  }

  /** The points' order along a time axis when their wall times go backwards somewhere; null: as they are. */
  private orderForAxis(c: ScalarColumns): Uint32Array | null {
    if (this.opts.xAxis === "step") return null;
    const w = c.wall;
    for (let i = 1; i < w.length; i++)
      if (w[i] < w[i - 1]) return Uint32Array.from({ length: w.length }, (_, k) => k).sort((a, b) => w[a] - w[b] || a - b);
    return null;
  }

  /** Union of all x values; each series remembers where its points land (uPlot's series only:
   * lines the chart draws need no common x, see envelope). */
  private join() {
    const ps = this.prepared;
    if (!ps.some((p) => p.input.band)) return;
    const same = ps.length > 0 && ps.every((p) => p.x.length === ps[0].x.length && p.x.every((v, i) => v === ps[0].x[i]));
    if (same) {
      this.joinedX = ps[0].x;
      for (const p of ps) p.at = Int32Array.from({ length: p.x.length }, (_, i) => i);
      return;
    }
    const all = new Float64Array(ps.reduce((n, p) => n + p.x.length, 0));
    let o = 0;
    for (const p of ps) { all.set(p.x, o); o += p.x.length; }
    all.sort();
    const uniq: number[] = [];
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) uniq.push(all[i]);
    this.joinedX = Float64Array.from(uniq);
    for (const p of ps) {
      let j = 0;
      p.at = new Int32Array(p.x.length);
      for (let i = 0; i < p.x.length; i++) {
        while (this.joinedX[j] < p.x[i]) j++;
        p.at[i] = j;
      }
    }
  }

  private yValue(v: number) {
    if (!Number.isFinite(v)) return null;
    if (this.opts.logY && v <= 0) return null;
    return v;
  }

  /** Columns for uPlot; kept so a smoothing change only refills the smoothed ones. */
  private cols: (number | null)[][] = [];

  private data(): uPlot.AlignedData {
    const n = this.joinedX.length;
    if (this.many) return this.envelope();
    this.cols = [];
    for (const p of this.prepared) {
      const raw: (number | null)[] = new Array(n).fill(null);
      const sm: (number | null)[] = new Array(n).fill(null);
      for (let i = 0; i < p.x.length; i++) {
        raw[p.at[i]] = this.yValue(p.y[i]);
        sm[p.at[i]] = this.yValue(p.smooth[i]);
      }
      this.cols.push(raw, sm);
      if (p.input.band) {
        this.cols.push(this.alignBand(p, p.input.band.lower), this.alignBand(p, p.input.band.upper));
      }
    }
    return [this.joinedX as unknown as number[], ...this.cols] as uPlot.AlignedData;
  }

  /** Lines drawn by the chart: uPlot's x values and the lowest and highest raw or smoothed value
   * near each, for its autoscale (also when zoomed). All runs' points fall into ENVELOPE_BINS
   * equal x ranges, each given as its first and last x with the range's lowest and highest
   * value: linear in the points, where a union of every run's x values (tens of thousands at
   * 1,000 runs) had to be sorted and every run mapped onto it. */
  private envelope(): uPlot.AlignedData {
    let x0 = Infinity, x1 = -Infinity;
    for (const p of this.prepared) {
      if (!p.x.length) continue;
      x0 = Math.min(x0, p.x[0]);
      x1 = Math.max(x1, p.x[p.x.length - 1]);
    }
    const xs: number[] = [], lows: (number | null)[] = [], highs: (number | null)[] = [];
    if (x1 >= x0) {
      const B = ENVELOPE_BINS, scale = x1 > x0 ? (B - 1) / (x1 - x0) : 0, logY = this.opts.logY;
      const first = new Float64Array(B).fill(Infinity), last = new Float64Array(B).fill(-Infinity);
      const lo = new Float64Array(B).fill(Infinity), hi = new Float64Array(B).fill(-Infinity);
      for (const p of this.prepared) {
        for (let i = 0; i < p.x.length; i++) {
          const x = p.x[i], b = Math.floor((x - x0) * scale);
          if (x < first[b]) first[b] = x;
          if (x > last[b]) last[b] = x;
          const v = p.y[i], w = p.smooth[i];
          if (Number.isFinite(v) && !(logY && v <= 0)) { if (v < lo[b]) lo[b] = v; if (v > hi[b]) hi[b] = v; }
          if (Number.isFinite(w) && !(logY && w <= 0)) { if (w < lo[b]) lo[b] = w; if (w > hi[b]) hi[b] = w; }
        }
      }
      for (let b = 0; b < B; b++) {
        if (first[b] === Infinity) continue;
        const l = lo[b] === Infinity ? null : lo[b], h = hi[b] === -Infinity ? null : hi[b];
        xs.push(first[b]); lows.push(l); highs.push(h);
        if (last[b] > first[b]) { xs.push(last[b]); lows.push(l); highs.push(h); }
      }
    }
    this.joinedX = Float64Array.from(xs);
    this.cols = [lows, highs];
    return [xs, lows, highs] as uPlot.AlignedData;
  }

  /** Many-runs mode: every run's raw (faint, when smoothing) then smoothed line, in run order as
   * uPlot would stack its series, straight from the run's own points. */
  private drawMany(u: uPlot) {
    const ctx = u.ctx, { left, top, width, height } = u.bbox;
    const smoothing = this.opts.smoothing > 0, r = uPlot.pxRatio, logY = this.opts.logY;
    // linear axes map straight to canvas pixels (as uPlot's valToPos does, without a call per point)
    const { min: x0, max: x1 } = u.scales.x, { min: y0, max: y1 } = u.scales.y;
    if (x0 == null || x1 == null || y0 == null || y1 == null) return;
    const ax = width / (x1 - x0 || 1), bx = left - x0 * ax;
    const ay = -height / (y1 - y0 || 1), by = top + height - y0 * ay;
    // one path per line, stroked straight away (no Path2D objects): 2,000 lines a chart at 1,000 runs
    const line = (p: Prepared, ys: Float64Array) => {
      ctx.beginPath();
      let started = false;
      const dots = p.x.length < 3;
      for (let i = 0; i < p.x.length; i++) {
        const v = ys[i];
        if (!Number.isFinite(v) || (logY && v <= 0)) continue;  // as spanGaps: the line joins the finite points
        const px = ax * p.x[i] + bx, py = logY ? u.valToPos(v, "y", true) : ay * v + by;
        if (started) ctx.lineTo(px, py);
        else { ctx.moveTo(px, py); started = true; }
        if (dots) { ctx.moveTo(px + 3 * r, py); ctx.arc(px, py, 3 * r, 0, 2 * Math.PI); ctx.moveTo(px, py); }
      }
      ctx.stroke();
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.lineJoin = "round";
    for (const p of this.prepared) {
      if (smoothing) {
        ctx.strokeStyle = withAlpha(p.input.color, 0.28);
        ctx.lineWidth = r;
        line(p, p.y);
      }
      ctx.strokeStyle = p.input.color;
      ctx.lineWidth = (smoothing ? 1.6 : 1.2) * r;
      line(p, p.smooth);
    }
    ctx.restore();
  }

  private refillSmoothed(): uPlot.AlignedData {
    if (this.many) return this.envelope();
    let c = 0;
    for (const p of this.prepared) {
      const sm = this.cols[c + 1];
      for (let i = 0; i < p.x.length; i++) sm[p.at[i]] = this.yValue(p.smooth[i]);
      c += p.input.band ? 4 : 2;
    }
    return [this.joinedX as unknown as number[], ...this.cols] as uPlot.AlignedData;
  }

  private alignBand(p: Prepared, pts: ScalarPoint[]) {
    const byStep = new Map(pts.map((q) => [q[1], q[2]]));
    const out: (number | null)[] = new Array(this.joinedX.length).fill(null);
    for (let i = 0; i < p.x.length; i++) {
      const v = byStep.get(p.steps[i]);
      out[p.at[i]] = v === undefined ? null : this.yValue(v);
    }
    return out;
  }

  /** Raw lines are the faint background of smoothed ones; alone (smoothing 0) the smoothed line is the raw one. */
  private showRaw() {
    if (!this.plot || this.many) return;
    const show = this.opts.smoothing > 0;
    let k = 1;
    for (const p of this.prepared) {
      if (this.plot.series[k].show !== show) this.plot.setSeries(k, { show });
      k += p.input.band ? 4 : 2;
    }
  }

  private rebuild(keepZoom: boolean) {
    const old = this.plot;
    const zoom = keepZoom && old ? [old.scales.x.min, old.scales.x.max] : null;
    if (!zoom) this.lastZoomKey = "none";
    old?.destroy();
    const axis = cssVar("--axis"), grid = cssVar("--grid");
    const series: uPlot.Series[] = [{}];
    const bands: uPlot.Band[] = [];
    const smoothing = this.opts.smoothing > 0;
    this.many = !this.prepared.some((p) => p.input.band);
    if (this.many) {
      // invisible: only uPlot's autoscale reads them; drawMany draws the lines
      for (const label of ["lowest", "highest"]) series.push({ label, stroke: "transparent", width: 0, spanGaps: true, points: { show: false } });
    }
    for (const p of this.many ? [] : this.prepared) {
      const c = p.input.color;
      series.push({ label: `${p.input.label} (raw)`, stroke: withAlpha(c, smoothing ? 0.28 : 1), width: 1, spanGaps: true, points: { show: false }, show: smoothing });
      series.push({ label: p.input.label, stroke: c, width: smoothing ? 1.6 : 1.2, spanGaps: true, points: { show: p.x.length < 3 } });
      if (p.input.band) {
        const lo = series.length;
        series.push({ label: `${p.input.label} lower`, stroke: withAlpha(c, 0.4), width: 1, spanGaps: true, points: { show: false } });
        series.push({ label: `${p.input.label} upper`, stroke: withAlpha(c, 0.4), width: 1, spanGaps: true, points: { show: false } });
        bands.push({ series: [lo + 1, lo], fill: withAlpha(c, 0.15) });
      }
    }
    const xMode = this.opts.xAxis;
    const opts: uPlot.Options = {
      ...this.size(),
      series,
      bands,
      legend: { show: false },
      scales: {
        x: { time: xMode === "wall" },
        y: this.opts.logY ? { distr: 3, log: 10 } : { auto: true },
      },
      axes: [
        {
          stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 36,
          values: xMode === "relative" ? (_u, splits) => splits.map((v) => fmtDuration(v)) : undefined,
          // steps are integers: no ticks at 0.5
          incrs: xMode === "step" ? STEP_INCRS : undefined,
        },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 56, values: (_u, splits) => splits.map((v) => (v == null ? "" : fmtNum(v))) },
      ],
      cursor: { drag: { x: true, y: false, setScale: true }, points: { show: false } },
      hooks: {
        setCursor: [(u) => this.updateTooltip(u)],
        setScale: [(u, key) => {
          if (key !== "x" || this.ignoreScale || !this.opts.onZoom) return;
          const full = this.joinedX.length ? [this.joinedX[0], this.joinedX[this.joinedX.length - 1]] : [0, 0];
          const { min, max } = u.scales.x;
          const zoomed = min != null && max != null && (min > full[0] || max < full[1]);
          const zoomKey = zoomed ? `${min},${max}` : "none";
          if (zoomKey === this.lastZoomKey) return;
          this.lastZoomKey = zoomKey;
          this.opts.onZoom(zoomed ? [this.toStep(min!), this.toStep(max!)] : null);
        }],
        draw: [(u) => {
          if (this.many) this.drawMany(u);
          this.el.dataset.drawn = String((Number(this.el.dataset.drawn) || 0) + 1);
          const f = this.drawnOnce;
          this.drawnOnce = undefined;
          f?.();
        }],
      },
    };
    this.markDrawn();
    this.plot = new uPlot(opts, this.data(), this.el);
    this.el.append(this.tooltip);
    if (zoom && zoom[0] != null && zoom[1] != null) {
      this.ignoreScale = true;
      this.plot.setScale("x", { min: zoom[0], max: zoom[1] });
      this.ignoreScale = false;
    }
  }

  /** Maps an x value back to a step (zoomed windows are fetched by step). */
  private toStep(x: number): number {
    if (this.opts.xAxis === "step") return x;
    let best = Infinity, step = x;
    for (const p of this.prepared) {
      const i = nearest(p.x, x);
      if (i >= 0 && Math.abs(p.x[i] - x) < best) { best = Math.abs(p.x[i] - x); step = p.steps[i]; }
    }
    return step;
  }

  private updateTooltip(u: uPlot) {
    const { left, top } = u.cursor;
    if (left == null || left < 0 || top == null || !this.prepared.length) {
      this.tooltip.style.display = "none";
      return;
    }
    const x = u.posToVal(left, "x");
    const rows = this.prepared.map((p) => {
      const i = nearest(p.x, x);
      if (i < 0) return null;
      return h("tr", null,
        h("td", null, h("span.swatch", { style: { background: p.input.color, display: "inline-block" } })),
        h("td", null, p.input.label),
        h("td", null, this.opts.smoothing > 0 ? fmtNum(p.smooth[i]) : ""),
        h("td", null, fmtNum(p.y[i])),
        h("td", null, String(p.steps[i])),
        h("td", null, fmtWall(p.walls[i])),
        h("td", null, fmtDuration(p.walls[i] - p.walls[0])),
      );
    });
    this.tooltip.replaceChildren(h("table", null,
      h("tr", null, h("th"), h("th", null, "Run"), h("th", null, this.opts.smoothing > 0 ? "Smoothed" : ""), h("th", null, "Value"), h("th", null, "Step"), h("th", null, "Time"), h("th", null, "Relative")),
      rows,
    ));
    this.tooltip.style.display = "block";
    const box = this.el.getBoundingClientRect();
    const over = u.over.getBoundingClientRect();
    const px = over.left - box.left + left;
    const tw = this.tooltip.offsetWidth;
    this.tooltip.style.left = `${px + 12 + tw > box.width ? Math.max(0, px - tw - 12) : px + 12}px`;
    this.tooltip.style.top = `${over.top - box.top + top + 12}px`;
  }
}

/** Index of the element of sorted xs nearest to x, or -1 if empty. */
export function nearest(xs: ArrayLike<number>, x: number): number {
  const n = xs.length;
  if (!n) return -1;
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x)) return lo - 1;
  return lo;
}
