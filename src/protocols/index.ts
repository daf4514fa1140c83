// Facts about the wire formats: one codec per API (protocols/<api>/codec.ts, found with codecOf), the usage
// fields, and the token-field checks.
import type { GatewayError, Protocol } from "../core";
import { anthropicMessages } from "./anthropic-messages/codec";
import type { ApiCodec } from "./codec";
import { googleGemini } from "./google-gemini/codec";
import { openaiChat } from "./openai-chat/codec";

export * as anthropic from "./anthropic-messages";
export * as openai from "./openai";
export * as gemini from "./google-gemini";
export type { ApiCodec, StreamEnding, UpstreamAuth } from "./codec";
export { allCodecs, codecFor, codecOf } from "./codecs";

/** The codec that speaks for a protocol family where no API is known (a path that is not an LLM route). */
export function familyCodec(protocol: Protocol): ApiCodec {
  return FAMILY_CODECS[protocol];
}

const FAMILY_CODECS: Readonly<Record<Protocol, ApiCodec>> = { openai: openaiChat, anthropic: anthropicMessages, google: googleGemini };

/** A gateway error as the caller's protocol wants it: status and JSON body. */
export function renderError(protocol: Protocol, err: GatewayError, requestId: string): { status: number; body: object } {
  return familyCodec(protocol).errorAnswer(err, requestId);
}

/** A gateway error as one in-stream SSE event of the caller's protocol. */
export function renderErrorEvent(protocol: Protocol, err: GatewayError): string {
  return familyCodec(protocol).errorEvent(err);
}
export { answerFacts, type AnswerFacts } from "./answer-facts";
export { tokenUsage, bodyUsage, chatCacheCounts, findUsage, StreamUsage, meteredStream, type TokenUsage } from "./usage";
export { checkTokenFields, requestedOutputTokens, requestedChoices, MAX_TOKEN_FIELD } from "./token-fields";
