// Session affinity: the requests of one session go to the same backend while it is healthy, so that the
// provider's prompt cache (which only hits on one backend and key) keeps working. Stateless: weighted
// rendezvous hashing ranks the backends for a session key, so every gateway instance picks the same one,
// weights hold across many sessions, and when a backend rests only its sessions move.
import type { LLMRequest } from "../../core";

/** Longest session key used (longer ones are cut: the hash does not need more). */
const MAX_KEY = 256;

/**
 * The session a request belongs to: Claude Code's x-claude-code-session-id, else Anthropic's metadata.user_id,
 * else OpenAI's prompt_cache_key or user. Undefined when it names none.
 */
export function sessionKeyOf(req: LLMRequest): string | undefined {
  const header = req.headers.get("x-claude-code-session-id");
  if (header) return header.slice(0, MAX_KEY);
  try {
    const metadata = req.body.field("metadata") as { user_id?: unknown } | null | undefined;
    if (typeof metadata?.user_id === "string" && metadata.user_id) return metadata.user_id.slice(0, MAX_KEY);
    for (const field of ["prompt_cache_key", "user"]) {
      const v = req.body.field(field);
      if (typeof v === "string" && v) return v.slice(0, MAX_KEY);
    }
  } catch {
    // a body the edge let through but whose field is malformed: no session, round-robin
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
