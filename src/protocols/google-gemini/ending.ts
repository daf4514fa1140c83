// How a Gemini answer ends early (moderation flagged it): a whole answer becomes one candidate with the
// replacement and finishReason SAFETY; a stream that already started gets one more event like it.
import type { StreamEnding } from "../codec";

type Body = Record<string, any>;

/** One candidate holding `text`, ended with SAFETY. */
function safetyCandidate(text: string): Body {
  return { content: { role: "model", parts: [{ text }] }, finishReason: "SAFETY", index: 0 };
}

/** A whole answer with its content replaced by `replacement`. */
export function replacedGeminiAnswer(body: Body, replacement: string): Body {
  return { ...body, candidates: [safetyCandidate(replacement)] };
}

/** Follows the events handed to the client, to close the stream with one more of the same answer. */
export class GeminiStreamEnding implements StreamEnding {
  private responseId: string | undefined;

  constructor(private readonly model: string) {}

  sent(): void {}

  /** Remembers the answer's id and model from any upstream event. */
  seen(event: Body | undefined): void {
    if (!this.responseId && typeof event?.responseId === "string") this.responseId = event.responseId;
  }

  /** One event with the replacement and finishReason SAFETY: every Gemini stream ends with a finish reason. */
  ending(replacement: string): string {
    const event: Body = { candidates: [safetyCandidate(replacement)], modelVersion: this.model };
    if (this.responseId) event.responseId = this.responseId;
    return `data: ${JSON.stringify(event)}\r\n\r\n`;
  }

  /** How an error ends the stream: with the error event itself. */
  failure(errorEvent: string): string {
    return errorEvent;
  }
}
