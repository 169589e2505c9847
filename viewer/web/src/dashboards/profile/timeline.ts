// The Trace view: one track per thread with nested spans, counter tracks, flow arrows
// (forward -> backward, CPU -> GPU), search, click for a span's args. Wheel zooms around
// the cursor, drag pans, double-click resets.
//
// Why it stays smooth at a million events: spans are read from their track's typed arrays
// (lib/trace.ts: no object per span), indexed per nesting level sorted by start, and within
// a level they do not overlap, so their ends are sorted too. A frame binary-searches the
// first visible span of each level, and after a span narrower than a pixel jumps straight to
// the first span reaching the next pixel (level of detail): a frame touches at most ~one
// span per pixel column per level, whatever the trace holds. Colours and search matches are
// worked out once per distinct name. Frames are coalesced with requestAnimationFrame.
import { cssVar, h } from "../../lib/dom";
import { fmtNum } from "../../lib/format";
import { niceTicks } from "../../lib/plot2d";
import type { ThreadTrack, Trace, Track } from "../../lib/trace";
import { fmtUs, spanColor } from "./format";

const LABEL_W = 170, ROW_H = 18, COUNTER_H = 44, AXIS_H = 24;

/** The name cut with an ellipsis to fit `width` pixels (never squeezed). */
function fitText(g: CanvasRenderingContext2D, text: string, width: number) {
  if (g.measureText(text).width <= width) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return lo ? `${text.slice(0, lo)}…` : "";
}

/** First position >= from in a level (span indices) whose span ends at or after t. */
function firstEndingAfter(lv: Uint32Array, ts: Float64Array, dur: Float64Array, t: number, from = 0) {
  let lo = from, hi = lv.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (ts[lv[m]] + dur[lv[m]] < t) lo = m + 1; else hi = m; }
  return lo;
}

/** A span by its track and index in it. */
interface SpanRef { track: ThreadTrack; i: number }

export class TimelineView {
  readonly el = h("div.profile-trace");
  private box = h("div.timeline");
  private canvas = h("canvas");
  private tip = h("div.tooltip", { style: { display: "none" } });
  private details = h("div.span-details");
  private search = h("input", { type: "search", placeholder: "Search spans…", "aria-label": "Search spans" });
  private matchInfo = h("span.muted");
  private flowsBox = h("input", { type: "checkbox", checked: true, "aria-label": "Flow arrows" });
  private view = { t0: 0, t1: 1 };
  private selected?: SpanRef;
  private query = "";
  /** by name index: 1 when the name holds the query */
  private nameMatch?: Uint8Array;
  /** by name index, filled as names are drawn */
  private colors: (string | undefined)[];
  private matches: SpanRef[] = [];
  private matchIndex = -1;
  private layout: { track: Track; y: number; h: number }[] = [];
  private trackY = new Map<Track, number>();
  private frame = 0;
  private resize: ResizeObserver;
  private onUp?: (e: MouseEvent) => void;
  /** The longest time between a flow's two ends (how far before the view a visible flow can start). */
  private flowReach: number;

  constructor(private trace: Trace) {
    this.box.append(this.canvas, this.tip);
    const next = h("button", { onclick: () => this.nextMatch() }, "Next");
    this.el.append(h("div.row.trace-tools", null, this.search, next, this.matchInfo,
      h("label", null, this.flowsBox, " flow arrows")), this.box, this.details);
    this.search.addEventListener("input", () => this.setQuery(this.search.value));
    this.flowsBox.addEventListener("change", () => this.requestDraw());
    this.view = { t0: trace.start, t1: trace.end };
    this.colors = new Array(trace.strings.length);
    const fc = trace.flowCols, th = trace.threads;
    let reach = 0;
    for (let f = 0; f < fc.n; f++) reach = Math.max(reach, Math.abs(th[fc.toTrack[f]].cols.ts[fc.toSpan[f]] - th[fc.fromTrack[f]].cols.ts[fc.fromSpan[f]]));
    this.flowReach = reach;
    this.box.dataset.tracks = String(trace.tracks.length);
    this.box.dataset.threads = String(th.length);
    this.box.dataset.spans = String(th.reduce((n, t) => n + t.n, 0));
    this.box.dataset.flows = String(fc.n);
    this.resize = new ResizeObserver(() => this.requestDraw());
    this.resize.observe(this.box);
    this.interact();
    // test and benchmark hook: pan by `px` pixels and draw now; returns the frame's time in ms
    (this.box as unknown as { tblogPan: (px: number) => number }).tblogPan = (px: number) => {
      const w = this.canvas.clientWidth - LABEL_W - 8;
      const dt = (px / w) * (this.view.t1 - this.view.t0);
      this.view = { t0: this.view.t0 + dt, t1: this.view.t1 + dt };
      const t = performance.now();
      this.draw();
      return performance.now() - t;
    };
  }

