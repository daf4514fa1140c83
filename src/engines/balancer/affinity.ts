// Session affinity: the requests of one session go to the same backend while it is healthy, so that the
// provider's prompt cache (which only hits on one backend and key) keeps working. Stateless: weighted
// rendezvous hashing ranks the backends for a session key, so every gateway instance picks the same one,
// weights hold across many sessions, and when a backend rests only its sessions move.
import type { LLMRequest } from "../../core";

/** Longest session key used (longer ones are cut: the hash does not need more). */
const MAX_KEY = 256;

/** Where a session key may be read: a request header, or a body field (a dotted path from the top level). */
export type SessionSource = { header: string } | { field: string[] };

/** The headers agents name their session in: Claude Code's, then Codex's session and thread (the same thread id). */
export const SESSION_HEADERS = ["x-claude-code-session-id", "session-id", "session_id", "thread-id", "x-opencode-session"] as const;

/** The session an agent named in its headers (the access log's `session`), or null. */
export function sessionHeader(headers: Headers): string | null {
  for (const name of SESSION_HEADERS) {
    const v = headers.get(name);
    if (v) return v;
  }
  return null;
}

/**
 * The sources read by default, in order: Claude Code's session header, Codex's session and thread headers (older
 * Codex wrote session_id), OpenCode's x-opencode-session, Gemini
 * CLI's user header (it sends no session of its own), then Anthropic's metadata.user_id and OpenAI's
 * prompt_cache_key (Codex's thread id) and user.
 */
export const DEFAULT_SESSION_SOURCES: readonly SessionSource[] = [
  ...SESSION_HEADERS.map((header) => ({ header })),
  { header: "x-gemini-api-privileged-user-id" },
  { field: ["metadata", "user_id"] },
  { field: ["prompt_cache_key"] },
  { field: ["user"] },
];

/** A source as the config writes it: `header:<name>` or `field:<path.with.dots>`; undefined for anything else. */
export function parseSessionSource(text: string): SessionSource | undefined {
  const m = /^(header|field):(.+)$/.exec(text.trim());
  if (!m) return undefined;
  if (m[1] === "header") return /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(m[2]!) ? { header: m[2]!.toLowerCase() } : undefined;
  const path = m[2]!.split(".");
  return path.every((p) => p.length > 0) ? { field: path } : undefined;
}

/** The value a source gives: a non-empty string, cut to MAX_KEY. */
function read(req: LLMRequest, source: SessionSource): string | undefined {
  if ("header" in source) return req.headers.get(source.header)?.slice(0, MAX_KEY) || undefined;
  let v: unknown = req.body.field(source.field[0]!);
  for (const key of source.field.slice(1)) v = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === "string" && v ? v.slice(0, MAX_KEY) : undefined;
}

/** The session a request belongs to, from the first of `sources` that names one; undefined when none does. */
export function sessionKeyOf(req: LLMRequest, sources: readonly SessionSource[] = DEFAULT_SESSION_SOURCES): string | undefined {
  for (const source of sources) {
    try {
      const key = read(req, source);
      if (key) return key;
    } catch {
      // a body the edge let through but whose field is malformed: this source names nothing
    }
  }
  return undefined;
}

/** A uniform number in (0, 1) from a string (32-bit MurmurHash3: well mixed, and no BigInt on the hot path). */
function unit(text: string): number {
  return (Bun.hash.murmur32v3(text) + 0.5) / 2 ** 32;
}

/** The items ranked for `key` by weighted rendezvous hashing: item i comes first with probability weight_i / Σ weights. */
export function rendezvousOrder<T>(key: string, items: readonly { item: T; name: string; weight: number }[]): T[] {
  return items
    .filter((x) => x.weight > 0)
    .map((x) => ({ item: x.item, score: -Math.log(unit(`${key}\u0000${x.name}`)) / x.weight }))
    .sort((a, b) => a.score - b.score)
    .map((x) => x.item);
}
