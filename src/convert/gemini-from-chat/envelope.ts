// Another API's reasoning state carried through a Gemini client, which has one place for it: a part's
// thoughtSignature. The value is standard base64 of MAGIC ‖ deflated JSON {v: 3, s: state, t?: thinking text} ‖
// 16 bytes of the gateway's MAC, so SDKs that decode and re-encode signatures keep it, and Gemini CLI, which drops
// thought parts from its history, still sends back the text an Anthropic signature is bound to. The 0x00 first
// byte is never a protobuf tag: no real Gemini signature starts like it (its text form starts "AGd3M").
import { timingSafeEqual } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { log } from "../../core";
import { gatewayMac } from "../ids";

const MAGIC = Buffer.from([0x00, 0x67, 0x77, 0x33]);
const MAC_BYTES = 16;
const MAX_SIGNATURE = 4 * 1024 * 1024;

/** The text form every envelope starts with. */
export const ENVELOPE_MARK = "AGd3M";

/** A thoughtSignature carrying `state` (and the thinking text it is bound to, when given). */
export function sealState(state: string, text?: string): string {
  const json = JSON.stringify(text ? { v: 3, s: state, t: text } : { v: 3, s: state });
  const head = Buffer.concat([MAGIC, deflateRawSync(Buffer.from(json))]);
  return Buffer.concat([head, gatewayMac(head).subarray(0, MAC_BYTES)]).toString("base64");
}

/** True for a value shaped like an envelope (any gateway's, checked or not). */
export function isEnvelope(sig: unknown): boolean {
  return typeof sig === "string" && sig.startsWith(ENVELOPE_MARK);
}

let lastRefusal = 0;

/** Forgets when the last warning was written (the next dropped envelope is logged at once). */
export function resetEnvelopeWarnings(): void {
  lastRefusal = 0;
}

/** One warning at most every 10 s: an envelope that does not hold (altered, cut, or sealed with another key) is dropped. */
function refused(why: string): undefined {
  const now = Date.now();
  if (now - lastRefusal >= 10_000) {
    lastRefusal = now;
    log.warn("a thoughtSignature envelope was dropped: the reasoning state it carried is not sent upstream", { why });
  }
  return undefined;
}

/** The state (and text) an envelope of this gateway carries; undefined for anything else or a MAC that does not hold (logged). */
export function openState(sig: unknown): { state: string; text?: string } | undefined {
  if (!isEnvelope(sig)) return undefined;
  if ((sig as string).length > MAX_SIGNATURE) return refused("too large");
  const raw = Buffer.from(sig as string, "base64");
  if (raw.length <= MAGIC.length + MAC_BYTES || !raw.subarray(0, MAGIC.length).equals(MAGIC)) return refused("not an envelope's bytes");
  const head = raw.subarray(0, raw.length - MAC_BYTES);
  if (!timingSafeEqual(raw.subarray(raw.length - MAC_BYTES), gatewayMac(head).subarray(0, MAC_BYTES))) return refused("its MAC does not hold");
  try {
    const j = JSON.parse(inflateRawSync(head.subarray(MAGIC.length), { maxOutputLength: 1 << 20 }).toString("utf8"));
    if (j?.v !== 3 || typeof j.s !== "string") return refused("an unknown version");
    return typeof j.t === "string" ? { state: j.s, text: j.t } : { state: j.s };
  } catch {
    return refused("its content does not decode");
  }
}