  /** Shows [t0, t1] (e.g. one step). */
  zoomTo(t0: number, t1: number) {
    const pad = (t1 - t0) * 0.02;
    this.view = { t0: t0 - pad, t1: t1 + pad };
    this.requestDraw();
  }

  setQuery(q: string) {
    this.query = q.trim().toLowerCase();
    this.matches = [];
    this.matchIndex = -1;
    this.nameMatch = undefined;
    if (this.query) {
      const m = (this.nameMatch = Uint8Array.from(this.trace.strings, (n) => (n.toLowerCase().includes(this.query) ? 1 : 0)));
      for (const track of this.trace.threads)
        for (let i = 0; i < track.n; i++) if (m[track.cols.name[i]]) this.matches.push({ track, i });
    }
    this.matches.sort((a, b) => a.track.cols.ts[a.i] - b.track.cols.ts[b.i]);
    this.matchInfo.textContent = this.query ? `${this.matches.length.toLocaleString()} matches` : "";
    this.box.dataset.matches = String(this.matches.length);
    this.requestDraw();
  }

  private nextMatch() {
    if (!this.matches.length) return;
    this.matchIndex = (this.matchIndex + 1) % this.matches.length;
    const ref = this.matches[this.matchIndex], span = ref.track.span(ref.i);
    const w = Math.max(span.dur * 20, (this.view.t1 - this.view.t0) * 0.05, 1);
    this.view = { t0: span.ts - w / 2, t1: span.ts + w / 2 };
    this.select(ref);
    this.matchInfo.textContent = `${this.matchIndex + 1} / ${this.matches.length.toLocaleString()} matches`;
  }

