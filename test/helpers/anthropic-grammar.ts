// Checks that an Anthropic SSE stream obeys Anthropic's event grammar (the order of docs/conversion.md).
import { SseParser } from "../../src/core";

/** Parsed events of an SSE text. */
export function events(text: string): { event?: string; data: any }[] {
  const p = new SseParser();
  return [...p.push(text), ...p.end()].map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
}

/** Throws with the first grammar violation; returns the events. */
export function checkAnthropicStream(text: string): { event?: string; data: any }[] {
  const evs = events(text);
  const fail = (i: number, why: string) => {
    throw new Error(`event ${i} (${evs[i]?.event}): ${why}\n${text}`);
  };
  let started = false,
    ended = false,
    next = 0,
    delta = false;
  let open: { index: number; type: string; json: string } | undefined;
  evs.forEach((e, i) => {
    if (e.event !== e.data.type) fail(i, "event name differs from data.type");
    if (ended) fail(i, "event after the end");
    switch (e.event) {
      case "message_start":
        if (started) fail(i, "second message_start");
        started = true;
        if (!Array.isArray(e.data.message.content) || e.data.message.content.length) fail(i, "message_start content not []");
        break;
      case "ping":
        if (!started) fail(i, "ping before message_start");
        break;
      case "content_block_start": {
        if (!started || delta) fail(i, "block outside the message");
        if (open) fail(i, "two blocks open");
        if (e.data.index !== next++) fail(i, "index not contiguous");
        const b = e.data.content_block;
        if (b.type === "text" && b.text !== "") fail(i, "text start not empty");
        if (b.type === "tool_use" && (JSON.stringify(b.input) !== "{}" || !/^[a-zA-Z0-9_-]+$/.test(b.id))) fail(i, "bad tool_use start");
        open = { index: e.data.index, type: b.type, json: "" };
        break;
      }
      case "content_block_delta": {
        if (!open || open.index !== e.data.index) fail(i, "delta for a block that is not open");
        const t = e.data.delta.type;
        const ok = { text_delta: ["text"], input_json_delta: ["tool_use", "server_tool_use"], thinking_delta: ["thinking"], signature_delta: ["thinking"] }[
          t as string
        ];
        if (!ok?.includes(open!.type)) fail(i, `${t} in a ${open!.type} block`);
        if (t === "input_json_delta") open!.json += e.data.delta.partial_json;
        if (t === "text_delta" && typeof e.data.delta.text !== "string") fail(i, "text_delta without text");
        break;
      }
      case "content_block_stop":
        if (!open || open.index !== e.data.index) fail(i, "stop for a block that is not open");
        if (open!.type === "tool_use" || open!.type === "server_tool_use") {
          const v = JSON.parse(open!.json || "null");
          if (!v || typeof v !== "object" || Array.isArray(v)) fail(i, "tool input is not one JSON object");
        }
        open = undefined;
        break;
      case "message_delta":
        if (open || delta) fail(i, "message_delta with a block open or twice");
        if (typeof e.data.usage?.output_tokens !== "number") fail(i, "message_delta without usage.output_tokens");
        delta = true;
        break;
      case "message_stop":
        if (!delta) fail(i, "message_stop without message_delta");
        ended = true;
        break;
      case "error":
        if (!e.data.error?.type) fail(i, "error without type");
        ended = true;
        break;
      default:
        fail(i, "unknown event");
    }
  });
  if (!ended) throw new Error(`stream did not end with message_stop or error\n${text}`);
  return evs;
}
