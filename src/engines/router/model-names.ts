// Model names of a config: exact names, and patterns where `*` stands for any run of characters
// (`claude-*`, `claude-haiku-*`, `*`). An exact name wins; otherwise the first matching pattern in
// config order. Matching is linear in the name (no regular expression, so no backtracking).

/** True when `name` contains the pattern wildcard. */
export function isPattern(name: string): boolean {
  return name.includes("*");
}

/**
 * True when `pattern` (with `*` wildcards) matches all of `text`. Applied to another pattern as text, it tells
 * whether every name that pattern matches is matched by this one too (its `*` can only be absorbed by ours).
 */
export function globMatch(pattern: string, text: string): boolean {
  return matchParts(pattern.split("*"), text);
}

/** globMatch over a pattern already split at its stars. */
function matchParts(parts: readonly string[], text: string): boolean {
  if (parts.length === 1) return parts[0] === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (!part) continue;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Finds the config key that serves a requested model name. */
export class ModelNames<T> {
  private readonly exact = new Map<string, T>();
  private readonly patterns: { key: string; value: T; parts: string[] }[] = [];

  /** `entries` in config order: keys with `*` are patterns. */
  constructor(entries: Iterable<[string, T]>) {
    for (const [key, value] of entries) {
      if (isPattern(key)) this.patterns.push({ key, value, parts: key.split("*") });
      else this.exact.set(key, value);
    }
  }

  /** The key and value serving `name`, if any. */
  find(name: string): { key: string; value: T } | undefined {
    const exact = this.exact.get(name);
    if (exact !== undefined) return { key: name, value: exact };
    for (const p of this.patterns) if (matchParts(p.parts, name)) return p;
    return undefined;
  }
}

/** Patterns that can never match because an earlier pattern covers every name they match: [pattern, the earlier one]. */
export function shadowedPatterns(keys: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  const earlier: string[] = [];
  for (const key of keys) {
    if (!isPattern(key)) continue;
    const cover = earlier.find((e) => globMatch(e, key));
    if (cover) out.push([key, cover]);
    earlier.push(key);
  }
  return out;
}
