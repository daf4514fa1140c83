// Anthropic Messages: /v1/messages and /v1/messages/count_tokens.
import { GatewayError, type ApiFormat, type LazyBody } from "../../core";
import { modelInBody, type ApiCodec, type UpstreamAuth } from "../codec";
import { MAX_TOKEN_FIELD, checkCount, checkThinkingBudget } from "../counts";
import { contentText, messagePieces, toolsText } from "../message-text";
import { MessagesStreamEnding, replacedMessage } from "./ending";
import { anthropicErrorBody, anthropicErrorEvent, anthropicErrorStatus } from "./errors";
import { anthropicModelList } from "./models";

type Body = Record<string, any>;

/** The Anthropic codec. */
export const anthropicMessages: ApiCodec = {
  api: "anthropic-messages",
  family: "anthropic",
  routes: { "/v1/messages": "anthropic.messages", "/v1/messages/count_tokens": "anthropic.count_tokens" },
  claims: (headers: Headers, path: string) => headers.has("anthropic-version") || path.includes("/v1/messages"),
  model: (body: LazyBody) => body.field("model"),
  withModel: modelInBody,
  checkTokenFields(format: ApiFormat, body: LazyBody): void {
    if (format === "anthropic.messages") {
      const max = body.field("max_tokens");
      if (max === null) throw new GatewayError("invalid_request", "max_tokens must be an integer", { param: "max_tokens" }); // Anthropic requires it
      checkCount(max, "max_tokens", 0, MAX_TOKEN_FIELD);
    }
    checkThinkingBudget(body);
  },
  capFields: ["max_tokens"],
  outputCap: (format: ApiFormat, body: Body) => (format === "anthropic.messages" ? (body.max_tokens ?? undefined) : 0),
  choices: () => 1,
  errorAnswer: (err: GatewayError, requestId: string) => ({ status: anthropicErrorStatus(err), body: anthropicErrorBody(err, requestId) }),
  errorEvent: anthropicErrorEvent,
  modelList: anthropicModelList,
  upstreamHeaders(headers: Headers, auth: UpstreamAuth): void {
    if (!headers.has("anthropic-version")) headers.set("anthropic-version", "2023-06-01");
    if (!auth.key) return;
    if (auth.bearer) headers.set("authorization", `Bearer ${auth.key}`);
    else headers.set("x-api-key", auth.key);
  },
  requestPieces(body: Body): string[] {
    const head: string[] = [];
    toolsText(body.tools, head);
    contentText(body.system, head);
    return messagePieces(head, body);
  },
  answerText(body: Body): string {
    const out: string[] = [];
    for (const b of Array.isArray(body.content) ? body.content : []) {
      if (typeof b?.text === "string") out.push(b.text);
      else if (typeof b?.thinking === "string") out.push(b.thinking);
      else if (b?.type === "tool_use" && b.input !== undefined) out.push(JSON.stringify(b.input));
    }
    return out.join("\n");
  },
  eventText(event: Body): string {
    if (event?.type !== "content_block_delta") return "";
    const d = event.delta ?? {};
    return typeof d.text === "string" ? d.text : typeof d.thinking === "string" ? d.thinking : typeof d.partial_json === "string" ? d.partial_json : "";
  },
  replacedAnswer: replacedMessage,
  streamEnding: (model: string) => new MessagesStreamEnding(model),
};
