// Formatting shared by the Profile dashboard's views.
import { fmtNum } from "../../lib/format";

const colors = new Map<string, string>();

/** A stable colour per span name. */
export function spanColor(name: string) {
  let c = colors.get(name);
  if (c) return c;
  let x = 0;
  for (let i = 0; i < name.length; i++) x = (x * 31 + name.charCodeAt(i)) | 0;
  c = `hsl(${((x % 360) + 360) % 360}, 55%, 62%)`;
  if (colors.size < 100000) colors.set(name, c);
  return c;
}

export function fmtUs(us: number) {
  const a = Math.abs(us);
  if (a >= 1e6) return `${fmtNum(us / 1e6)} s`;
  if (a >= 1e3) return `${fmtNum(us / 1e3)} ms`;
  return `${fmtNum(us)} µs`;
}

/** Colours of the step-time categories (Overview, Compare). */
export const CATEGORY_COLORS: Record<string, string> = {
  "data loading": "#f0a030", forward: "#3b82c4", backward: "#9b59b6", optimizer: "#2ca25f", other: "#aaaaaa",
};
export const categoryColor = (name: string) => CATEGORY_COLORS[name] ?? spanColor(name);
