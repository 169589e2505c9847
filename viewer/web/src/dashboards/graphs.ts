// Graphs: the run's GraphDef laid out with dagre, ops grouped by name scope.
// Click a group to expand it (or its frame label to collapse it), hover an op
// for its op type, inputs and output shapes, search by name, fit to screen,
// wheel to zoom and drag to pan.
import dagre from "@dagrejs/dagre";
import { getJson, getText } from "../lib/api";
import { control, errorBanner, emptyNote } from "../lib/cards";
import { debounce, h } from "../lib/dom";
import { GraphModel, VisibleNode } from "../lib/graphModel";
import type { Dashboard, DashboardContext } from "./types";

const SVG = "http://www.w3.org/2000/svg";
function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...kids: (Node | string)[]) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...kids);
  return el;
}

const shapeText = (shape?: number[]) => (shape ? `[${shape.map((d) => (d < 0 ? "?" : d)).join("×")}]` : "");

interface TagInfo { tag: string; conceptual_graph?: boolean; op_graph?: boolean; profile?: boolean }
interface GraphInfo { [run: string]: { run: string; run_graph?: boolean; tags?: Record<string, TagInfo> } }
type GraphType = "op" | "conceptual";
/** The op graph of the run itself (Event.graph_def) rather than of a tag's run metadata. */
const RUN_GRAPH = "";

class GraphsDashboard implements Dashboard {
  private model?: GraphModel;
  private expanded = new Set<string>([""]);
  private matches = new Set<string>();
  private view = h("div.graph-view");
  private svg = s("svg");
  private viewport = s("g");
  private tip = h("div.tooltip", { style: { display: "none" } });
  private runSelect = h("select", { "aria-label": "Run" });
  private tagSelect = h("select", { "aria-label": "Tag" });
  // TensorBoard's "Graph type": the op graph (GraphDef of TF ops) or the conceptual graph
  // (the Keras model's layers, converted from its config by the server).
  private typeRadios = (["op", "conceptual"] as GraphType[]).map((t) =>
    h("input", { type: "radio", name: "graph-type", value: t, "aria-label": t === "op" ? "Op graph" : "Conceptual graph" }));
  private info: GraphInfo = {};
  private type: GraphType = "op";
  private tag = RUN_GRAPH;
  private search = h("input", { type: "search", placeholder: "Search nodes", "aria-label": "Search nodes" });
  private status = h("div.muted");
  private box = { x: 0, y: 0, w: 100, h: 100 };
  private bounds = { w: 100, h: 100 };
  private run = "";

