// A GraphDef as a tree of name scopes ("a/b/op" lives in group a, then a/b)
// and the graph that is visible for a set of expanded groups: each op shows
// as itself or as its deepest collapsed ancestor, and edges between the
// visible things are merged and counted.
import { first, PbMessage, parsePbtxt } from "./pbtxt";

export interface OpNode {
  name: string;
  op: string;
  inputs: string[];
  device: string;
  shapes: number[][];
  attrs: Record<string, string>;
}

export interface Group {
  path: string;
  children: Set<string>; // child group paths
  ops: string[]; // op names directly inside
  size: number; // ops anywhere below
}

export interface VisibleNode {
  id: string;
  kind: "op" | "group";
  label: string;
  /** innermost expanded group holding it ("" = top level) */
  parent: string;
  op?: OpNode;
  group?: Group;
}

export interface VisibleEdge {
  from: string;
  to: string;
  count: number;
  shape?: number[];
}

export class GraphModel {
  ops = new Map<string, OpNode>();
  groups = new Map<string, Group>();
  /** names of the library's functions (TF2 graphs: the tf.function bodies PartitionedCall runs) */
  functions: string[] = [];

  /**
   * `pbtxt`: a GraphDef as the graphs plugin answers it: an op graph (nodes with an op type) or a
   * Keras conceptual graph (nodes whose type is their attr keras_class, as TensorBoard shows it).
   */
  constructor(pbtxt: string) {
    const g = parsePbtxt(pbtxt);
    for (const f of (first<PbMessage>(g, "library")?.function ?? []) as PbMessage[])
      this.functions.push(String(first(first<PbMessage>(f, "signature"), "name") ?? ""));
    for (const n of (g.node ?? []) as PbMessage[]) {
      const attrs: Record<string, string> = {};
      let shapes: number[][] = [];
      for (const a of (n.attr ?? []) as PbMessage[]) {
        const key = first<string>(a, "key") ?? "";
        const value = first<PbMessage>(a, "value");
        const list = first<PbMessage>(value, "list");
        if (key === "_output_shapes" && list) {
          shapes = ((list.shape ?? []) as PbMessage[]).map((s) => ((s.dim ?? []) as PbMessage[]).map((d) => Number(first(d, "size") ?? -1)));
        } else if (value) {
          const v = first(value, "s") ?? first(value, "i") ?? first(value, "f") ?? first(value, "b") ?? first(value, "type");
          attrs[key] = v === undefined ? JSON.stringify(value) : String(v);
        }
      }
      const op: OpNode = {
        name: String(first(n, "name") ?? ""),
        op: String(first(n, "op") ?? attrs.keras_class ?? ""),
        // "^x" is a control input; merged function graphs prefix it too ("graph_1/^x").
        inputs: ((n.input ?? []) as string[]).map((i) => String(i).replace(/^\^/, "").replace(/^(graph_\d+)\/\^/, "$1/").replace(/:\d+$/, "")),
        device: String(first(n, "device") ?? ""),
        shapes,
        attrs,
      };
      this.ops.set(op.name, op);
    }
    this.groups.set("", { path: "", children: new Set(), ops: [], size: 0 });
    for (const name of this.ops.keys()) {
      const parts = name.split("/");
      let path = "";
      this.groups.get("")!.size++;
      for (let i = 0; i < parts.length - 1; i++) {
        const parentPath = path;
        path = path ? `${path}/${parts[i]}` : parts[i];
        if (this.ops.has(path)) break; // an op named like a scope stays an op
        if (!this.groups.has(path)) this.groups.set(path, { path, children: new Set(), ops: [], size: 0 });
        this.groups.get(parentPath)!.children.add(path);
        this.groups.get(path)!.size++;
      }
      this.groups.get(this.scopeOf(name))!.ops.push(name);
    }
  }

  /** The group directly holding an op. */
  scopeOf(name: string): string {
    const parts = name.split("/");
    let scope = "";
    for (let i = 0; i < parts.length - 1; i++) {
      const p = scope ? `${scope}/${parts[i]}` : parts[i];
      if (!this.groups.has(p) || this.ops.has(p)) break;
      scope = p;
    }
    return scope;
  }

  /** Expands groups breadth-first while at most `budget` things would be visible. */
  autoExpand(budget = 40): Set<string> {
    const expanded = new Set<string>([""]);
    let visible = this.groups.get("")!.children.size + this.groups.get("")!.ops.length;
    const queue = [...this.groups.get("")!.children];
    while (queue.length) {
      const g = this.groups.get(queue.shift()!)!;
      const extra = g.children.size + g.ops.length - 1;
      if (visible + extra > budget) continue;
      expanded.add(g.path);
      visible += extra;
      queue.push(...g.children);
    }
    return expanded;
  }

  /** The visible node standing for an op: the op, or its outermost collapsed ancestor group. */
  visibleId(name: string, expanded: Set<string>): string {
    const scope = this.scopeOf(name);
    const parts = scope ? scope.split("/") : [];
    let path = "";
    for (const p of parts) {
      path = path ? `${path}/${p}` : p;
      if (!expanded.has(path)) return path;
    }
    return name;
  }

  visible(expanded: Set<string>): { nodes: VisibleNode[]; edges: VisibleEdge[] } {
    const nodes = new Map<string, VisibleNode>();
    const parentOf = (path: string) => {
      const i = path.lastIndexOf("/");
      return i < 0 ? "" : path.slice(0, i);
    };
    for (const name of this.ops.keys()) {
      const id = this.visibleId(name, expanded);
      if (nodes.has(id)) continue;
      if (id === name) {
        const op = this.ops.get(name)!;
        nodes.set(id, { id, kind: "op", label: name.slice(name.lastIndexOf("/") + 1), parent: this.scopeOf(name), op });
      } else {
        const group = this.groups.get(id)!;
        nodes.set(id, { id, kind: "group", label: id.slice(id.lastIndexOf("/") + 1), parent: parentOf(id), group });
      }
    }
    const edges = new Map<string, VisibleEdge>();
    for (const op of this.ops.values()) {
      const to = this.visibleId(op.name, expanded);
      for (const input of op.inputs) {
        const src = this.ops.get(input);
        if (!src) continue; // inputs naming nodes absent from the GraphDef
        const from = this.visibleId(input, expanded);
        if (from === to) continue;
        const key = `${from}\u0000${to}`;
        const e = edges.get(key) ?? { from, to, count: 0, shape: src.shapes[0] };
        e.count++;
        edges.set(key, e);
      }
    }
    return { nodes: [...nodes.values()], edges: [...edges.values()] };
  }

  /** Ops whose name contains the query (case-insensitive). */
  search(q: string): string[] {
    const s = q.toLowerCase();
    return s ? [...this.ops.keys()].filter((n) => n.toLowerCase().includes(s) || this.ops.get(n)!.op.toLowerCase().includes(s)) : [];
  }

  /** Groups to expand so that the op is visible itself. */
  ancestors(name: string): string[] {
    const out: string[] = [];
    const scope = this.scopeOf(name);
    let path = "";
    for (const p of scope ? scope.split("/") : []) out.push((path = path ? `${path}/${p}` : p));
    return out;
  }
}
