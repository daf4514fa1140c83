// Dotted JSON paths with numeric array indexes ("messages.0.role"), parsed once at config load.

/** A parsed path: object keys as strings, array indexes as numbers. */
export type JsonPath = (string | number)[];

/** Parses "a.b.0.c"; an empty segment is an error. */
export function parsePath(path: string): JsonPath {
  const parts = path.split(".");
  if (parts.some((p) => p === "")) throw new Error(`invalid path "${path}": empty segment`);
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function isContainer(v: unknown): v is Record<string | number, unknown> {
  return typeof v === "object" && v !== null;
}

/** Sets a value, creating objects (or arrays, before a numeric segment) on the way. */
export function setPath(root: unknown, path: JsonPath, value: unknown): void {
  if (!isContainer(root)) return;
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = node[key];
    if (!isContainer(next)) {
      next = typeof path[i + 1] === "number" ? [] : {};
      node[key] = next;
    }
    node = next as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Removes a key (or an array element, shifting the rest); a missing path is no error. */
export function removePath(root: unknown, path: JsonPath): void {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isContainer(node)) return;
    node = node[path[i]!];
  }
  if (!isContainer(node)) return;
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === "number") {
    if (last < node.length) node.splice(last, 1);
  } else delete node[last];
}