  constructor(private ctx: DashboardContext) {
    this.svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      s("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "var(--muted)" }))), this.viewport);
    const fit = h("button", { onclick: () => this.fit() }, "Fit to screen");
    const expandAll = h("button", { onclick: () => { this.expanded = new Set(this.model?.groups.keys()); this.render(); } }, "Expand all");
    const collapseAll = h("button", { onclick: () => { this.expanded = new Set([""]); this.render(); } }, "Collapse all");
    this.view.append(h("div.toolbar", null, fit, expandAll, collapseAll), this.svg, this.tip);
    this.runSelect.addEventListener("change", () => { this.run = this.runSelect.value; ctx.state.set({ graphRun: this.run }); this.pickTag(); void this.loadGraph(); });
    this.tagSelect.addEventListener("change", () => { this.tag = this.tagSelect.value; ctx.state.set({ graphTag: this.tag }); void this.loadGraph(); });
    for (const r of this.typeRadios)
      r.addEventListener("change", () => { this.type = r.value as GraphType; ctx.state.set({ graphType: this.type }); this.pickTag(); void this.loadGraph(); });
    this.search.addEventListener("input", debounce(() => this.doSearch(), 200));
    const typeBox = h("div.graph-type", { role: "radiogroup", "aria-label": "Graph type" },
      ...this.typeRadios.map((r) => h("label", null, r, r.value === "op" ? " Op graph" : " Conceptual graph")));
    ctx.controls.append(control("Run", this.runSelect), control("Graph type", typeBox), control("Tag", this.tagSelect),
      control("Search", this.search), this.status);
    ctx.el.append(this.view);
    this.panZoom();
    void this.load();
  }

  private async load() {
    let info: GraphInfo;
    try {
      info = await getJson<GraphInfo>("plugin/graphs/info");
    } catch (e) {
      this.ctx.el.prepend(errorBanner(e));
      return;
    }
    this.info = info;
    const hasGraph = (r: string) => !!info[r].run_graph || Object.values(info[r].tags ?? {}).some((t) => t.op_graph || t.conceptual_graph);
    const runs = Object.keys(info).filter(hasGraph);
    this.ctx.setAvailableRuns(runs);
    const selected = runs.filter((r) => this.ctx.runs().includes(r));
    const choices = selected.length ? selected : runs;
    this.runSelect.replaceChildren(...choices.map((r) => h("option", { value: r }, r)));
    const want = this.ctx.state.get("graphRun");
    this.run = choices.includes(want) ? want : choices.includes(this.run) ? this.run : choices[0] ?? "";
    this.runSelect.value = this.run;
    if (!this.run) {
      this.view.replaceChildren(emptyNote("No graphs in the selected runs."));
      return;
    }
    const wantType = this.ctx.state.get("graphType");
    if (wantType === "op" || wantType === "conceptual") this.type = wantType;
    this.pickTag(this.ctx.state.get("graphTag"));
    await this.loadGraph();
  }

  /** Tags of the run holding a graph of the chosen type ("" = the run graph). */
  private tagsOf(type: GraphType): string[] {
    const r = this.info[this.run];
    if (!r) return [];
    const tags = Object.values(r.tags ?? {}).filter((t) => (type === "op" ? t.op_graph : t.conceptual_graph)).map((t) => t.tag);
    return type === "op" && r.run_graph ? [RUN_GRAPH, ...tags] : tags;
  }

  private pickTag(want?: string) {
    // A run with only a conceptual graph (or only an op graph) switches to what it has.
    if (!this.tagsOf(this.type).length) this.type = this.type === "op" ? "conceptual" : "op";
    for (const r of this.typeRadios) {
      r.checked = r.value === this.type;
      r.disabled = !this.tagsOf(r.value as GraphType).length;
    }
    const tags = this.tagsOf(this.type);
    this.tagSelect.replaceChildren(...tags.map((t) => h("option", { value: t }, t === RUN_GRAPH ? "(run graph)" : t)));
    this.tag = want !== undefined && tags.includes(want) ? want : tags.includes(this.tag) ? this.tag : tags[0] ?? RUN_GRAPH;
    this.tagSelect.value = this.tag;
  }

  private async loadGraph() {
    const params: Record<string, string> = { run: this.run, conceptual: String(this.type === "conceptual") };
    if (this.tag !== RUN_GRAPH) params.tag = this.tag;
    try {
      this.model = new GraphModel(await getText("plugin/graphs/graph", params));
    } catch (e) {
      this.status.replaceChildren(errorBanner(e));
      return;
    }
    this.status.textContent = this.model.functions.length ? `${this.model.functions.length} functions in the library` : "";
    this.view.dataset.graphType = this.type;
    this.expanded = this.model.autoExpand();
    this.render();
    this.fit();
  }

  private doSearch() {
    if (!this.model) return;
    const hits = this.model.search(this.search.value.trim());
    this.matches = new Set(hits);
    for (const n of hits.slice(0, 20)) for (const a of this.model.ancestors(n)) this.expanded.add(a);
    this.render();
    this.status.textContent = this.search.value ? `${hits.length} matching nodes` : "";
    if (hits.length) this.fit();
  }

  private render() {
    const m = this.model;
    if (!m) return;
    const { nodes, edges } = m.visible(this.expanded);
    const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
    g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: 20, marginy: 20 });
    g.setDefaultEdgeLabel(() => ({}));
    const label = (n: VisibleNode) => n.kind === "group" ? `${n.label}  (${n.group!.size})` : n.label;
    for (const n of nodes) g.setNode(n.id, { width: Math.max(60, label(n).length * 6.6 + 20), height: n.kind === "group" ? 34 : 28 });
    for (const path of this.expanded) {
      if (!path) continue;
      g.setNode(`cluster:${path}`, { label: path, clusterLabelPos: "top", paddingTop: 24 });
      const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
      if (parent) g.setParent(`cluster:${path}`, `cluster:${parent}`);
    }
    for (const n of nodes) if (n.parent) g.setParent(n.id, `cluster:${n.parent}`);
    for (const e of edges) g.setEdge(e.from, e.to, { label: e.count > 1 ? `${e.count}×` : shapeText(e.shape), width: 40, height: 12 });
    dagre.layout(g);

