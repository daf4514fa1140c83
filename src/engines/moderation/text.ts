// The text moderation looks at, in either protocol: everything a client sends that the model reads (system
// prompt, messages and their names, tool definitions, calls and results, documents, search results); an
// answer's text, reasoning and tool-call arguments (legacy function_call too); the same fragments in stream events.
import type { ApiFormat } from "../../core";
import { responsesAnswerText, responsesEventText, responsesRequestPieces } from "./responses-endings";

type Body = Record<string, any>;

/** The text of a content value: a string, or blocks/parts with text (tool results, documents and search results included, nested). */
function contentText(content: unknown, out: string[]): void {
  if (typeof content === "string") {
    if (content) out.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) partText(part, out);
}

/** The text of one block or part, whatever its type: every string the model will read. */
function partText(part: unknown, out: string[]): void {
  if (typeof part === "string") return void out.push(part);
  if (!part || typeof part !== "object") return;
  const p = part as Body;
  if (typeof p.text === "string") out.push(p.text);
  if (typeof p.thinking === "string") out.push(p.thinking);
  if (typeof p.title === "string") out.push(p.title);
  if (typeof p.context === "string") out.push(p.context);
  if (p.type === "tool_use" && p.input !== undefined) out.push(JSON.stringify(p.input));
  if (p.type === "tool_result" || p.type === "search_result") contentText(p.content, out);
  if (p.type === "search_result" && typeof p.source === "string") out.push(p.source);
  if (p.type === "document" && p.source && typeof p.source === "object") {
    if (p.source.type === "text" && typeof p.source.data === "string") out.push(p.source.data);
    if (p.source.type === "content") contentText(p.source.content, out);
  }
}

/** The names, descriptions and schemas of the tools a request offers (the model reads them all). */
function toolsText(tools: unknown, out: string[]): void {
  if (!Array.isArray(tools)) return;
  for (const t of tools) {
    if (!t || typeof t !== "object") continue;
    const def = (t as Body).function && typeof (t as Body).function === "object" ? (t as Body).function : t;
    for (const k of ["name", "description"]) if (typeof def[k] === "string" && def[k]) out.push(def[k]);
    const schema = def.parameters ?? def.input_schema;
    if (schema !== undefined) out.push(JSON.stringify(schema));
  }
}

/**
 * A request's text as pieces, in the order the model reads them: the tool definitions, the system prompt and
 * the structured-output schema, then one piece per message (names, content, tool calls and results). Earlier
 * pieces stay the same as a conversation grows, so checks of them can be remembered.
 */
export function requestPieces(format: ApiFormat, body: Body): string[] {
  if (format === "openai.responses") return responsesRequestPieces(body);
  const pieces: string[] = [];
  const head: string[] = [];
  toolsText(body.tools, head);
  if (format === "openai.chat") toolsText(body.functions, head);
  if (format === "anthropic.messages") contentText(body.system, head);
  if (body.response_format?.json_schema !== undefined) head.push(JSON.stringify(body.response_format.json_schema));
  if (head.length) pieces.push(head.join("\n"));
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    const out: string[] = [];
    if (typeof m?.name === "string" && m.name) out.push(m.name);
    contentText(m?.content, out);
    if (typeof m?.refusal === "string" && m.refusal) out.push(m.refusal);
    if (Array.isArray(m?.tool_calls)) for (const tc of m.tool_calls) if (typeof tc?.function?.arguments === "string") out.push(tc.function.arguments);
    if (typeof m?.function_call?.arguments === "string") out.push(m.function_call.arguments);
    if (out.length) pieces.push(out.join("\n"));
  }
  return pieces;
}

/** The last `maxChars` characters of a request's whole text (all its pieces). */
export function requestText(format: ApiFormat, body: Body, maxChars: number): string {
  const text = requestPieces(format, body).join("\n");
  return text.length > maxChars ? text.slice(text.length - maxChars) : text;
}

/** The text of a whole (non-stream) answer: content, reasoning, refusals, tool-call arguments. */
export function answerText(format: ApiFormat, body: Body): string {
  if (format === "openai.responses") return responsesAnswerText(body);
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
  if (format === "openai.responses") return responsesEventText(event);
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
  if (typeof m.function_call?.arguments === "string" && m.function_call.arguments) out.push(m.function_call.arguments); // legacy function calling
}
