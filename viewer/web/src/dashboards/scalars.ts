// Scalars: one card per tag, every selected run overlaid. Cards build their
// chart and fetch their data only when scrolled into view, so a logdir with
// hundreds of tags paints as fast as one with a few.
import { card, control, errorBanner, emptyNote, groupByPrefix, groupSection, segmented } from "../lib/cards";
import { clear, h, watchVisible } from "../lib/dom";
import { ScalarChart, SeriesInput, XAxis } from "../lib/scalarChart";
import { spliceWindow } from "../lib/scalarColumns.js";
import { downloadUrl, fetchSeries, markStale, plotColumns, scalarTagIndex, ScalarTagIndex, Series } from "../lib/scalarData";
import type { Dashboard, DashboardContext } from "./types";

interface Opts { smoothing: number; xAxis: XAxis; logY: boolean }

const perf = ((window as any).__tblogPerf ??= {}) as Record<string, number>;

class ScalarCard {
  readonly el: HTMLElement;
  private chartEl = h("div.chart");
  private footer = h("div.card-sub");
  private downloads = h("details.downloads", { ontoggle: () => this.renderDownloads() }) as HTMLDetailsElement;
  private chart?: ScalarChart;
  private data = new Map<string, Series>();
  private zoom: [number, number] | null = null;
  private detail = new Map<string, Series>();
  /** how many runs shared the chart when `data` was fetched (fewer now: ask again, finer) */
  private fetchedFor = 0;
  private stopWatching?: () => void;
  /** the load in progress */
  private loading?: AbortController;
  private visible = false;
  /** what to do when back on screen: "runs" changed (redraw, fetch what is missing) or "data"
   * may be newer on the server (fetch what changed since the cursors) */
  private stale: false | "runs" | "data" = false;
  private loadingRefresh = false;
  private pendingOpts: Partial<Opts> = {};
  active = false;

  constructor(readonly tag: string, private runs: string[], private d: ScalarsDashboard) {
    const expand = h("button", { title: "Full width", onclick: () => {
      this.el.classList.toggle("expanded");
    } }, "⤢");
    const c = card(tag, undefined, [expand]);
    this.el = c.el;
    c.body.append(this.chartEl, h("div.step-row", null, this.footer, this.downloads));
    this.renderDownloads();
    this.stopWatching = watchVisible(this.el, (v) => this.onVisible(v));
  }

  /** Cards near the viewport fetch and draw; off it they do neither. One scrolled away before
   * its answer came drops its request if not sent yet, and what changed while it was away
   * (runs, options) applies when it comes back. */
  private onVisible(visible: boolean) {
    this.visible = visible;
    if (!visible) {
      if (this.loading) {
        this.loading.abort();
        this.loading = undefined;
        this.stale = this.loadingRefresh || this.stale === "data" ? "data" : "runs";
      }
      return;
    }
    if (!this.active) return this.activate();
    if (Object.keys(this.pendingOpts).length) {
      this.chart?.setOptions(this.pendingOpts);
      this.pendingOpts = {};
    }
    const stale = this.stale;
    this.stale = false;
    if (stale === "data") void this.load(true);
    else if (stale === "runs") this.redrawRuns();
  }

  /** A run-selection change: the chart redraws at once from the series it holds (a filter only
   * changes which of them are drawn), then fetches the runs it lacks, or finer series when far
   * fewer runs now share the chart, and redraws again when they arrive. */
  setRuns(runs: string[]) {
    if (runs.join("\n") === this.runs.join("\n")) return;
    this.runs = runs;
    if (this.downloads.open) this.renderDownloads();
    if (!this.active) return;
    if (!this.visible) this.stale ||= "runs";
    else this.redrawRuns();
  }

  private redrawRuns() {
    if (this.runs.some((r) => this.data.has(r))) this.draw(!!this.zoom);
    // what is missing (or finer) is asked for once the redraw is on screen: its answers would
    // otherwise be decoded and drawn in the frame the user waits for
    if (this.toFetch(false).length) requestAnimationFrame(() => setTimeout(() => {
      if (!this.active || !this.toFetch(false).length) return;
      if (this.visible) void this.load(false);
      else this.stale ||= "runs";
    }));
  }

  /** New data may be on the server: asked for now on screen, when back on it otherwise. */
  async refresh() {
    if (this.visible) await this.load(true);
    else this.stale = "data";
  }

  /** Runs to ask the server for: all on refresh, or all when the chart holds them coarser than
   * its share of points now allows, else those it has not fetched. */
  private toFetch(refresh: boolean) {
    const finer = this.fetchedFor > 2 * this.runs.length;
    return this.runs.filter((r) => refresh || finer || !this.data.has(r));
  }

