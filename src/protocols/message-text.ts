// The text a model reads in the message shapes chat and Anthropic requests share: content given as a string or
// as blocks/parts (tool results, documents and search results included, nested), tool definitions, and the text
// fields of an OpenAI message or delta. Each API's codec builds its request and answer text from these.

type Body = Record<string, any>;

/** The text of a content value: a string, or blocks/parts with text. */
export function contentText(content: unknown, out: string[]): void {
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
export function toolsText(tools: unknown, out: string[]): void {
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
 * A chat or Anthropic request's text as pieces: `head` (tools, system, output schema) first, then one piece per
 * message (names, content, tool calls and results). Earlier pieces stay the same as a conversation grows.
 */
export function messagePieces(head: string[], body: Body): string[] {
  const pieces: string[] = [];
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

/** The text fields of an OpenAI message or delta. */
export function deltaText(m: Body | undefined, out: string[]): void {
  if (!m) return;
  for (const k of ["reasoning_content", "reasoning", "content", "refusal"]) if (typeof m[k] === "string" && m[k]) out.push(m[k]);
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) if (typeof tc?.function?.arguments === "string" && tc.function.arguments) out.push(tc.function.arguments);
  }
  if (typeof m.function_call?.arguments === "string" && m.function_call.arguments) out.push(m.function_call.arguments); // legacy function calling
}
