// The request fields that bound what an answer may cost (output caps, choices, thinking budgets). They
// feed token reservations, so they are checked at the edge: a negative, fractional, huge or non-finite
// value would reset, poison or skip a token limit.
import { GatewayError, type ApiFormat, type LazyBody } from "../core";

/** Largest token count a request may name (int32, the bound upstream APIs share). */
export const MAX_TOKEN_FIELD = 2_147_483_647;
/** Most choices an OpenAI request may ask for (the OpenAI API's own bound). */
export const MAX_CHOICES = 128;

type Body = Record<string, any>;

function checkCount(value: unknown, param: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new GatewayError("invalid_request", `${param} must be an integer from ${min} to ${max}`, { param });
  }
}

/** Refuses (400) a request whose token fields are not integers within bounds; reads only those fields. */
export function checkTokenFields(format: ApiFormat, body: LazyBody): void {
  if (format === "openai.chat") {
    checkCount(body.field("max_tokens"), "max_tokens", 0, MAX_TOKEN_FIELD);
    checkCount(body.field("max_completion_tokens"), "max_completion_tokens", 0, MAX_TOKEN_FIELD);
    checkCount(body.field("n"), "n", 1, MAX_CHOICES);
    return;
  }
  if (format === "openai.responses") {
    checkCount(body.field("max_output_tokens"), "max_output_tokens", 0, MAX_TOKEN_FIELD);
    const background = body.field("background");
    // a background response ends after its request did: the gateway could never settle what it cost
    if (background !== undefined && background !== null && background !== false)
      throw new GatewayError(
        "invalid_request",
        "background responses are not served by this gateway (their cost could not be settled); leave background unset",
        { param: "background", code: "unsupported_parameter" },
      );
    return;
  }
  if (format === "anthropic.messages") {
    const max = body.field("max_tokens");
    if (max === null) throw new GatewayError("invalid_request", "max_tokens must be an integer", { param: "max_tokens" }); // Anthropic requires it
    checkCount(max, "max_tokens", 0, MAX_TOKEN_FIELD);
  }
  const thinking = body.field("thinking");
  if (thinking && typeof thinking === "object") checkCount((thinking as Body).budget_tokens, "thinking.budget_tokens", 0, MAX_TOKEN_FIELD);
}

/**
 * The output cap a (checked) request asks for, read the same way by the limiter and the converters: undefined
 * when it sets none (a compaction writes a summary of no stated size), 0 for the endpoints that only count.
 */
export function requestedOutputTokens(format: ApiFormat, body: Body): number | undefined {
  if (format === "openai.chat") return body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (format === "openai.responses") return body.max_output_tokens ?? undefined;
  if (format === "openai.responses.compact") return undefined;
  return format === "anthropic.messages" ? (body.max_tokens ?? undefined) : 0;
}

/** How many answers a (checked) request asks for: OpenAI's `n`, else 1. */
export function requestedChoices(format: ApiFormat, body: Body): number {
  return format === "openai.chat" && typeof body.n === "number" ? body.n : 1;
}
