// Scalar series as columns (typed arrays: wall times, steps, values) rather than one
// [wall, step, value] array per point: 64,000 points a card at 1,000 runs were 64,000 small
// arrays to parse, keep and collect. And the decoder of tblog-view's binary batched answer
// (POST /data/tblog/scalars_multirun format=binary; the format is in viewer/README.md and
// viewer/server/plugins/scalars/scalar_binary.hpp), whose columns are viewed in place.
// Plain JavaScript (types in scalarColumns.d.ts) so the Node browser tests decode answers with
// the very code the page uses.

const EMPTY = Object.freeze({ wall: new Float64Array(0), step: new Float64Array(0), value: new Float64Array(0) });

/** Columns of TensorBoard-style points ([wall, step, value]; "NaN"/"Infinity" strings become numbers). */
export function columnsOf(points) {
  const n = points.length;
  if (!n) return EMPTY;
  const wall = new Float64Array(n), step = new Float64Array(n), value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    wall[i] = p[0];
    step[i] = p[1];
    value[i] = p[2];
  }
  return { wall, step, value };
}

/** The points of columns, as TensorBoard's routes give them. */
export function pointsOf(c) {
  const out = new Array(c.step.length);
  for (let i = 0; i < out.length; i++) out[i] = [c.wall[i], c.step[i], c.value[i]];
  return out;
}

/** Points [a, b) of `c`. */
function slice(c, a, b) {
  return { wall: c.wall.subarray(a, b), step: c.step.subarray(a, b), value: c.value.subarray(a, b) };
}

/** The columns one after the other (an answer's new points after those held). */
export function concatColumns(...parts) {
  const n = parts.reduce((k, p) => k + p.step.length, 0);
  const wall = new Float64Array(n), step = new Float64Array(n), value = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    wall.set(p.wall, o);
    step.set(p.step, o);
    value.set(p.value, o);
    o += p.step.length;
  }
  return { wall, step, value };
}

/** `overview` with the steps `detail` covers replaced by `detail` (a zoomed window in full detail). */
export function spliceWindow(overview, detail) {
  const n = detail.step.length;
  if (!n) return overview;
  const a = detail.step[0], b = detail.step[n - 1];
  let i = 0, j = overview.step.length;
  while (i < j && overview.step[i] < a) i++;
  let k = i;
  while (k < j && overview.step[k] <= b) k++;
  return concatColumns(slice(overview, 0, i), detail, slice(overview, k, j));
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Whether an answer's bytes are the binary form ("TBSC" first). */
export function isScalarBatch(buf) {
  if (buf.byteLength < 4) return false;
  const m = new Uint8Array(buf, 0, 4);
  return m[0] === 0x54 && m[1] === 0x42 && m[2] === 0x53 && m[3] === 0x43;
}

/**
 * The binary batched answer as its JSON form would be once parsed, with columns for points:
 * {run: {run, tag, total, buckets, cursor, from, columns}}. Throws on bytes not of format 1.
 */
export function decodeScalarBatch(buf) {
  if (!isScalarBatch(buf) || buf.byteLength < 12) throw new Error("not a binary scalar answer");
  const dv = new DataView(buf);
  const version = dv.getUint32(4, true);
  if (version !== 1) throw new Error(`binary scalar answer of format ${version}, this page reads 1`);
  const h = dv.getUint32(8, true);
  const start = 12 + h;
  const heads = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 12, Math.min(h, buf.byteLength - 12))));
  const n = heads.reduce((k, x) => k + x.n, 0);
  if (start % 8 || buf.byteLength !== start + 20 * n) throw new Error(`binary scalar answer of ${buf.byteLength} bytes, not ${start + 20 * n}`);
  let all;
  if (littleEndian) {
    all = { wall: new Float64Array(buf, start, n), step: new Float64Array(buf, start + 8 * n, n), value: new Float32Array(buf, start + 16 * n, n) };
  } else {
    all = { wall: new Float64Array(n), step: new Float64Array(n), value: new Float32Array(n) };
    for (let i = 0; i < n; i++) {
      all.wall[i] = dv.getFloat64(start + 8 * i, true);
      all.step[i] = dv.getFloat64(start + 8 * (n + i), true);
      all.value[i] = dv.getFloat32(start + 16 * n + 4 * i, true);
    }
  }
  const out = {};
  let o = 0;
  for (const { n: k, ...head } of heads) {
    out[head.run] = { ...head, columns: slice(all, o, o + k) };
    o += k;
  }
  return out;
}
