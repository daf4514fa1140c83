// How a chat answer ends early (moderation flagged it): a whole answer becomes one message with finish_reason
// content_filter; a stream that already started gets one more chunk with the replacement and that finish reason.
import type { StreamEnding } from "../codec";

type Body = Record<string, any>;

/** A whole chat completion with its content replaced by `replacement`. */
export function replacedChatAnswer(body: Body, replacement: string): Body {
  return {
    ...body,
    choices: [{ index: 0, message: { role: "assistant", content: replacement, refusal: null }, logprobs: null, finish_reason: "content_filter" }],
  };
}

/** Follows the chunks handed to the client, to close the stream as one more chunk of the same completion. */
export class ChatStreamEnding implements StreamEnding {
  private started = false; // a chunk went out
  private chunkFields: Body = {};

  constructor(private readonly model: string) {}

  /** Records a chunk the client received. */
  sent(event: Body | undefined): void {
    if (event && typeof event === "object" && Array.isArray(event.choices)) this.started = true;
  }

  /** Remembers the chunk identity (id, created, model) from any upstream chunk, sent or not. */
  seen(event: Body | undefined): void {
    if (!this.chunkFields.id && typeof event?.id === "string") {
      this.chunkFields = { id: event.id, object: "chat.completion.chunk", created: event.created, model: event.model };
    }
  }

  /** One chunk with the replacement and finish_reason content_filter, then [DONE]. */
  ending(replacement: string): string {
    const fields = this.chunkFields.id
      ? this.chunkFields
      : { id: `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: this.model };
    const delta: Body = this.started ? {} : { role: "assistant" };
    if (replacement) delta.content = replacement;
    return `data: ${JSON.stringify({ ...fields, choices: [{ index: 0, delta, logprobs: null, finish_reason: "content_filter" }] })}\n\ndata: [DONE]\n\n`;
  }

  /** How an error ends the stream: with the error event itself. */
  failure(errorEvent: string): string {
    return errorEvent;
  }
}
