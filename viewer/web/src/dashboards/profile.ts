// Profile: tblog's profiler traces (<run>/plugins/profile/<session>/<host>.trace.json.gz
// and .xplane.pb) and PyTorch's (<run>/*.pt.trace.json[.gz]), listed by tblog-view's
// /data/tblog/profile/runs, in five views: Overview (step time by category), Operators
// (per-op table, call trees), Trace (timeline), Memory & CPU (counters, allocator events)
// and Compare (two traces). Each view lives in dashboards/profile/.
import { getBytes, getJson, HttpError } from "../lib/api";
import { control, emptyNote, errorBanner } from "../lib/cards";
import { h } from "../lib/dom";
import { decodeTraceColumns, parseTrace, Trace } from "../lib/trace";
import { CompareView } from "./profile/compare";
import { fmtUs } from "./profile/format";
import { MemoryView } from "./profile/memory";
import { OperatorsView } from "./profile/operators";
import { OverviewView } from "./profile/overview";
import { TimelineView } from "./profile/timeline";
import type { Dashboard, DashboardContext } from "./types";

interface TraceFile { run: string; session: string; host: string; format?: string; bytes?: number }
type ViewName = "overview" | "operators" | "trace" | "memory" | "compare";
const VIEWS: [ViewName, string][] = [["overview", "Overview"], ["operators", "Operators"], ["trace", "Trace"], ["memory", "Memory & CPU"], ["compare", "Compare"]];
interface View { el: HTMLElement; show(): void; dispose(): void }

const FORMAT_LABEL: Record<string, string> = { chrome: "JSON", xspace: "XSpace", pytorch: "PyTorch" };
const label = (f: TraceFile) => `${f.run} · ${f.session} · ${f.host}${f.format ? ` (${FORMAT_LABEL[f.format] ?? f.format})` : ""}`;

async function fetchTrace(f: TraceFile): Promise<Trace> {
  const q = { run: f.run, session: f.session, host: f.host, ...(f.format ? { format: f.format } : {}) };
  // tblog-view sends the timeline built, in columns; a server without that route, the JSON
  try {
    return decodeTraceColumns(await getBytes("tblog/profile/trace_columns", q));
  } catch (e) {
    if (!(e instanceof HttpError && e.status === 404)) throw e;
  }
  // the server sends gzipped traces with Content-Encoding: gzip; fetch inflates them
  return parseTrace(await getJson("tblog/profile/trace", q));
}

class ProfileDashboard implements Dashboard {
  private files: TraceFile[] = [];
  private select = h("select", { "aria-label": "Trace" });
  private tabs = h("div.seg.profile-tabs", { role: "tablist" });
  private pane = h("div.profile-pane");
  private summary = h("div.muted");
  private trace?: Trace;
  private opened = -1;
  private views = new Map<ViewName, View>();
  private current: ViewName;

  constructor(private ctx: DashboardContext) {
    this.current = (VIEWS.find(([v]) => v === ctx.state.get("view"))?.[0]) ?? "overview";
    this.tabs.append(...VIEWS.map(([v, text]) => h("button", { role: "tab", "aria-pressed": String(v === this.current), dataset: { view: v }, onclick: () => this.showView(v) }, text)));
    ctx.controls.append(control("Trace", this.select), this.summary);
    ctx.el.append(this.tabs, this.pane);
    this.select.addEventListener("change", () => void this.open(Number(this.select.value)));
    void this.load();
  }

  private async load() {
    let eventRuns: string[];
    try {
      [this.files, eventRuns] = await Promise.all([getJson<TraceFile[]>("tblog/profile/runs"), getJson<string[]>("runs")]);
    } catch (e) {
      this.ctx.el.prepend(errorBanner(e));
      return;
    }
    this.ctx.setAvailableRuns([...new Set(this.files.map((f) => f.run))]);
    // A directory holding only traces (e.g. PyTorch's tensorboard_trace_handler output) is
    // no run of /data/runs, so the run selector cannot untick it: always shown.
    const runs = new Set(this.ctx.runs()), known = new Set(eventRuns);
    const shown = this.files.map((f, i) => ({ f, i })).filter(({ f }) => runs.has(f.run) || !known.has(f.run));
    const prev = this.select.value;
    this.select.replaceChildren(...shown.map(({ f, i }) => h("option", { value: i }, label(f))));
    if (!shown.length) {
      this.pane.replaceChildren(emptyNote("No profiler traces in the selected runs."));
      this.disposeViews();
      this.trace = undefined;
      this.opened = -1;
      return;
    }
    // the JSON trace of a session before its XSpace twin
    const preferred = shown.find(({ f }) => f.format !== "xspace") ?? shown[0];
    this.select.value = shown.some(({ i }) => String(i) === prev) ? prev : String(preferred.i);
    if (!this.trace || this.opened !== Number(this.select.value)) await this.open(Number(this.select.value));
  }

  private async open(i: number) {
    const f = this.files[i];
    if (!f) return;
    this.pane.dataset.loading = "1";
    const t0 = performance.now();
    try {
      this.trace = await fetchTrace(f);
    } catch (e) {
      this.pane.replaceChildren(errorBanner(e));
      delete this.pane.dataset.loading;
      return;
    }
    this.opened = i;
    const tr = this.trace;
    const threads = tr.tracks.filter((t) => t.kind === "thread").length;
    this.summary.textContent = `${tr.events.toLocaleString()} events · ${threads} threads · ${tr.tracks.length - threads} counters · ${tr.steps.length} steps · ${fmtUs(tr.end - tr.start)}`;
    this.disposeViews();
    this.pane.dataset.trace = label(f);
    this.pane.dataset.loadMs = String(Math.round(performance.now() - t0));
    delete this.pane.dataset.loading;
    this.showView(this.current);
  }

  private view(v: ViewName): View {
    let view = this.views.get(v);
    if (view) return view;
    const tr = this.trace!;
    const f = this.files[this.opened];
    switch (v) {
      case "overview": view = new OverviewView(tr, (t0, t1) => { this.showView("trace"); (this.view("trace") as TimelineView).zoomTo(t0, t1); }); break;
      case "operators": view = new OperatorsView(tr); break;
      case "trace": view = new TimelineView(tr); break;
      case "memory": view = new MemoryView(tr); break;
      case "compare": {
        const others = this.files.filter((o) => o !== f);
        view = new CompareView(tr, label(f), others.map((o) => ({ label: label(o), load: () => fetchTrace(o) })));
        break;
      }
    }
    view.el.dataset.view = v;
    this.views.set(v, view);
    return view;
  }

  private showView(v: ViewName) {
    this.current = v;
    this.ctx.state.set({ view: v === "overview" ? null : v });
    this.tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.view === v)));
    if (!this.trace) return;
    const view = this.view(v);
    this.pane.replaceChildren(view.el);
    this.pane.dataset.view = v;
    view.show();
  }

  private disposeViews() {
    for (const v of this.views.values()) v.dispose();
    this.views.clear();
  }

  async reload() { await this.load(); }
  refilter() { void this.load(); }
  dispose() { this.disposeViews(); }
}

export default (ctx: DashboardContext): Dashboard => new ProfileDashboard(ctx);
