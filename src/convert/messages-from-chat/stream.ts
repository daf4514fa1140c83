// OpenAI chat.completion.chunk stream → Anthropic Messages SSE (docs/conversion.md): a state machine whose
// output always obeys the Anthropic event grammar. Tool calls are buffered and emitted whole by default.
import type { SseEvent } from "../../core";
import { anthropicEvent as ev } from "../../protocols/anthropic-messages";
import { parseToolArguments, randomBase62, signThinking, signThinkingState, toAnthropicToolId } from "../ids";
import type { BackendProfile } from "../profile";
import { inBandErrorStatus, messagesFromChatError } from "./errors";
import type { MessagesContext } from "./request";
import { mapStopReason, reasoningOf } from "./response";
import { findUsage } from "../../protocols/usage";
import { mapUsage, type AnthropicUsage } from "./usage";

type Body = Record<string, any>;
interface Tool {
  id: string;
  name: string;
  args: string;
  live: boolean;
  done: boolean;
}

/** The hottest event: a text, thinking or JSON fragment of the open block. */
const delta = (index: number, kind: "text_delta" | "thinking_delta" | "input_json_delta", field: string, value: string) =>
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"${kind}","${field}":${JSON.stringify(value)}}}\n\n`;

/** Converts one upstream stream; `push` and `end` return the Anthropic event texts to send. */
export class MessagesFromChatStream {
  private started = false;
  private finished = false; // message_stop or error written
  private nextIndex = 0;
  private open: { kind: "text" | "thinking" | "tool"; index: number; tool?: Tool } | undefined;
  private thinkingText = "";
  private thinkingState: string | undefined; // another API's reasoning state for the open thinking block (gw2)
  private pendingWs = "";
  private readonly tools = new Map<string | number, Tool>();
  private readonly toolOrder: Tool[] = [];
  private lastTool: Tool | undefined;
  private finishReason: string | undefined;
  private sawDone = false;
  private refusal = false;
  private usage: Body | undefined;
  private outChars = 0;
  private thinkOpen = false; // inside <think> when profile.thinkTags
  private tagHold = ""; // the end of content that may be the start of a split tag
  private blocksFinalized = false;
  private stopString: string | undefined;
  private sentUsage: AnthropicUsage | undefined;

  constructor(
    private readonly ctx: MessagesContext,
    private readonly profile: BackendProfile,
  ) {}

  /** The usage the final message_delta carried (undefined until then, and after an error). */
  get finalUsage(): AnthropicUsage | undefined {
    return this.sentUsage;
  }

  /** True once the stream has ended (normally or with an error event). */
  get done(): boolean {
    return this.finished;
  }

  /** Handles one upstream SSE event. */
  push(e: SseEvent): string {
    if (this.finished) return "";
    if (e.isDone) {
      this.sawDone = true;
      return this.finish();
    }
    let chunk: Body;
    try {
      chunk = e.json();
    } catch {
      return "";
    }
    let out = this.start(chunk);
    if (chunk?.error) return out + this.error(messagesFromChatError(chunk, inBandErrorStatus(chunk), this.ctx.maxTokens, this.ctx.inputEstimate).anthropic);
    const usage = findUsage(chunk);
    if (usage) this.usage = usage;
    const choice = chunk?.choices?.[0];
    if (!choice || (choice.index !== undefined && choice.index !== 0)) return out;
    const d: Body = choice.delta ?? {};
    const reasoning = reasoningOf(d);
    if (reasoning) out += this.thinking(reasoning);
    if (typeof d.reasoning_opaque === "string" && d.reasoning_opaque) out += this.reasoningState(d.reasoning_opaque);
    if (typeof d.content === "string" && d.content) out += this.profile.thinkTags ? this.taggedContent(d.content) : this.text(d.content);
    if (typeof d.refusal === "string" && d.refusal) {
      this.refusal = true;
      out += this.text(d.refusal);
    }
    if (Array.isArray(d.tool_calls)) out += this.toolDeltas(d.tool_calls);
    if (typeof choice.stop_reason === "string" && this.ctx.stop.includes(choice.stop_reason)) this.stopString = choice.stop_reason;
    if (typeof choice.finish_reason === "string" && choice.finish_reason) {
      if (choice.finish_reason === "error" || choice.finish_reason === "insufficient_system_resource") {
        return out + this.error({ type: "overloaded_error", message: `upstream could not finish the answer (${choice.finish_reason})` });
      }
      this.finishReason = choice.finish_reason;
      out += this.finalizeBlocks();
    }
    return out;
  }

  /** The upstream ended: close the message, or report the truncation as an error. */
  end(): string {
    if (this.finished) return "";
    if (!this.sawDone && this.finishReason === undefined) {
      return this.start({}) + this.error({ type: "api_error", message: "upstream stream ended unexpectedly" });
    }
    return this.finish();
  }

  /** An error event (ends the stream). */
  error(err: { type: string; message: string }): string {
    if (this.finished) return "";
    this.finished = true;
    return ev("error", this.ctx.requestId ? { error: err, request_id: this.ctx.requestId } : { error: err });
  }

  /** A keep-alive ping (only between message_start and the end). */
  ping(): string {
    return this.started && !this.finished ? ev("ping", {}) : "";
  }

  private start(chunk: Body): string {
    if (this.started) return "";
    this.started = true;
    const id = typeof chunk?.id === "string" && chunk.id ? `msg_${chunk.id}` : `msg_${randomBase62(24)}`;
    const message = {
      id,
      type: "message",
      role: "assistant",
      model: this.ctx.requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: this.ctx.inputEstimate, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    return ev("message_start", { message }) + ev("ping", {});
  }

  private openBlock(kind: "text" | "thinking" | "tool", block: Body, tool?: Tool): string {
    const out = this.close();
    this.open = { kind, index: this.nextIndex++, tool };
    return out + ev("content_block_start", { index: this.open.index, content_block: block });
  }

  private close(): string {
    if (!this.open) return "";
    let out = "";
    if (this.open.kind === "thinking") {
      const state = this.thinkingState;
      this.thinkingState = undefined;
      const signature = state ? signThinkingState(this.thinkingText, state) : signThinking(this.thinkingText);
      out += ev("content_block_delta", { index: this.open.index, delta: { type: "signature_delta", signature } });
    }
    out += ev("content_block_stop", { index: this.open.index });
    this.open = undefined;
    return out;
  }

  private thinking(text: string): string {
    let out = "";
    if (this.open?.kind !== "thinking") {
      out += this.openBlock("thinking", { type: "thinking", thinking: "", signature: "" });
      this.thinkingText = "";
    }
    this.thinkingText += text;
    this.outChars += text.length;
    return out + delta(this.open!.index, "thinking_delta", "thinking", text);
  }

  /** Reasoning state from a Responses backend: signed into the open thinking block, or its own redacted block. */
  private reasoningState(state: string): string {
    if (this.open?.kind === "thinking") {
      this.thinkingState = state;
      return "";
    }
    const out = this.close();
    const index = this.nextIndex++;
    const block = { type: "redacted_thinking", data: signThinkingState("", state) };
    return out + ev("content_block_start", { index, content_block: block }) + ev("content_block_stop", { index });
  }

  private text(text: string): string {
    if (this.open?.kind !== "text") {
      if (text.trim() === "") {
        this.pendingWs += text;
        return "";
      }
      text = this.pendingWs + text;
      this.pendingWs = "";
      const out = this.openBlock("text", { type: "text", text: "" });
      this.outChars += text.length;
      return out + delta(this.open!.index, "text_delta", "text", text);
    }
    this.outChars += text.length;
    return delta(this.open.index, "text_delta", "text", text);
  }

  /** Content with `<think>` tags: text inside goes to a thinking block (tags may be split across chunks). */
  private taggedContent(content: string): string {
    let out = "";
    let rest = this.tagHold + content;
    this.tagHold = "";
    while (rest) {
      const tag = this.thinkOpen ? "</think>" : "<think>";
      const at = rest.indexOf(tag);
      let piece = at < 0 ? rest : rest.slice(0, at);
      if (at < 0) {
        // hold back a tail that could be the first characters of the tag
        for (let k = Math.min(tag.length - 1, piece.length); k > 0; k--) {
          if (tag.startsWith(piece.slice(-k))) {
            this.tagHold = piece.slice(-k);
            piece = piece.slice(0, -k);
            break;
          }
        }
      }
      if (piece) out += this.thinkOpen ? this.thinking(piece) : this.text(piece);
      if (at < 0) break;
      this.thinkOpen = !this.thinkOpen;
      rest = rest.slice(at + tag.length);
    }
    return out;
  }

  private toolDeltas(deltas: Body[]): string {
    let out = "";
    deltas.forEach((tc, position) => {
      const key = tc?.index ?? tc?.id ?? (deltas.length === 1 && this.lastTool ? undefined : position);
      let tool = key === undefined ? this.lastTool : this.tools.get(key);
      if (!tool) {
        tool = { id: toAnthropicToolId(tc?.id), name: this.ctx.toolNames.fromUpstream(String(tc?.function?.name ?? "")), args: "", live: false, done: false };
        this.tools.set(key ?? this.toolOrder.length, tool);
        this.toolOrder.push(tool);
      } else if (!tool.live && !tool.done) {
        if (tc?.id && tool.id.startsWith("toolu_") && !tool.name) tool.id = toAnthropicToolId(tc.id);
        if (tc?.function?.name && !tool.name) tool.name = this.ctx.toolNames.fromUpstream(String(tc.function.name));
      }
      this.lastTool = tool;
      const fragment =
        typeof tc?.function?.arguments === "string" ? tc.function.arguments : tc?.function?.arguments ? JSON.stringify(tc.function.arguments) : "";
      tool.args += fragment;
      this.outChars += fragment.length;
      if (this.profile.toolStreaming === "live" && !tool.done) out += this.liveTool(tool, fragment);
    });
    return out;
  }

  private liveTool(tool: Tool, fragment: string): string {
    if (tool.live) return fragment ? delta(this.open!.index, "input_json_delta", "partial_json", fragment) : "";
    if (this.open?.kind === "tool" || !tool.name) return ""; // never two open tool blocks: this one stays buffered
    tool.live = true;
    let out = this.openBlock("tool", { type: "tool_use", id: tool.id, name: tool.name, input: {} }, tool);
    if (tool.args) out += delta(this.open!.index, "input_json_delta", "partial_json", tool.args);
    return out;
  }

  private finalizeBlocks(): string {
    if (this.blocksFinalized) return "";
    this.blocksFinalized = true;
    let out = "";
    if (this.tagHold) {
      out += this.thinkOpen ? this.thinking(this.tagHold) : this.text(this.tagHold);
      this.tagHold = "";
    }
    out += this.close();
    for (const tool of this.toolOrder) {
      if (tool.live) {
        tool.done = true;
        continue;
      }
      tool.done = true;
      out += this.openBlock("tool", { type: "tool_use", id: tool.id, name: tool.name, input: {} }, tool);
      out += delta(this.open!.index, "input_json_delta", "partial_json", JSON.stringify(parseToolArguments(tool.args)));
      out += this.close();
    }
    this.pendingWs = "";
    return out;
  }

  private finish(): string {
    // a block opened by text that came after the finish reason is closed too: never a message_delta with a block open
    let out = this.start({}) + this.finalizeBlocks() + this.close();
    const stop = mapStopReason(this.finishReason, this.toolOrder.length > 0, this.refusal, this.stopString);
    const usage = mapUsage(this.usage, { input: this.ctx.inputEstimate, output: Math.ceil(this.outChars / 4) });
    this.sentUsage = usage;
    out +=
      ev("message_delta", { delta: { stop_reason: stop, stop_sequence: stop === "stop_sequence" ? this.stopString : null }, usage }) + ev("message_stop", {});
    this.finished = true;
    return out;
  }
}
