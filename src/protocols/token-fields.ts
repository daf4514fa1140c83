// The request fields that bound what an answer may cost (output caps, choices, thinking budgets). They feed
// token reservations, so they are checked at the edge: a negative, fractional, huge or non-finite value would
// reset, poison or skip a token limit. Each API's codec knows its own fields; these ask the request's codec.
import type { ApiFormat, LazyBody } from "../core";
import { codecOf } from "./codecs";

export { MAX_TOKEN_FIELD, MAX_CHOICES } from "./counts";

type Body = Record<string, any>;

/** Refuses (400) a request whose token fields are not integers within bounds; reads only those fields. */
export function checkTokenFields(format: ApiFormat, body: LazyBody): void {
  codecOf(format).checkTokenFields(format, body);
}

/**
 * The output cap a (checked) request asks for, read the same way by the limiter and the converters: undefined
 * when it sets none (a compaction writes a summary of no stated size), 0 for the endpoints that only count.
 */
export function requestedOutputTokens(format: ApiFormat, body: Body): number | undefined {
  return codecOf(format).outputCap(format, body);
}

/** How many answers a (checked) request asks for: OpenAI chat's `n`, else 1. */
export function requestedChoices(format: ApiFormat, body: Body): number {
  return codecOf(format).choices(body);
}
