// Responses event stream → chat completion chunks (docs/conversion.md): text and reasoning summaries stream as
// content and reasoning_content; tool calls are emitted whole when their item is done; the terminal event
// gives the finish reason and usage. A reasoning item's encrypted_content rides in the gateway field
// `reasoning_opaque`, so that an Anthropic client's thinking signature can carry it to the next turn.
import type { SseEvent } from "../../core";
import {
  HubChunkWriter,
  hubDoneEvent,
  hubErrorEvent,
  type HubCompletion,
  type HubDelta,
  type HubFinishReason,
  type HubMessage,
  type HubToolCall,
  type HubUsage,
} from "../../protocols/openai-chat/hub";
import type { ChatFromResponsesContext } from "./request";

type Body = Record<string, any>;

/** Chat usage for a Responses usage object (prompt_tokens counts cached tokens in both). */
export function chatUsageOf(u: Body | undefined): HubUsage | undefined {
  if (!u || typeof u !== "object") return undefined;
  const input = Number(u.input_tokens ?? 0),
    output = Number(u.output_tokens ?? 0);
  const details: NonNullable<HubUsage["prompt_tokens_details"]> = { cached_tokens: Number(u.input_tokens_details?.cached_tokens ?? 0) };
  const usage: HubUsage = { prompt_tokens: input, completion_tokens: output, total_tokens: input + output, prompt_tokens_details: details };
  if (u.input_tokens_details?.cache_write_tokens) details.cache_write_tokens = u.input_tokens_details.cache_write_tokens;
  if (u.output_tokens_details?.reasoning_tokens !== undefined) usage.completion_tokens_details = { reasoning_tokens: u.output_tokens_details.reasoning_tokens };
  return usage;
}

const FAILURE_CODES: Record<string, string> = { server_is_overloaded: "overloaded", slow_down: "overloaded", invalid_prompt: "invalid_request_error" };

/** A chat error object for a Responses failure (its code kept: context_length_exceeded, rate_limit_exceeded, …). */
export function chatErrorOf(error: Body | undefined): Body {
  const code = String(error?.code ?? "server_error");
  return {
    message: String(error?.message ?? "upstream failed"),
    type: FAILURE_CODES[code] ?? (code === "server_error" ? "server_error" : "invalid_request_error"),
    code,
  };
}

/** Converts one Responses stream; `push` and `end` return the chat chunk events to send (carrying their values). */
export class ChatFromResponsesStream {
  private readonly out: HubChunkWriter;
  private started = false;
  private finished = false;
  private calls = 0;

  constructor(private readonly ctx: ChatFromResponsesContext) {
    this.out = new HubChunkWriter("chatcmpl-", Math.floor(Date.now() / 1000), ctx.requestedModel);
  }

  /** True once the stream has ended. */
  get done(): boolean {
    return this.finished;
  }

  private chunk(delta: HubDelta, finish: HubFinishReason | null = null): SseEvent[] {
    return [this.out.event(delta, finish)];
  }

  private start(id?: unknown): SseEvent[] {
    if (this.started) return [];
    this.started = true;
    if (typeof id === "string") this.out.id = `chatcmpl-${id}`;
    return this.chunk({ role: "assistant", content: "" });
  }

  /** Handles one upstream event. */
  push(e: SseEvent): readonly SseEvent[] {
    if (this.finished || e.isDone) return [];
    let d: Body;
    try {
      d = e.json();
    } catch {
      return [];
    }
    const type = String(d?.type ?? e.event ?? "");
    if (type === "response.created") return this.start(d.response?.id);
    const out = this.start();
    switch (type) {
      case "response.output_text.delta":
        return typeof d.delta === "string" && d.delta ? [...out, ...this.chunk({ content: d.delta })] : out;
      case "response.refusal.delta":
        return typeof d.delta === "string" && d.delta ? [...out, ...this.chunk({ refusal: d.delta })] : out;
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        return typeof d.delta === "string" && d.delta ? [...out, ...this.chunk({ reasoning_content: d.delta })] : out;
      case "response.reasoning_summary_part.added":
        return d.summary_index > 0 ? [...out, ...this.chunk({ reasoning_content: "\n\n" })] : out;
      case "response.output_item.done":
        return [...out, ...this.itemDone(d.item ?? {})];
      case "response.completed":
      case "response.incomplete":
        return [...out, ...this.terminal(d.response ?? {})];
      case "response.failed":
        return [...out, ...this.error(chatErrorOf(d.response?.error))];
      case "error":
        return [...out, ...this.error(chatErrorOf(d.error ?? d))];
      default:
        return out;
    }
  }

  private itemDone(item: Body): SseEvent[] {
    if (item.type === "reasoning") {
      const state = this.ctx.carryState && typeof item.encrypted_content === "string" && item.encrypted_content;
      return state ? this.chunk({ reasoning_opaque: `r.${item.encrypted_content}` }) : [];
    }
    if (item.type !== "function_call" && item.type !== "custom_tool_call") return [];
    const args = item.type === "function_call" ? String(item.arguments ?? "{}") : JSON.stringify({ input: String(item.input ?? "") });
    const call = {
      index: this.calls++,
      id: String(item.call_id ?? item.id ?? ""),
      type: "function" as const,
      function: { name: String(item.name ?? ""), arguments: args },
    };
    return this.chunk({ tool_calls: [call] });
  }

  private terminal(r: Body): SseEvent[] {
    let finish: HubFinishReason = this.calls > 0 ? "tool_calls" : "stop";
    if (r.status === "incomplete") finish = r.incomplete_details?.reason === "content_filter" ? "content_filter" : "length";
    const usage = chatUsageOf(r.usage);
    this.finished = true;
    return [...this.chunk({}, finish), ...(usage ? [this.out.usageEvent(usage)] : []), hubDoneEvent()];
  }

  /** The upstream ended without a terminal event: a truncated answer, reported as an error. */
  end(): readonly SseEvent[] {
    if (this.finished) return [];
    return [...this.start(), ...this.error({ message: "upstream stream ended unexpectedly", type: "server_error", code: null })];
  }

  /** An in-stream error (no [DONE] after it). */
  error(err: Body): SseEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [hubErrorEvent(err)];
  }
}

/** A whole (non-stream) Response object as a chat completion. */
export function chatFromResponsesResponse(r: Body, ctx: ChatFromResponsesContext): HubCompletion {
  const message: HubMessage = { role: "assistant", content: null, refusal: null };
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: HubToolCall[] = [];
  for (const item of Array.isArray(r.output) ? (r.output as Body[]) : []) {
    if (item.type === "message") for (const p of item.content ?? []) if (typeof p?.text === "string") texts.push(p.text);
    if (item.type === "reasoning") {
      for (const s of item.summary ?? []) if (typeof s?.text === "string") reasoning.push(s.text);
      if (ctx.carryState && typeof item.encrypted_content === "string") message.reasoning_opaque = `r.${item.encrypted_content}`;
    }
    if (item.type === "function_call")
      calls.push({ id: item.call_id, type: "function", function: { name: item.name, arguments: String(item.arguments ?? "{}") } });
  }
  message.content = texts.join("") || (calls.length ? null : "");
  if (reasoning.length) message.reasoning_content = reasoning.join("\n\n");
  if (calls.length) message.tool_calls = calls;
  const finish: HubFinishReason =
    r.status === "incomplete" ? (r.incomplete_details?.reason === "content_filter" ? "content_filter" : "length") : calls.length ? "tool_calls" : "stop";
  return {
    id: `chatcmpl-${r.id ?? ""}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: ctx.requestedModel,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: chatUsageOf(r.usage),
  };
}
