// How a Responses answer ends early (moderation flagged it). A whole Response is ended as incomplete
// (content_filter) with the replacement as its one message. A stream is closed from where the client stands:
// sequence numbers go on from the last event it got, an item it saw open is closed as incomplete, the
// replacement is one more message item, and the stream ends with response.incomplete; an error ends it with
// response.failed.
import type { StreamEnding } from "../codec";

type Body = Record<string, any>;

/** A whole Response with its output replaced by `replacement`, ended as incomplete (content_filter). */
export function replacedResponse(body: Body, replacement: string): Body {
  const output = replacement ? [message(`msg_filtered_${body.id ?? "0"}`, replacement, "completed")] : [];
  return { ...body, status: "incomplete", incomplete_details: { reason: "content_filter" }, output };
}

function message(id: string, text: string, status: string): Body {
  return { id, type: "message", status, content: [{ type: "output_text", annotations: [], logprobs: [], text }], role: "assistant" };
}

/** Follows the Responses events handed to the client, to close the stream from where it stands. */
export class ResponsesStreamEnding implements StreamEnding {
  /** Nothing of an unsent event matters here (the response id comes from response.created, which is always sent first). */
  seen(): void {}

  private seq = 0;
  private response: Body | undefined;
  private open: { item: Body; index: number; text: string } | undefined;
  private readonly done: Body[] = [];

  constructor(private readonly model: string) {}

  /** Records an event the client received. */
  sent(event: Body | undefined): void {
    if (!event || typeof event !== "object") return;
    if (typeof event.sequence_number === "number") this.seq = event.sequence_number + 1;
    if (event.type === "response.created") this.response = event.response;
    else if (event.type === "response.output_item.added") this.open = { item: event.item, index: event.output_index, text: "" };
    else if (event.type === "response.output_item.done") {
      this.done.push(event.item);
      this.open = undefined;
    } else if (event.type === "response.output_text.delta" && this.open) this.open.text += String(event.delta ?? "");
  }

  private ev(type: string, data: Body): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.seq++, ...data })}\n\n`;
  }

  private start(): string {
    if (this.response) return "";
    this.response = {
      id: `resp_filtered_${crypto.randomUUID().replaceAll("-", "")}`,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status: "in_progress",
      model: this.model,
      output: [],
      usage: null,
    };
    return this.ev("response.created", { response: this.response });
  }

  /** Closes the item the client saw open, as incomplete (a message keeps the text it got). */
  private closeOpen(): string {
    const o = this.open;
    if (!o) return "";
    this.open = undefined;
    const item = o.item?.type === "message" ? message(o.item.id, o.text, "incomplete") : { ...o.item, status: "incomplete" };
    this.done.push(item);
    return this.ev("response.output_item.done", { output_index: o.index, item });
  }

  /** The events that end the stream with `replacement` as one more message, then response.incomplete. */
  ending(replacement: string): string {
    let out = this.start() + this.closeOpen();
    if (replacement) {
      const index = this.done.length;
      const item = message(`msg_filtered_${index}`, replacement, "completed");
      out += this.ev("response.output_item.added", { output_index: index, item: { ...item, status: "in_progress", content: [] } });
      out += this.ev("response.content_part.added", { item_id: item.id, output_index: index, content_index: 0, part: { ...item.content[0], text: "" } });
      out += this.ev("response.output_text.delta", { item_id: item.id, output_index: index, content_index: 0, delta: replacement, logprobs: [] });
      out += this.ev("response.output_text.done", { item_id: item.id, output_index: index, content_index: 0, text: replacement, logprobs: [] });
      out += this.ev("response.content_part.done", { item_id: item.id, output_index: index, content_index: 0, part: item.content[0] });
      out += this.ev("response.output_item.done", { output_index: index, item });
      this.done.push(item);
    }
    const response = { ...this.response, status: "incomplete", incomplete_details: { reason: "content_filter" }, output: this.done };
    return out + this.ev("response.incomplete", { response });
  }

  /** response.failed carrying the error of a chat-shaped error event (`data: {"error": …}`). */
  failure(errorEvent: string): string {
    let error: Body = { code: "server_error", message: "moderation failed" };
    try {
      const e = JSON.parse(errorEvent.slice(errorEvent.indexOf("{"))).error;
      error = { code: e?.code ?? "server_error", message: String(e?.message ?? error.message) };
    } catch {}
    const out = this.start();
    return out + this.ev("response.failed", { response: { ...this.response, status: "failed", error, output: this.done } });
  }
}
