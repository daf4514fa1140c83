// OpenAI Chat Completions request → OpenAI Responses request (docs/conversion.md), for backends that serve some
// models only on the Responses API (gpt-5.x-codex). Stateless: store false, the whole conversation in input,
// reasoning carried back in the items' encrypted_content (the chat form's gateway field `reasoning_opaque`,
// "r." + the item's encrypted_content; "a." + a signature is Anthropic's, and never sent here).
import { withoutClientState } from "../client-state";
import { GatewayError } from "../../core";
import { requestedOutputTokens } from "../../protocols";
import type { BackendProfile } from "../profile";

type Body = Record<string, any>;

/** What the answer converters need to know about the request. */
export interface ChatFromResponsesContext {
  requestedModel: string;
  stream: boolean;
  includeUsage: boolean;
  /** Pass reasoning state (encrypted_content) on as `reasoning_opaque`: only for the gateway's own converters, never a client. */
  carryState: boolean;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : [])
    .filter((p: Body) => typeof p?.text === "string")
    .map((p: Body) => p.text)
    .join("\n");
}

function userContent(content: unknown, at: number): Body[] {
  if (typeof content === "string") return content ? [{ type: "input_text", text: content }] : [];
  const out: Body[] = [];
  for (const p of (Array.isArray(content) ? content : []) as Body[]) {
    if (p?.type === "text" && typeof p.text === "string") out.push({ type: "input_text", text: p.text });
    else if (p?.type === "image_url") out.push({ type: "input_image", image_url: String(p.image_url?.url ?? ""), detail: p.image_url?.detail ?? "auto" });
    else if (p?.type === "file" && typeof p.file?.file_data === "string")
      out.push({ type: "input_file", filename: p.file.filename ?? "document.pdf", file_data: p.file.file_data });
    else if (p?.type === "input_audio" || p?.type === "file") {
      throw new GatewayError("invalid_request", `${p.type} content cannot be sent to this backend`, { param: `messages[${at}].content` });
    }
  }
  return out;
}

/** Chat messages → Responses instructions (leading system text) and input items. */
function inputItems(messages: Body[]): { instructions?: string; input: Body[] } {
  const system: string[] = [];
  let i = 0;
  for (; i < messages.length && (messages[i]?.role === "system" || messages[i]?.role === "developer"); i++) system.push(textOf(messages[i]!.content));
  const input: Body[] = [];
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "system" || m.role === "developer")
      input.push({ type: "message", role: "developer", content: [{ type: "input_text", text: textOf(m.content) }] });
    else if (m.role === "user") {
      const content = userContent(m.content, i);
      if (content.length) input.push({ type: "message", role: "user", content });
    } else if (m.role === "assistant") {
      const text = textOf(m.content);
      const calls: Body[] = Array.isArray(m.tool_calls) ? m.tool_calls : [];
      // OpenAI wants a reasoning item followed by what it produced: only with something after it
      if (typeof m.reasoning_opaque === "string" && m.reasoning_opaque.startsWith("r.") && (text || calls.length)) {
        const summary = typeof m.reasoning_content === "string" && m.reasoning_content ? [{ type: "summary_text", text: m.reasoning_content }] : [];
        input.push({ type: "reasoning", summary, encrypted_content: m.reasoning_opaque.slice(2) });
      }
      if (text) input.push({ type: "message", role: "assistant", content: [{ type: "output_text", text }] });
      for (const c of calls)
        input.push({
          type: "function_call",
          call_id: String(c.id ?? ""),
          name: String(c.function?.name ?? ""),
          arguments: String(c.function?.arguments ?? "{}"),
        });
    } else if (m.role === "tool") {
      input.push({ type: "function_call_output", call_id: String(m.tool_call_id ?? ""), output: textOf(m.content) || "(no output)" });
    }
  }
  return { instructions: system.filter((s) => s.trim()).join("\n\n") || undefined, input };
}

/** Chat tool_choice → Responses tool_choice. */
function toolChoice(choice: unknown): unknown {
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  const c = choice as Body | undefined;
  if (c?.type === "function" && typeof c.function?.name === "string") return { type: "function", name: c.function.name };
  return undefined;
}

/** Converts the chat request body for a Responses backend. */
export function chatFromResponsesRequest(body: Body, profile: BackendProfile, carryState = false): { body: Body; ctx: ChatFromResponsesContext } {
  if (!Array.isArray(body.messages)) throw new GatewayError("invalid_request", "messages: field required", { param: "messages" });
  if (typeof body.n === "number" && body.n > 1) throw new GatewayError("invalid_request", "n > 1 is not supported by this backend", { param: "n" });
  const { instructions, input } = inputItems(carryState ? body.messages : withoutClientState(body.messages));
  const out: Body = { model: body.model, input, stream: true, store: false, include: ["reasoning.encrypted_content"] };
  if (instructions) out.instructions = instructions;
  const tools = (Array.isArray(body.tools) ? body.tools : []).filter((t: Body) => t?.type === "function" && typeof t.function?.name === "string");
  if (tools.length) {
    out.tools = tools.map((t: Body) => ({
      type: "function",
      name: t.function.name,
      description: t.function.description ?? "",
      parameters: t.function.parameters ?? { type: "object", properties: {} },
      strict: t.function.strict === true,
    }));
    const choice = toolChoice(body.tool_choice);
    if (choice !== undefined) out.tool_choice = choice;
    if (typeof body.parallel_tool_calls === "boolean") out.parallel_tool_calls = body.parallel_tool_calls;
  }
  const max = requestedOutputTokens("openai.chat", body);
  if (typeof max === "number") out.max_output_tokens = profile.maxOutputTokens > 0 ? Math.min(max, profile.maxOutputTokens) : max;
  if (!profile.fixedTemperature) {
    if (typeof body.temperature === "number") out.temperature = body.temperature;
    if (typeof body.top_p === "number") out.top_p = body.top_p;
  }
  if (typeof body.reasoning_effort === "string") out.reasoning = { effort: body.reasoning_effort, summary: "auto" };
  const rf = body.response_format;
  if (rf?.type === "json_object") out.text = { format: { type: "json_object" } };
  if (rf?.type === "json_schema" && rf.json_schema) out.text = { format: { type: "json_schema", ...rf.json_schema } };
  const user = body.safety_identifier ?? body.user;
  if (typeof user === "string" && user) out.safety_identifier = user.slice(0, 64);
  if (typeof body.prompt_cache_key === "string") out.prompt_cache_key = body.prompt_cache_key;
  return {
    body: out,
    ctx: { requestedModel: String(body.model ?? ""), stream: body.stream === true, includeUsage: body.stream_options?.include_usage === true, carryState },
  };
}
