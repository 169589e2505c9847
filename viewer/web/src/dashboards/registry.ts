import type { DashboardFactory } from "./types";

// Tabs in display order. Each dashboard is its own chunk, loaded on first use,
// so the heavy libraries (three.js, dagre, UMAP) never slow the scalars view.
export interface TabSpec {
  plugin: string;
  title: string;
  load: () => Promise<{ default: DashboardFactory }>;
  /** the route the dashboard reads first (its tag index), fetched beside the run list when the page opens on the tab */
  index?: string;
}

export const TABS: TabSpec[] = [
  { plugin: "scalars", title: "Scalars", load: () => import("./scalars"), index: "tblog/scalar_tags" },
  { plugin: "custom_scalars", title: "Custom Scalars", load: () => import("./customScalars") },
  { plugin: "images", title: "Images", load: () => import("./images") },
  { plugin: "audio", title: "Audio", load: () => import("./audio") },
  { plugin: "graphs", title: "Graphs", load: () => import("./graphs") },
  { plugin: "distributions", title: "Distributions", load: () => import("./distributions") },
  { plugin: "histograms", title: "Histograms", load: () => import("./histograms") },
  { plugin: "text", title: "Text", load: () => import("./text") },
  { plugin: "pr_curves", title: "PR Curves", load: () => import("./prCurves") },
  { plugin: "hparams", title: "HParams", load: () => import("./hparams") },
  { plugin: "projector", title: "Projector", load: () => import("./projector") },
  { plugin: "mesh", title: "Mesh", load: () => import("./mesh") },
  { plugin: "profile", title: "Profile", load: () => import("./profile") },
];
