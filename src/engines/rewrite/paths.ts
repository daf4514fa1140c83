// Dotted JSON paths with numeric array indexes ("messages.0.role"), parsed once at config load, and
// copy-on-write edits: a rewrite copies only the containers on its paths, so the value it was given (a
// request another failover attempt will send again) never changes.

/** A parsed path: object keys as strings, array indexes as numbers. */
export type JsonPath = (string | number)[];

/** Parses "a.b.0.c"; an empty segment is an error. */
export function parsePath(path: string): JsonPath {
  const parts = path.split(".");
  if (parts.some((p) => p === "")) throw new Error(`invalid path "${path}": empty segment`);
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

type Container = Record<string | number, unknown>;

function isContainer(v: unknown): v is Container {
  return typeof v === "object" && v !== null;
}

/** The containers one edit of a value owns: copies made for it (or new ones); everything else is shared and read-only. */
export class Owned {
  private readonly mine = new WeakSet<object>();

  /** `v` itself when this edit owns it, else a shallow copy that it owns from now on. */
  own<T extends Container>(v: T): T {
    if (this.mine.has(v)) return v;
    const copy = (Array.isArray(v) ? [...v] : { ...v }) as T;
    this.mine.add(copy);
    return copy;
  }

  /** A new container, owned. */
  fresh(array: boolean): Container {
    const c = (array ? [] : {}) as Container;
    this.mine.add(c);
    return c;
  }
}

/** `root` with a value set at `path` (objects, or arrays before a numeric segment, created on the way); `root` is not changed. */
export function setPath(root: unknown, path: JsonPath, value: unknown, owned = new Owned()): unknown {
  if (!isContainer(root)) return root;
  const top = owned.own(root);
  let node = top;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = node[key];
    const child = isContainer(next) ? owned.own(next) : owned.fresh(typeof path[i + 1] === "number");
    node[key] = child;
    node = child;
  }
  node[path[path.length - 1]!] = value;
  return top;
}

/** `root` without the key (or array element, the rest shifted) at `path`; a missing path is no error; `root` is not changed. */
export function removePath(root: unknown, path: JsonPath, owned = new Owned()): unknown {
  const chain: Container[] = [];
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isContainer(node)) return root;
    chain.push(node);
    node = node[path[i]!];
  }
  if (!isContainer(node)) return root;
  const last = path[path.length - 1]!;
  const present = Array.isArray(node) && typeof last === "number" ? last < node.length : Object.hasOwn(node, last);
  if (!present) return root;
  // copy the containers on the path, from the root down, then edit the last one
  chain.push(node);
  const copies = chain.map((c) => owned.own(c));
  for (let i = 0; i < copies.length - 1; i++) copies[i]![path[i]!] = copies[i + 1];
  const target = copies[copies.length - 1]!;
  if (Array.isArray(target) && typeof last === "number") target.splice(last, 1);
  else delete target[last];
  return copies[0];
}
