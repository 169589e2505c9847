// HParams: the session groups of the experiment as a sortable, filterable
// table, as parallel coordinates (one axis per hparam and metric, one line per
// trial) and as a scatter matrix of metrics against hparams. Filters typed in
// the table apply to all three views.
import { srcUrl, url } from "../lib/api";
import { control, errorBanner, emptyNote, segmented } from "../lib/cards";
import { clear, cssVar, h } from "../lib/dom";
import { fmtNum } from "../lib/format";
import { Plot2D } from "../lib/plot2d";
import { ALL_STATUSES, compareValues, loadExperiment, metricLabel } from "../lib/runColumns";
import type { Experiment, SessionGroup } from "../lib/runColumns";
import type { Dashboard, DashboardContext } from "./types";

type View = "table" | "parallel" | "scatter";
type Value = number | string | boolean | undefined;

interface Column { key: string; label: string; kind: "hparam" | "metric"; get: (g: SessionGroup) => Value }

/** Filter syntax per column: "a..b" range, ">x", "<x", ">=x", "<=x", or a substring. */
export function matchesFilter(v: Value, f: string): boolean {
  f = f.trim();
  if (!f) return true;
  if (v === undefined) return false;
  const n = typeof v === "number" ? v : Number.NaN;
  const range = f.match(/^(-?[\d.e+-]+)\s*\.\.\s*(-?[\d.e+-]+)$/i);
  if (range) return n >= Number(range[1]) && n <= Number(range[2]);
  const cmp = f.match(/^(>=|<=|>|<|=)\s*(-?[\d.e+-]+)$/i);
  if (cmp) {
    const x = Number(cmp[2]);
    return { ">=": n >= x, "<=": n <= x, ">": n > x, "<": n < x, "=": n === x }[cmp[1]]!;
  }
  return String(v).toLowerCase().includes(f.toLowerCase());
}

function fmtValue(v: Value) {
  return typeof v === "number" ? fmtNum(v) : v === undefined ? "" : String(v);
}


class HParamsDashboard implements Dashboard {
  private exp?: Experiment;
  private groups: SessionGroup[] = [];
  private columns: Column[] = [];
  private filters = new Map<string, string>();
  private sort: { key: string; dir: 1 | -1 } = { key: "trial", dir: 1 };
  private view: View;
  private content = h("div.hp-views");
  private plots: Plot2D[] = [];
  private onTheme = () => this.render();

  constructor(private ctx: DashboardContext) {
    this.view = (["table", "parallel", "scatter"].includes(ctx.state.get("hpView")) ? ctx.state.get("hpView") : "table") as View;
    ctx.controls.append(control("View", segmented<View>([["table", "Table"], ["parallel", "Parallel"], ["scatter", "Scatter"]], this.view, (v) => {
      this.view = v;
      ctx.state.set({ hpView: v === "table" ? null : v });
      this.render();
    })));
    ctx.el.append(this.content);
    window.addEventListener("tblog-theme", this.onTheme);
    void this.load();
  }

  private async load() {
    try {
      ({ exp: this.exp, groups: this.groups } = await loadExperiment());
      this.addDownloads();
    } catch (e) {
      this.content.replaceChildren(errorBanner(e));
      return;
    }
    const metric = (tag: string, group: string) => (g: SessionGroup) => g.metricValues.find((m) => m.name.tag === tag && m.name.group === group)?.value;
    this.columns = [
      ...this.exp.hparamInfos.map((i): Column => ({ key: `h:${i.name}`, label: i.displayName || i.name, kind: "hparam", get: (g) => g.hparams[i.name] })),
      ...this.exp.metricInfos.map((i): Column => ({
        key: `m:${i.name.group}/${i.name.tag}`, label: metricLabel(i),
        kind: "metric", get: metric(i.name.tag, i.name.group),
      })),
    ];
    this.ctx.setAvailableRuns(this.groups.map((g) => g.name));
    this.render();
  }

  /** TensorBoard's "Download data" links: every session group as CSV, JSON or a LaTeX table. */
  private addDownloads() {
    const request = JSON.stringify({ experimentName: "", allowedStatuses: ALL_STATUSES, colParams: [], startIndex: 0, sliceSize: 100000 });
    const exp = this.exp;
    if (!exp) return;
    const visible = JSON.stringify([...exp.hparamInfos, ...exp.metricInfos].map(() => true));
    const link = (format: string, label: string, ext: string) => h("a", {
      href: srcUrl(url("plugin/hparams/download_data", { request, format, columnsVisibility: visible })), download: `hparams_table.${ext}`,
      dataset: { format },
    }, label);
    this.ctx.controls.append(control("Download data", link("csv", "CSV", "csv"), link("json", "JSON", "json"), link("latex", "LaTeX", "tex")));
  }

