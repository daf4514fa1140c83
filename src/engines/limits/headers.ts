// Rate-limit answers: the 429 error and the x-ratelimit-* headers.
import { GatewayError } from "../../core";
import type { AdmitResult, LimitInfo } from "./limiter";

const secs = (ms: number) => `${Math.max(0, Math.ceil(ms / 100) / 10)}s`;

/** x-ratelimit-{limit,remaining,reset}-{requests,tokens} for the tightest limits that applied. */
export function limitHeaders(info: LimitInfo): Record<string, string> {
  const h: Record<string, string> = {};
  for (const what of ["requests", "tokens"] as const) {
    const s = info[what];
    if (!s) continue;
    h[`x-ratelimit-limit-${what}`] = String(s.limit);
    h[`x-ratelimit-remaining-${what}`] = String(s.remaining);
    h[`x-ratelimit-reset-${what}`] = secs(s.resetMs);
  }
  return h;
}

/** The 429 for a refused admission, with Retry-After (seconds) and retry-after-ms. */
export function rateLimitError(r: Extract<AdmitResult, { ok: false }>, scope: string): GatewayError {
  const wait = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
  const what = r.what === "concurrency" ? `${r.limit} concurrent requests` : `${r.limit} ${r.what} per window`;
  return new GatewayError("rate_limit", `rate limit reached for ${scope}: ${what}. Please try again in ${wait}s.`, {
    code: "rate_limit_exceeded",
    headers: {
      ...limitHeaders(r.info),
      "retry-after": String(wait),
      "retry-after-ms": String(Math.max(1, Math.round(r.retryAfterMs))),
      // a wait past a minute (a daily limit) is not retried: the Anthropic SDK, so Claude Code, would sleep it out silently
      "x-should-retry": String(wait <= 60),
    },
  });
}
