// The limits side of a model: which limits apply to a caller, the token reservation, and settling
// each admitted request when its answer ends.
import type { Caller, LLMRequest, LLMResponse } from "../../core";
import { estimateInputTokens } from "../../convert";
import { bodyUsage, requestedChoices, requestedOutputTokens, type TokenUsage } from "../../protocols";
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

/**
 * Estimated input tokens plus the requested output cap (bounded) for each answer asked for: what a request
 * reserves against token limits. The handler checked the token fields, so this is a non-negative integer.
 */
export function reserveTokens(req: LLMRequest, cap: number): number {
  const body = req.body.json<Record<string, any>>();
  const asked = requestedOutputTokens(req.format, body) ?? cap;
  return estimateInputTokens(body) + Math.min(asked, cap) * requestedChoices(req.format, body);
}

/** Merges rate-limit states, keeping the tightest of each kind. */
export function tighter(a: LimitInfo, b: LimitInfo): LimitInfo {
  const out: LimitInfo = { ...a };
  for (const k of ["requests", "tokens"] as const) if (b[k] && (!out[k] || b[k]!.remaining < out[k]!.remaining)) out[k] = b[k];
  return out;
}

/**
 * Settles the admissions when the answer ends: whole bodies now, streams when they end (usage scanned as it
 * passes, unless an engine knew it). The usage found is left in the context, so the access log need not look again.
 * Returns a new response (with the rate-limit headers); the one given is not changed.
 */
export function settleOnEnd(
  limiter: Limiter | undefined,
  held: Admission[],
  given: LLMResponse,
  info: LimitInfo,
  onUsage?: (usage: TokenUsage | undefined | 0) => void,
): LLMResponse {
  const headers = Object.entries(limitHeaders(info));
  const res: LLMResponse = { ...given, headers: headers.length ? new Headers(given.headers) : given.headers };
  for (const [k, v] of headers) res.headers.set(k, v);
  const settle = (usage: TokenUsage | undefined | 0) => {
    const tokens = usage === 0 ? 0 : usage && usage.input + usage.output;
    if (limiter) for (const a of held) void limiter.settle(a, tokens);
    onUsage?.(usage);
  };
  if (res.stream) {
    const renew =
      limiter && held.some((a) => a.leases.length) ? setInterval(() => held.forEach((a) => void limiter.renew(a)), limiter.leaseTtlMs / 3) : undefined;
    res.stream = res.stream.onEnd((outcome) => {
      if (renew) clearInterval(renew);
      settle(res.status >= 400 ? 0 : outcome.usage);
    });
  } else settle(res.status >= 400 ? 0 : res.body ? bodyUsage(res.body.bytesOut()) : 0);
  return res;
}
