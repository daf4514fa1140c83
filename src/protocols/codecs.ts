// The codec of every API, by name: a Record, so an API added to `Api` does not compile until it has one.
import { API_NAMES, apiOf, type Api, type ApiFormat } from "../core";
import { anthropicMessages } from "./anthropic-messages/codec";
import type { ApiCodec } from "./codec";
import { googleGemini } from "./google-gemini/codec";
import { openaiChat } from "./openai-chat/codec";
import { openaiResponses } from "./openai-responses/codec";

const CODECS: Readonly<Record<Api, ApiCodec>> = {
  "openai-chat": openaiChat,
  "openai-responses": openaiResponses,
  "anthropic-messages": anthropicMessages,
  "google-gemini": googleGemini,
};

/** The codec of an API. */
export function codecFor(api: Api): ApiCodec {
  return CODECS[api];
}

/** The codec of the API a request format belongs to. */
export function codecOf(format: ApiFormat): ApiCodec {
  return CODECS[apiOf(format)];
}

/** Every codec, in the order of API_NAMES. */
export function allCodecs(): ApiCodec[] {
  return API_NAMES.map((api) => CODECS[api]);
}
