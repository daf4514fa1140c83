// Bounds of the token counts a request may name, and the check every codec applies to its token fields.
import { GatewayError } from "../core";

/** Largest token count a request may name (int32, the bound upstream APIs share). */
export const MAX_TOKEN_FIELD = 2_147_483_647;
/** Most choices an OpenAI request may ask for (the OpenAI API's own bound). */
export const MAX_CHOICES = 128;

/** Refuses (400) a count that is present and not an integer from `min` to `max`. */
export function checkCount(value: unknown, param: string, min: number, max: number): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new GatewayError("invalid_request", `${param} must be an integer from ${min} to ${max}`, { param });
  }
}

/** Refuses an Anthropic-style `thinking.budget_tokens` out of bounds (any API may carry one through). */
export function checkThinkingBudget(body: { field(key: string): unknown }): void {
  const thinking = body.field("thinking");
  if (thinking && typeof thinking === "object") checkCount((thinking as Record<string, unknown>).budget_tokens, "thinking.budget_tokens", 0, MAX_TOKEN_FIELD);
}
