import { describe, expect, it } from "vitest";
import type { ScalarPoint } from "./api";
import { columnsOf, concatColumns, decodeScalarBatch, isScalarBatch, pointsOf, spliceWindow } from "./scalarColumns.js";

/** The binary answer for `runs` as viewer/README.md lays it out, written byte by byte here. */
function encode(runs: Array<{ run: string; total: number; points: ScalarPoint[] }>, pad = true) {
  let header = JSON.stringify(runs.map(({ points, ...r }) => ({ ...r, tag: "t", buckets: 8, cursor: "1:2", from: 0, n: points.length })));
  while (pad && (12 + new TextEncoder().encode(header).length) % 8) header += " ";
  const h = new TextEncoder().encode(header);
  const pts = runs.flatMap((r) => r.points), n = pts.length, start = 12 + h.length;
  const buf = new ArrayBuffer(start + 20 * n), dv = new DataView(buf);
  new Uint8Array(buf).set([..."TBSC"].map((c) => c.charCodeAt(0)), 0);
  dv.setUint32(4, 1, true);
  dv.setUint32(8, h.length, true);
  new Uint8Array(buf).set(h, 12);
  pts.forEach(([wall, step, value], i) => {
    dv.setFloat64(start + 8 * i, wall, true);
    dv.setFloat64(start + 8 * (n + i), step, true);
    dv.setFloat32(start + 16 * n + 4 * i, value, true);
  });
  return buf;
}

describe("decodeScalarBatch", () => {
  it("gives each run's fields and its points as columns, in order, non-finite values included", () => {
    const a: ScalarPoint[] = [[1700000000.25, 0, 0.5], [1700000001.5, 10, NaN], [1700000002, 20, Infinity]];
    const b: ScalarPoint[] = [[5, 3, -Infinity]];
    const buf = encode([{ run: "a/ü", total: 30, points: a }, { run: "b", total: 1, points: b }, { run: "empty", total: 0, points: [] }]);
    expect(isScalarBatch(buf)).toBe(true);
    const out = decodeScalarBatch(buf);
    expect(Object.keys(out)).toEqual(["a/ü", "b", "empty"]);
    expect(out["a/ü"]).toMatchObject({ run: "a/ü", tag: "t", total: 30, buckets: 8, cursor: "1:2", from: 0 });
    expect(pointsOf(out["a/ü"].columns)).toEqual(a);
    expect(pointsOf(out.b.columns)).toEqual(b);
    expect(out.empty.columns.step.length).toBe(0);
    expect(out["a/ü"].columns.value).toBeInstanceOf(Float32Array);
  });
  it("refuses bytes that are not format 1 or not of the length the header says", () => {
    const good = encode([{ run: "a", total: 1, points: [[1, 2, 3]] }]);
    expect(() => decodeScalarBatch(good.slice(0, good.byteLength - 4))).toThrow(/bytes/);
    const v2 = good.slice(0);
    new DataView(v2).setUint32(4, 2, true);
    expect(() => decodeScalarBatch(v2)).toThrow(/format 2/);
    expect(() => decodeScalarBatch(new TextEncoder().encode('{"a": 1}').buffer as ArrayBuffer)).toThrow();
    expect(isScalarBatch(new TextEncoder().encode("{}").buffer as ArrayBuffer)).toBe(false);
    expect(() => decodeScalarBatch(encode([{ run: "a", total: 1, points: [[1, 2, 3]] }], false))).toThrow();
  });
});

describe("columns", () => {
  const pts: ScalarPoint[] = [[10, 0, 1], [11, 1, 2], [12, 2, 3], [13, 3, 4], [14, 4, 5]];
  it("are TensorBoard's points and back, the JSON strings for non-finite values read as numbers", () => {
    expect(pointsOf(columnsOf(pts))).toEqual(pts);
    const c = columnsOf([[1, 2, "NaN"], [1, 3, "-Infinity"]] as unknown as ScalarPoint[]);
    expect([...c.value]).toEqual([NaN, -Infinity]);
  });
  it("append and splice a zoomed window in full detail", () => {
    expect(pointsOf(concatColumns(columnsOf(pts.slice(0, 2)), columnsOf(pts.slice(2))))).toEqual(pts);
    const detail: ScalarPoint[] = [[20, 1, 7], [21, 2, 8], [22, 3, 9]];
    expect(pointsOf(spliceWindow(columnsOf([pts[0], pts[2], pts[4]]), columnsOf(detail)))).toEqual([pts[0], ...detail, pts[4]]);
    expect(pointsOf(spliceWindow(columnsOf(pts), columnsOf([])))).toEqual(pts);
  });
});