  /** Groups passing the run selection and the column filters, sorted. */
  private rows(): SessionGroup[] {
    const runs = new Set(this.ctx.runs());
    const cols = [{ key: "trial", get: (g: SessionGroup) => g.name } as Pick<Column, "key" | "get">, ...this.columns];
    const rows = this.groups.filter((g) => runs.has(g.name)
      && cols.every((c) => matchesFilter(c.get(g), this.filters.get(c.key) ?? "")));
    const col = cols.find((c) => c.key === this.sort.key) ?? cols[0];
    return rows.sort((a, b) => {
      const x = col.get(a), y = col.get(b);
      // missing values last in either direction
      return x === undefined || y === undefined ? compareValues(x, y) : compareValues(x, y) * this.sort.dir;
    });
  }

  private render() {
    this.plots.forEach((p) => p.destroy());
    this.plots = [];
    clear(this.content);
    if (!this.exp) return;
    if (!this.groups.length) return this.content.append(emptyNote("No hparams sessions in this logdir."));
    const rows = this.rows();
    this.content.dataset.rows = String(rows.length);
    if (this.view === "table") this.content.append(this.table(rows));
    else if (this.view === "parallel") this.content.append(this.filterNote(rows), this.parallel(rows));
    else this.content.append(this.filterNote(rows), this.scatter(rows));
  }

  private filterNote(rows: SessionGroup[]) {
    const active = [...this.filters.values()].filter(Boolean).length;
    return h("div.muted", null, `${rows.length} of ${this.groups.length} trials${active ? ` (${active} column filters from the table view)` : ""}`);
  }

