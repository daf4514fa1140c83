// The text moderation looks at, in either protocol: a request's system prompt, messages and tool
// results; an answer's text, reasoning and tool-call arguments; the same fragments in stream events.
import type { ApiFormat } from "../../core";

type Body = Record<string, any>;

/** The text of a content value: a string, or blocks/parts with text (tool results included, nested). */
function contentText(content: unknown, out: string[]): void {
  if (typeof content === "string") {
    if (content) out.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (typeof part === "string") out.push(part);
    else if (typeof part?.text === "string") out.push(part.text);
    else if (part?.type === "tool_result") contentText(part.content, out);
    else if (part?.type === "tool_use" && part.input !== undefined) out.push(JSON.stringify(part.input));
  }
}

/** The last `maxChars` characters of a request's text (system, messages, tool calls and results). */
export function requestText(format: ApiFormat, body: Body, maxChars: number): string {
  const out: string[] = [];
  if (format === "anthropic.messages") contentText(body.system, out);
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    contentText(m?.content, out);
    if (Array.isArray(m?.tool_calls)) for (const tc of m.tool_calls) if (typeof tc?.function?.arguments === "string") out.push(tc.function.arguments);
  }
  const text = out.join("\n");
  return text.length > maxChars ? text.slice(text.length - maxChars) : text;
}

/** The text of a whole (non-stream) answer: content, reasoning, refusals, tool-call arguments. */
export function answerText(format: ApiFormat, body: Body): string {
  const out: string[] = [];
  if (format === "anthropic.messages") {
    for (const b of Array.isArray(body.content) ? body.content : []) {
      if (typeof b?.text === "string") out.push(b.text);
      else if (typeof b?.thinking === "string") out.push(b.thinking);
      else if (b?.type === "tool_use" && b.input !== undefined) out.push(JSON.stringify(b.input));
    }
  } else {
    for (const c of Array.isArray(body.choices) ? body.choices : []) deltaText(c?.message, out);
  }
  return out.join("\n");
}

/** The text one stream event adds (Anthropic: a content_block_delta; OpenAI: a chunk's deltas). */
export function eventText(format: ApiFormat, event: Body): string {
  if (format === "anthropic.messages") {
    if (event?.type !== "content_block_delta") return "";
    const d = event.delta ?? {};
    return typeof d.text === "string" ? d.text : typeof d.thinking === "string" ? d.thinking : typeof d.partial_json === "string" ? d.partial_json : "";
  }
  const out: string[] = [];
  for (const c of Array.isArray(event?.choices) ? event.choices : []) deltaText(c?.delta, out);
  return out.join("");
}

/** The text fields of an OpenAI message or delta. */
function deltaText(m: Body | undefined, out: string[]): void {
  if (!m) return;
  for (const k of ["reasoning_content", "reasoning", "content", "refusal"]) if (typeof m[k] === "string" && m[k]) out.push(m[k]);
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) if (typeof tc?.function?.arguments === "string" && tc.function.arguments) out.push(tc.function.arguments);
  }
}
