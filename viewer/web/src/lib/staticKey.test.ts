// The web UI's static names agree with the exporter's (both against viewer/tests/data/static_keys.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalJson, Params, staticKey, staticName } from "./staticKey";

const fixture = JSON.parse(readFileSync(new URL("../../../tests/data/static_keys.json", import.meta.url), "utf8")) as {
  cases: Array<{ method: string; route: string; params: Params; body: string; key: string; name: string }>;
};

describe("staticKey", () => {
  for (const c of fixture.cases) {
    it(`${c.method} ${c.route} ${JSON.stringify(c.params)}`, () => {
      const key = staticKey(c.method, c.route, c.params, c.body);
      expect(key).toBe(c.key);
      expect(staticName(key)).toBe(c.name);
    });
  }

  it("gives the hparams dashboard's request body the exporter's bytes", () => {
    const body = { experimentName: "", allowedStatuses: ["STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"], colParams: [], startIndex: 0, sliceSize: 100000 };
    expect(canonicalJson(body)).toBe(fixture.cases.find((c) => c.route === "plugin/hparams/session_groups")!.body);
  });

  it("keeps the order of repeated parameters and sorts by name", () => {
    expect(staticKey("GET", "r", [["b", "2"], ["a", "1"], ["b", "1"]])).toBe("GET r?a=1&b=2&b=1");
  });
});
