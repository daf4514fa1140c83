// How a chat answer ends early (moderation flagged it): a whole answer becomes one message with finish_reason
// content_filter; a stream that already started gets one more chunk with the replacement and that finish reason.
import type { StreamEnding } from "../codec";
import { HUB_DONE, HubChunkWriter, type HubDelta } from "./hub";

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
  private writer: HubChunkWriter | undefined; // the upstream's chunk identity (id, created, model), once one came

  constructor(private readonly model: string) {}

  /** Records a chunk the client received. */
  sent(event: Body | undefined): void {
    if (event && typeof event === "object" && Array.isArray(event.choices)) this.started = true;
  }

  /** Remembers the chunk identity (id, created, model) from any upstream chunk, sent or not. */
  seen(event: Body | undefined): void {
    if (!this.writer && typeof event?.id === "string") {
      // the closing chunk is one more of the upstream's: its id, created and model as they came (none left out that was there)
      this.writer = new HubChunkWriter(
        event.id,
        typeof event.created === "number" ? event.created : undefined,
        typeof event.model === "string" ? event.model : this.model,
      );
    }
  }

  /** One chunk with the replacement and finish_reason content_filter, then [DONE]. */
  ending(replacement: string): string {
    const out = this.writer ?? new HubChunkWriter(`chatcmpl-${crypto.randomUUID()}`, Math.floor(Date.now() / 1000), this.model);
    const delta: HubDelta = this.started ? {} : { role: "assistant" };
    if (replacement) delta.content = replacement;
    return out.chunk(delta, "content_filter") + HUB_DONE;
  }

  /** How an error ends the stream: with the error event itself. */
  failure(errorEvent: string): string {
    return errorEvent;
  }
}
