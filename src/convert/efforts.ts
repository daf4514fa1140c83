// Reasoning efforts: the order they rank in, and an asked effort clamped to the ones a backend accepts
// (`profile.reasoning_efforts`).

/** Every effort the hub knows, lowest first (`none`: reasoning off). */
export const EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh", "max"] as const;

/** What an OpenAI-compatible backend accepts when its profile names nothing: off, low, medium and high. */
export const DEFAULT_EFFORTS: readonly string[] = ["none", "low", "medium", "high"];

const rank = (effort: string) => (EFFORTS as readonly string[]).indexOf(effort);

/**
 * The effort to send for an asked one: itself when accepted; `minimal` goes up to the cheapest accepted effort that
 * reasons; any other goes down to the highest accepted effort below it, or up to the lowest accepted one when none
 * is below. An effort the hub does not know (a client's own word) counts as `medium`.
 */
export function clampEffort(asked: string, accepted: readonly string[]): string {
  const want = rank(asked) < 0 ? "medium" : asked;
  if (accepted.includes(want) || !accepted.length) return want;
  const sorted = [...accepted].sort((a, b) => rank(a) - rank(b));
  if (want === "minimal") return sorted.find((e) => e !== "none") ?? sorted[0]!;
  return sorted.filter((e) => rank(e) < rank(want)).at(-1) ?? sorted[0]!;
}
