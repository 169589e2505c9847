// The shell: tabs for the plugins that have data, the run selector, the tag
// filter, auto-reload and the theme. Dashboards plug in through
// DashboardContext (see dashboards/types.ts).
import { dropPrefetched, getJson, getJsonOptional, prefetchJson } from "../lib/api";
import { exportInfo } from "../lib/exportInfo";
import { site } from "../lib/staticSite";
import { RunColors } from "../lib/colors";
import { loadExperiment, runColumns } from "../lib/runColumns";
import { clear, debounce, h, safeRegex } from "../lib/dom";
import { UrlState } from "../lib/urlState";
import { TABS, TabSpec } from "../dashboards/registry";
import type { Dashboard, DashboardContext } from "../dashboards/types";
import { RunSelector } from "./runSelector";

interface PluginListing {
  [plugin: string]: { enabled: boolean; tab_name?: string };
}

const DEFAULT_RELOAD_SECS = 30;

export class App {
  private state = new UrlState();
  private colors = new RunColors();
  private allRuns: string[] = [];
  private tabs: TabSpec[] = [];
  private active?: { tab: TabSpec; dash: Dashboard };
  private switching = 0;
  /** the tab opened last (its dashboard may still be loading) */
  private current?: TabSpec;
  /** the run list was loaded once */
  private started = false;
  private reloadTimer?: ReturnType<typeof setInterval>;
  private reloading = false;

  private tabBar = h("nav.tabs", { role: "tablist" });
  private pane = h("main.pane", { id: "pane" });
  private controls = h("div.dash-controls");
  private tagInput = h("input.tag-filter", { type: "search", placeholder: "Filter tags (regex)", "aria-label": "Filter tags" });
  private tagError = h("span.input-error");
  private runSelector: RunSelector;
  private reloadBox = h("input", { type: "checkbox", id: "auto-reload" });
  private status = h("span.status");

  constructor(private root: HTMLElement) {
    this.runSelector = new RunSelector(this.state, this.colors, () => this.active?.dash.refilter());
    this.applyTheme(this.theme());
  }

  async start() {
    // fetch the first dashboard's code and tag index while the run list and plugin listing load
    const first = TABS.find((t) => t.plugin === (this.state.get("tab") || "scalars")) ?? TABS[0];
    void first.load();
    if (first.index) prefetchJson(first.index);
    this.layout();
    await this.loadRunsAndTabs();
    this.state.onExternalChange(() => this.openTab(this.state.get("tab")));
    this.setAutoReload(this.reloadBox.checked);
  }

  private layout() {
    const themeBtn = h("button.icon", {
      title: "Toggle light/dark theme",
      "aria-label": "Toggle theme",
      onclick: () => {
        const next = this.theme() === "dark" ? "light" : "dark";
        localStorage.setItem("tblog-theme", next);
        this.state.set({ theme: next });
        this.applyTheme(next);
        window.dispatchEvent(new Event("tblog-theme"));
      },
    }, "◐");
    // an export never changes: nothing to reload
    this.reloadBox.checked = !site && this.state.getBool("autoReload", localStorage.getItem("tblog-autoreload") !== "0");
    this.reloadBox.addEventListener("change", () => {
      localStorage.setItem("tblog-autoreload", this.reloadBox.checked ? "1" : "0");
      this.state.set({ autoReload: this.reloadBox.checked ? null : false });
      this.setAutoReload(this.reloadBox.checked);
    });
    const reloadBtn = h("button.icon", { title: "Reload data now", "aria-label": "Reload", onclick: () => this.reload() }, "⟳");

    this.tagInput.value = this.state.get("tagFilter");
    this.tagInput.addEventListener("input", debounce(() => {
      const v = this.tagInput.value;
      this.tagError.textContent = v && !safeRegex(v) ? "invalid regex" : "";
      this.state.set({ tagFilter: v });
      this.active?.dash.refilter();
    }, 150));

    clear(this.root);
    if (site) this.root.append(exportInfo(site.manifest));
    this.root.append(
      h("header.topbar", null,
        h("span.brand", null, "tblog"),
        this.tabBar,
        h("div.top-actions", null,
          this.status,
          h("label.toggle", { title: "Fetch new data periodically" }, this.reloadBox, " Auto-reload"),
          reloadBtn,
          themeBtn,
        ),
      ),
      h("div.body", null,
        h("aside.sidebar", null,
          h("section", null, h("div.section-title", null, "Tags"), this.tagInput, this.tagError),
          this.controls,
          this.runSelector.el,
        ),
        this.pane,
      ),
    );
  }

