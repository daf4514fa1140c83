// How an Anthropic answer ends early (moderation flagged it): a whole message becomes the replacement with
// stop_reason refusal; a stream is closed from wherever it stands (the open block closed, the replacement as
// one more text block, message_delta with the refusal, message_stop), always obeying the event grammar.
import type { StreamEnding } from "../codec";
import { anthropicEvent as sse } from "./events";

type Body = Record<string, any>;

/** A whole message with its content replaced by `replacement`. */
export function replacedMessage(body: Body, replacement: string): Body {
  return { ...body, content: replacement ? [{ type: "text", text: replacement }] : [], stop_reason: "refusal", stop_sequence: null };
}

/** Follows the events handed to the client, to know how to close the stream from where it stands. */
export class MessagesStreamEnding implements StreamEnding {
  private started = false; // message_start went out
  private openBlock: number | undefined;
  private nextIndex = 0;
  private chars = 0;

  constructor(private readonly model: string) {}

  /** Records an event the client received and the text it carried. */
  sent(event: Body | undefined, text: string): void {
    this.chars += text.length;
    if (!event || typeof event !== "object") return;
    if (event.type === "message_start") this.started = true;
    else if (event.type === "content_block_start" && typeof event.index === "number") {
      this.openBlock = event.index;
      this.nextIndex = Math.max(this.nextIndex, event.index + 1);
    } else if (event.type === "content_block_stop") this.openBlock = undefined;
  }

  /** Nothing of an unsent event matters here. */
  seen(): void {}

  /** The events that close the stream with `replacement` as the last text block and stop_reason refusal. */
  ending(replacement: string): string {
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
