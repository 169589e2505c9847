// The strip at the top of a page opened from `tblog-view export`: what this snapshot is.
import { h } from "./dom";
import type { Manifest } from "./staticSite";

export function exportInfo(m: Manifest): HTMLElement {
  const created = new Date(m.created);
  return h("div.export-info", { dataset: { created: m.created } },
    h("strong.export-name", null, m.name || "tblog-view export"),
    m.description ? h("span.export-description", null, m.description) : null,
    h("span.export-meta", null,
      `exported ${isNaN(created.getTime()) ? m.created : created.toLocaleString()} by tblog-view ${m.version}`),
  );
}
