// Projector: embeddings from projector_config.pbtxt, streamed as float32 and
// handed to a Web Worker that runs PCA, t-SNE, UMAP, custom (query-axis)
// projections and neighbour queries; the page draws the layout with WebGL
// (lib/pointCloud.ts) in 2-D or 3-D, colours and labels points by any metadata
// column, searches metadata (substring or regex) with highlighting, selects
// and isolates points, lists nearest neighbours (cosine or euclidean), shows
// a metadata table, and saves/loads bookmarks in TensorBoard's State format
// (from the embedding's bookmarks file, this browser, or a downloaded file).
import "./projector.css";
import * as THREE from "three";
import { boundedFetch, getJson, srcUrl, url } from "../lib/api";
import { control, emptyNote, errorBanner, segmented } from "../lib/cards";
import { categorical, ramp } from "../lib/colors";
import { cssVar, h, safeRegex } from "../lib/dom";
import { fmtNum } from "../lib/format";
import { PointCloud } from "../lib/pointCloud";
import type { ColumnStats, Metric } from "../lib/projection";
import { columnStats, parseMetadata } from "../lib/projection";
import type { Job, Layout, Running } from "../lib/projectorJobs";
import { Cancelled, ProjectorWorker } from "../lib/projectorJobs";
import type { Dashboard, DashboardContext } from "./types";

interface EmbeddingInfo {
  tensorName: string; tensorShape: [number, number]; tensorPath?: string; metadataPath?: string; bookmarksPath?: string;
  sprite?: { imagePath: string; singleImageDim: [number, number] };
}
type Method = "pca" | "tsne" | "umap" | "custom";

/** One saved view, in TensorBoard's projector State format (the fields we use). */
interface State {
  label?: string;
  selectedProjection?: Method;
  projections?: Record<string, number>[];
  dataSetDimensions?: [number, number];
  tSNEis3d?: boolean; umapIs3d?: boolean;
  tSNEPerplexity?: number; umapNeighbors?: number;
  pcaComponentDimensions?: number[];
  customSelectedSearchByMetadataOption?: string;
  customXLeftText?: string; customXRightText?: string; customYUpText?: string; customYDownText?: string;
  customXLeftRegex?: boolean;
  selectedPoints?: number[];
  selectedColorOptionName?: string;
  selectedLabelOption?: string;
  /** tblog extras: spherize and the search box */
  spherize?: boolean; searchText?: string; searchRegex?: boolean; searchColumn?: string;
}

const PROJ_KEYS: Record<Method, string[]> = {
  pca: ["pca-0", "pca-1", "pca-2"], tsne: ["tsne-0", "tsne-1", "tsne-2"], umap: ["umap-0", "umap-1", "umap-2"], custom: ["linear-x", "linear-y"],
};
const TABLE_ROW = 22;

class ProjectorDashboard implements Dashboard {
  private runs: string[] = [];
  private run = "";
  private embeddings: EmbeddingInfo[] = [];
  private emb?: EmbeddingInfo;
  private n = 0;
  private d = 0;
  private worker?: ProjectorWorker;
  private meta: { columns: string[]; values: string[][] } = { columns: [], values: [] };
  private stats: ColumnStats[] = [];
  private sprite?: HTMLImageElement;
  private layout?: Layout;
  private method: Method;
  private dims: 2 | 3;
  private spherize: boolean;
  private perplexity: number;
  private iterations: number;
  private sample: number;
  private umapNeighbors: number;
  private colorBy = -1;
  private labelBy = -1;
  private showSprites = false;
  private selected = -1;
  private neighbors: { index: number; distance: number }[] = [];
  private metric: Metric;
  private nnCount: number;
  private matches: Int32Array = new Int32Array(0);
  private isolated: Int32Array | null = null;
  private hovered = -1;
  private job?: Running<unknown>;
  private nnJob?: Running<unknown>;
  private localBookmarks: State[] = [];
  private serverBookmarks: State[] = [];
  private pendingState?: State;
  private rgba = new Float32Array(0);

  private runSelect = h("select", { "aria-label": "Run" });
  private embSelect = h("select", { "aria-label": "Embedding" });
  private colorSelect = h("select", { "aria-label": "Colour by" });
  private labelSelect = h("select", { "aria-label": "Label by" });
  private spriteBox = h("input", { type: "checkbox", id: "sprites" });
  private spherizeBox = h("input", { type: "checkbox", id: "spherize" });
  private methodSeg: HTMLElement;
  private dimsSeg: HTMLElement;
  private params = h("div.proj-params");
  private perplexityInput = h("input", { type: "number", min: 2, max: 100, step: 1, "aria-label": "Perplexity" });
  private iterInput = h("input", { type: "number", min: 10, max: 5000, step: 10, "aria-label": "Iterations" });
  private sampleInput = h("input", { type: "number", min: 10, step: 1000, "aria-label": "Sample size" });
  private neighborsInput = h("input", { type: "number", min: 2, max: 100, step: 1, "aria-label": "UMAP neighbours" });
  private axisInputs = {
    left: h("input", { type: "search", placeholder: "left (regex)", "aria-label": "X axis left" }),
    right: h("input", { type: "search", placeholder: "right (regex)", "aria-label": "X axis right" }),
    up: h("input", { type: "search", placeholder: "up (regex)", "aria-label": "Y axis up" }),
    down: h("input", { type: "search", placeholder: "down (regex)", "aria-label": "Y axis down" }),
  };
  private find = h("input", { type: "search", placeholder: "search metadata, Enter selects", "aria-label": "Find point" });
  private regexBox = h("input", { type: "checkbox", id: "search-regex" });
  private searchColumn = h("select", { "aria-label": "Search column" });
  private status = h("div.proj-status.muted");
  private progress = h("progress.proj-progress", { max: 1, value: 0 });
  private stopButton = h("button.proj-stop", { onclick: () => this.job?.cancel() }, "Stop");
  private plot = h("div.plot.canvas-box");
  private side = h("div.side");
  private tableBox = h("div.meta-table");
  private tableBody = h("div.meta-rows");
  private tip = h("div.tooltip", { style: { display: "none" } });
  private cloud?: PointCloud;
  private bookmarkFile = h("input", { type: "file", accept: ".json,application/json", style: { display: "none" } });

