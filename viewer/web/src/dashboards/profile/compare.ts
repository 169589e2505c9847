// Compare: this trace (A) beside another session or run (B): step time per step and by
// category, and the per-op totals with their differences (largest change first).
import { h } from "../../lib/dom";
import { diffOps, opTable, OTHER, stepBreakdown, stepRange, summarizeSteps } from "../../lib/profileModel";
import type { Trace } from "../../lib/trace";
import { legend, stackedBars } from "./charts";
import { fmtUs } from "./format";
import { loadRules } from "./overview";

export interface TraceChoice { label: string; load: () => Promise<Trace> }

export class CompareView {
  readonly el = h("div.profile-compare");
  private pick = h("select", { "aria-label": "Compare with" });
  private body = h("div.compare-body");

  constructor(private a: Trace, labelA: string, private choices: TraceChoice[]) {
    this.pick.replaceChildren(h("option", { value: "" }, "— choose a trace —"), ...choices.map((c, i) => h("option", { value: i }, c.label)));
    this.pick.addEventListener("change", () => void this.compare());
    this.el.append(h("div.row", null, h("span", null, `A: ${labelA} · compare with B: `), this.pick), this.body);
    if (!choices.length) this.body.replaceChildren(h("div.empty", null, "No other trace to compare with."));
  }

  /** Picks choice i (tests, URL state). */
  async choose(i: number) { this.pick.value = String(i); await this.compare(); }

  private async compare() {
    const c = this.choices[Number(this.pick.value)];
    if (!c || this.pick.value === "") { this.body.replaceChildren(); return; }
    this.body.replaceChildren(h("div.muted", null, "Loading…"));
    let b: Trace;
    try { b = await c.load(); } catch (e) { this.body.replaceChildren(h("div.error-banner", null, String((e as Error).message ?? e))); return; }
    const rules = loadRules();
    const order = [...rules.map((r) => r.name), OTHER];
    const sa = stepBreakdown(this.a, rules), sb = stepBreakdown(b, rules);
    const ma = summarizeSteps(sa), mb = summarizeSteps(sb);
    const ra = stepRange(this.a), rb = stepRange(b);
    const diff = diffOps(opTable(this.a, ra.t0, ra.t1, ra.stepTime), opTable(b, rb.t0, rb.t1, rb.stepTime));
    const delta = (x: number, y: number) => (x ? `${y >= x ? "+" : ""}${(((y - x) / x) * 100).toFixed(1)}%` : "");
    this.body.replaceChildren(
      h("div.card", null, h("div.card-title", null, "Mean step time by category (A | B)"),
        stackedBars([{ label: "A", parts: ma.meanParts }, { label: "B", parts: mb.meanParts }], order, { width: 420, height: 220 }), legend(order),
        h("table.compare-steps", null,
          h("tr", null, h("th", null, ""), h("th", null, "A"), h("th", null, "B"), h("th", null, "Change")),
          h("tr", { dataset: { row: "mean" } }, h("th", null, "Mean step"), h("td", null, fmtUs(ma.mean)), h("td", null, fmtUs(mb.mean)), h("td", null, delta(ma.mean, mb.mean))),
          h("tr", null, h("th", null, "Steps"), h("td", null, String(ma.count)), h("td", null, String(mb.count)), h("td", null, "")),
          ...order.map((k) => h("tr", { dataset: { category: k } }, h("th", null, k), h("td", null, fmtUs(ma.meanParts[k] ?? 0)), h("td", null, fmtUs(mb.meanParts[k] ?? 0)), h("td", null, delta(ma.meanParts[k] ?? 0, mb.meanParts[k] ?? 0)))))),
      h("div.card", null, h("div.card-title", null, "Step time per step"),
        h("table.compare-per-step", null, h("tr", null, h("th", null, "#"), h("th", null, "A step"), h("th", null, "A"), h("th", null, "B step"), h("th", null, "B")),
          ...Array.from({ length: Math.max(sa.length, sb.length) }, (_, i) => h("tr", null, h("td", null, String(i)),
            h("td", null, sa[i] ? String(sa[i].step) : ""), h("td", null, sa[i] ? fmtUs(sa[i].total) : ""),
            h("td", null, sb[i] ? String(sb[i].step) : ""), h("td", null, sb[i] ? fmtUs(sb[i].total) : ""))))),
      h("div.card", null, h("div.card-title", null, "Operators: total time, A vs B"),
        h("table.op-diff", null, h("thead", null, h("tr", null, ...["Name", "Calls A", "Calls B", "Total A", "Total B", "Δ total"].map((x) => h("th", null, x)))),
          h("tbody", null, ...diff.slice(0, 300).map((d) => h("tr", { dataset: { op: d.name } }, h("td", null, d.name), h("td", null, String(d.callsA)), h("td", null, String(d.callsB)),
            h("td", null, fmtUs(d.totalA)), h("td", null, fmtUs(d.totalB)), h("td", { className: d.delta > 0 ? "worse" : d.delta < 0 ? "better" : "" }, `${d.delta > 0 ? "+" : ""}${fmtUs(d.delta)}`)))))),
    );
    this.body.dataset.compared = c.label;
  }

  show() {}
  dispose() {}
}
