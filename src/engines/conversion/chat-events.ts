// Whole chat completions ⇄ their chunk streams: a converted stream read back into one completion (for a
// non-streaming client), and a whole completion sent to a streaming client.
import { GatewayError, SseParser } from "../../core";

type Body = Record<string, any>;

/** The completion a text of chat chunks carries; an error chunk throws (as the upstream's error). */
export function eventsToCompletion(text: string, model: string): Body {
  const message: Body = { role: "assistant", content: "", refusal: null };
  const calls: Body[] = [];
  let id = "chatcmpl-";
  let finish: string | null = null;
  let usage: Body | undefined;
  for (const e of new SseParser().push(`${text}\n\n`)) {
    if (e.data === "[DONE]") continue;
    const c = e.json<Body>();
    if (c?.error) throw new GatewayError("upstream_unavailable", String(c.error.message ?? "upstream failed"), { status: 502, code: c.error.code });
    if (typeof c?.id === "string") id = c.id;
    if (c?.usage) usage = c.usage;
    const choice = c?.choices?.[0];
    if (!choice) continue;
    const d = choice.delta ?? {};
    if (typeof d.content === "string") message.content += d.content;
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
  const head = { id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model };
  const choice = c.choices?.[0] ?? {};
  const m: Body = choice.message ?? {};
  const delta: Body = { role: "assistant", content: m.content ?? "" };
  for (const k of ["reasoning_content", "reasoning_opaque"]) if (m[k] !== undefined) delta[k] = m[k];
  if (m.tool_calls) delta.tool_calls = m.tool_calls.map((tc: Body, index: number) => ({ index, ...tc }));
  const chunk = (d: Body, finish: string | null) =>
    `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: d, logprobs: null, finish_reason: finish }] })}\n\n`;
  const usage = c.usage ? `data: ${JSON.stringify({ ...head, choices: [], usage: c.usage })}\n\n` : "";
  return chunk(delta, null) + chunk({}, choice.finish_reason ?? "stop") + usage + "data: [DONE]\n\n";
}
