// Anthropic Messages response → OpenAI Chat Completions response (docs/conversion.md).
import type { HubCompletion, HubFinishReason, HubMessage, HubToolCall, HubUsage } from "../../protocols/openai-chat/hub";
import type { ChatContext } from "./request";

type Body = Record<string, any>;

const FINISH: Record<string, HubFinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
  pause_turn: "stop",
  model_context_window_exceeded: "length",
};

/** OpenAI finish_reason for an Anthropic stop_reason. */
export function mapFinishReason(stop: unknown): HubFinishReason {
  return FINISH[String(stop)] ?? "stop";
}

/** OpenAI usage for Anthropic usage: prompt_tokens includes cache reads and writes. */
export function mapChatUsage(u: Body | undefined): HubUsage {
  const i = u?.input_tokens ?? 0,
    r = u?.cache_read_input_tokens ?? 0,
    w = u?.cache_creation_input_tokens ?? 0,
    o = u?.output_tokens ?? 0;
  const details: NonNullable<HubUsage["prompt_tokens_details"]> = { cached_tokens: r };
  const out: HubUsage = { prompt_tokens: i + r + w, completion_tokens: o, total_tokens: i + r + w + o, prompt_tokens_details: details };
  if (w) details.cache_write_tokens = w; // priced at the cache-write rate (an extra field chat clients ignore)
  if (typeof u?.output_tokens_details?.thinking_tokens === "number")
    out.completion_tokens_details = { reasoning_tokens: u.output_tokens_details.thinking_tokens };
  return out;
}

/** The chat.completion for an Anthropic message. */
export function chatFromMessagesResponse(msg: Body, ctx: ChatContext): HubCompletion {
  const blocks: Body[] = Array.isArray(msg.content) ? msg.content : [];
  const text = blocks
    .filter((b) => b.type === "text")
    .map((b) => b.text)
    .join("");
  const answer = blocks.find((b) => b.type === "tool_use" && b.name === ctx.outputTool); // a json_schema answer given as a tool call
  if (answer) return chatFromMessagesResponse({ ...msg, content: [{ type: "text", text: JSON.stringify(answer.input ?? {}) }], stop_reason: "end_turn" }, ctx);
  const calls = blocks
    .filter((b) => b.type === "tool_use")
    .map((b): HubToolCall => ({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }));
  const thinking = blocks
    .filter((b) => b.type === "thinking")
    .map((b) => b.thinking)
    .join("");
  const message: HubMessage = { role: "assistant", content: calls.length && !text ? null : text, refusal: null };
  if (calls.length) message.tool_calls = calls;
  if (thinking) message.reasoning_content = thinking;
  const signed = blocks.find((b) => b.type === "thinking" && typeof b.signature === "string" && b.signature);
  if (ctx.carryState && signed) message.reasoning_opaque = `a.${signed.signature}`;
  return {
    id: `chatcmpl-${msg.id ?? ""}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: ctx.requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: mapFinishReason(msg.stop_reason) }],
    usage: mapChatUsage(msg.usage),
  };
}
