// Loads a YAML config: parse with positions, interpolate the environment, validate, and report
// every problem as file:line:col path: message.
import * as v from "valibot";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { interpolateDocument, interpolateValue } from "./env";
import { KEY_MARK } from "./checks";
import { ConfigSchema, SECRET_TYPE_MESSAGE, type Config } from "./schema";
import { configWarnings } from "./warnings";

/** One problem found in a config, with its 1-based position. */
export interface ConfigProblem {
  line: number;
  col: number;
  /** Dotted path into the config ("models.gpt.backends.default:1.base_url"), or "yaml" for syntax errors. */
  path: string;
  message: string;
}

/** The outcome of loading a config; a good one may carry notes (a preferred spelling, say) that are not problems. */
export type LoadResult = { ok: true; config: Config; notes?: string[]; warnings?: ConfigProblem[] } | { ok: false; problems: ConfigProblem[] };

/** What `users:` is now called. Both keys work; a config uses one of them. */
const USERS_NOTE = "users: is the older name of orgs: (preferred); both work";

/**
 * The raw config with `orgs:` read as `users:` (the name the engines use). `users` says which key the file used,
 * for notes and positions; `both` when it used the two.
 */
function orgsAlias(raw: unknown): { value: unknown; key: "orgs" | "users" | undefined; both: boolean } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { value: raw, key: undefined, both: false };
  const r = raw as Record<string, unknown>;
  const hasOrgs = r.orgs !== undefined,
    hasUsers = r.users !== undefined;
  if (hasOrgs && hasUsers) return { value: raw, key: "orgs", both: true };
  if (!hasOrgs) return { value: raw, key: hasUsers ? "users" : undefined, both: false };
  const { orgs, ...rest } = r;
  return { value: { ...rest, users: orgs }, key: "orgs", both: false };
}

/** A path as the file spells it: `users` becomes `orgs` when the file used `orgs:`. */
function asWritten(keys: (string | number)[], key: "orgs" | "users" | undefined): (string | number)[] {
  return key === "orgs" && keys[0] === "users" ? ["orgs", ...keys.slice(1)] : keys;
}

const BOTH = "use orgs: (preferred) or its older name users:, not both";

/** A valid config with its notes and warnings (each placed by `where`). */
function accepted(config: Config, key: "orgs" | "users" | undefined, where: (path: (string | number)[]) => Omit<ConfigProblem, "message">): LoadResult {
  const warnings = configWarnings(config).map((w) => ({ ...where(w.path), message: w.message }));
  return { ok: true, config, ...(key === "users" ? { notes: [USERS_NOTE] } : {}), ...(warnings.length ? { warnings } : {}) };
}

/** Formats a problem the way `octollm validate` prints it (a problem in a database has no line: source path: message). */
export function formatProblem(file: string, p: ConfigProblem): string {
  return p.line > 0 ? `${file}:${p.line}:${p.col} ${p.path}: ${p.message}` : `${file} ${p.path}: ${p.message}`;
}

/** Validates a config value that has no text (read from a database): problems carry paths, line 0. */
export function loadConfigValue(raw: unknown, env: Record<string, string | undefined> = process.env): LoadResult {
  const envProblems: { path: string; message: string }[] = [];
  const alias = orgsAlias(interpolateValue(raw, env, envProblems));
  const result = v.safeParse(ConfigSchema, alias.value ?? {});
  const problems: ConfigProblem[] = envProblems.map((p) => ({ line: 0, col: 0, ...p }));
  if (alias.both) problems.push({ line: 0, col: 0, path: "orgs", message: BOTH });
  if (result.success && problems.length === 0) return accepted(result.output, alias.key, (path) => ({ line: 0, col: 0, path: path.join(".") }));
  for (const issue of result.issues ?? []) {
    problems.push({
      line: 0,
      col: 0,
      path:
        asWritten(
          (issue.path ?? []).map((p) => p.key as string | number),
          alias.key,
        ).join(".") || "<root>",
      message: describe(issue),
    });
  }
  return { ok: false, problems };
}

/** Parses and validates config text. */
export function loadConfigText(text: string, env: Record<string, string | undefined> = process.env): LoadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const at = (node: Node | undefined) => lines.linePos(node?.range?.[0] ?? 0);
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    problems.push({ ...pos, path: "yaml", message: e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "") });
  }
  if (problems.length) return { ok: false, problems };
  for (const p of interpolateDocument(doc, env)) problems.push({ ...at(p.node), path: pathOfNode(doc, p.node), message: p.message });

  const alias = orgsAlias(doc.toJS());
  const result = v.safeParse(ConfigSchema, alias.value ?? {});
  if (alias.both) problems.push({ ...at(locate(doc, ["orgs"], true)), path: "orgs", message: BOTH });
  if (result.success && problems.length === 0) {
    return accepted(result.output, alias.key, (path) => {
      const keys = asWritten(path, alias.key);
      return { ...at(locate(doc, keys, true)), path: keys.join(".") };
    });
  }
  for (const issue of result.issues ?? []) {
    const keys = asWritten(
      (issue.path ?? []).map((p) => p.key as string | number),
      alias.key,
    );
    const unknownKey = issue.expected === "never" || issue.expected === KEY_MARK;
    problems.push({ ...at(locate(doc, keys, unknownKey)), path: keys.join(".") || "<root>", message: describe(issue) });
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  return { ok: false, problems };
}

/** Reads and validates a config file. */
export async function loadConfigFile(file: string, env: Record<string, string | undefined> = process.env): Promise<LoadResult> {
  let text: string;
  try {
    text = await Bun.file(file).text();
  } catch (err) {
    return { ok: false, problems: [{ line: 1, col: 1, path: "file", message: `cannot read: ${(err as Error).message}` }] };
  }
  return loadConfigText(text, env);
}

/** The deepest YAML node along a path: the key itself for unknown keys, the parent map for missing ones. */
function locate(doc: Document, path: (string | number)[], keyIssue: boolean): Node | undefined {
  let node: any = doc.contents;
  let found: Node | undefined = node;
  for (let i = 0; i < path.length; i++) {
    const k = path[i];
    if (isMap(node)) {
      const pair: any = node.items.find((p: any) => String(isScalar(p.key) ? p.key.value : p.key) === String(k));
      if (!pair) return found;
      if (keyIssue && i === path.length - 1) return pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof k === "number" && node.items[k]) node = node.items[k];
    else return found;
    found = node;
  }
  return found;
}

/** The dotted path of a node inside the document (used for interpolation problems). */
function pathOfNode(doc: Document, target: Node): string {
  const walk = (node: any, path: string[]): string[] | undefined => {
    if (node === target) return path;
    if (isMap(node)) {
      for (const pair of node.items as any[]) {
        const found = walk(pair.value, [...path, String(isScalar(pair.key) ? pair.key.value : pair.key)]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, String(i)]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, [])?.join(".") || "<root>";
}

/** A short, plain message for a valibot issue. */
function describe(issue: v.BaseIssue<unknown>): string {
  if ((issue.type === "union" || issue.type === "variant") && issue.issues?.length) return describe(issue.issues[0]!);
  if (issue.message === SECRET_TYPE_MESSAGE) return issue.message; // never echo what was written where a secret goes
  if (issue.expected === "never") return `unknown key ${issue.received}`;
  if (issue.kind === "schema" && issue.received === "undefined" && issue.expected?.startsWith('"')) return `missing required key ${issue.expected}`;
  if (issue.kind === "schema" && issue.expected && issue.received) return `expected ${issue.expected}, got ${issue.received}`;
  return issue.message;
}
