// Anthropic Messages SSE → OpenAI chat.completion.chunk stream (docs/conversion.md).
import { SseEvent, type TokenUsage } from "../../core";
import { tokenUsage } from "../../protocols/usage";
import { chatFromMessagesError } from "./errors";
import type { ChatContext } from "./request";
import { mapChatUsage, mapFinishReason } from "./response";
import { HubChunkWriter, hubDoneEvent, hubErrorEvent, type HubDelta, type HubFinishReason } from "../../protocols/openai-chat/hub";

type Body = Record<string, any>;

const NONE: readonly SseEvent[] = [];

/** Converts one Anthropic stream; `push` and `end` return the chat chunk events to send (carrying their values). */
export class ChatFromMessagesStream {
  private readonly out: HubChunkWriter;
  private upstreamUsage: Body = {};
  private usageTold = false; // message_delta came: the usage is the upstream's own, whole
  private finish: HubFinishReason | undefined;
  private toolOrdinal = -1;
  private blockTool = new Map<number, number>(); // Anthropic block index → OpenAI tool index
  private answerBlock: number | undefined; // the block of the structured-output tool: its input streams as content
  private finished = false;

  constructor(private readonly ctx: ChatContext) {
    this.out = new HubChunkWriter("chatcmpl-", Math.floor(Date.now() / 1000), ctx.requestedModel, ctx.includeUsage);
  }

  /** The answer's exact usage, once the upstream told it (whether or not the client asked to see it). */
  get usage(): TokenUsage | undefined {
    return this.usageTold ? tokenUsage(this.upstreamUsage) : undefined;
  }

  /** True once the stream ended. */
  get done(): boolean {
    return this.finished;
  }

  private chunk(delta: HubDelta, finish: HubFinishReason | null = null): readonly SseEvent[] {
    return [this.out.event(delta, finish)];
  }

  /** Handles one Anthropic event. */
  push(e: SseEvent): readonly SseEvent[] {
    if (this.finished) return NONE;
    let d: Body;
    try {
      d = e.json();
    } catch {
      return NONE;
    }
    switch (d?.type ?? e.event) {
      case "message_start":
        this.out.id = `chatcmpl-${d.message?.id ?? ""}`;
        this.upstreamUsage = { ...d.message?.usage };
        return this.chunk({ role: "assistant", content: "" });
      case "ping":
        return [SseEvent.comment("ping")];
      case "content_block_start": {
        const b = d.content_block ?? {};
        if (b.type !== "tool_use") return NONE;
        if (b.name === this.ctx.outputTool) {
          this.answerBlock = d.index;
          return NONE;
        }
        this.blockTool.set(d.index, ++this.toolOrdinal);
        return this.chunk({ tool_calls: [{ index: this.toolOrdinal, id: b.id, type: "function", function: { name: b.name, arguments: "" } }] });
      }
      case "content_block_delta": {
        const delta = d.delta ?? {};
        if (delta.type === "text_delta" && delta.text) return this.chunk({ content: delta.text });
        if (delta.type === "thinking_delta" && delta.thinking) return this.chunk({ reasoning_content: delta.thinking });
        if (delta.type === "signature_delta" && delta.signature && this.ctx.carryState) return this.chunk({ reasoning_opaque: `a.${delta.signature}` });
        if (delta.type === "input_json_delta" && delta.partial_json && d.index === this.answerBlock) return this.chunk({ content: delta.partial_json });
        if (delta.type === "input_json_delta" && delta.partial_json && this.blockTool.has(d.index)) {
          return this.chunk({ tool_calls: [{ index: this.blockTool.get(d.index)!, function: { arguments: delta.partial_json } }] });
        }
        return NONE;
      }
      case "message_delta":
        Object.assign(this.upstreamUsage, d.usage);
        this.usageTold = true;
        this.finish = this.answerBlock !== undefined ? "stop" : mapFinishReason(d.delta?.stop_reason);
        return this.chunk({}, this.finish);
      case "message_stop":
        return this.close();
      case "error":
        return this.error(chatFromMessagesError(d, 0).openai);
      default:
        return NONE;
    }
  }

  private close(): readonly SseEvent[] {
    this.finished = true;
    return this.ctx.includeUsage ? [this.out.usageEvent(mapChatUsage(this.upstreamUsage)), hubDoneEvent()] : [hubDoneEvent()];
  }

  /** The upstream ended: without message_stop that is a truncated answer, reported as an error. */
  end(): readonly SseEvent[] {
    if (this.finished) return NONE;
    return this.error({ message: "upstream stream ended unexpectedly", type: "server_error", param: null, code: null });
  }

  /** An in-stream error (no [DONE] after it). */
  error(err: Body): readonly SseEvent[] {
    if (this.finished) return NONE;
    this.finished = true;
    return [hubErrorEvent(err)];
  }
}
