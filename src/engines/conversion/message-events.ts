// Whole Anthropic messages ⇄ their stream events: a converted stream read back into one message (a backend
// that streamed a non-streaming request), and a whole message sent to a streaming client.
import { GatewayError, type StreamPipeline } from "../../core";
import type { MessagesContext } from "../../convert";
import { anthropicEvent as ev } from "../../protocols/anthropic-messages";
import { readTextBounded } from "../upstream";

/** Runs a stream through the state machine and rebuilds the whole message from its events. */
export async function aggregate(stream: StreamPipeline, ctx: MessagesContext): Promise<Record<string, any>> {
  return eventsToMessage(await readTextBounded(stream.readable()), ctx.requestedModel);
}

/** The whole message a text of Anthropic stream events carries; an error event throws. */
export function eventsToMessage(text: string, model: string): Record<string, any> {
  const message: Record<string, any> = {
    id: "",
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: {},
  };
  const inputs: string[] = [];
  for (const block of text.split("\n\n")) {
    const line = block.split("\n").find((l) => l.startsWith("data: "));
    if (!line) continue;
    const e = JSON.parse(line.slice(6));
    if (e.type === "error") throw new GatewayError("api_error", e.error?.message ?? "upstream stream failed", { type: e.error?.type });
    if (e.type === "message_start") Object.assign(message, { id: e.message.id, usage: e.message.usage });
    else if (e.type === "content_block_start") {
      message.content[e.index] = { ...e.content_block };
      inputs[e.index] = "";
    } else if (e.type === "content_block_delta") {
      const b = message.content[e.index];
      if (e.delta.type === "text_delta") b.text += e.delta.text;
      else if (e.delta.type === "thinking_delta") b.thinking += e.delta.thinking;
      else if (e.delta.type === "signature_delta") b.signature = e.delta.signature;
      else if (e.delta.type === "input_json_delta") inputs[e.index] += e.delta.partial_json;
    } else if (e.type === "content_block_stop" && (message.content[e.index]?.type === "tool_use" || message.content[e.index]?.type === "server_tool_use")) {
      message.content[e.index].input = JSON.parse(inputs[e.index] || "{}");
    } else if (e.type === "message_delta") Object.assign(message, { stop_reason: e.delta.stop_reason, stop_sequence: e.delta.stop_sequence, usage: e.usage });
  }
  return message;
}

/** A whole message as the Anthropic stream events that carry it. */
export function messageEvents(message: Record<string, any>): string {
  let out = ev("message_start", { message: { ...message, content: [], stop_reason: null, stop_sequence: null } });
  (message.content as Record<string, any>[]).forEach((b, index) => {
    if (b.type === "text") {
      out += ev("content_block_start", { index, content_block: { type: "text", text: "" } });
      out += ev("content_block_delta", { index, delta: { type: "text_delta", text: b.text } });
    } else if (b.type === "thinking") {
      out += ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
      out += ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: b.thinking } });
      out += ev("content_block_delta", { index, delta: { type: "signature_delta", signature: b.signature } });
    } else if (b.type === "web_search_tool_result") {
      out += ev("content_block_start", { index, content_block: b }); // a result block comes whole
    } else {
      out += ev("content_block_start", { index, content_block: { ...b, input: {} } });
      out += ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(b.input) } });
    }
    out += ev("content_block_stop", { index });
  });
  return (
    out +
    ev("message_delta", { delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: message.usage }) +
    ev("message_stop", {})
  );
}