  private theme(): "light" | "dark" {
    const fromUrl = this.state.get("theme");
    if (fromUrl === "light" || fromUrl === "dark") return fromUrl;
    const saved = localStorage.getItem("tblog-theme");
    if (saved === "light" || saved === "dark") return saved;
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  private applyTheme(t: "light" | "dark") {
    document.documentElement.dataset.theme = t;
  }

  private async loadRunsAndTabs() {
    const runs = await getJson<string[]>("runs");
    // asked for after the run list: beside it, it took one of the browser's 6 connections from
    // the first dashboard's scripts and tag index
    const listed = getJson<PluginListing>("plugins_listing");
    listed.catch(() => undefined);  // awaited below
    this.allRuns = runs;
    this.colors.assign(runs);
    this.runSelector.setRuns(runs);
    const want = this.state.get("tab");
    // When the page opens, the wanted tab (the URL's, else Scalars) opens with the run list
    // alone: the plugin listing (and the probes after it) only fill the tab bar, and a guess
    // the listing does not confirm gives way to the first dashboard it lists.
    const guess = !this.started ? TABS.find((t) => t.plugin === (want || "scalars")) : undefined;
    this.started = true;
    let opening: Promise<void> | undefined;
    if (guess) {
      this.tabs = [guess];
      this.renderTabs();
      opening = this.openTab(guess.plugin);
    }
    const listing = await listed;
    const enabled = new Set(Object.entries(listing).filter(([, v]) => v.enabled).map(([k]) => k));
    // the run list sorts by hparams and metrics too; they load beside the first dashboard
    if (enabled.has("hparams"))
      void loadExperiment().then(({ exp, groups }) => this.runSelector.setColumns(runColumns(exp, groups)), () => undefined);
    const setTabs = (on: Set<string>) => {
      const tabs = TABS.filter((t) => on.has(t.plugin));
      const changed = tabs.map((t) => t.plugin).join() !== this.tabs.map((t) => t.plugin).join();
      this.tabs = tabs;
      if (changed) this.renderTabs();
    };
    // open the wanted tab from the listing alone when it is there; the probes
    // below may add tabs but never delay the first dashboard
    setTabs(new Set([...enabled, ...this.tabs.map((t) => t.plugin)]));
    if (!this.active && !opening && (!want || enabled.has(want))) opening = this.openTab(want);
    const on = await this.probedTabs(listing, enabled);
    setTabs(on);
    // the tab bar is final now (listing and probes in): what tests wait for before reading it
    this.tabBar.dataset.complete = "true";
    if (guess && !on.has(guess.plugin)) {
      await opening;
      opening = undefined;
      if (this.tabs.length) await this.openTab(want);
      else {
        this.closeTab();
        this.state.set({ tab: want || null });  // the URL keeps what was asked for, not the guess
      }
    }
    if (!this.active && !opening) await this.openTab(want);
    await opening;
  }

  /** No dashboard open (the logdir has none active). */
  private closeTab() {
    this.switching++;
    this.active?.dash.dispose();
    this.active = undefined;
    this.current = undefined;
    clear(this.controls);
    this.renderTabs();
  }

  /** Plugins with data: the listing's, plus the projector and profile when their probes find data. */
  private async probedTabs(listing: PluginListing, enabled: Set<string>): Promise<Set<string>> {
    const on = new Set(enabled);
    // Stock TensorBoard lists the projector as disabled until a background scan
    // finishes; ask its runs route instead of trusting the flag.
    const projector = listing.projector && !on.has("projector")
      ? getJsonOptional<string[]>("plugin/projector/runs").catch(() => undefined) : undefined;
    // Profiler traces are a tblog extra (TensorBoard's own profile plugin is a
    // separate package): the tab shows when tblog-view lists trace files.
    const profile = !on.has("profile") ? getJsonOptional<unknown[]>("tblog/profile/runs").catch(() => undefined) : undefined;
    if ((await projector)?.length) on.add("projector");
    if ((await profile)?.length) on.add("profile");
    return on;
  }

  private renderTabs() {
    clear(this.tabBar);
    for (const t of this.tabs) {
      this.tabBar.append(h("button.tab", {
        role: "tab",
        dataset: { plugin: t.plugin },
        "aria-selected": String(this.current === t),
        onclick: () => this.openTab(t.plugin),
      }, t.title));
    }
    if (!this.tabs.length) this.pane.replaceChildren(h("div.empty", null, "No dashboards are active: the logdir has no data yet."));
  }

  private async openTab(plugin: string) {
    const tab = this.tabs.find((t) => t.plugin === plugin) ?? this.tabs[0];
    if (!tab || this.active?.tab === tab) return;
    const ticket = ++this.switching;
    this.current = tab;
    this.active?.dash.dispose();
    this.active = undefined;
    this.state.set({ tab: tab.plugin });
    for (const b of this.tabBar.querySelectorAll<HTMLElement>(".tab"))
      b.setAttribute("aria-selected", String(b.dataset.plugin === tab.plugin));
    clear(this.pane);
    clear(this.controls);
    this.pane.dataset.dashboard = tab.plugin;
    this.pane.append(h("div.loading", null, "Loading…"));
    const mod = await tab.load();
    if (ticket !== this.switching) return;
    clear(this.pane);
    this.runSelector.setAvailable(null);
    const ctx: DashboardContext = {
      el: this.pane,
      controls: this.controls,
      state: this.state,
      runs: () => this.runSelector.selected(),
      color: (r) => this.colors.get(r),
      matchesTag: (tag) => {
        const src = this.state.get("tagFilter");
        if (!src) return true;
        const re = safeRegex(src);
        return re ? re.test(tag) : false;
      },
      setAvailableRuns: (runs) => this.runSelector.setAvailable(runs),
      dark: () => document.documentElement.dataset.theme === "dark",
    };
    this.active = { tab, dash: mod.default(ctx) };
    dropPrefetched();  // the dashboard took its index, if it was prefetched
  }

  private setAutoReload(on: boolean) {
    clearInterval(this.reloadTimer);
    if (!on) return;
    const secs = this.state.getNumber("reloadSecs", DEFAULT_RELOAD_SECS);
    this.reloadTimer = setInterval(() => this.reload(), Math.max(0.2, secs) * 1000);
  }

  async reload() {
    if (this.reloading) return;
    this.reloading = true;
    this.status.textContent = "reloading…";
    try {
      await this.loadRunsAndTabs();
      await this.active?.dash.reload();
      this.status.textContent = "";
      document.documentElement.dataset.lastReload = String(Date.now());
    } catch (e) {
      this.status.textContent = `reload failed: ${(e as Error).message}`;
    } finally {
      this.reloading = false;
    }
  }

  get runs() {
    return this.allRuns;
  }
}
