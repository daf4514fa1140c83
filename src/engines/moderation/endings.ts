// How a moderated answer ends when its output is flagged, in the caller's protocol: a whole answer is
// replaced (finish_reason content_filter / stop_reason refusal); a stream that already started is
// closed cleanly from wherever it stands, with the replacement text and the same stop reason.
import type { ApiFormat } from "../../core";
import { anthropicEvent as sse } from "../../protocols/anthropic";
import { ResponsesPosition, replacedResponse } from "./responses-endings";

type Body = Record<string, any>;

/** A whole answer with its content replaced by `replacement`. */
export function replacedAnswer(format: ApiFormat, body: Body, replacement: string): Body {
  if (format === "openai.responses") return replacedResponse(body, replacement);
  if (format === "anthropic.messages") {
    return { ...body, content: replacement ? [{ type: "text", text: replacement }] : [], stop_reason: "refusal", stop_sequence: null };
  }
  return {
    ...body,
    choices: [{ index: 0, message: { role: "assistant", content: replacement, refusal: null }, logprobs: null, finish_reason: "content_filter" }],
  };
}

/** Where a moderated stream stands, as far as closing it goes (one per protocol's event grammar). */
export interface Position {
  /** Records an event the client received (its parsed data, when JSON) and the text it carried. */
  sent(event: Body | undefined, text: string): void;
  /** Sees any upstream event, sent or not. */
  seen(event: Body | undefined): void;
  /** The events that close the stream with `replacement` as the last text and a content-filter stop. */
  ending(replacement: string): string;
  /** The events that end the stream with an error (given as the protocol's error event). */
  failure(errorEvent: string): string;
}

/** The position tracker of a format's stream. */
export function positionFor(format: ApiFormat, model: string): Position {
  return format === "openai.responses" ? new ResponsesPosition(model) : new StreamPosition(format, model);
}

/** Follows the events handed to the client (chat and Anthropic streams), to know how to close the stream from where it stands. */
export class StreamPosition implements Position {
  private started = false; // OpenAI: a chunk went out; Anthropic: message_start went out
  private openBlock: number | undefined;
  private nextIndex = 0;
  private chars = 0;
  private chunkFields: Body = {};

  constructor(
    private readonly format: ApiFormat,
    private readonly model: string,
  ) {}

  /** Records an event the client received (its parsed data, when JSON) and the text it carried. */
  sent(event: Body | undefined, text: string): void {
    this.chars += text.length;
    if (!event || typeof event !== "object") return;
    if (this.format !== "anthropic.messages") {
      if (Array.isArray(event.choices)) this.started = true;
      return;
    }
    if (event.type === "message_start") this.started = true;
    else if (event.type === "content_block_start" && typeof event.index === "number") {
      this.openBlock = event.index;
      this.nextIndex = Math.max(this.nextIndex, event.index + 1);
    } else if (event.type === "content_block_stop") this.openBlock = undefined;
  }

  /** Remembers the chunk identity (id, created, model) from any upstream chunk, sent or not. */
  seen(event: Body | undefined): void {
    if (this.format !== "anthropic.messages" && !this.chunkFields.id && typeof event?.id === "string") {
      this.chunkFields = { id: event.id, object: "chat.completion.chunk", created: event.created, model: event.model };
    }
  }

  /** The events that close the stream with `replacement` as the last text and a content-filter stop. */
  ending(replacement: string): string {
    if (this.format !== "anthropic.messages") {
      const fields = this.chunkFields.id
        ? this.chunkFields
        : { id: `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: this.model };
      const delta: Body = this.started ? {} : { role: "assistant" };
      if (replacement) delta.content = replacement;
      return `data: ${JSON.stringify({ ...fields, choices: [{ index: 0, delta, logprobs: null, finish_reason: "content_filter" }] })}\n\ndata: [DONE]\n\n`;
    }
    let out = "";
    if (!this.started) {
      const message = {
        id: `msg_${crypto.randomUUID().replaceAll("-", "")}`,
        type: "message",
        role: "assistant",
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      };
      out += sse("message_start", { message });
    }
    if (this.openBlock !== undefined) out += sse("content_block_stop", { index: this.openBlock });
    if (replacement) {
      const index = this.nextIndex;
      out += sse("content_block_start", { index, content_block: { type: "text", text: "" } });
      out += sse("content_block_delta", { index, delta: { type: "text_delta", text: replacement } });
      out += sse("content_block_stop", { index });
    }
    const usage = { output_tokens: Math.ceil((this.chars + replacement.length) / 4) };
    return out + sse("message_delta", { delta: { stop_reason: "refusal", stop_sequence: null }, usage }) + sse("message_stop", {});
  }

  /** How an error ends the stream: with the error event itself. */
  failure(errorEvent: string): string {
    return errorEvent;
  }
}
