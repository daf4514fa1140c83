// The text a Responses request, a whole Response or one stream event carries (for moderation and estimates).

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
