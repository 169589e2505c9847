// Operators: per-op statistics (calls, total, self, mean, max, % of step time) over a step
// range, sortable and filterable, and the call tree top-down (where time goes under each
// call path) or bottom-up (each op's self time and the paths that called it).
import { h } from "../../lib/dom";
import { callTree, opTable, OpRow, stepRange, TreeNode } from "../../lib/profileModel";
import type { Trace } from "../../lib/trace";
import { fmtUs } from "./format";

type Mode = "table" | "top-down" | "bottom-up";
type Key = keyof OpRow;
const COLUMNS: [Key, string][] = [["name", "Name"], ["calls", "Calls"], ["total", "Total"], ["self", "Self"], ["mean", "Mean"], ["max", "Max"], ["pctOfStep", "% of step"]];
const MAX_ROWS = 500, MAX_CHILDREN = 100;

export class OperatorsView {
  readonly el = h("div.profile-operators");
  private filter = h("input", { type: "search", placeholder: "Filter ops (regex)…", "aria-label": "Filter ops" });
  private first = h("select", { "aria-label": "First step" });
  private last = h("select", { "aria-label": "Last step" });
  private opsOnly = h("input", { type: "checkbox", "aria-label": "Ops only" });
  private body = h("div.op-body");
  private mode: Mode = "table";
  private sortKey: Key = "total";
  private sortDesc = true;

  constructor(private trace: Trace) {
    const steps = trace.steps.map((s) => s.step);
    for (const sel of [this.first, this.last]) sel.replaceChildren(...steps.map((s) => h("option", { value: s }, String(s))));
    if (steps.length) this.last.value = String(steps[steps.length - 1]);
    const modes = h("div.seg", null, ...(["table", "top-down", "bottom-up"] as Mode[]).map((m) =>
      h("button", { "aria-pressed": String(m === this.mode), dataset: { mode: m }, onclick: (e: Event) => {
        this.mode = m;
        modes.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === e.currentTarget)));
        this.render();
      } }, m === "table" ? "Table" : m === "top-down" ? "Call tree (top-down)" : "Call tree (bottom-up)")));
    this.el.append(h("div.row.op-tools", null, modes, this.filter,
      steps.length ? h("span", null, "steps ", this.first, " – ", this.last) : null,
      h("label", null, this.opsOnly, " ops only"), h("span.muted.op-count")), this.body);
    for (const c of [this.filter, this.first, this.last, this.opsOnly]) c.addEventListener(c === this.filter ? "input" : "change", () => this.render());
    this.render();
  }

  private range() {
    return this.trace.steps.length ? stepRange(this.trace, Number(this.first.value), Number(this.last.value)) : stepRange(this.trace);
  }

  private matcher() {
    try { return new RegExp(this.filter.value, "i"); } catch { return null; }
  }

  render() {
    const { t0, t1, stepTime } = this.range();
    const re = this.matcher();
    const count = this.el.querySelector(".op-count")!;
    if (this.mode === "table") {
      const rows = opTable(this.trace, t0, t1, stepTime, this.opsOnly.checked).filter((r) => !re || re.test(r.name));
      const k = this.sortKey, dir = this.sortDesc ? -1 : 1;
      rows.sort((a, b) => (typeof a[k] === "string" ? String(a[k]).localeCompare(String(b[k])) : (a[k] as number) - (b[k] as number)) * dir);
      count.textContent = `${rows.length} ops`;
      const head = h("tr", null, ...COLUMNS.map(([key, label]) => h("th", {
        dataset: { key }, "aria-sort": key === this.sortKey ? (this.sortDesc ? "descending" : "ascending") : "none",
        onclick: () => { if (this.sortKey === key) this.sortDesc = !this.sortDesc; else { this.sortKey = key; this.sortDesc = key !== "name"; } this.render(); },
      }, label, key === this.sortKey ? (this.sortDesc ? " ▼" : " ▲") : "")));
      const fmt = (r: OpRow, key: Key) => key === "name" ? r.name : key === "calls" ? r.calls.toLocaleString() : key === "pctOfStep" ? `${r.pctOfStep.toFixed(1)}%` : fmtUs(r[key] as number);
      this.body.replaceChildren(h("table.op-table", null, h("thead", null, head),
        h("tbody", null, ...rows.slice(0, MAX_ROWS).map((r) => h("tr", { dataset: { op: r.name } }, ...COLUMNS.map(([key]) => h("td", { dataset: { key } }, fmt(r, key))))))));
      return;
    }
    const root = callTree(this.trace, t0, t1, this.mode);
    count.textContent = `${root.children.size} ${this.mode === "top-down" ? "top-level calls" : "ops"}`;
    const table = h("table.op-tree", null, h("thead", null, h("tr", null, h("th", null, "Name"), h("th", null, this.mode === "top-down" ? "Total" : "Self time"),
      h("th", null, "Self"), h("th", null, "Calls"), h("th", null, "% of all"))));
    const tbody = h("tbody");
    table.append(tbody);
    const addRows = (n: TreeNode, depth: number, after: HTMLElement | null, path: string) => {
      const kids = [...n.children.values()].filter((c) => depth > 0 || !re || re.test(c.name)).sort((a, b) => b.total - a.total).slice(0, MAX_CHILDREN);
      let anchor = after;
      for (const c of kids) {
        const p = `${path}/${c.name}`;
        const toggle = h("span.tree-toggle", null, c.children.size ? "▸" : " ");
        const row = h("tr", { dataset: { path: p, depth } },
          h("td", { style: { paddingLeft: `${depth * 14 + 4}px` } }, toggle, " ", c.name),
          h("td", null, fmtUs(c.total)), h("td", null, this.mode === "top-down" ? fmtUs(c.self) : ""), h("td", null, c.calls.toLocaleString()),
          h("td", null, root.total ? `${((100 * c.total) / root.total).toFixed(1)}%` : ""));
        let open = false;
        row.addEventListener("click", () => {
          if (!c.children.size) return;
          open = !open;
          toggle.textContent = open ? "▾" : "▸";
          if (open) addRows(c, depth + 1, row, p);
          else for (const r of [...tbody.querySelectorAll<HTMLElement>("tr")]) if (r.dataset.path?.startsWith(`${p}/`)) r.remove();
        });
        if (anchor) anchor.after(row); else tbody.append(row);
        anchor = row;
        // keep the rows of already-open grandchildren below their parent
      }
    };
    addRows(root, 0, null, "");
    this.body.replaceChildren(table);
  }

  show() {}
  dispose() {}
}
