// Writes a projector run with known structure: C Gaussian clusters of M points
// in D dimensions (unit noise, centres far apart), as raw float32 with
// tensor_shape in projector_config.pbtxt (the binary layout TensorBoard reads),
// metadata (label c<k>_<i>, cluster k<k>, numeric score i/M), a sprite sheet
// whose every cell is a magenta square with a cluster-coloured centre, and a
// bookmarks file in TensorBoard's State format. A one-scalar event file makes
// the directory a run for tblog-view.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { gauss, rng } from "../../src/lib/random.js";
import { EventWriter } from "./event-writer.mjs";

export const SPRITE_RGB = [255, 0, 255];

const CRC = new Int32Array(256).map((_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c; });
function crc32(buf) { let c = -1; for (const b of buf) c = CRC[(c ^ b) & 255] ^ (c >>> 8); return (c ^ -1) >>> 0; }

/** An RGB PNG from a w x h x 3 byte array. */
export function png(w, h, rgb) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) Buffer.from(rgb.buffer, rgb.byteOffset + y * w * 3, w * 3).copy(raw, y * (w * 3 + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** The tensor of writeClusters (n x d float32, rows cluster by cluster), in memory. */
export function clusterTensor({ clusters = 4, perCluster = 100, dims = 32, sep = 6, seed = 1 } = {}) {
  const r = rng(seed);
  const d = dims;
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: d }, () => gauss(r) * sep));
  const X = new Float32Array(clusters * perCluster * d);
  for (let k = 0; k < clusters; k++) for (let i = 0; i < perCluster; i++) {
    const row = k * perCluster + i;
    for (let j = 0; j < d; j++) X[row * d + j] = centres[k][j] + gauss(r);
  }
  return X;
}

/**
 * Writes run `name` under logdir; returns { n, d, clusters, perCluster, label(i), cluster(i) }.
 * Options: clusters C, perCluster M, dims D, sep (centre distance per axis scale), sprites, bookmarks.
 */
export function writeClusters(logdir, { name = "clusters", clusters = 4, perCluster = 100, dims = 32, sep = 6, seed = 1, sprites = true, bookmarks = true, metadata = true } = {}) {
  const dir = path.join(logdir, name);
  fs.mkdirSync(dir, { recursive: true });
  const n = clusters * perCluster, d = dims;
  const X = clusterTensor({ clusters, perCluster, dims, sep, seed });
  fs.writeFileSync(path.join(dir, "tensor.bytes"), Buffer.from(X.buffer));
  const label = (i) => `c${Math.floor(i / perCluster)}_${i % perCluster}`;
  const cluster = (i) => `k${Math.floor(i / perCluster)}`;
  let cfg = `embeddings {\n  tensor_name: "${name}"\n  tensor_path: "tensor.bytes"\n  tensor_shape: ${n}\n  tensor_shape: ${d}\n`;
  if (metadata) {
    const lines = ["label\tcluster\tscore"];
    for (let i = 0; i < n; i++) lines.push(`${label(i)}\t${cluster(i)}\t${((i % perCluster) / perCluster).toFixed(3)}`);
    fs.writeFileSync(path.join(dir, "metadata.tsv"), lines.join("\n") + "\n");
    cfg += `  metadata_path: "metadata.tsv"\n`;
  }
  if (sprites) {
    const cell = 16, perRow = Math.ceil(Math.sqrt(n)), w = perRow * cell, h = Math.ceil(n / perRow) * cell;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < n; i++) {
      const x0 = (i % perRow) * cell, y0 = Math.floor(i / perRow) * cell;
      for (let y = 0; y < cell; y++) for (let x = 0; x < cell; x++) rgb.set(SPRITE_RGB, ((y0 + y) * w + x0 + x) * 3);
    }
    fs.writeFileSync(path.join(dir, "sprite.png"), png(w, h, rgb));
    cfg += `  sprite {\n    image_path: "sprite.png"\n    single_image_dim: ${cell}\n    single_image_dim: ${cell}\n  }\n`;
  }
  if (bookmarks) {
    // one saved PCA view whose coordinates put every point on a circle by index
    const projections = Array.from({ length: n }, (_, i) => ({ "pca-0": Math.cos((2 * Math.PI * i) / n), "pca-1": Math.sin((2 * Math.PI * i) / n) }));
    const state = { label: "Saved circle", selectedProjection: "pca", projections, dataSetDimensions: [n, d], pcaComponentDimensions: [0, 1],
      selectedPoints: [5], selectedColorOptionName: "cluster", selectedLabelOption: "label" };
    fs.writeFileSync(path.join(dir, "bookmarks.json"), JSON.stringify([state]));
    cfg += `  bookmarks_path: "bookmarks.json"\n`;
  }
  cfg += "}\n";
  fs.writeFileSync(path.join(dir, "projector_config.pbtxt"), cfg);
  new EventWriter(dir).addScalar("marker", 1, 0);
  return { dir, n, d, clusters, perCluster, label, cluster };
}
