// A Gemini model's thought signatures for one model content, carried through the hub as one `reasoning_opaque`
// value ("g." + base64url JSON): c[k] for the k-th call, x for the one on a text part, h for the one on a thought
// part. Positions, not ids, key the calls: ids may be rewritten on the way to a client, their order never is.
// The validator-skip values are never stored.

/** The signatures of one model content. */
export interface GeminiState {
  c?: Record<string, string>;
  x?: string;
  h?: string;
}

const SENTINELS = new Set(["skip_thought_signature_validator", "context_engineering_is_the_way_to_go"]);
const MAX_STATE = 64 * 1024;

/** A signature worth keeping: a non-empty string that is not a validator-skip value. */
export function realSignature(sig: unknown): sig is string {
  return typeof sig === "string" && sig.length > 0 && sig.length <= MAX_STATE && !SENTINELS.has(sig);
}

/** The hub value of a content's signatures, or undefined when it has none. */
export function encodeGeminiState(s: GeminiState): string | undefined {
  if (!s.x && !s.h && !Object.keys(s.c ?? {}).length) return undefined;
  return `g.${Buffer.from(JSON.stringify({ v: 1, ...s })).toString("base64url")}`;
}

/** The signatures a hub value carries (undefined for another API's state, or one that does not read). */
export function decodeGeminiState(value: unknown): GeminiState | undefined {
  if (typeof value !== "string" || !value.startsWith("g.") || value.length > 4 * MAX_STATE) return undefined;
  try {
    const j = JSON.parse(Buffer.from(value.slice(2), "base64url").toString("utf8"));
    if (!j || typeof j !== "object" || j.v !== 1) return undefined;
    const c: Record<string, string> = {};
    for (const [k, sig] of Object.entries(j.c && typeof j.c === "object" ? j.c : {})) if (/^\d+$/.test(k) && realSignature(sig)) c[k] = sig;
    return { c, x: realSignature(j.x) ? j.x : undefined, h: realSignature(j.h) ? j.h : undefined };
  } catch {
    return undefined;
  }
}

/** Between a call's id and the thought signature written into it (profile.thought_signature_in_tool_id). */
const ID_MARK = "__gts_";

/** A call id that carries the model's thought signature (its text as base64url: exact for any value), for a client with no other place to keep it. */
export function idWithSignature(id: string, sig: string): string {
  return `${id}${ID_MARK}${Buffer.from(sig, "utf8").toString("base64url")}`;
}

/** A call id as Gemini gave it, and the signature written into it (if any). */
export function splitSignedId(id: string): { id: string; signature?: string } {
  const at = id.lastIndexOf(ID_MARK);
  if (at < 0) return { id };
  const sig = Buffer.from(id.slice(at + ID_MARK.length), "base64url").toString("utf8");
  return realSignature(sig) ? { id: id.slice(0, at), signature: sig } : { id: id.slice(0, at) };
}
