// An upstream error as the Anthropic error answer its client acts on (convert/messages-from-chat/errors.ts).
import type { LLMResponse } from "../../../core";
import { messagesFromChatError, type MessagesContext } from "../../../convert";
import { convertedError, jsonAnswer } from "../read-all";

type Body = Record<string, any>;

/** An upstream error (parsed body, or its text) as an Anthropic error answer; kept as a response, so the balancer can still fail over on 429/5xx. */
export function mappedError(parsed: Body | string, status: number, ctx: MessagesContext, upstream: LLMResponse): LLMResponse {
  const mapped = messagesFromChatError(parsed, status, ctx.maxTokens, ctx.inputEstimate);
  const out = jsonAnswer(mapped.status, errorBody(mapped.anthropic.type, mapped.anthropic.message, ctx.requestId));
  for (const [k, v] of Object.entries(mapped.headers ?? {})) out.headers.set(k, v);
  return convertedError(out, upstream);
}

/** An Anthropic error body. */
export function errorBody(type: string, message: string, requestId?: string): object {
  return { type: "error", error: { type, message }, request_id: requestId };
}
