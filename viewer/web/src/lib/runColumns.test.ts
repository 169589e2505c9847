import { describe, expect, it } from "vitest";
import { compareValues, runColumns } from "./runColumns";
import type { Experiment, SessionGroup } from "./runColumns";

const exp: Experiment = {
  hparamInfos: [{ name: "lr" }, { name: "opt", displayName: "optimizer" }],
  metricInfos: [{ name: { group: "", tag: "acc" } }, { name: { group: "eval", tag: "loss" } }],
};
const m = (group: string, tag: string, value: number) => ({ name: { group, tag }, value });

describe("runColumns", () => {
  it("values every session of a group with the group's hparams and the session's own metrics", () => {
    const groups: SessionGroup[] = [
      { name: "g0", hparams: { lr: 0.1, opt: "sgd" }, metricValues: [m("", "acc", 0.5)],
        sessions: [{ name: "a", metricValues: [m("", "acc", 0.4), m("eval", "loss", 2)] }, { name: "b", metricValues: [m("", "acc", 0.6)] }] },
      { name: "c", hparams: { lr: 0.01 }, metricValues: [m("eval", "loss", 1)] },  // no sessions: the group is the run
    ];
    const cols = Object.fromEntries(runColumns(exp, groups).map((c) => [c.key, c]));
    expect(Object.keys(cols)).toEqual(["h:lr", "h:opt", "m:/acc", "m:eval/loss"]);
    expect(cols["h:opt"].label).toBe("optimizer");
    expect(cols["m:eval/loss"].label).toBe("eval/loss");
    expect([...cols["h:lr"].values]).toEqual([["a", 0.1], ["b", 0.1], ["c", 0.01]]);
    expect([...cols["h:opt"].values]).toEqual([["a", "sgd"], ["b", "sgd"]]);
    expect([...cols["m:/acc"].values]).toEqual([["a", 0.4], ["b", 0.6]]);
    expect([...cols["m:eval/loss"].values]).toEqual([["a", 2], ["c", 1]]);
  });

  it("orders numbers numerically, text naturally, missing values last", () => {
    // wrapped: Array.sort would put bare undefineds last without asking the comparator
    const sorted = (vals: (number | string | undefined)[]) => vals.map((v) => ({ v })).sort((a, b) => compareValues(a.v, b.v)).map((o) => o.v);
    expect(sorted([10, undefined, 9, 0.5])).toEqual([0.5, 9, 10, undefined]);
    expect(sorted([undefined, "run10", "run9", "run1"])).toEqual(["run1", "run9", "run10", undefined]);
  });
});