  private table(rows: SessionGroup[]) {
    const cols: { key: string; label: string; get: (g: SessionGroup) => Value; kind?: string }[] = [
      { key: "trial", label: "Trial", get: (g) => g.name }, ...this.columns,
    ];
    const head = h("tr", null, cols.map((c) => h("th", {
      dataset: { key: c.key }, title: c.kind ?? "",
      onclick: () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? (-this.sort.dir as 1 | -1) : 1 };
        this.render();
      },
    }, c.label, " ", h("span.arrow", null, this.sort.key === c.key ? (this.sort.dir > 0 ? "▲" : "▼") : ""))));
    const filterRow = h("tr", null, cols.map((c) => {
      const input = h("input", { type: "text", placeholder: c.kind === "metric" || c.key.startsWith("h:") ? "filter, >x, a..b" : "filter", value: this.filters.get(c.key) ?? "", dataset: { key: c.key } });
      input.addEventListener("change", () => {
        this.filters.set(c.key, input.value);
        this.render();
        (this.content.querySelector(`input[data-key="${CSS.escape(c.key)}"]`) as HTMLInputElement | null)?.focus();
      });
      return h("th", null, input);
    }));
    const body = rows.map((g) => h("tr", { dataset: { trial: g.name } }, cols.map((c, i) => {
      const v = c.get(g);
      return h(typeof v === "number" ? "td.num" : "td", null, i === 0
        ? [h("span.swatch", { style: { background: this.ctx.color(g.name), display: "inline-block", marginRight: "6px" } }), String(v)]
        : fmtValue(v));
    })));
    return h("div", { style: { overflowX: "auto" } }, h("table.data", null, h("thead", null, head, filterRow), h("tbody", null, body)),
      rows.length ? null : emptyNote("No trials pass the filters."));
  }

  /** One vertical axis per column; numbers scaled min..max, strings spread evenly. */
  private axes(rows: SessionGroup[]) {
    return this.columns.map((c) => {
      const vals = this.groups.map(c.get).filter((v) => v !== undefined);
      const numeric = vals.every((v) => typeof v === "number");
      if (numeric) {
        const ns = vals as number[];
        let lo = Math.min(...ns), hi = Math.max(...ns);
        if (lo === hi) { lo -= 1; hi += 1; }
        return { c, numeric, pos: (v: Value) => (v === undefined ? NaN : ((v as number) - lo) / (hi - lo)), ticks: [lo, hi].map(fmtNum), rows };
      }
      const cats = [...new Set(vals.map(String))].sort();
      return { c, numeric, pos: (v: Value) => (cats.length > 1 ? cats.indexOf(String(v)) / (cats.length - 1) : 0.5), ticks: cats, rows };
    });
  }

  private parallel(rows: SessionGroup[]) {
    const box = h("div.canvas-box");
    const canvas = h("canvas");
    const tip = h("div.tooltip", { style: { display: "none" } });
    box.append(canvas, tip);
    const axes = this.axes(rows);
    const draw = (hover = -1) => {
      const w = Math.max(400, this.content.clientWidth), H = 380, dpr = window.devicePixelRatio || 1;
      canvas.width = w * dpr; canvas.height = H * dpr; canvas.style.width = `${w}px`; canvas.style.height = `${H}px`;
      const g = canvas.getContext("2d")!;
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      const m = { l: 60, r: 60, t: 40, b: 30 };
      const X = (i: number) => m.l + (axes.length > 1 ? (i / (axes.length - 1)) * (w - m.l - m.r) : (w - m.l - m.r) / 2);
      const Y = (p: number) => H - m.b - p * (H - m.t - m.b);
      const fg = cssVar("--fg"), axis = cssVar("--axis");
      g.font = "11px system-ui, sans-serif";
      rows.forEach((r, k) => {
        g.beginPath();
        axes.forEach((a, i) => {
          const y = Y(a.pos(a.c.get(r)));
          i ? g.lineTo(X(i), y) : g.moveTo(X(i), y);
        });
        g.strokeStyle = this.ctx.color(r.name);
        g.globalAlpha = hover < 0 || hover === k ? 0.9 : 0.15;
        g.lineWidth = hover === k ? 3 : 1.6;
        g.stroke();
      });
      g.globalAlpha = 1;
      axes.forEach((a, i) => {
        g.strokeStyle = axis; g.lineWidth = 1;
        g.beginPath(); g.moveTo(X(i), Y(0)); g.lineTo(X(i), Y(1)); g.stroke();
        g.fillStyle = fg; g.textAlign = "center"; g.textBaseline = "bottom";
        g.fillText(a.c.label, X(i), m.t - 14);
        g.fillStyle = axis; g.textAlign = "left"; g.textBaseline = "middle";
        if (a.numeric) { g.fillText(a.ticks[0], X(i) + 4, Y(0)); g.fillText(a.ticks[1], X(i) + 4, Y(1)); }
        else a.ticks.forEach((t) => g.fillText(t, X(i) + 4, Y(a.pos(t))));
      });
      return { X, Y };
    };
    const geo = draw();
    canvas.addEventListener("mousemove", (e) => {
      const rect = canvas.getBoundingClientRect();
      const mx = e.clientX - rect.left, my = e.clientY - rect.top;
      let best = -1, bestD = 12;
      rows.forEach((r, k) => {
        for (let i = 0; i + 1 < axes.length; i++) {
          const x0 = geo.X(i), x1 = geo.X(i + 1);
          if (mx < x0 || mx > x1) continue;
          const y0 = geo.Y(axes[i].pos(axes[i].c.get(r))), y1 = geo.Y(axes[i + 1].pos(axes[i + 1].c.get(r)));
          const d = Math.abs(y0 + ((mx - x0) / (x1 - x0)) * (y1 - y0) - my);
          if (d < bestD) { bestD = d; best = k; }
        }
      });
      draw(best);
      if (best < 0) { tip.style.display = "none"; return; }
      const r = rows[best];
      tip.replaceChildren(h("table", null, h("tr", null, h("th", null, "Trial"), h("td", null, r.name)),
        this.columns.map((c) => h("tr", null, h("th", null, c.label), h("td", null, fmtValue(c.get(r)))))));
      tip.style.display = "block";
      tip.style.left = `${Math.min(mx + 14, rect.width - tip.offsetWidth)}px`;
      tip.style.top = `${my + 14}px`;
    });
    canvas.addEventListener("mouseleave", () => { draw(); tip.style.display = "none"; });
    box.dataset.lines = String(rows.length);
    return box;
  }

  /** Metrics (rows) against hparams (columns); strings become evenly spaced categories. */
  private scatter(rows: SessionGroup[]) {
    const hp = this.columns.filter((c) => c.kind === "hparam");
    const ms = this.columns.filter((c) => c.kind === "metric");
    const axes = new Map(this.axes(rows).map((a) => [a.c.key, a]));
    const grid = h("div", { style: { display: "grid", gridTemplateColumns: `110px repeat(${hp.length}, minmax(120px, 1fr))`, gap: "4px", alignItems: "center" } });
    grid.append(h("div"), ...hp.map((c) => h("div.card-sub", { style: { textAlign: "center" } }, c.label)));
    for (const m of ms) {
      grid.append(h("div.card-sub", { style: { textAlign: "right" } }, m.label));
      for (const c of hp) {
        const cell = h("div.canvas-box");
        grid.append(cell);
        const plot = new Plot2D(cell, 120);
        this.plots.push(plot);
        const ax = axes.get(c.key)!;
        const pts = rows.map((r) => ({ r, x: ax.numeric ? (c.get(r) as number) : ax.pos(c.get(r)), y: m.get(r) as number }));
        plot.tooltipFor = (hit) => {
          const r = hit.line.meta![hit.index] as SessionGroup;
          return `${r.name}: ${c.label}=${fmtValue(c.get(r))}, ${m.label}=${fmtValue(m.get(r))}`;
        };
        plot.draw({
          compact: true,
          lines: rows.map((r, i) => ({ points: [[pts[i].x, pts[i].y]], color: this.ctx.color(r.name), width: 0, dots: true, meta: [r] })),
        });
      }
    }
    return grid;
  }

  async reload() { await this.load(); }
  refilter() { this.render(); }
  dispose() { this.plots.forEach((p) => p.destroy()); window.removeEventListener("tblog-theme", this.onTheme); }
}

export default (ctx: DashboardContext): Dashboard => new HParamsDashboard(ctx);
