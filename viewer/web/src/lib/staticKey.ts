// Where an exported answer lives (tblog-view export): the same function as the exporter's
// viewer/server/export/static_key.hpp, which states the rule; both are tested against
// viewer/tests/data/static_keys.json.
export type Params = Array<[string, string]>;

/** Percent-encoding keeping only A-Z a-z 0-9 - _ . ~ (UTF-8, upper-case hex), as the server's url_encode. */
export function encodeComponent(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** JSON with object keys sorted and no spaces (nlohmann::json's dump() of a parsed value). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

export function staticKey(method: string, route: string, params: Params, jsonBody = ""): string {
  const sorted = params.map((p, i) => [p, i] as const)
    .sort(([a, i], [b, j]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : i - j)).map(([p]) => p);
  const qs = sorted.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`).join("&");
  return `${method} ${route}${qs ? `?${qs}` : ""}${jsonBody ? `\n${jsonBody}` : ""}`;
}

const MASK = (1n << 64n) - 1n;

/** 16 hex digits of the 64-bit FNV-1a hash of the key's UTF-8 bytes. */
export function staticName(key: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(key)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & MASK;
  return h.toString(16).padStart(16, "0");
}
