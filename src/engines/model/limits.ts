// The limits side of a model: which limits apply to a caller, the token reservation, and settling
// each admitted request when its answer ends.
import type { Caller, LLMRequest, LLMResponse } from "../../core";
import { estimateInputTokensFromBytes } from "../../convert";
import { bodyUsage, codecOf, requestedChoices, requestedOutputTokens } from "../../protocols";
import type { AnswerEnd } from "./charge";
import { type Limiter, limitHeaders, type Admission, type LimitInfo, type Limits } from "../limits";

/** The limits configuration of one model. */
export interface ModelLimits {
  limiter: Limiter;
  /** org × model limits for a caller's org (undefined: anonymous callers, who share one bucket). */
  orgLimits(org: string | undefined): Limits | undefined;
  /** Limits for each API key of the caller's org. */
  keyLimits(caller: Caller | undefined): Limits | undefined;
  /** The most output tokens a reservation counts. */
  maxOutputReservation: number;
}

/** The output a budgeted request reserves when it sets no cap of its own (an upstream's default may be larger). */
export const UNCAPPED_OUTPUT_RESERVATION = 32_768;

/** What a request reserves, in tokens: its estimated input, and its output for token limits and for budgets. */
export interface TokenReservation {
  input: number;
  /** The requested output cap, bounded by `cap`, for each answer asked for (token limits). */
  output: number;
  /** The requested output cap in full (at least `cap` when none is set), for each answer asked for (budgets). */
  budgetOutput: number;
}

/**
 * Estimated input tokens plus the requested output cap for each answer asked for: what a request reserves against
 * token limits (the cap bounded) and budgets (the cap in full: a burst must not spend far past a deny budget).
 * `storedInput`: the tokens of the stored response a request continues. The handler checked the token fields, so
 * these are non-negative integers. The input is estimated from the body's bytes (see count-tokens-bytes.ts).
 */
export function reserveTokens(req: LLMRequest, cap: number, storedInput = 0): TokenReservation {
  // the fields a reservation reads (its API's codec names them), one by one: a large body is not parsed for them
  const body: Record<string, unknown> = {};
  for (const key of codecOf(req.format).capFields) body[key] = req.body.field(key);
  const asked = requestedOutputTokens(req.format, body);
  const n = requestedChoices(req.format, body);
  return {
    input: estimateInputTokensFromBytes(req.body.bytesOut()) + storedInput, // a continued conversation's stored context is billed again
    output: Math.min(asked ?? cap, cap) * n,
    budgetOutput: (asked ?? Math.max(cap, UNCAPPED_OUTPUT_RESERVATION)) * n,
  };
}

/** Merges rate-limit states, keeping the tightest of each kind. */
export function tighter(a: LimitInfo, b: LimitInfo): LimitInfo {
  const out: LimitInfo = { ...a };
  for (const k of ["requests", "tokens"] as const) if (b[k] && (!out[k] || b[k]!.remaining < out[k]!.remaining)) out[k] = b[k];
  return out;
}

/**
 * Calls `ended` when the answer ends (whole bodies now, streams when they end, with the usage scanned as they
 * passed unless an engine knew it; undefined for an answer that failed), and keeps the admissions' leases alive
 * meanwhile. Returns a new response (with the rate-limit headers); the one given is not changed.
 */
export function settleOnEnd(
  limiter: Limiter | undefined,
  held: Admission[],
  given: LLMResponse,
  info: LimitInfo,
  ended: (end: AnswerEnd | undefined) => void,
): LLMResponse {
  const headers = Object.entries(limitHeaders(info));
  const res: LLMResponse = { ...given, headers: headers.length ? new Headers(given.headers) : given.headers };
  for (const [k, v] of headers) res.headers.set(k, v);
  if (!res.stream) {
    ended(res.status >= 400 ? undefined : { usage: res.body ? bodyUsage(res.body.bytesOut()) : undefined });
    return res;
  }
  const renew =
    limiter && held.some((a) => a.leases.length) ? setInterval(() => held.forEach((a) => void limiter.renew(a)), limiter.leaseTtlMs / 3) : undefined;
  const stream = res.stream.onEnd((outcome) => {
    if (renew) clearInterval(renew);
    ended(res.status >= 400 ? undefined : outcome);
  });
  return { ...res, stream };
}