  private requestDraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
  }

  private draw() {
    const tr = this.trace;
    this.layout = [];
    this.trackY.clear();
    let y = AXIS_H;
    for (const t of tr.tracks) {
      const hgt = t.kind === "thread" ? t.depth * ROW_H + 6 : COUNTER_H;
      this.layout.push({ track: t, y, h: hgt });
      this.trackY.set(t, y);
      y += hgt + 4;
    }
    const w = Math.max(300, this.box.clientWidth), H = Math.max(120, y + 4), dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== w * dpr || this.canvas.height !== H * dpr) {
      this.canvas.width = w * dpr; this.canvas.height = H * dpr;
      this.canvas.style.width = `${w}px`; this.canvas.style.height = `${H}px`;
    }
    const g = this.canvas.getContext("2d")!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, H);
    const { t0, t1 } = this.view;
    const plotW = w - LABEL_W - 8;
    const X = (t: number) => LABEL_W + ((t - t0) / (t1 - t0)) * plotW;
    const usPerPx = (t1 - t0) / plotW;
    const fg = cssVar("--fg"), axis = cssVar("--axis"), grid = cssVar("--grid"), accent = cssVar("--accent");
    g.font = "11px system-ui, sans-serif";
    g.textBaseline = "middle";
    g.strokeStyle = grid; g.fillStyle = axis; g.textAlign = "center";
    for (const t of niceTicks(t0, t1, Math.floor(plotW / 90))) {
      g.beginPath(); g.moveTo(X(t), AXIS_H - 4); g.lineTo(X(t), H); g.stroke();
      g.fillText(fmtUs(t - tr.start), X(t), AXIS_H / 2);
    }
    let drawn = 0;
    const match = this.nameMatch, strings = tr.strings, colors = this.colors, sel = this.selected;
    for (const { track, y: ty, h: th } of this.layout) {
      g.save();
      g.beginPath(); g.rect(LABEL_W, ty, w - LABEL_W, th); g.clip();
      if (track.kind === "thread") {
        const { ts, dur, name } = track.cols;
        track.levelIdx.forEach((lv, depth) => {
          const sy = ty + 3 + depth * ROW_H;
          let k = firstEndingAfter(lv, ts, dur, t0);
          while (k < lv.length) {
            const i = lv[k], s0 = ts[i], s1 = s0 + dur[i], nm = name[i];
            if (s0 > t1) break;
            const x0 = Math.max(LABEL_W, X(s0)), x1 = Math.min(w, X(s1));
            g.globalAlpha = match && !match[nm] ? 0.2 : 1;
            g.fillStyle = colors[nm] ??= spanColor(strings[nm]);
            g.fillRect(x0, sy, Math.max(1, x1 - x0), ROW_H - 2);
            drawn++;
            if (sel && sel.track === track && sel.i === i) { g.strokeStyle = accent; g.lineWidth = 2; g.strokeRect(x0, sy, Math.max(1, x1 - x0), ROW_H - 2); }
            if (x1 - x0 > 30) {
              g.fillStyle = "#111";
              g.textAlign = "left";
              g.fillText(fitText(g, strings[nm], x1 - x0 - 6), x0 + 3, sy + ROW_H / 2 - 1);
            }
            // level of detail: everything else that would land on this pixel is skipped
            k = x1 - x0 < 1 ? firstEndingAfter(lv, ts, dur, s1 + usPerPx, k + 1) : k + 1;
          }
        });
        g.globalAlpha = 1;
      } else {
        const span = track.max - track.min || 1;
        const Y = (v: number) => ty + th - 2 - ((v - track.min) / span) * (th - 6);
        g.beginPath();
        g.moveTo(X(track.ts[0] ?? t0), ty + th - 2);
        track.ts.forEach((t, i) => {
          // a counter holds its value until the next sample: draw steps
          if (i) g.lineTo(X(t), Y(track.values[i - 1]));
          g.lineTo(X(t), Y(track.values[i]));
        });
        g.lineTo(X(tr.end), Y(track.values[track.values.length - 1] ?? 0));
        g.lineTo(X(tr.end), ty + th - 2);
        g.closePath();
        g.fillStyle = "rgba(51, 153, 204, 0.35)"; g.fill();
        g.strokeStyle = "#3399cc"; g.lineWidth = 1; g.stroke();
      }
      g.restore();
      g.fillStyle = fg; g.textAlign = "left";
      g.fillText(fitText(g, track.label, LABEL_W - 10), 6, ty + Math.min(th, ROW_H) / 2 + 2);
      if (track.kind === "counter") { g.fillStyle = axis; g.fillText(`max ${fmtNum(track.max)}`, 6, ty + ROW_H + 6, LABEL_W - 10); }
      g.strokeStyle = grid; g.beginPath(); g.moveTo(0, ty + th + 2); g.lineTo(w, ty + th + 2); g.stroke();
    }
    let flows = 0;
    if (this.flowsBox.checked) {
      g.save();
      g.beginPath(); g.rect(LABEL_W, AXIS_H, w - LABEL_W, H - AXIS_H); g.clip();
      g.strokeStyle = cssVar("--accent") || "#e67e22"; g.fillStyle = g.strokeStyle; g.lineWidth = 1;
      // flows are sorted by start: begin at the first that can reach t0, stop past the last
      // that can, and after drawing one jump to the first flow starting in the next pixel
      // column (level of detail: at most one arrow per column of starts)
      const fl = this.trace.flowCols, th = this.trace.threads, reach = this.flowReach;
      const fromTs = (f: number) => th[fl.fromTrack[f]].cols.ts[fl.fromSpan[f]];
      const firstFrom = (t: number, from: number) => {
        let lo = from, hi = fl.n;
        while (lo < hi) { const m = (lo + hi) >> 1; if (fromTs(m) < t) lo = m + 1; else hi = m; }
        return lo;
      };
      for (let i = firstFrom(t0 - reach, 0); i < fl.n; i++) {
        const ft = th[fl.fromTrack[i]], tt = th[fl.toTrack[i]], fs = fl.fromSpan[i], ts = fl.toSpan[i];
        const a = ft.cols.ts[fs], b = tt.cols.ts[ts];
        if (a - reach > t1) break;
        if (Math.max(a, b) < t0 || Math.min(a, b) > t1) continue;
        if (++flows > 4000) break;
        const xa = X(a), xb = X(b);
        const ya = this.trackY.get(ft)! + 3 + ft.cols.depth[fs] * ROW_H + ROW_H / 2;
        const yb = this.trackY.get(tt)! + 3 + tt.cols.depth[ts] * ROW_H + ROW_H / 2;
        i = Math.max(i, firstFrom(t0 + (Math.floor(xa - LABEL_W) + 1) * usPerPx, i + 1) - 1);
        g.beginPath(); g.moveTo(xa, ya);
        g.bezierCurveTo(xa + 30, ya, xb - 30, yb, xb, yb); g.stroke();
        g.beginPath(); g.moveTo(xb, yb); g.lineTo(xb - 6, yb - 3); g.lineTo(xb - 6, yb + 3); g.fill();
      }
      g.restore();
    }
    this.box.dataset.drawn = String(drawn);
    this.box.dataset.flowsDrawn = String(flows);
  }

  private hit(mx: number, my: number): { span?: SpanRef; counter?: { track: Track; i: number } } {
    if (mx < LABEL_W) return {};
    const w = this.canvas.clientWidth;
    const t = this.view.t0 + ((mx - LABEL_W) / (w - LABEL_W - 8)) * (this.view.t1 - this.view.t0);
    const pxUs = (this.view.t1 - this.view.t0) / (w - LABEL_W - 8);
    for (const { track, y, h: th } of this.layout) {
      if (my < y || my > y + th) continue;
      if (track.kind === "thread") {
        const lv = track.levelIdx[Math.floor((my - y - 3) / ROW_H)];
        if (!lv) return {};
        const k = firstEndingAfter(lv, track.cols.ts, track.cols.dur, t - pxUs * 2);
        return { span: k < lv.length && track.cols.ts[lv[k]] <= t + pxUs * 2 ? { track, i: lv[k] } : undefined };
      }
      let lo = 0, hi = track.ts.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (track.ts[m] <= t) lo = m + 1; else hi = m; }
      return { counter: { track, i: Math.max(0, lo - 1) } };
    }
    return {};
  }

  private interact() {
    let drag: { x: number; t0: number; t1: number; moved: boolean } | null = null;
    this.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = this.canvas.getBoundingClientRect();
      const f = Math.min(1, Math.max(0, (e.clientX - r.left - LABEL_W) / (r.width - LABEL_W - 8)));
      const at = this.view.t0 + f * (this.view.t1 - this.view.t0);
      const k = Math.exp(e.deltaY * 0.002);
      const span = Math.max(1e-3, (this.view.t1 - this.view.t0) * k);
      this.view = { t0: at - f * span, t1: at + (1 - f) * span };
      this.requestDraw();
    }, { passive: false });
    this.canvas.addEventListener("mousedown", (e) => (drag = { x: e.clientX, t0: this.view.t0, t1: this.view.t1, moved: false }));
    this.canvas.addEventListener("mousemove", (e) => {
      const r = this.canvas.getBoundingClientRect();
      if (drag && Math.abs(e.clientX - drag.x) > 2) {
        drag.moved = true;
        const dt = ((e.clientX - drag.x) / (r.width - LABEL_W - 8)) * (drag.t1 - drag.t0);
        this.view = { t0: drag.t0 - dt, t1: drag.t1 - dt };
        this.requestDraw();
        return;
      }
      const mx = e.clientX - r.left, my = e.clientY - r.top;
      const hit = this.hit(mx, my);
      let text = "";
      if (hit.span) { const { track, i } = hit.span; text = `${this.trace.strings[track.cols.name[i]]} · ${fmtUs(track.cols.dur[i])}`; }
      else if (hit.counter && hit.counter.track.kind === "counter") text = `${hit.counter.track.label}: ${fmtNum(hit.counter.track.values[hit.counter.i])}`;
      this.tip.style.display = text ? "block" : "none";
      this.tip.textContent = text;
      this.tip.style.left = `${Math.min(mx + 12, r.width - this.tip.offsetWidth - 4)}px`;
      this.tip.style.top = `${my + 14}px`;
    });
    this.canvas.addEventListener("mouseleave", () => (this.tip.style.display = "none"));
    window.addEventListener("mouseup", this.onUp = (e: MouseEvent) => {
      const d = drag;
      drag = null;
      if (!d || d.moved || e.target !== this.canvas) return;
      const r = this.canvas.getBoundingClientRect();
      this.select(this.hit(e.clientX - r.left, e.clientY - r.top).span);
    });
    this.canvas.addEventListener("dblclick", () => {
      this.view = { t0: this.trace.start, t1: this.trace.end };
      this.requestDraw();
    });
  }

  /** The other end of the first flow starting or ending at `ref`, and whether `ref` is its start. */
  private flowOf(ref: SpanRef): { other: SpanRef; from: boolean; cat: string } | undefined {
    const fl = this.trace.flowCols, th = this.trace.threads, ti = ref.track.index;
    for (let f = 0; f < fl.n; f++) {
      const from = fl.fromTrack[f] === ti && fl.fromSpan[f] === ref.i;
      if (from || (fl.toTrack[f] === ti && fl.toSpan[f] === ref.i))
        return { other: from ? { track: th[fl.toTrack[f]], i: fl.toSpan[f] } : { track: th[fl.fromTrack[f]], i: fl.fromSpan[f] }, from, cat: this.trace.flowMeta(f).cat };
    }
    return undefined;
  }

  private select(ref?: SpanRef) {
    this.selected = ref;
    this.requestDraw();
    if (!ref) { this.details.replaceChildren(); return; }
    const s = ref.track.span(ref.i), flow = this.flowOf(ref), o = flow && flow.other.track.span(flow.other.i);
    this.details.replaceChildren(h("div.card", null,
      h("div.card-title", null, s.name),
      h("table", null,
        h("tr", null, h("th", null, "Category"), h("td", null, s.cat || "—")),
        h("tr", null, h("th", null, "Start"), h("td", null, fmtUs(s.ts - this.trace.start))),
        h("tr", null, h("th", null, "Duration"), h("td", null, fmtUs(s.dur))),
        h("tr", null, h("th", null, "Self time"), h("td", null, fmtUs(s.self))),
        h("tr", null, h("th", null, "Process / thread"), h("td", null, `${s.pid} / ${s.tid}`)),
        flow && o ? h("tr", null, h("th", null, flow.from ? "Flow to" : "Flow from"),
          h("td", null, h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); this.zoomTo(o.ts, o.ts + o.dur); this.select(flow.other); } },
            `${o.name} (${flow.cat})`))) : null,
      ),
      s.args ? h("pre", null, JSON.stringify(s.args, null, 2)) : null,
    ));
  }

  show() { this.requestDraw(); }
  dispose() {
    this.resize.disconnect();
    if (this.onUp) window.removeEventListener("mouseup", this.onUp);
    if (this.frame) cancelAnimationFrame(this.frame);
  }
}
