// Overview: step time per step as stacked bars split into categories (data loading,
// forward, backward, optimizer, other — rules editable, kept in localStorage), the mean
// step and its breakdown, and the slowest steps (click one to see it in the trace).
import { h } from "../../lib/dom";
import { CategoryRule, DEFAULT_RULES, OTHER, stepBreakdown, summarizeSteps } from "../../lib/profileModel";
import type { Trace } from "../../lib/trace";
import { legend, stackedBars } from "./charts";
import { fmtUs } from "./format";

const RULES_KEY = "tblog.profile.categories";

export function loadRules(): CategoryRule[] {
  try {
    const r = JSON.parse(localStorage.getItem(RULES_KEY) ?? "null");
    if (Array.isArray(r) && r.every((x) => typeof x?.name === "string" && typeof x?.pattern === "string")) return r;
  } catch { /* defaults */ }
  return DEFAULT_RULES.map((r) => ({ ...r }));
}

export class OverviewView {
  readonly el = h("div.profile-overview");
  constructor(private trace: Trace, private showStep: (t0: number, t1: number) => void) { this.render(); }

  private render() {
    const rules = loadRules();
    const steps = stepBreakdown(this.trace, rules);
    const order = [...rules.map((r) => r.name), OTHER];
    if (!steps.length) {
      this.el.replaceChildren(h("div.empty", null, "This trace has no ProfilerStep#<n> spans: call Profiler::step() each step (PyTorch: prof.step())."), this.rulesEditor(rules));
      return;
    }
    const sum = summarizeSteps(steps);
    const chart = stackedBars(steps.map((s) => ({ label: String(s.step), parts: s.parts })), order, {
      onClick: (i) => this.showStep(steps[i].start, steps[i].start + steps[i].total),
    });
    const pct = (v: number) => (sum.mean ? `${((100 * v) / sum.mean).toFixed(1)}%` : "");
    this.el.replaceChildren(
      h("div.card", null, h("div.card-title", null, `Step time (${sum.count} steps)`), chart, legend(order)),
      h("div.row.profile-cards", null,
        h("div.card.step-summary", null, h("div.card-title", null, "Average step"),
          h("table", null,
            h("tr", null, h("th", null, "Mean"), h("td", { dataset: { stat: "mean" } }, fmtUs(sum.mean))),
            h("tr", null, h("th", null, "Min / max"), h("td", null, `${fmtUs(sum.min)} / ${fmtUs(sum.max)}`)),
            ...order.map((k) => h("tr", { dataset: { category: k } }, h("th", null, k), h("td", null, `${fmtUs(sum.meanParts[k] ?? 0)} · ${pct(sum.meanParts[k] ?? 0)}`))))),
        h("div.card.slowest", null, h("div.card-title", null, "Slowest steps"),
          h("table", null, h("tr", null, h("th", null, "Step"), h("th", null, "Time"), h("th", null, "Largest part")),
            ...sum.slowest.map((s) => {
              const top = Object.entries(s.parts).sort((a, b) => b[1] - a[1])[0];
              return h("tr", { dataset: { step: s.step } },
                h("td", null, h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); this.showStep(s.start, s.start + s.total); } }, String(s.step))),
                h("td", null, fmtUs(s.total)), h("td", null, top ? `${top[0]} ${fmtUs(top[1])}` : ""));
            })))),
      this.rulesEditor(rules),
    );
  }

  private rulesEditor(rules: CategoryRule[]) {
    const inputs = rules.map((r) => h("input", { type: "text", value: r.pattern, "aria-label": `Pattern for ${r.name}`, dataset: { category: r.name } }));
    const apply = h("button", { onclick: () => {
      localStorage.setItem(RULES_KEY, JSON.stringify(rules.map((r, i) => ({ name: r.name, pattern: inputs[i].value }))));
      this.render();
    } }, "Apply");
    const reset = h("button", { onclick: () => { localStorage.removeItem(RULES_KEY); this.render(); } }, "Defaults");
    return h("details.card.category-rules", null, h("summary", null, "Categories (a span directly under a step goes to the first category whose pattern matches its name)"),
      h("table", null, ...rules.map((r, i) => h("tr", null, h("th", null, r.name), h("td", null, inputs[i])))), h("div.row", null, apply, reset));
  }

  show() {}
  dispose() {}
}
