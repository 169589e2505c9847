// Custom Scalars: the charts of the layout written with add_custom_scalars.
// Multiline charts overlay every (run, tag) whose tag matches one of the
// chart's regexes; Margin charts draw a value line inside a lower/upper band.
import { getJson, TagsByRun } from "../lib/api";
import { card, control, emptyNote, errorBanner, groupSection } from "../lib/cards";
import { categorical } from "../lib/colors";
import { clear, h, safeRegex, whenVisible } from "../lib/dom";
import { ScalarChart, SeriesInput } from "../lib/scalarChart";
import { pointsOf } from "../lib/scalarColumns.js";
import { fetchSeries, markStale, plotColumns } from "../lib/scalarData";
import type { Dashboard, DashboardContext } from "./types";

interface Layout {
  category?: { title: string; closed?: boolean; chart?: Chart[] }[];
}
interface Chart {
  title: string;
  multiline?: { tag: string[] };
  margin?: { series: { value: string; lower: string; upper: string }[] };
}

class CustomCard {
  readonly el: HTMLElement;
  private chartEl = h("div.chart");
  private chart?: ScalarChart;
  active = false;

  constructor(private spec: Chart, private d: CustomScalarsDashboard) {
    const c = card(spec.title || "(untitled)", spec.multiline ? spec.multiline.tag.join(", ") : "margin");
    this.el = c.el;
    c.body.append(this.chartEl);
    whenVisible(this.el, () => { this.active = true; void this.load(); });
  }

  async load() {
    const runs = this.d.ctx.runs();
    const width = plotColumns(this.chartEl);
    const series: SeriesInput[] = [];
    const fetch = (r: string, t: string) => fetchSeries(r, t, width).then((s) => pointsOf(s.columns));
    try {
      if (this.spec.multiline) {
        const res = this.spec.multiline.tag.map((t) => safeRegex(`^(?:${t})$`));
        const pairs: [string, string][] = [];
        for (const r of runs) for (const t of Object.keys(this.d.tags[r] ?? {})) if (res.some((re) => re?.test(t))) pairs.push([r, t]);
        const got = await Promise.all(pairs.map(([r, t]) => fetch(r, t)));
        // name the run only when several runs have data here
        const several = new Set(pairs.map((p) => p[0])).size > 1;
        pairs.forEach(([r, t], i) => series.push({ label: several ? `${r}/${t}` : t, color: categorical(i), points: got[i] }));
      } else if (this.spec.margin) {
        let i = 0;
        const margin = this.spec.margin.series;
        const several = runs.filter((r) => margin.some((s) => this.d.tags[r]?.[s.value])).length > 1;
        for (const r of runs) for (const s of margin) {
          if (!this.d.tags[r]?.[s.value]) continue;
          const [v, lo, hi] = await Promise.all([fetch(r, s.value), fetch(r, s.lower).catch(() => []), fetch(r, s.upper).catch(() => [])]);
          series.push({ label: several ? `${r}/${s.value}` : s.value, color: categorical(i++), points: v, band: { lower: lo, upper: hi } });
        }
      }
    } catch (e) {
      this.chartEl.replaceChildren(errorBanner(e));
      return;
    }
    if (!series.length) {
      this.chartEl.replaceChildren(emptyNote("No data for this chart's tags in the selected runs."));
      this.chart?.destroy();
      this.chart = undefined;
      return;
    }
    if (!this.chart) {
      clear(this.chartEl);
      this.chart = new ScalarChart(this.chartEl, { smoothing: this.d.smoothing, xAxis: "step", logY: false });
    }
    this.chart.setSeries(series);
  }

  setSmoothing(v: number) { this.chart?.setOptions({ smoothing: v }); }
  destroy() { this.chart?.destroy(); }
}

class CustomScalarsDashboard implements Dashboard {
  tags: TagsByRun = {};
  smoothing: number;
  private layout: Layout = {};
  private cards: CustomCard[] = [];
  private open = new Map<string, boolean>();
  private content = h("div");

  constructor(readonly ctx: DashboardContext) {
    this.smoothing = ctx.state.getNumber("csSmoothing", 0);
    const slider = h("input", { type: "range", min: 0, max: 0.999, step: 0.001, value: this.smoothing, "aria-label": "Smoothing" });
    const label = h("span", null, String(this.smoothing));
    slider.addEventListener("input", () => {
      this.smoothing = Number(slider.value);
      label.textContent = slider.value;
      ctx.state.set({ csSmoothing: this.smoothing || null });
      this.cards.forEach((c) => c.setSmoothing(this.smoothing));
    });
    ctx.controls.append(control("Smoothing", slider, label));
    ctx.el.append(this.content);
    void this.load();
  }

  private async load() {
    const before = JSON.stringify(this.layout);
    try {
      [this.layout, this.tags] = await Promise.all([getJson<Layout>("plugin/custom_scalars/layout"), getJson<TagsByRun>("plugin/scalars/tags")]);
    } catch (e) {
      this.content.replaceChildren(errorBanner(e));
      return;
    }
    this.ctx.setAvailableRuns(Object.keys(this.tags));
    if (JSON.stringify(this.layout) !== before || !this.cards.length) this.render();
    else await Promise.all(this.cards.filter((c) => c.active).map((c) => c.load()));
  }

  private render() {
    this.cards.forEach((c) => c.destroy());
    this.cards = [];
    clear(this.content);
    const cats = this.layout.category ?? [];
    if (!cats.length) return this.content.append(emptyNote("No custom scalar layout in this logdir."));
    for (const cat of cats) {
      const charts = (cat.chart ?? []).filter((c) => this.ctx.matchesTag(c.title) || (c.multiline?.tag ?? []).some((t) => this.ctx.matchesTag(t)));
      if (!charts.length) continue;
      if (!this.open.has(cat.title)) this.open.set(cat.title, !cat.closed);
      const sec = groupSection(cat.title, charts.length, this.open);
      for (const ch of charts) {
        const c = new CustomCard(ch, this);
        this.cards.push(c);
        sec.body.append(c.el);
      }
      this.content.append(sec.el);
    }
  }

  async reload() {
    markStale();
    await this.load();
  }

  refilter() { this.render(); }
  dispose() { this.cards.forEach((c) => c.destroy()); }
}

export default (ctx: DashboardContext): Dashboard => new CustomScalarsDashboard(ctx);
