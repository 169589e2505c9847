// The static transport: a page opened from `tblog-view export` answers the UI's requests from
// the recorded answers instead of a server. index.html carries the export's manifest
// (<script id="tblog-export">: name, description, creation time, version, and the name ->
// extension of every recorded answer); answers are files data/<name>.<ext> beside it (folder
// export) or base64 text in <script id="tblog-f-<name>"> blocks (single file, opened from
// file:// where fetching files is not allowed).
//
// Requests whose answer the export holds for more runs than asked (the batched *_multirun
// routes, single-run forms of them, pr_curves' run list) are answered from the all-runs answer,
// narrowed here; scalar windows (start_step/end_step) are cut from the exported series.
import { canonicalJson, Params, staticKey, staticName } from "./staticKey";

export interface Manifest {
  name: string;
  description: string;
  created: string;
  version: string;
  single_file: boolean;
  files: Record<string, string>;
}

const TYPES: Record<string, string> = {
  json: "application/json", csv: "text/csv", png: "image/png", jpg: "image/jpeg", gif: "image/gif", bmp: "image/bmp",
  wav: "audio/wav", mp3: "audio/mpeg", ogg: "audio/ogg", tsv: "text/tab-separated-values", txt: "text/plain",
  pbtxt: "text/x-protobuf", bin: "application/octet-stream",
};

// Parameters the all-runs answer of a batched route was recorded without.
const BATCH_ONLY = ["runs", "since"];
// ... and of tblog/scalars_multirun (format=binary: the export holds its JSON form, which the
// page reads as well).
const SCALAR_WINDOW = ["buckets", "start_step", "end_step", "format"];

function notFound(what: string) {
  return new Response(`not in this export: ${what}`, { status: 404, headers: { "Content-Type": "text/plain" } });
}

function jsonResponse(v: unknown) {
  return new Response(JSON.stringify(v), { status: 200, headers: { "Content-Type": "application/json" } });
}

export class StaticSite {
  private blobs = new Map<string, string>();
  private parsed = new Map<string, Promise<any>>();

  constructor(readonly manifest: Manifest) {}

  has(name: string) {
    return name in this.manifest.files;
  }

  private bytes(name: string): Uint8Array {
    const el = document.getElementById(`tblog-f-${name}`);
    const bin = atob(el?.textContent ?? "");
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  private type(name: string) {
    return TYPES[this.manifest.files[name]] ?? "application/octet-stream";
  }

  /** The recorded answer `name` as a Response. */
  private file(name: string): Promise<Response> {
    if (!this.manifest.single_file) return fetch(`data/${name}.${this.manifest.files[name]}`);
    const b = this.bytes(name);
    return Promise.resolve(new Response(b as BlobPart, { status: 200, headers: { "Content-Type": this.type(name), "Content-Length": String(b.length) } }));
  }

  /** A recorded JSON answer, parsed; the last few are kept (batches of runs ask for the same one). */
  private json(name: string): Promise<any> {
    let p = this.parsed.get(name);
    if (!p) {
      p = this.file(name).then((r) => r.json());
      this.parsed.set(name, p);
      if (this.parsed.size > 16) this.parsed.delete(this.parsed.keys().next().value!);
    }
    return p;
  }

  /** A URL for an element's src/href (images, audio, downloads); "" when not exported. */
  src(raw: string): string {
    const { route, params } = parse(raw);
    const name = staticName(staticKey("GET", route, params));
    if (!this.has(name)) return "";
    if (!this.manifest.single_file) return `data/${name}.${this.manifest.files[name]}`;
    let u = this.blobs.get(name);
    if (!u) {
      u = URL.createObjectURL(new Blob([this.bytes(name) as BlobPart], { type: this.type(name) }));
      this.blobs.set(name, u);
    }
    return u;
  }

  /** fetch() of a data route (`data/<route>?...`), answered from the export. */
  async fetch(raw: string, init: RequestInit = {}): Promise<Response> {
    const method = (init.method ?? "GET").toUpperCase();
    const { route, params } = parse(raw);
    let body = "";
    if (init.body instanceof URLSearchParams) params.push(...init.body);
    else if (typeof init.body === "string" && init.body) body = canonicalJson(JSON.parse(init.body));
    const exact = staticName(staticKey(method, route, params, body));
    if (this.has(exact)) return this.file(exact);

    const runs = params.filter(([k]) => k === "runs" || k === "run").map(([, v]) => v);
    const batched = method === "POST" && route.endsWith("_multirun") ? route
      : method === "GET" && runs.length === 1 && params.some(([k]) => k === "tag")
        ? (route === "tblog/scalars" ? "tblog/scalars_multirun" : `${route}_multirun`) : undefined;
    if (batched) {
      const scalars = batched === "tblog/scalars_multirun";
      const drop = [...BATCH_ONLY, "run", ...(scalars ? SCALAR_WINDOW : [])];
      const name = staticName(staticKey("POST", batched, params.filter(([k]) => !drop.includes(k))));
      if (this.has(name)) {
        const all = await this.json(name);
        const window = scalars ? stepWindow(params) : undefined;
        const pick = (r: string) => (window ? cut(all[r], window) : all[r]);
        if (method === "GET") return runs[0] in all ? jsonResponse(pick(runs[0])) : notFound(`run "${runs[0]}" in ${raw}`);
        return jsonResponse(Object.fromEntries(runs.filter((r) => r in all).map((r) => [r, pick(r)])));
      }
    }
    if (runs.length) {  // e.g. pr_curves: {run: ...} for the runs asked, from the all-runs answer
      const name = staticName(staticKey(method, route, params.filter(([k]) => k !== "run"), body));
      if (!this.has(name)) return notFound(raw);
      const all = await this.json(name);
      return jsonResponse(Object.fromEntries(runs.filter((r) => r in all).map((r) => [r, all[r]])));
    }
    return notFound(raw);
  }
}

function parse(raw: string): { route: string; params: Params } {
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  return { route: path.replace(/^\/?data\//, ""), params: q < 0 ? [] : [...new URLSearchParams(raw.slice(q + 1))] };
}

function stepWindow(params: Params): [number, number] | undefined {
  const get = (k: string) => params.find(([n]) => n === k)?.[1];
  const lo = get("start_step"), hi = get("end_step");
  if (lo === undefined && hi === undefined) return undefined;
  return [lo === undefined ? -Infinity : Number(lo), hi === undefined ? Infinity : Number(hi)];
}

/** A downsampled scalar answer narrowed to steps in `w` (a zoomed chart's window). */
function cut(a: { points: Array<[number, number, number]> } & Record<string, unknown>, w: [number, number]) {
  const points = a.points.filter((p) => p[1] >= w[0] && p[1] <= w[1]);
  return { ...a, points, total: points.length, from: 0 };
}

function readManifest(): Manifest | undefined {
  const el = typeof document === "undefined" ? null : document.getElementById("tblog-export");
  return el?.textContent ? (JSON.parse(el.textContent) as Manifest) : undefined;
}

/** The export this page was opened from, if any. */
export const site: StaticSite | undefined = (() => {
  const m = readManifest();
  return m ? new StaticSite(m) : undefined;
})();