  /** The per-run download links are built when the list is opened: with 1,000 runs and 20
   * cards, building them for every card up front was 40,000 links at each run change. */
  private renderDownloads() {
    this.downloads.replaceChildren(h("summary", null, "download"));
    if (!this.downloads.open) return;
    this.downloads.append(h("ul", null, this.runs.map((r) =>
      h("li", null, `${r}: `,
        h("a", { href: downloadUrl(r, this.tag, "csv"), download: `${r}_${this.tag}.csv`.replace(/\//g, "_") }, "CSV"), " ",
        h("a", { href: downloadUrl(r, this.tag, "json"), download: `${r}_${this.tag}.json`.replace(/\//g, "_") }, "JSON"),
      ))));
  }

  /** Starts loading now when on screen (the intersection observer would say so a frame later). */
  startIfOnScreen(pane: DOMRect) {
    if (this.active) return;
    const r = this.el.getBoundingClientRect();
    if (r.height <= 0 || r.bottom <= pane.top || r.top >= pane.bottom) return;
    this.visible = true;
    this.activate();
  }

  private activate() {
    this.active = true;
    this.pendingOpts = {};
    this.chart = new ScalarChart(this.chartEl, { ...this.d.opts, onZoom: (r) => this.onZoom(r) });
    void this.load(false);
  }

  /** Fetches runs not loaded yet (or all of them on refresh) and redraws. */
  async load(refresh: boolean) {
    const width = plotColumns(this.chartEl);
    const finer = this.fetchedFor > 2 * this.runs.length;
    const need = this.toFetch(refresh);
    // a newer load supersedes this one: its requests not sent yet are dropped
    this.loading?.abort();
    const loading = (this.loading = new AbortController());
    this.loadingRefresh = refresh;
    try {
      const overlaid = this.runs.length;
      const got = await Promise.all(need.map((r) => fetchSeries(r, this.tag, width, undefined, { refresh, overlaid, signal: loading.signal })));
      if (loading.signal.aborted) return;  // the newer load draws (the answers stay cached for it)
      this.fetchedFor = finer || !this.fetchedFor ? overlaid : Math.max(this.fetchedFor, overlaid);
      need.forEach((r, i) => this.data.set(r, got[i]));
      if (this.zoom) await this.loadDetail(this.zoom);
      this.draw(!!this.zoom);
    } catch (e) {
      if (!loading.signal.aborted) this.chartEl.replaceChildren(errorBanner(e));
    } finally {
      if (this.loading === loading) this.loading = undefined;
    }
  }

  private async onZoom(range: [number, number] | null) {
    this.zoom = range;
    if (!range) {
      if (this.detail.size) { this.detail.clear(); this.draw(false); }
      return;
    }
    const downsampled = this.runs.some((r) => { const s = this.data.get(r); return s && s.total > s.columns.step.length; });
    if (!downsampled) return;
    await this.loadDetail(range);
    if (this.zoom === range) this.draw(true);
  }

  private async loadDetail(range: [number, number]) {
    const width = plotColumns(this.chartEl);
    const runs = this.runs.filter((r) => { const s = this.data.get(r); return s && s.total > s.columns.step.length; });
    const got = await Promise.all(runs.map((r) => fetchSeries(r, this.tag, width, range, { overlaid: runs.length })));
    this.detail.clear();
    runs.forEach((r, i) => this.detail.set(r, got[i]));
  }

  private draw(keepZoom: boolean) {
    if (!this.chart) return;
    const series: SeriesInput[] = [];
    let shown = 0, total = 0;
    for (const r of this.runs) {
      const s = this.data.get(r);
      if (!s) continue;
      const det = this.detail.get(r);
      // overview outside the zoomed window, full detail inside it
      const columns = det ? spliceWindow(s.columns, det.columns) : s.columns;
      shown += columns.step.length;
      total += s.total;
      series.push({ label: r, color: this.d.ctx.color(r), columns });
    }
    this.footer.title = total > shown ? "downsampled on the server keeping each pixel column's first, min, max and last point; zoom in for full detail" : "";
    this.footer.textContent = total > shown ? `${total.toLocaleString()} pts, ${shown.toLocaleString()} drawn` : `${total.toLocaleString()} points`;
    const drawn = this.chart.nextDraw();
    this.chart.setSeries(series, keepZoom);
    void drawn.then(() => this.d.chartDrawn());
  }

  setOptions(o: Partial<Opts>) {
    if (this.visible) this.chart?.setOptions(o);
    else Object.assign(this.pendingOpts, o);
  }

  destroy() {
    this.loading?.abort();
    this.stopWatching?.();
    this.chart?.destroy();
  }
}

class ScalarsDashboard implements Dashboard {
  opts: Opts;
  private index: ScalarTagIndex = { runs: new Set(), tags: new Map() };
  private cards = new Map<string, ScalarCard>();
  private openGroups = new Map<string, boolean>();
  private content = h("div");
  /** the tag groups and cards the content holds (JSON), to tell a redraw from a new layout */
  private layout = "";
  private firstDrawn = false;

  constructor(readonly ctx: DashboardContext) {
    const s = ctx.state;
    this.opts = {
      smoothing: Math.min(0.999, Math.max(0, s.getNumber("smoothing", 0.6))),
      xAxis: (["step", "relative", "wall"].includes(s.get("xAxis")) ? s.get("xAxis") : "step") as XAxis,
      logY: s.getBool("logY"),
    };
    this.controls();
    ctx.el.append(this.content);
    void this.load();
  }

  private controls() {
    const slider = h("input", { type: "range", min: 0, max: 0.999, step: 0.001, value: this.opts.smoothing, "aria-label": "Smoothing" });
    const num = h("input", { type: "number", min: 0, max: 0.999, step: 0.01, value: this.opts.smoothing, style: { width: "70px" } });
    const set = (v: number) => {
      v = Math.min(0.999, Math.max(0, v || 0));
      slider.value = String(v);
      num.value = String(v);
      this.setSmoothing(v);
    };
    slider.addEventListener("input", () => set(Number(slider.value)));
    num.addEventListener("change", () => set(Number(num.value)));
    slider.id = "smoothing";
    const logY = h("input", { type: "checkbox", checked: this.opts.logY, id: "log-y" });
    logY.addEventListener("change", () => {
      this.opts.logY = logY.checked;
      this.ctx.state.set({ logY: logY.checked || null });
      this.cards.forEach((c) => c.setOptions({ logY: logY.checked }));
    });
    this.ctx.controls.append(
      control("Smoothing", slider, num),
      control("Horizontal axis", segmented<XAxis>([["step", "Step"], ["relative", "Relative"], ["wall", "Wall"]], this.opts.xAxis, (v) => {
        this.opts.xAxis = v;
        this.ctx.state.set({ xAxis: v === "step" ? null : v });
        this.cards.forEach((c) => c.setOptions({ xAxis: v }));
      })),
      control("Vertical axis", h("label.toggle", null, logY, " log scale")),
    );
  }

  /** Recomputes every drawn chart's average; the time it takes is recorded for the perf table. */
  private setSmoothing(v: number) {
    performance.mark("scalars:smoothing:start");
    this.opts.smoothing = v;
    this.ctx.state.set({ smoothing: v === 0.6 ? null : v });
    this.cards.forEach((c) => c.setOptions({ smoothing: v }));
    requestAnimationFrame(() => {
      const m = performance.measure("scalars:smoothing", "scalars:smoothing:start");
      perf.smoothingMs = m.duration;
      perf.smoothingCount = (perf.smoothingCount ?? 0) + 1;
    });
  }

  chartDrawn() {
    perf.lastChartMs = performance.now();
    perf.chartsDrawn = (perf.chartsDrawn ?? 0) + 1;
    if (this.firstDrawn) return;
    this.firstDrawn = true;
    performance.mark("scalars:first-chart");
    perf.firstChartMs = performance.now();
  }

  private async load() {
    try {
      this.index = await scalarTagIndex();
    } catch (e) {
      this.content.replaceChildren(errorBanner(e));
      return;
    }
    this.ctx.setAvailableRuns([...this.index.runs]);
    this.render();
  }

  private render() {
    const runs = this.ctx.runs().filter((r) => this.index.runs.has(r));
    const runsByTag = new Map<string, string[]>();
    for (const [t, has] of this.index.tags) {
      if (!this.ctx.matchesTag(t)) continue;
      const rs = runs.filter((r) => has.has(r));
      if (rs.length) runsByTag.set(t, rs);
    }
    const groups = groupByPrefix([...runsByTag.keys()]);
    // Same cards as drawn (a run filter or selection change): they stay in the page and only
    // redraw; re-attaching every card would re-layout the whole pane and re-arm every chart.
    const layout = JSON.stringify([...groups]);
    if (layout === this.layout && runsByTag.size) {
      for (const [tag, c] of this.cards) c.setRuns(runsByTag.get(tag)!);
      return;
    }
    this.layout = layout;
    for (const [tag, c] of this.cards) if (!runsByTag.has(tag)) { c.destroy(); this.cards.delete(tag); }
    clear(this.content);
    if (!runsByTag.size) {
      this.content.append(emptyNote(this.index.runs.size ? "No scalar tags match the selected runs and filters." : "No scalar data."));
      return;
    }
    for (const [group, tags] of groups) {
      const sec = groupSection(group, tags.length, this.openGroups);
      for (const tag of tags) {
        let c = this.cards.get(tag);
        if (c) c.setRuns(runsByTag.get(tag)!);
        else this.cards.set(tag, (c = new ScalarCard(tag, runsByTag.get(tag)!, this)));
        sec.body.append(c.el);
      }
      this.content.append(sec.el);
    }
    const pane = this.ctx.el.getBoundingClientRect();
    for (const c of this.cards.values()) c.startIfOnScreen(pane);
  }

  async reload() {
    markStale();
    await this.load();
    await Promise.all([...this.cards.values()].filter((c) => c.active).map((c) => c.refresh()));
  }

  refilter() {
    this.render();
  }

  dispose() {
    this.cards.forEach((c) => c.destroy());
    this.cards.clear();
  }
}

export default (ctx: DashboardContext): Dashboard => new ScalarsDashboard(ctx);