    this.viewport.replaceChildren();
    const clusters = s("g"), edgeLayer = s("g"), nodeLayer = s("g");
    this.viewport.append(clusters, edgeLayer, nodeLayer);
    for (const path of [...this.expanded].filter(Boolean).sort()) {
      const c = g.node(`cluster:${path}`);
      if (!c) continue;
      const title = s("text", { x: c.x - c.width / 2 + 6, y: c.y - c.height / 2 + 14 }, `− ${path.slice(path.lastIndexOf("/") + 1)}`);
      const el = s("g", { class: "gcluster" }, s("rect", { x: c.x - c.width / 2, y: c.y - c.height / 2, width: c.width, height: c.height, rx: 6 }), title);
      title.addEventListener("click", () => { for (const p of [...this.expanded]) if (p === path || p.startsWith(`${path}/`)) this.expanded.delete(p); this.render(); });
      clusters.append(el);
    }
    for (const e of edges) {
      const ed = g.edge(e.from, e.to);
      if (!ed?.points?.length) continue;
      const d = ed.points.map((p: { x: number; y: number }, i: number) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
      const grp = s("g", { class: "gedge" }, s("path", { d, "marker-end": "url(#arrow)", "stroke-width": Math.min(4, 1 + Math.log2(e.count)) }));
      if (ed.label && ed.x !== undefined) grp.append(s("text", { x: ed.x, y: ed.y, "text-anchor": "middle" }, String(ed.label)));
      edgeLayer.append(grp);
    }
    for (const n of nodes) {
      const p = g.node(n.id);
      const cls = n.kind === "group" ? "group" : n.op!.op === "IO Node" ? "io" : "op";
      const el = s("g", { class: `gnode ${cls}${this.matches.has(n.id) ? " match" : ""}`, "data-id": n.id, transform: `translate(${p.x - p.width / 2},${p.y - p.height / 2})` },
        s("rect", { width: p.width, height: p.height, rx: n.kind === "group" ? 8 : 4 }),
        s("text", { x: p.width / 2, y: p.height / 2 + 4, "text-anchor": "middle" }, n.kind === "group" ? `+ ${label(n)}` : label(n)));
      if (n.kind === "group") el.addEventListener("click", () => { this.expanded.add(n.id); this.render(); });
      el.addEventListener("mouseenter", (ev) => this.showTip(n, ev as MouseEvent));
      el.addEventListener("mousemove", (ev) => this.moveTip(ev as MouseEvent));
      el.addEventListener("mouseleave", () => (this.tip.style.display = "none"));
      nodeLayer.append(el);
    }
    const gr = g.graph();
    this.bounds = { w: gr.width ?? 100, h: gr.height ?? 100 };
    this.view.dataset.nodes = String(nodes.length);
    this.view.dataset.edges = String(edges.length);
    this.view.dataset.ops = String(m.ops.size);
    this.applyBox();
  }

  private showTip(n: VisibleNode, ev: MouseEvent) {
    const rows: [string, string][] = n.kind === "group"
      ? [["Scope", n.id], ["Ops inside", String(n.group!.size)]]
      : [["Name", n.op!.name], ["Op", n.op!.op], ["Inputs", n.op!.inputs.join(", ") || "—"],
        ["Output shapes", n.op!.shapes.map(shapeText).join(", ") || "—"], ...Object.entries(n.op!.attrs).filter(([, v]) => v).map(([k, v]) => [k, v] as [string, string]),
        ...(n.op!.device ? [["Device", n.op!.device] as [string, string]] : [])];
    this.tip.replaceChildren(h("table", null, rows.map(([k, v]) => h("tr", null, h("th", null, k), h("td", { style: { whiteSpace: "normal", maxWidth: "420px" } }, v)))));
    this.tip.style.display = "block";
    this.moveTip(ev);
  }

  private moveTip(ev: MouseEvent) {
    const r = this.view.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    this.tip.style.left = `${x + 14 + this.tip.offsetWidth > r.width ? x - this.tip.offsetWidth - 14 : x + 14}px`;
    this.tip.style.top = `${y + 14}px`;
  }

  private fit() {
    const vw = this.svg.clientWidth || 800, vh = this.svg.clientHeight || 600;
    // leave room at the top for the toolbar
    const top = 44;
    const scale = Math.max(this.bounds.w / vw, (this.bounds.h + top) / vh, 0.5);
    const w = vw * scale, hh = vh * scale;
    this.box = { x: (this.bounds.w - w) / 2, y: (this.bounds.h + top - hh) / 2 - top, w, h: hh };
    this.applyBox();
  }

  private applyBox() {
    this.svg.setAttribute("viewBox", `${this.box.x} ${this.box.y} ${this.box.w} ${this.box.h}`);
  }

  private panZoom() {
    let drag: { x: number; y: number; bx: number; by: number } | null = null;
    this.svg.addEventListener("wheel", (e) => {
      e.preventDefault();
      const r = this.svg.getBoundingClientRect();
      const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
      const k = Math.exp(e.deltaY * 0.0015);
      const w = this.box.w * k, hh = this.box.h * k;
      this.box = { x: this.box.x + (this.box.w - w) * fx, y: this.box.y + (this.box.h - hh) * fy, w, h: hh };
      this.applyBox();
    }, { passive: false });
    this.svg.addEventListener("mousedown", (e) => { drag = { x: e.clientX, y: e.clientY, bx: this.box.x, by: this.box.y }; });
    window.addEventListener("mousemove", this.onMove = (e: MouseEvent) => {
      if (!drag) return;
      const r = this.svg.getBoundingClientRect();
      this.box.x = drag.bx - ((e.clientX - drag.x) * this.box.w) / r.width;
      this.box.y = drag.by - ((e.clientY - drag.y) * this.box.h) / r.height;
      this.applyBox();
    });
    window.addEventListener("mouseup", this.onUp = () => (drag = null));
  }

  private onMove?: (e: MouseEvent) => void;
  private onUp?: () => void;

  async reload() { /* graphs do not change while training (TensorBoard disables reload here too) */ }
  refilter() { void this.load(); }
  dispose() {
    if (this.onMove) window.removeEventListener("mousemove", this.onMove);
    if (this.onUp) window.removeEventListener("mouseup", this.onUp);
  }
}

export default (ctx: DashboardContext): Dashboard => new GraphsDashboard(ctx);
