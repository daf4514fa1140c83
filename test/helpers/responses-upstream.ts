// Scripted OpenAI Responses answers for tests: the SSE an upstream Responses API sends for a list of output
// items (reasoning, message, function_call), in OpenAI's event grammar.

type Item =
  | { type: "reasoning"; summary: string; encrypted?: string }
  | { type: "message"; text: string }
  | { type: "function_call"; call_id: string; name: string; arguments: string };

/** The SSE of one Responses answer with these items, then response.completed (or incomplete) with usage. */
export function responsesSse(
  items: Item[],
  usage = { input_tokens: 100, output_tokens: 20 },
  status: "completed" | "incomplete" = "completed",
  /** Fields of the terminal response after its usage, as OpenAI echoes them (`user`, `metadata`). */
  after: object = {},
): string {
  let seq = 0;
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const response = { id: "resp_up", object: "response", status: "in_progress", model: "gpt-5.1-codex", output: [] as object[] };
  let out = ev("response.created", { response }) + ev("response.in_progress", { response });
  const done: object[] = [];
  items.forEach((it, output_index) => {
    if (it.type === "reasoning") {
      const id = `rs_${output_index}`;
      out += ev("response.output_item.added", { output_index, item: { id, type: "reasoning", summary: [] } });
      out += ev("response.reasoning_summary_part.added", { item_id: id, output_index, summary_index: 0, part: { type: "summary_text", text: "" } });
      out += ev("response.reasoning_summary_text.delta", { item_id: id, output_index, summary_index: 0, delta: it.summary });
      out += ev("response.reasoning_summary_text.done", { item_id: id, output_index, summary_index: 0, text: it.summary });
      const item = {
        id,
        type: "reasoning",
        summary: [{ type: "summary_text", text: it.summary }],
        ...(it.encrypted ? { encrypted_content: it.encrypted } : {}),
      };
      out += ev("response.output_item.done", { output_index, item });
      done.push(item);
    } else if (it.type === "message") {
      const id = `msg_${output_index}`;
      const part = { type: "output_text", annotations: [], text: it.text };
      out += ev("response.output_item.added", { output_index, item: { id, type: "message", status: "in_progress", role: "assistant", content: [] } });
      out += ev("response.content_part.added", { item_id: id, output_index, content_index: 0, part: { ...part, text: "" } });
      out += ev("response.output_text.delta", { item_id: id, output_index, content_index: 0, delta: it.text });
      out += ev("response.output_text.done", { item_id: id, output_index, content_index: 0, text: it.text });
      const item = { id, type: "message", status: "completed", role: "assistant", content: [part] };
      out += ev("response.output_item.done", { output_index, item });
      done.push(item);
    } else {
      const id = `fc_${output_index}`;
      const item = { id, type: "function_call", status: "completed", call_id: it.call_id, name: it.name, arguments: it.arguments };
      out += ev("response.output_item.added", { output_index, item: { ...item, status: "in_progress", arguments: "" } });
      out += ev("response.function_call_arguments.delta", { item_id: id, output_index, delta: it.arguments });
      out += ev("response.function_call_arguments.done", { item_id: id, output_index, arguments: it.arguments });
      out += ev("response.output_item.done", { output_index, item });
      done.push(item);
    }
  });
  const terminal = { ...response, status, output: done, usage: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens }, ...after };
  if (status === "incomplete") Object.assign(terminal, { incomplete_details: { reason: "max_output_tokens" } });
  return out + ev(status === "completed" ? "response.completed" : "response.incomplete", { response: terminal });
}
