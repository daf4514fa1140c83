// Moderation of Responses answers: the text a request, an answer or a stream event carries, and how a flagged
// answer ends. A stream is closed from where the client stands: sequence numbers go on from the last event it
// got, an item it saw open is closed as incomplete, the replacement is one more message item, and the stream
// ends with response.incomplete (content_filter); an error ends it with response.failed.

type Body = Record<string, any>;

function partsText(content: unknown, out: string[]): void {
  if (typeof content === "string") {
    if (content) out.push(content);
    return;
  }
  for (const p of Array.isArray(content) ? content : []) if (typeof p?.text === "string" && p.text) out.push(p.text);
}

/** A Responses request's text: head (tools, instructions, output schema), then one piece per input item. */
export function responsesRequestPieces(body: Body): string[] {
  const head: string[] = [];
  if (Array.isArray(body.tools) && body.tools.length) head.push(JSON.stringify(body.tools));
  if (typeof body.instructions === "string" && body.instructions) head.push(body.instructions);
  if (body.text?.format?.schema !== undefined) head.push(JSON.stringify(body.text.format.schema));
  const pieces = head.length ? [head.join("\n")] : [];
  const items = typeof body.input === "string" ? [{ content: body.input }] : Array.isArray(body.input) ? body.input : [];
  for (const item of items as Body[]) {
    const out: string[] = [];
    partsText(item?.content, out);
    partsText(item?.summary, out);
    partsText(item?.output, out);
    for (const k of ["arguments", "input"]) if (typeof item?.[k] === "string" && item[k]) out.push(item[k]);
    if (out.length) pieces.push(out.join("\n"));
  }
  return pieces;
}

/** The text of a whole Response: messages, reasoning summaries, tool arguments and inputs. */
export function responsesAnswerText(body: Body): string {
  const out: string[] = [];
  for (const item of Array.isArray(body.output) ? (body.output as Body[]) : []) {
    partsText(item?.content, out);
    partsText(item?.summary, out);
    for (const k of ["arguments", "input"]) if (typeof item?.[k] === "string" && item[k]) out.push(item[k]);
  }
  return out.join("\n");
}

const TEXT_EVENTS = new Set([
  "response.output_text.delta",
  "response.refusal.delta",
  "response.reasoning_summary_text.delta",
  "response.reasoning_text.delta",
  "response.function_call_arguments.delta",
  "response.custom_tool_call_input.delta",
]);

/** The text one Responses stream event adds. */
export function responsesEventText(event: Body): string {
  return TEXT_EVENTS.has(event?.type) && typeof event.delta === "string" ? event.delta : "";
}

/** A whole Response with its output replaced by `replacement`, ended as incomplete (content_filter). */
export function replacedResponse(body: Body, replacement: string): Body {
  const output = replacement ? [message(`msg_filtered_${body.id ?? "0"}`, replacement, "completed")] : [];
  return { ...body, status: "incomplete", incomplete_details: { reason: "content_filter" }, output };
}

function message(id: string, text: string, status: string): Body {
  return { id, type: "message", status, content: [{ type: "output_text", annotations: [], logprobs: [], text }], role: "assistant" };
}

/** Follows the Responses events handed to the client, to close the stream from where it stands. */
export class ResponsesPosition {
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
