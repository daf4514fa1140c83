// ${VAR} in YAML string values reads the environment: ${VAR:-fallback} gives a default, $${ is a literal ${.
import { isScalar, visit, type Document, type Node } from "yaml";

/** An interpolation failure with the node it happened in. */
export interface EnvProblem {
  node: Node;
  message: string;
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/** Replaces ${VAR} in one string; unset variables without a default are reported in `missing`. */
export function interpolate(text: string, env: Record<string, string | undefined>, missing: string[]): string {
  return text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    if (name === undefined) {
      missing.push(`malformed reference ${match} (expected \${NAME} or \${NAME:-default})`);
      return match;
    }
    const value = env[name];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    missing.push(`environment variable ${name} is not set`);
    return "";
  });
}

/** Interpolates every string scalar of a YAML document in place; returns what could not be resolved. */
export function interpolateDocument(doc: Document, env: Record<string, string | undefined>): EnvProblem[] {
  const problems: EnvProblem[] = [];
  visit(doc, {
    Scalar(key, node) {
      if (key === "key" || !isScalar(node) || typeof node.value !== "string" || !node.value.includes("$")) return;
      const missing: string[] = [];
      const whole = node.type === "PLAIN" && /^\$\{[^}]*\}$/.test(node.value);
      const value = interpolate(node.value, env, missing);
      node.value = whole ? plainScalar(value) : value;
      for (const message of missing) problems.push({ node, message });
    },
  });
  return problems;
}

/** An unquoted `${VAR}` takes the type its value reads as: port: ${PORT} is a number. */
function plainScalar(value: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === "true" || value === "false") return value === "true";
  return value;
}

/** Interpolates every string of a plain value (a config read from a database); `problems` gets path → message. */
export function interpolateValue(
  value: unknown,
  env: Record<string, string | undefined>,
  problems: { path: string; message: string }[],
  path: string[] = [],
): unknown {
  if (typeof value === "string") {
    if (!value.includes("$")) return value;
    const missing: string[] = [];
    const out = interpolate(value, env, missing);
    for (const message of missing) problems.push({ path: path.join(".") || "<root>", message });
    return /^\$\{[^}]*\}$/.test(value) ? plainScalar(out) : out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateValue(v, env, problems, [...path, String(i)]));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateValue(v, env, problems, [...path, k])]));
  }
  return value;
}
