// Sidebar run list: tick boxes with each run's colour, a regex filter, and
// all/none (of the runs matching the filter). Unticked runs are kept in the URL
// ("hidden"), so runs that appear later start ticked, like TensorBoard. The list
// is virtualised (only the rows in view exist), so 10,000 runs scroll as 10 do,
// and sorts by start time (the server's order), by name, or by an hparam or metric of the
// hparams plugin (runSort in the URL: "name", "h:<hparam>", "m:<group>/<tag>"; runs without
// the value last).
import type { RunColors } from "../lib/colors";
import { clear, debounce, h, safeRegex } from "../lib/dom";
import { compareValues } from "../lib/runColumns";
import type { RunColumn } from "../lib/runColumns";
import type { UrlState } from "../lib/urlState";

export class RunSelector {
  readonly el = h("section.runs");
  private list = h("div.run-list");
  private rows = h("div.run-rows");
  private sort = h("select.run-sort", { "aria-label": "Sort runs" },
    h("option", { value: "" }, "start time"), h("option", { value: "name" }, "name"));
  private shown: string[] = [];
  private drawn = "";
  private filter = h("input.run-filter", { type: "search", placeholder: "Filter runs (regex)", "aria-label": "Filter runs" });
  private error = h("span.input-error");
  private runs: string[] = [];
  private available: Set<string> | null = null;
  private hidden: Set<string>;
  private columns: RunColumn[] = [];

  constructor(private state: UrlState, private colors: RunColors, private onChange: () => void) {
    this.hidden = new Set(state.getList("hidden"));
    this.filter.value = state.get("runFilter");
    this.filter.addEventListener("input", debounce(() => {
      this.state.set({ runFilter: this.filter.value });
      this.render();
      this.onChange();
    }, 60));  // a redraw from held series is cheap: a short pause only merges fast keystrokes
    this.sort.value = state.get("runSort") === "name" ? "name" : "";
    this.sort.addEventListener("change", () => { this.state.set({ runSort: this.sort.value || null }); this.render(); });
    this.list.append(this.rows);
    this.list.addEventListener("scroll", () => this.drawWindow());
    const all = h("button.link", { onclick: () => this.setAll(true) }, "all");
    const none = h("button.link", { onclick: () => this.setAll(false) }, "none");
    this.el.append(h("div.section-title", null, "Runs ", h("span.run-actions", null, all, " / ", none, " · ", this.sort)), this.filter, this.error, this.list);
  }

  setRuns(runs: string[]) {
    if (runs.join("\n") === this.runs.join("\n")) return;
    this.runs = runs;
    this.render();
  }

  /** Hparam and metric columns offered as sort keys (the URL's runSort applies once its column is here). */
  setColumns(columns: RunColumn[]) {
    this.columns = columns;
    const keep = [...this.sort.options].slice(0, 2);
    this.sort.replaceChildren(...keep, ...columns.map((c) => h("option", { value: c.key }, `${c.key[0] === "h" ? "hparam" : "metric"}: ${c.label}`)));
    const want = this.state.get("runSort");
    if (columns.some((c) => c.key === want)) this.sort.value = want;
    this.render();
  }

  /** Runs with data on the current dashboard; null = all. */
  setAvailable(runs: string[] | null) {
    this.available = runs ? new Set(runs) : null;
    this.render();
  }

  private regex(): RegExp | null | undefined {
    const src = this.filter.value;
    if (!src) return undefined;
    return safeRegex(src);
  }

  /** Ticked runs matching the filter, in run order. */
  selected(): string[] {
    const re = this.regex();
    if (re === null) return [];
    return this.runs.filter((r) => !this.hidden.has(r) && (!re || re.test(r)));
  }

  private setAll(on: boolean) {
    const re = this.regex();
    for (const r of this.runs) if (!re || re.test(r)) on ? this.hidden.delete(r) : this.hidden.add(r);
    this.saveAndNotify();
  }

  private saveAndNotify() {
    this.state.set({ hidden: [...this.hidden] });
    this.render();
    this.onChange();
  }

  private render() {
    const re = this.regex();
    this.error.textContent = re === null ? "invalid regex" : "";
    this.shown = this.runs.filter((r) => (!this.available || this.available.has(r)) && (!re || re.test(r)));
    const col = this.columns.find((c) => c.key === this.sort.value);
    if (this.sort.value === "name") this.shown.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    else if (col) this.shown.sort((a, b) => compareValues(col.values.get(a), col.values.get(b)));  // stable: ties keep start order
    this.rows.style.height = `${this.shown.length * ROW}px`;
    this.drawn = "";
    this.drawWindow();
  }

  /** Creates the rows in (and a little around) the visible part of the list. */
  private drawWindow() {
    const top = this.list.scrollTop, height = this.list.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - 20);
    const last = Math.min(this.shown.length, Math.ceil((top + height) / ROW) + 20);
    const key = `${first}:${last}`;
    if (key === this.drawn) return;
    this.drawn = key;
    clear(this.rows);
    for (let i = first; i < last; i++) {
      const run = this.shown[i];
      const box = h("input", { type: "checkbox", checked: !this.hidden.has(run) });
      box.addEventListener("change", () => {
        box.checked ? this.hidden.delete(run) : this.hidden.add(run);
        this.saveAndNotify();
      });
      this.rows.append(h("label.run", { title: run, dataset: { run }, style: { top: `${i * ROW}px` } },
        box,
        h("span.swatch", { style: { background: this.colors.get(run) } }),
        h("span.run-name", null, run),
      ));
    }
    if (!this.shown.length) this.rows.append(h("div.muted", null, this.runs.length ? "No runs match." : "No runs yet."));
  }
}

/** Height of one run row (px; styles.css gives .run-rows > .run the same). */
const ROW = 22;
