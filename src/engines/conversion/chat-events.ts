// Whole chat completions ⇄ their chunk streams: a converted stream read back into one completion (for a
// non-streaming client), and a whole completion sent to a streaming client.
import { GatewayError, SseParser } from "../../core";
import {
  HUB_DONE,
  HubChunkWriter,
  type HubCompletion,
  type HubDelta,
  type HubFinishReason,
  type HubMessage,
  type HubToolCall,
  type HubUsage,
} from "../../protocols/openai-chat/hub";

type Body = Record<string, any>;

/** The completion a text of chat chunks carries; an error chunk throws (as the upstream's error). */
export function eventsToCompletion(text: string, model: string): HubCompletion {
  const message: HubMessage = { role: "assistant", content: "", refusal: null };
  const calls: HubToolCall[] = [];
  let id = "chatcmpl-";
  let finish: HubFinishReason | null = null;
  let usage: HubUsage | undefined;
  for (const e of new SseParser().push(`${text}\n\n`)) {
    if (e.isDone) continue;
    const c = e.json<Body>();
    if (c?.error) throw new GatewayError("upstream_unavailable", String(c.error.message ?? "upstream failed"), { status: 502, code: c.error.code });
    if (typeof c?.id === "string") id = c.id;
    if (c?.usage) usage = c.usage;
    const choice = c?.choices?.[0];
    if (!choice) continue;
    const d = choice.delta ?? {};
    if (typeof d.content === "string") message.content += d.content; // the hub's own chunks: the gateway's converter wrote them
    if (typeof d.reasoning_content === "string") message.reasoning_content = (message.reasoning_content ?? "") + d.reasoning_content;
    if (typeof d.reasoning_opaque === "string") message.reasoning_opaque = d.reasoning_opaque;
    for (const tc of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
      const at = typeof tc.index === "number" ? tc.index : calls.length;
      calls[at] ??= { id: "", type: "function", function: { name: "", arguments: "" } };
      if (tc.id) calls[at].id = tc.id;
      if (tc.function?.name) calls[at].function.name += tc.function.name;
      if (tc.function?.arguments) calls[at].function.arguments += tc.function.arguments;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (calls.length) message.tool_calls = calls.filter(Boolean);
  if (calls.length && !message.content) message.content = null;
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish ?? "stop" }],
    usage,
  };
}

/** A whole completion as the chunk stream that carries it. */
export function completionChunks(c: Body): string {
  const out = new HubChunkWriter(c.id, c.created, c.model);
  const choice = c.choices?.[0] ?? {};
  const m: Body = choice.message ?? {};
  const delta: HubDelta = { role: "assistant", content: m.content ?? "" };
  if (m.reasoning_content !== undefined) delta.reasoning_content = m.reasoning_content;
  if (m.reasoning_opaque !== undefined) delta.reasoning_opaque = m.reasoning_opaque;
  if (m.tool_calls) delta.tool_calls = m.tool_calls.map((tc: HubToolCall, index: number) => ({ index, ...tc }));
  return out.chunk(delta) + out.chunk({}, choice.finish_reason ?? "stop") + (c.usage ? out.usage(c.usage) : "") + HUB_DONE;
}
