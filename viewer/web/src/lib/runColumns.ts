// Per-run values the run selector can sort by: each hparam and each metric of the hparams
// plugin's session groups (a session is a run), as TensorBoard's runs table offers.
import { postJson } from "./api";

export interface Experiment {
  hparamInfos: { name: string; displayName?: string; type?: string }[];
  metricInfos: { name: { group: string; tag: string }; displayName?: string }[];
}
export interface SessionGroup {
  name: string;
  hparams: Record<string, number | string | boolean>;
  metricValues: { name: { group: string; tag: string }; value: number; trainingStep?: number }[];
  sessions?: { name: string; metricValues?: SessionGroup["metricValues"] }[];
}
export type RunValue = number | string | boolean;
/** A sortable column: `key` is what the URL keeps (runSort=h:lr, runSort=m:group/tag). */
export interface RunColumn { key: string; label: string; values: Map<string, RunValue> }

export const ALL_STATUSES = ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"];

export async function loadExperiment(): Promise<{ exp: Experiment; groups: SessionGroup[] }> {
  const exp = await postJson<Experiment>("plugin/hparams/experiment", { experimentName: "" });
  const sg = await postJson<{ sessionGroups: SessionGroup[] }>("plugin/hparams/session_groups", {
    experimentName: "", allowedStatuses: ALL_STATUSES, colParams: [], startIndex: 0, sliceSize: 100000,
  });
  return { exp, groups: sg.sessionGroups ?? [] };
}

export const metricLabel = (i: Experiment["metricInfos"][number]) =>
  i.displayName || (i.name.group ? `${i.name.group}/${i.name.tag}` : i.name.tag);

/** One column per hparam and per metric, valued for every run that is a session of a group. */
export function runColumns(exp: Experiment, groups: SessionGroup[]): RunColumn[] {
  const hp = exp.hparamInfos.map((i) => ({ key: `h:${i.name}`, label: i.displayName || i.name, values: new Map<string, RunValue>() }));
  const mt = exp.metricInfos.map((i) => ({ key: `m:${i.name.group}/${i.name.tag}`, label: metricLabel(i), values: new Map<string, RunValue>() }));
  for (const g of groups) {
    for (const s of g.sessions?.length ? g.sessions : [{ name: g.name, metricValues: g.metricValues }]) {
      exp.hparamInfos.forEach((i, k) => { if (g.hparams[i.name] !== undefined) hp[k].values.set(s.name, g.hparams[i.name]); });
      exp.metricInfos.forEach((i, k) => {
        const m = (s.metricValues ?? g.metricValues).find((v) => v.name.tag === i.name.tag && v.name.group === i.name.group);
        if (m) mt[k].values.set(s.name, m.value);
      });
    }
  }
  return [...hp, ...mt];
}

/** Order of two values: numbers numerically, the rest as text (natural order); missing last. */
export function compareValues(x: RunValue | undefined, y: RunValue | undefined): number {
  if (x === y) return 0;
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  return typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
}
