// Protocol shapes, chosen by the caller's protocol family.
import type { GatewayError, Protocol } from "../core";
import { anthropicErrorBody, anthropicErrorEvent, anthropicErrorStatus } from "./anthropic";
import { openaiErrorBody, openaiErrorEvent, openaiErrorStatus } from "./openai";

export * as anthropic from "./anthropic";
export * as openai from "./openai";

/** A gateway error as the caller's protocol wants it: status and JSON body. */
export function renderError(protocol: Protocol, err: GatewayError, requestId: string): { status: number; body: object } {
  return protocol === "anthropic"
    ? { status: anthropicErrorStatus(err), body: anthropicErrorBody(err, requestId) }
    : { status: openaiErrorStatus(err), body: openaiErrorBody(err) };
}

/** A gateway error as one in-stream SSE event of the caller's protocol. */
export function renderErrorEvent(protocol: Protocol, err: GatewayError): string {
  return protocol === "anthropic" ? anthropicErrorEvent(err) : openaiErrorEvent(err);
}
export { tokenUsage, bodyUsage, chatCacheCounts, findUsage, StreamUsage, meteredStream, type TokenUsage } from "./usage";
export { checkTokenFields, requestedOutputTokens, requestedChoices, MAX_TOKEN_FIELD } from "./token-fields";
