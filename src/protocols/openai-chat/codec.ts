// OpenAI Chat Completions: /v1/chat/completions.
import type { ApiFormat, LazyBody } from "../../core";
import { modelInBody, type ApiCodec } from "../codec";
import { MAX_CHOICES, MAX_TOKEN_FIELD, checkCount } from "../counts";
import { deltaText, messagePieces, toolsText } from "../message-text";
import { bearerAuth, openaiErrors } from "../openai";
import { ChatStreamEnding, replacedChatAnswer } from "./ending";

type Body = Record<string, any>;

/** The chat codec. */
export const openaiChat: ApiCodec = {
  api: "openai-chat",
  family: "openai",
  routes: { "/v1/chat/completions": "openai.chat" },
  ...openaiErrors,
  model: (body: LazyBody) => body.field("model"),
  withModel: modelInBody,
  checkTokenFields(_format: ApiFormat, body: LazyBody): void {
    checkCount(body.field("max_tokens"), "max_tokens", 0, MAX_TOKEN_FIELD);
    checkCount(body.field("max_completion_tokens"), "max_completion_tokens", 0, MAX_TOKEN_FIELD);
    checkCount(body.field("n"), "n", 1, MAX_CHOICES);
  },
  capFields: ["max_tokens", "max_completion_tokens", "n"],
  outputCap: (_format: ApiFormat, body: Body) => body.max_completion_tokens ?? body.max_tokens ?? undefined,
  choices: (body: Body) => (typeof body.n === "number" ? body.n : 1),
  upstreamHeaders: bearerAuth,
  requestPieces(body: Body): string[] {
    const head: string[] = [];
    toolsText(body.tools, head);
    toolsText(body.functions, head);
    return messagePieces(head, body);
  },
  answerText(body: Body): string {
    const out: string[] = [];
    for (const c of Array.isArray(body.choices) ? body.choices : []) deltaText(c?.message, out);
    return out.join("\n");
  },
  eventText(event: Body): string {
    const out: string[] = [];
    for (const c of Array.isArray(event?.choices) ? event.choices : []) deltaText(c?.delta, out);
    return out.join("");
  },
  replacedAnswer: replacedChatAnswer,
  streamEnding: (model: string) => new ChatStreamEnding(model),
};