  constructor(private ctx: DashboardContext) {
    const st = ctx.state;
    this.dims = st.get("projDims") === "3" ? 3 : 2;
    const m = st.get("projMethod");
    this.method = (["pca", "tsne", "umap", "custom"].includes(m) ? m : "pca") as Method;
    this.spherize = st.getBool("projSpherize", true);
    this.perplexity = st.getNumber("projPerplexity", 30);
    this.iterations = st.getNumber("projIter", 500);
    this.sample = st.getNumber("projSample", 20000);
    this.umapNeighbors = st.getNumber("projUmapK", 15);
    this.metric = st.get("projMetric") === "euclidean" ? "euclidean" : "cosine";
    this.nnCount = st.getNumber("projNN", 10);
    this.find.value = st.get("projSearch");
    this.regexBox.checked = st.getBool("projRegex");
    this.spherizeBox.checked = this.spherize;
    this.perplexityInput.value = String(this.perplexity);
    this.iterInput.value = String(this.iterations);
    this.sampleInput.value = String(this.sample);
    this.neighborsInput.value = String(this.umapNeighbors);
    this.axisInputs.left.value = st.get("projXl"); this.axisInputs.right.value = st.get("projXr");
    this.axisInputs.up.value = st.get("projYu"); this.axisInputs.down.value = st.get("projYd");

    this.methodSeg = segmented<Method>([["pca", "PCA"], ["tsne", "t-SNE"], ["umap", "UMAP"], ["custom", "Custom"]], this.method, (v) => {
      this.method = v; this.saveUrl(); this.renderParams(); void this.project();
    });
    this.dimsSeg = segmented<"2" | "3">([["2", "2-D"], ["3", "3-D"]], String(this.dims) as "2" | "3", (v) => {
      this.dims = v === "3" ? 3 : 2; this.saveUrl(); void this.project();
    });
    ctx.controls.append(
      control("Run", this.runSelect),
      control("Tensor", this.embSelect),
      control("Projection", this.methodSeg),
      control("Dimensions", this.dimsSeg),
      control("Data", h("label.toggle", null, this.spherizeBox, " spherize (centre, unit norm)")),
      this.params,
      control("Colour by", this.colorSelect),
      control("Label by", this.labelSelect),
      control("Sprites", h("label.toggle", null, this.spriteBox, " show thumbnails")),
      h("div.proj-run", null, this.progress, this.stopButton),
      this.status,
    );
    this.renderParams();
    this.runSelect.addEventListener("change", () => { this.run = this.runSelect.value; void this.loadRun(); });
    this.embSelect.addEventListener("change", () => void this.loadEmbedding(this.embeddings[Number(this.embSelect.value)]));
    this.colorSelect.addEventListener("change", () => { this.colorBy = Number(this.colorSelect.value); this.saveUrl(); this.restyle(); });
    this.labelSelect.addEventListener("change", () => { this.labelBy = Number(this.labelSelect.value); this.saveUrl(); this.restyle(); this.renderTable(); });
    this.spriteBox.addEventListener("change", () => { this.showSprites = this.spriteBox.checked; this.restyle(); });
    this.spherizeBox.addEventListener("change", () => { this.spherize = this.spherizeBox.checked; this.saveUrl(); void this.project(); this.refreshNeighbors(); });
    const num = (el: HTMLInputElement, set: (v: number) => void) => el.addEventListener("change", () => {
      const v = Number(el.value);
      if (Number.isFinite(v) && v > 0) { set(v); this.saveUrl(); void this.project(); }
    });
    num(this.perplexityInput, (v) => (this.perplexity = v));
    num(this.iterInput, (v) => (this.iterations = Math.round(v)));
    num(this.sampleInput, (v) => (this.sample = Math.round(v)));
    num(this.neighborsInput, (v) => (this.umapNeighbors = Math.round(v)));
    for (const el of Object.values(this.axisInputs)) el.addEventListener("change", () => { this.saveUrl(); if (this.method === "custom") void this.project(); });
    this.find.addEventListener("input", () => this.search());
    this.regexBox.addEventListener("change", () => this.search());
    this.searchColumn.addEventListener("change", () => this.search());
    this.find.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      const q = this.find.value.trim().toLowerCase();
      let i = -1;
      for (let k = 0; k < this.n && i < 0; k++) if (this.label(k).toLowerCase() === q || String(k) === q) i = k;
      if (i < 0 && this.matches.length) i = this.matches[0];
      this.select(i);
    });
    this.bookmarkFile.addEventListener("change", () => void this.uploadBookmarks());
    this.tableBox.append(this.tableBody);
    this.tableBox.addEventListener("scroll", () => this.renderTableRows());
    ctx.el.append(h("div.projector", null, h("div.proj-main", null, this.plot, this.tableBox), this.side));
    this.installHook();
    void this.load();
  }

  // ---- loading -------------------------------------------------------------

  private async load() {
    try {
      this.runs = await getJson<string[]>("plugin/projector/runs");
    } catch (e) {
      this.plot.replaceChildren(errorBanner(e));
      return;
    }
    this.ctx.setAvailableRuns(this.runs);
    const shown = this.runs.filter((r) => this.ctx.runs().includes(r));
    this.runSelect.replaceChildren(...shown.map((r) => h("option", { value: r }, r)));
    if (!shown.length) { this.plot.replaceChildren(emptyNote("No embeddings in the selected runs.")); return; }
    const want = this.ctx.state.get("projRun");
    if (!shown.includes(this.run)) { this.run = shown.includes(want) ? want : shown[0]; this.runSelect.value = this.run; await this.loadRun(); }
    this.runSelect.value = this.run;
  }

  private async loadRun() {
    const info = await getJson<{ embeddings?: EmbeddingInfo[] }>("plugin/projector/info", { run: this.run });
    this.embeddings = (info.embeddings ?? []).filter((e) => e.tensorShape?.length === 2);
    this.embSelect.replaceChildren(...this.embeddings.map((e, i) => h("option", { value: i }, `${e.tensorName} (${e.tensorShape.join("×")})`)));
    const want = this.embeddings.findIndex((e) => e.tensorName === this.ctx.state.get("projTensor"));
    if (want >= 0) this.embSelect.value = String(want);
    if (this.embeddings.length) await this.loadEmbedding(this.embeddings[Math.max(0, want)]);
  }

  /** The tensor as float32, read chunk by chunk so the status shows the download's progress. */
  private async fetchTensor(params: Record<string, string>): Promise<Float32Array> {
    const u = url("plugin/projector/tensor", params);
    const r = await boundedFetch(u);
    if (!r.ok) throw new Error(`${u}: ${r.status} ${await r.text()}`);
    const expected = this.n * this.d * 4;
    const total = Number(r.headers.get("Content-Length")) || expected;
    const buf = new Uint8Array(total);
    let got = 0;
    const reader = r.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (got + value.length > buf.length) throw new Error("tensor larger than announced");
      buf.set(value, got);
      got += value.length;
      this.showProgress(got / total, `loading tensor: ${(got / 1048576).toFixed(1)} of ${(total / 1048576).toFixed(1)} MB`);
    }
    return new Float32Array(buf.buffer, 0, Math.floor(got / 4));
  }

  private async loadEmbedding(e: EmbeddingInfo) {
    this.job?.cancel();
    this.emb = e;
    [this.n, this.d] = e.tensorShape;
    this.ctx.state.set({ projRun: this.run === this.runs[0] ? null : this.run, projTensor: e === this.embeddings[0] ? null : e.tensorName });
    const params = { run: this.run, name: e.tensorName };
    let data: Float32Array, tsv: string;
    try {
      [data, tsv] = await Promise.all([
        this.fetchTensor(params),
        e.metadataPath ? boundedFetch(url("plugin/projector/metadata", params)).then((r) => (r.ok ? r.text() : "")) : Promise.resolve(""),
      ]);
    } catch (err) {
      this.plot.replaceChildren(errorBanner(err));
      return;
    }
    if (this.emb !== e) return;
    this.n = Math.min(this.n, Math.floor(data.length / this.d));
    this.worker?.dispose();
    this.worker = new ProjectorWorker();
    this.worker.setData(data, this.n, this.d);
    this.meta = tsv ? parseMetadata(tsv, this.n) : { columns: [], values: [] };
    this.stats = this.meta.columns.map((c, i) => columnStats(c, this.meta.values, i));
    const opts = (none: string) => [h("option", { value: -1 }, none), ...this.meta.columns.map((c, i) => h("option", { value: i }, c))];
    this.colorSelect.replaceChildren(...opts("(none)"));
    this.labelSelect.replaceChildren(...opts("(index)"));
    this.searchColumn.replaceChildren(...opts("(all columns)"));
    // colour by the column with the fewest distinct values (a class), label by the first
    const distinct = this.stats.map((s) => s.unique.length);
    const byName = (key: string) => this.meta.columns.indexOf(this.ctx.state.get(key));
    this.colorBy = byName("projColor") >= 0 ? byName("projColor") : distinct.length > 1 ? distinct.indexOf(Math.min(...distinct)) : -1;
    this.labelBy = byName("projLabel") >= 0 ? byName("projLabel") : this.meta.columns.length ? 0 : -1;
    this.colorSelect.value = String(this.colorBy);
    this.labelSelect.value = String(this.labelBy);
    this.searchColumn.value = String(byName("projSearchCol"));
    this.sprite = undefined;
    this.spriteBox.disabled = !e.sprite;
    if (e.sprite) {
      const img = new Image();
      img.src = srcUrl(url("plugin/projector/sprite_image", params));
      await img.decode().then(() => (this.sprite = img), () => undefined);
    }
    this.selected = -1;
    this.neighbors = [];
    this.isolated = null;
    this.layout = undefined;
    this.localBookmarks = this.readLocalBookmarks();
    this.serverBookmarks = [];
    if (e.bookmarksPath) {
      try { this.serverBookmarks = await getJson<State[]>("plugin/projector/bookmarks", params); } catch { /* shown as none */ }
    }
    this.setupView();
    this.search(false);
    const sel = this.ctx.state.getNumber("projSel", -1);
    await this.project();
    if (sel >= 0 && sel < this.n) this.select(sel);
    this.renderSide();
  }

  private setupView() {
    if (this.cloud) return;
    this.plot.replaceChildren(this.tip);
    try {
      this.cloud = new PointCloud(this.plot);
    } catch (e) {
      this.plot.replaceChildren(emptyNote(`The projector needs WebGL: ${(e as Error).message}`));
      return;
    }
    this.cloud.labelText = (i) => this.label(i);
    this.cloud.onPick = (i) => this.select(i);
    this.cloud.onHover = (i, x, y) => {
      this.hovered = i;
      this.tip.style.display = i >= 0 ? "block" : "none";
      if (i >= 0) {
        this.tip.textContent = this.meta.columns.length ? this.meta.columns.map((c, j) => `${c}: ${this.meta.values[i]?.[j] ?? ""}`).join("  ") : `#${i}`;
        this.tip.style.left = `${x + 12}px`;
        this.tip.style.top = `${y + 12}px`;
      }
      this.updateLabels();
      this.cloud!.requestRender();
    };
  }

  // ---- projection ----------------------------------------------------------

  private renderParams() {
    const p: Node[] = [];
    if (this.method === "tsne") p.push(control("Perplexity", this.perplexityInput), control("Iterations", this.iterInput), control("Sample", this.sampleInput));
    if (this.method === "umap") p.push(control("Neighbours", this.neighborsInput), control("Sample", this.sampleInput));
    if (this.method === "custom") p.push(control("X axis", this.axisInputs.left, this.axisInputs.right), control("Y axis", this.axisInputs.down, this.axisInputs.up));
    this.params.replaceChildren(...p);
  }

  private showProgress(f: number, text: string) {
    this.progress.value = f;
    this.status.textContent = text;
  }

  private matchRows(q: string): Int32Array {
    const re = safeRegex(q);
    if (!q.trim() || !re) return new Int32Array(0);
    const col = Number(this.searchColumn.value ?? -1);
    const out: number[] = [];
    for (let i = 0; i < this.n; i++) if (this.rowMatches(i, re, col)) out.push(i);
    return Int32Array.from(out);
  }

  private async project() {
    if (!this.n || !this.worker) return;
    this.job?.cancel();
    const method = this.method;
    const dims: 2 | 3 = method === "custom" ? 2 : this.dims;
    const subset = this.isolated ?? undefined;
    // a bookmark that carries coordinates for this projection is shown as saved, without recomputing
    const saved = this.pendingState ? this.layoutFromState(this.pendingState) : undefined;
    this.pendingState = undefined;
    if (saved) { this.showLayout(saved, method, true); this.showProgress(1, `${method.toUpperCase()} from bookmark`); return; }
    let job: Job;
    if (method === "pca") job = { kind: "pca", dims, spherize: this.spherize, subset };
    else if (method === "tsne") job = { kind: "tsne", dims, spherize: this.spherize, subset, sample: this.sample, perplexity: this.perplexity, iterations: this.iterations };
    else if (method === "umap") job = { kind: "umap", dims, spherize: this.spherize, subset, sample: this.sample, neighbors: this.umapNeighbors };
    else {
      const q = this.axisInputs;
      job = { kind: "custom", spherize: this.spherize, subset, axes: [
        { pos: this.matchRows(q.right.value), neg: this.matchRows(q.left.value) },
        { pos: this.matchRows(q.up.value), neg: this.matchRows(q.down.value) },
      ] };
    }
    const t0 = performance.now();
    this.plot.dataset.state = "running";
    this.stopButton.disabled = false;
    // the camera is reset by the first layout of a new method or dimensionality (partial or final)
    let first = !this.layout || this.plot.dataset.method !== method || this.plot.dataset.dims !== String(dims);
    const running = this.worker.run<Layout>(job, (m) => {
      this.showProgress(m.fraction, `${m.phase}… ${(m.fraction * 100).toFixed(0)}%${m.partial?.iterations ? ` (iteration ${m.partial.iterations})` : ""}`);
      if (m.partial) { this.showLayout(m.partial, method, first); first = false; }
    });
    this.job = running;
    try {
      const layout = await running.promise;
      if (this.job !== running) return;
      this.showLayout(layout, method, first);
      first = false;
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      const m = layout.indices ? layout.indices.length : this.n;
      const what = method === "pca"
        ? `PCA: ${m} points × ${this.d} dims${layout.projectedDim !== this.d ? ` (randomly projected to ${layout.projectedDim})` : ""}; variance explained ${layout.variance!.map((v) => `${(v * 100).toFixed(1)}%`).join(", ")}`
        : method === "custom" ? `Custom projection of ${m} points`
        : `${method === "umap" ? "UMAP" : "t-SNE"}: ${m} points, ${layout.iterations} iterations`;
      this.showProgress(1, `${what} in ${secs} s`);
      this.plot.dataset.state = "done";
      this.plot.dataset.seconds = secs;
      this.plot.dataset.method = method;
      this.plot.dataset.points = String(m);
      this.plot.dataset.dims = String(dims);
    } catch (e) {
      if (this.job !== running) return;
      this.plot.dataset.state = e instanceof Cancelled ? "stopped" : "error";
      this.showProgress(this.progress.value, e instanceof Cancelled ? `${method.toUpperCase()} stopped${this.layout ? " (showing the last layout)" : ""}` : `error: ${(e as Error).message}`);
    } finally {
      if (this.job === running) { this.job = undefined; this.stopButton.disabled = true; }
    }
  }

  /** Puts a layout on screen: positions normalised to [-1, 1] on the widest axis, every tensor row (hidden when not laid out). */
  private showLayout(layout: Layout, method: Method, resetCamera: boolean) {
    const prev = this.layout;
    this.layout = layout;
    if (!this.cloud) return;
    const k = layout.dims, m = layout.coords.length / k;
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) { const v = layout.coords[i * k + c]; if (v < lo[c]) lo[c] = v; if (v > hi[c]) hi[c] = v; }
    let scale = 0;
    for (let c = 0; c < k; c++) scale = Math.max(scale, (hi[c] - lo[c]) / 2);
    scale = scale || 1;
    const pos = new Float32Array(this.n * 3);
    for (let i = 0; i < m; i++) {
      const row = layout.indices ? layout.indices[i] : i;
      for (let c = 0; c < k; c++) pos[row * 3 + c] = (layout.coords[i * k + c] - (lo[c] + hi[c]) / 2) / scale;
    }
    const dims = (k === 3 ? 3 : 2) as 2 | 3;
    const sameRows = prev && prev.dims === layout.dims && sameIndices(prev.indices, layout.indices);
    this.cloud.setPositions(pos, dims, resetCamera);
    this.plot.dataset.shown = method;
    // an intermediate t-SNE/UMAP layout only moves points: colours and panels stay
    if (!sameRows || !this.rgba.length) this.restyle();
  }

  // ---- styling -------------------------------------------------------------

  private inLayout(): Uint8Array {
    const on = new Uint8Array(this.n);
    const l = this.layout;
    if (!l) return on;
    if (l.indices) for (const i of l.indices) on[i] = 1;
    else on.fill(1);
    return on;
  }

  /** Colour for every point from the colour-by column: categorical palette, or a ramp for numbers. */
  private baseColors(): Float32Array {
    const out = new Float32Array(this.n * 3);
    const c = new THREE.Color();
    const s = this.stats[this.colorBy];
    const cache = new Map<string, [number, number, number]>();
    const rgb = (css: string) => {
      let v = cache.get(css);
      if (!v) { c.setStyle(css); v = [c.r, c.g, c.b]; cache.set(css, v); }
      return v;
    };
    const rank = new Map(s?.unique.map((u, i) => [u, i]));
    for (let i = 0; i < this.n; i++) {
      let css = "#3b82c4";
      if (s) {
        const v = this.meta.values[i]?.[this.colorBy] ?? "";
        if (s.numeric) css = v === "" ? "#999999" : ramp((Number(v) - s.min) / (s.max - s.min || 1), this.ctx.dark());
        else css = categorical(rank.get(v) ?? 0);
      }
      out.set(rgb(css), i * 3);
    }
    return out;
  }

  private restyle() {
    if (!this.cloud || !this.layout) return;
    const n = this.n;
    const on = this.inLayout();
    const base = this.baseColors();
    const hl = new Uint8Array(n);
    for (const i of this.matches) hl[i] = 1;
    const nn = new Set(this.neighbors.map((q) => q.index));
    const focus = this.selected >= 0 || this.matches.length > 0;
    const accent = new THREE.Color().setStyle(cssVar("--accent") || "#ff7043");
    const sz = n > 50000 ? 2.5 : n > 10000 ? 3.5 : n > 1000 ? 5 : 8;
    const sprites = this.showSprites && !!this.sprite && !!this.emb?.sprite;
    const rgba = new Float32Array(n * 4), size = new Float32Array(n);
    const spriteIdx = sprites ? new Float32Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      if (!on[i]) continue;
      const special = i === this.selected || nn.has(i) || hl[i];
      if (i === this.selected) rgba.set([accent.r, accent.g, accent.b, 1], i * 4);
      else rgba.set([base[i * 3], base[i * 3 + 1], base[i * 3 + 2], !focus || special ? 0.9 : 0.15], i * 4);
      size[i] = sprites ? Math.max(24, sz * 3) : special ? sz * 1.8 : sz;
      if (spriteIdx) spriteIdx[i] = i;
    }
    this.rgba = rgba;
    this.cloud.setStyle({ rgba, size }, spriteIdx);
    this.cloud.setSprites(sprites ? this.sprite! : null, this.emb?.sprite?.singleImageDim);
    this.updateLabels();
    this.plot.dataset.highlighted = String(this.matches.length);
    this.renderSide();
  }

  private updateLabels() {
    if (!this.cloud) return;
    const l: number[] = [];
    const shown = this.layout ? (this.layout.indices ? this.layout.indices.length : this.n) : 0;
    if (shown <= 100) { const on = this.inLayout(); for (let i = 0; i < this.n; i++) if (on[i]) l.push(i); }
    else {
      if (this.matches.length <= 200) l.push(...this.matches);
      l.push(...this.neighbors.map((q) => q.index));
      if (this.selected >= 0) l.push(this.selected);
    }
    if (this.hovered >= 0) l.push(this.hovered);
    this.cloud.labels = l;
    this.cloud.requestRender();
  }

  private label(i: number): string {
    return this.labelBy >= 0 ? this.meta.values[i]?.[this.labelBy] ?? String(i) : String(i);
  }

  // ---- search, selection, neighbours ---------------------------------------

  private rowMatches(i: number, re: RegExp, col: number): boolean {
    const row = this.meta.values[i];
    if (!row) return re.test(String(i));
    if (col >= 0) return re.test(row[col] ?? "");
    return row.some((v) => re.test(v));
  }

  /** Highlights the rows whose metadata matches the search box (substring, or regex when ticked; case-insensitive). */
  private search(save = true) {
    const q = this.find.value;
    const src = this.regexBox.checked ? q : q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const re = q.trim() ? safeRegex(src) : null;
    this.find.classList.toggle("invalid", !!q.trim() && !re);
    const col = Number(this.searchColumn.value ?? -1);
    const out: number[] = [];
    if (re) for (let i = 0; i < this.n; i++) if (this.rowMatches(i, re, col)) out.push(i);
    this.matches = Int32Array.from(out);
    if (save) this.saveUrl();
    this.restyle();
    this.renderTable();
  }

  private select(i: number) {
    this.selected = i;
    this.neighbors = [];
    this.saveUrl();
    this.refreshNeighbors();
    this.restyle();
    this.renderTable();
  }

  private refreshNeighbors() {
    this.nnJob?.cancel();
    const i = this.selected;
    if (i < 0 || !this.worker) { this.neighbors = []; return; }
    const running = this.worker.run<{ neighbors: { index: number; distance: number }[] }>(
      { kind: "neighbors", spherize: this.spherize, index: i, k: Math.min(this.nnCount, this.n - 1), metric: this.metric });
    this.nnJob = running;
    running.promise.then((r) => {
      if (this.nnJob !== running || this.selected !== i) return;
      this.neighbors = r.neighbors;
      this.restyle();
    }, () => undefined);
  }

  /** The selection: the clicked point with its neighbours, else the search matches. */
  private selection(): number[] {
    if (this.selected >= 0) return [this.selected, ...this.neighbors.map((q) => q.index)];
    return [...this.matches];
  }

  private isolate() {
    const sel = this.selection();
    if (sel.length < 2) return;
    this.isolated = Int32Array.from(new Set(sel)).sort();
    this.selected = -1;
    this.neighbors = [];
    this.find.value = "";
    this.search();
    void this.project();
  }

  private showAll() {
    this.isolated = null;
    void this.project();
  }

  private clearSelection() {
    this.selected = -1;
    this.neighbors = [];
    this.find.value = "";
    this.search();
  }

  // ---- side panel and table ------------------------------------------------

  private sideInfo = h("div.card");
  private sideActions = h("div");
  private sideNeighbours = h("div.card.neighbours");
  private sideSelected = h("div");
  private sideBookmarks = h("div");

  /** Builds the side panel once (the search box keeps its focus); renderSide refreshes the parts that change. */
  private buildSide() {
    const slider = h("input", { type: "range", min: 1, max: 100, value: this.nnCount, "aria-label": "Neighbour count" });
    const countLabel = h("span.muted", null, `${this.nnCount} neighbours`);
    slider.addEventListener("change", () => { this.nnCount = Number(slider.value); this.saveUrl(); this.refreshNeighbors(); });
    slider.addEventListener("input", () => (countLabel.textContent = `${slider.value} neighbours`));
    const metricSeg = segmented<Metric>([["cosine", "cosine"], ["euclidean", "euclidean"]], this.metric, (v) => {
      this.metric = v; this.saveUrl(); this.refreshNeighbors();
    });
    metricSeg.classList.add("nn-metric");
    this.sideNeighbours.append(h("div.section-title", null, "Nearest neighbours"), h("div.row", null, metricSeg), h("div.row", null, slider, countLabel));
    this.side.replaceChildren(
      this.sideInfo,
      h("div.card.proj-search", null,
        h("div.section-title", null, "Search"),
        this.find,
        h("div.row", null, h("label.toggle", null, this.regexBox, " regex"), this.searchColumn),
        this.sideActions),
      this.sideNeighbours,
      this.sideSelected,
      this.sideBookmarks,
      this.bookmarkFile,
    );
  }

  private renderSide() {
    const e = this.emb;
    if (!e) return;
    if (!this.side.childElementCount) this.buildSide();
    const sel = this.selection();
    this.sideInfo.replaceChildren(
      h("div.card-title", null, e.tensorName),
      h("div.card-sub", null, `${this.n} points × ${this.d} dimensions${this.isolated ? `; ${this.isolated.length} isolated` : ""}`),
      ...(this.meta.columns.length ? [h("div.card-sub", null, `metadata: ${this.meta.columns.join(", ")}`)] : []));
    this.sideActions.replaceChildren(
      h("div.card-sub.match-count", null, this.find.value.trim() ? `${this.matches.length} matches` : ""),
      h("div.row", null,
        h("button.isolate", { onclick: () => this.isolate(), disabled: sel.length < 2 }, `Isolate ${sel.length > 1 ? sel.length : ""} points`),
        h("button.clear-selection", { onclick: () => this.clearSelection(), disabled: !sel.length }, "Clear selection"),
        h("button.show-all", { onclick: () => this.showAll(), disabled: !this.isolated }, "Show all data")));
    this.sideSelected.replaceChildren(this.selected >= 0
      ? h("div.card.selected-point", null,
        h("div.card-title", null, `Selected: ${this.label(this.selected)}`),
        h("div.card-sub", null, this.meta.columns.map((c, j) => `${c}: ${this.meta.values[this.selected]?.[j] ?? ""}`).join(" · ")),
        h("div.section-title", { style: { marginTop: "6px" } }, `Nearest neighbours (${this.metric})`),
        h("ol.nn-list", null, this.neighbors.map((q) => h("li", { dataset: { index: q.index }, onclick: () => this.select(q.index) }, `${this.label(q.index)} — ${fmtNum(q.distance)}`))))
      : h("div.muted", null, "Click a point (or a table row) to see its nearest neighbours."));
    this.sideBookmarks.replaceChildren(this.bookmarksCard());
  }

  private renderTable() {
    const rows = this.tableRows();
    this.tableBox.dataset.rows = String(rows.length);
    this.tableBody.style.height = `${(rows.length + 1) * TABLE_ROW}px`;
    this.renderTableRows();
  }

  /** Rows listed in the table: the search matches when searching, else every row. */
  private tableRows(): ArrayLike<number> {
    if (this.find.value.trim()) return this.matches;
    return { length: this.n } as ArrayLike<number>;
  }

  private renderTableRows() {
    const rows = this.tableRows();
    const at = (r: number) => (rows instanceof Int32Array ? rows[r] : r);
    const first = Math.max(0, Math.floor(this.tableBox.scrollTop / TABLE_ROW) - 5);
    const count = Math.ceil((this.tableBox.clientHeight || 220) / TABLE_ROW) + 10;
    const head = h("div.meta-row.meta-head", { style: { top: `${this.tableBox.scrollTop}px` } },
      h("span", null, "#"), ...this.meta.columns.map((c) => h("span", null, c)));
    const out: HTMLElement[] = [head];
    for (let r = first; r < Math.min(rows.length, first + count); r++) {
      const i = at(r);
      out.push(h(`div.meta-row${i === this.selected ? ".selected" : ""}`, {
        style: { top: `${(r + 1) * TABLE_ROW}px` }, dataset: { index: i }, onclick: () => this.select(i),
      }, h("span", null, String(i)), ...this.meta.columns.map((_, j) => h("span", null, this.meta.values[i]?.[j] ?? ""))));
    }
    this.tableBody.replaceChildren(...out);
  }

  // ---- bookmarks -----------------------------------------------------------

  private storageKey() { return `tblog.projector.bookmarks|${this.run}|${this.emb?.tensorName}`; }

  private readLocalBookmarks(): State[] {
    try { return JSON.parse(localStorage.getItem(this.storageKey()) ?? "[]"); } catch { return []; }
  }

  private writeLocalBookmarks() {
    try { localStorage.setItem(this.storageKey(), JSON.stringify(this.localBookmarks)); } catch { /* storage full or disabled */ }
  }

  /** The current view as a TensorBoard State, with the layout's coordinates. */
  private currentState(label: string): State {
    const keys = PROJ_KEYS[this.plot.dataset.shown as Method ?? this.method] ?? PROJ_KEYS.pca;
    const projections: Record<string, number>[] = Array.from({ length: this.n }, () => ({}));
    const l = this.layout;
    if (l) {
      const m = l.coords.length / l.dims;
      for (let r = 0; r < m; r++) {
        const i = l.indices ? l.indices[r] : r;
        for (let c = 0; c < l.dims; c++) projections[i][keys[c]] = l.coords[r * l.dims + c];
      }
    }
    const name = (c: number) => (c >= 0 ? this.meta.columns[c] : undefined);
    return {
      label, selectedProjection: this.method, projections, dataSetDimensions: [this.n, this.d],
      tSNEis3d: this.dims === 3, umapIs3d: this.dims === 3, tSNEPerplexity: this.perplexity, umapNeighbors: this.umapNeighbors,
      pcaComponentDimensions: this.dims === 3 ? [0, 1, 2] : [0, 1],
      customXLeftText: this.axisInputs.left.value, customXRightText: this.axisInputs.right.value,
      customYUpText: this.axisInputs.up.value, customYDownText: this.axisInputs.down.value, customXLeftRegex: true,
      customSelectedSearchByMetadataOption: name(Number(this.searchColumn.value)),
      selectedPoints: this.selected >= 0 ? [this.selected] : [],
      selectedColorOptionName: name(this.colorBy), selectedLabelOption: name(this.labelBy),
      spherize: this.spherize, searchText: this.find.value, searchRegex: this.regexBox.checked,
    };
  }

  /** The coordinates a State saved for its projection, if it has them for this tensor. */
  private layoutFromState(s: State): Layout | undefined {
    const method = s.selectedProjection ?? "pca";
    const p = s.projections;
    if (!p || p.length !== this.n) return undefined;
    const keys = PROJ_KEYS[method].filter((k) => p.some((q) => k in q));
    if (keys.length < 2) return undefined;
    const rows: number[] = [];
    p.forEach((q, i) => { if (keys.every((k) => typeof q[k] === "number")) rows.push(i); });
    if (!rows.length) return undefined;
    const coords = new Float32Array(rows.length * keys.length);
    rows.forEach((i, r) => keys.forEach((k, c) => (coords[r * keys.length + c] = p[i][k])));
    return { indices: rows.length === this.n ? null : Int32Array.from(rows), coords, dims: keys.length };
  }

  private applyState(s: State) {
    const col = (name?: string) => (name ? this.meta.columns.indexOf(name) : -1);
    this.method = s.selectedProjection && s.selectedProjection in PROJ_KEYS ? s.selectedProjection : "pca";
    const is3d = this.method === "tsne" ? s.tSNEis3d : this.method === "umap" ? s.umapIs3d : (s.pcaComponentDimensions?.length ?? 2) === 3;
    this.dims = is3d ? 3 : 2;
    if (s.tSNEPerplexity) this.perplexity = s.tSNEPerplexity;
    if (s.umapNeighbors) this.umapNeighbors = s.umapNeighbors;
    if (typeof s.spherize === "boolean") this.spherize = s.spherize;
    this.colorBy = col(s.selectedColorOptionName);
    this.labelBy = col(s.selectedLabelOption);
    this.axisInputs.left.value = s.customXLeftText ?? ""; this.axisInputs.right.value = s.customXRightText ?? "";
    this.axisInputs.up.value = s.customYUpText ?? ""; this.axisInputs.down.value = s.customYDownText ?? "";
    this.find.value = s.searchText ?? "";
    this.regexBox.checked = !!s.searchRegex;
    this.searchColumn.value = String(col(s.customSelectedSearchByMetadataOption));
    this.colorSelect.value = String(this.colorBy);
    this.labelSelect.value = String(this.labelBy);
    this.spherizeBox.checked = this.spherize;
    this.perplexityInput.value = String(this.perplexity);
    this.neighborsInput.value = String(this.umapNeighbors);
    press(this.methodSeg, this.method);
    press(this.dimsSeg, String(this.dims));
    this.renderParams();
    this.isolated = null;
    this.pendingState = s;
    this.selected = s.selectedPoints?.[0] ?? -1;
    this.neighbors = [];
    this.search();
    this.refreshNeighbors();
    void this.project();
  }

  private bookmarksCard() {
    const item = (s: State, i: number, local: boolean) => h("li", null,
      h("button.link", { onclick: () => this.applyState(s), dataset: { bookmark: s.label ?? String(i) } }, s.label || `bookmark ${i + 1}`),
      local ? h("button.link.muted", { title: "Delete", onclick: () => { this.localBookmarks.splice(i, 1); this.writeLocalBookmarks(); this.renderSide(); } }, "×") : null);
    return h("div.card.bookmarks", null,
      h("div.section-title", null, "Bookmarks"),
      this.serverBookmarks.length ? h("div.card-sub", null, "from the projector config:") : null,
      h("ul.bm-list.server", null, this.serverBookmarks.map((s, i) => item(s, i, false))),
      this.localBookmarks.length ? h("div.card-sub", null, "saved in this browser:") : null,
      h("ul.bm-list.local", null, this.localBookmarks.map((s, i) => item(s, i, true))),
      h("div.row", null,
        h("button", { onclick: () => {
          this.localBookmarks.push(this.currentState(`State ${this.localBookmarks.length + 1}`));
          this.writeLocalBookmarks();
          this.renderSide();
        } }, "Add bookmark"),
        h("button", { onclick: () => this.downloadBookmarks() }, "Download"),
        h("button", { onclick: () => this.bookmarkFile.click() }, "Load file")));
  }

  private downloadBookmarks() {
    const all = this.localBookmarks.length ? this.localBookmarks : [this.currentState("State 1")];
    const a = h("a", { href: URL.createObjectURL(new Blob([JSON.stringify(all)], { type: "application/json" })), download: "state.json" });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  private async uploadBookmarks() {
    const f = this.bookmarkFile.files?.[0];
    if (!f) return;
    try {
      const list = JSON.parse(await f.text());
      if (!Array.isArray(list)) throw new Error("a bookmarks file holds a JSON array of states");
      this.localBookmarks.push(...list);
      this.writeLocalBookmarks();
      this.renderSide();
      if (list.length) this.applyState(list[0]);
    } catch (e) {
      this.status.textContent = `bookmarks: ${(e as Error).message}`;
    }
    this.bookmarkFile.value = "";
  }

  /** The view in the URL, so a copied link reopens it (TensorBoard keeps it in bookmarks only). */
  private saveUrl() {
    const name = (c: number) => (c >= 0 ? this.meta.columns[c] : null);
    const q = this.axisInputs;
    this.ctx.state.set({
      projMethod: this.method === "pca" ? null : this.method, projDims: this.dims === 3 ? 3 : null,
      projSpherize: this.spherize ? null : false, projPerplexity: this.perplexity === 30 ? null : this.perplexity,
      projIter: this.iterations === 500 ? null : this.iterations, projSample: this.sample === 20000 ? null : this.sample,
      projUmapK: this.umapNeighbors === 15 ? null : this.umapNeighbors,
      projMetric: this.metric === "cosine" ? null : this.metric, projNN: this.nnCount === 10 ? null : this.nnCount,
      projSearch: this.find.value, projRegex: this.regexBox.checked ? true : null,
      projSearchCol: name(Number(this.searchColumn.value)),
      projColor: name(this.colorBy), projLabel: name(this.labelBy), projSel: this.selected >= 0 ? this.selected : null,
      projXl: q.left.value, projXr: q.right.value, projYu: q.up.value, projYd: q.down.value,
    });
  }

  /** Read-only view of the state for tests and benchmarks (window.__tblogProjector). */
  private installHook() {
    (window as unknown as Record<string, unknown>).__tblogProjector = {
      layout: () => this.layout && { indices: this.layout.indices && Array.from(this.layout.indices), coords: Array.from(this.layout.coords), dims: this.layout.dims },
      neighbors: () => this.neighbors.map((q) => q.index),
      matches: () => Array.from(this.matches),
      selected: () => this.selected,
      labels: () => this.cloud?.labels.slice() ?? [],
      labelText: (i: number) => this.label(i),
      colour: (i: number) => Array.from(this.rgba.subarray(i * 4, i * 4 + 4), (v) => Math.round(v * 255)),
      /** Renders `frames` frames turning the 3-D camera a little each, one per animation frame; resolves with the frame times (ms). */
      rotate: (frames: number) => new Promise<number[]>((resolve) => {
        const cloud = this.cloud!;
        const times: number[] = [];
        let last = -1;
        const tick = (now: number) => {
          if (last >= 0) times.push(now - last);
          last = now;
          if (times.length >= frames) { resolve(times); return; }
          cloud.rotate(0.02);
          cloud.renderNow();
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    };
  }

  async reload() { /* embeddings are written once; TensorBoard does not reload them either */ }
  refilter() { void this.load(); }
  dispose() {
    this.job?.cancel();
    this.worker?.dispose();
    this.cloud?.dispose();
    delete (window as unknown as Record<string, unknown>).__tblogProjector;
  }
}

function sameIndices(a: Int32Array | null, b: Int32Array | null): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function press(seg: HTMLElement, value: string) {
  for (const b of seg.querySelectorAll<HTMLButtonElement>("button")) b.setAttribute("aria-pressed", String(b.dataset.value === value));
}

export default (ctx: DashboardContext): Dashboard => new ProjectorDashboard(ctx);
