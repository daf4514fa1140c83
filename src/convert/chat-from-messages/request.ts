// OpenAI Chat Completions request → Anthropic Messages request (docs/conversion.md).
import { withoutClientState } from "../client-state";
import { checkMessageShapes } from "../message-shapes";
import { GatewayError } from "../../core";
import { requestedOutputTokens } from "../../protocols";
import { blocksText } from "../messages-from-chat/content";
import { addCacheBreakpoints } from "./auto-cache";

type Body = Record<string, any>;

/** What the reverse response converters need to know. */
export interface ChatContext {
  requestedModel: string;
  stream: boolean;
  includeUsage: boolean;
  /** Pass Anthropic thinking signatures on as `reasoning_opaque`: only for the gateway's own converters, never a client. */
  carryState?: boolean;
  /** The tool that carries a json_schema answer (structured output "tool"): its input is the answer's content. */
  outputTool?: string;
}

/** How a json_schema response_format reaches an Anthropic backend: output_config.format, or a tool the model must call. */
export type StructuredOutput = "output_config" | "tool";

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
const BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576, xhigh: 32768 };

const text = (content: unknown) => blocksText(content, "\n");

function userBlocks(content: unknown, at: number): Body[] {
  if (typeof content === "string") return content.trim() ? [{ type: "text", text: content }] : [];
  const out: Body[] = [];
  for (const p of (Array.isArray(content) ? content : []) as Body[]) {
    if (p?.type === "text" && typeof p.text === "string" && p.text.trim()) out.push({ type: "text", text: p.text });
    else if (p?.type === "image_url") out.push(imageBlock(String(p.image_url?.url ?? ""), at));
    else if (p?.type === "file" && typeof p.file?.file_data === "string") {
      const m = /^data:application\/pdf;base64,(.*)$/s.exec(p.file.file_data);
      if (!m) throw new GatewayError("invalid_request", "only PDF files can be sent to this backend", { param: `messages[${at}].content` });
      out.push({ type: "document", source: { type: "base64", media_type: "application/pdf", data: m[1] } });
    } else if (p?.type === "file" || p?.type === "input_audio") {
      throw new GatewayError("invalid_request", `${p.type === "file" ? "file_id" : "audio"} content cannot be sent to this backend`, {
        param: `messages[${at}].content`,
      });
    }
  }
  return out;
}

function imageBlock(url: string, at: number): Body {
  const m = /^data:([^;]+);base64,(.*)$/s.exec(url);
  if (m) {
    if (!IMAGE_TYPES.has(m[1]!)) throw new GatewayError("invalid_request", `image type ${m[1]} is not supported`, { param: `messages[${at}].content` });
    return { type: "image", source: { type: "base64", media_type: m[1], data: m[2] } };
  }
  return { type: "image", source: { type: "url", url } };
}

function assistantBlocks(m: Body, at: number): Body[] {
  const out: Body[] = [];
  // Anthropic's own thinking, carried by the gateway through another API's reasoning slot ("a." + signature)
  if (typeof m.reasoning_opaque === "string" && m.reasoning_opaque.startsWith("a.") && typeof m.reasoning_content === "string") {
    out.push({ type: "thinking", thinking: m.reasoning_content, signature: m.reasoning_opaque.slice(2) });
  }
  const t = text(m.content);
  if (t.trim()) out.push({ type: "text", text: t });
  (Array.isArray(m.tool_calls) ? m.tool_calls : []).forEach((tc: Body, j: number) => {
    let input: unknown;
    try {
      input = tc.function?.arguments ? JSON.parse(tc.function.arguments) : {};
    } catch {
      throw new GatewayError("invalid_request", "tool call arguments are not valid JSON", { param: `messages[${at}].tool_calls[${j}].function.arguments` });
    }
    out.push({ type: "tool_use", id: tc.id, name: tc.function?.name, input: input ?? {} });
  });
  return out;
}

/** Messages: leading system/developer → `system`; tool results merged into one user turn; pairing repaired. */
function convertMessages(messages: Body[]): { system: Body[]; messages: Body[] } {
  const system: Body[] = [];
  const out: Body[] = [];
  let i = 0;
  for (; i < messages.length && (messages[i]?.role === "system" || messages[i]?.role === "developer"); i++) {
    const t = text(messages[i]!.content);
    if (t.trim()) system.push({ type: "text", text: t });
  }
  const push = (role: string, blocks: Body[]) => {
    if (!blocks.length) return;
    const prev = out[out.length - 1];
    if (prev?.role === role) prev.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "system" || m.role === "developer") push("user", [{ type: "text", text: `<system>\n${text(m.content)}\n</system>` }]);
    else if (m.role === "user") push("user", userBlocks(m.content, i));
    else if (m.role === "assistant") push("assistant", assistantBlocks(m, i));
    else if (m.role === "tool") push("user", [{ type: "tool_result", tool_use_id: m.tool_call_id, content: text(m.content) || "(no output)" }]);
  }
  // tool results lead their user turn; every tool_use is answered in the next user turn
  for (let k = 0; k < out.length; k++) {
    const m = out[k]!;
    if (m.role === "user") m.content.sort((a: Body, b: Body) => Number(b.type === "tool_result") - Number(a.type === "tool_result"));
    if (m.role !== "assistant") continue;
    const calls = m.content.filter((b: Body) => b.type === "tool_use").map((b: Body) => b.id);
    if (!calls.length) continue;
    let next = out[k + 1];
    if (next?.role !== "user") out.splice(k + 1, 0, (next = { role: "user", content: [] }));
    const answered = new Set(next.content.filter((b: Body) => b.type === "tool_result").map((b: Body) => b.tool_use_id));
    const missing = calls
      .filter((id: string) => !answered.has(id))
      .map((id: string) => ({ type: "tool_result", tool_use_id: id, content: "(no result)", is_error: true }));
    next.content.unshift(...missing);
  }
  if (out[0]?.role === "assistant") out.unshift({ role: "user", content: [{ type: "text", text: "." }] });
  return { system, messages: out };
}

function toolChoice(choice: unknown, parallel: unknown): Body | undefined {
  let out: Body | undefined;
  if (choice === "none") out = { type: "none" };
  else if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice && typeof choice === "object" && (choice as Body).type === "function") out = { type: "tool", name: (choice as Body).function?.name };
  if (parallel === false && out?.type !== "none") out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}

/**
 * A json_schema response_format: Anthropic's output_config.format (the answer is the JSON text), or a tool whose
 * input is the answer; returns that tool's name.
 */
function structuredOutput(out: Body, format: Body, mode: StructuredOutput): string | undefined {
  const spec = format.json_schema;
  if (!spec || typeof spec !== "object" || !spec.schema || typeof spec.schema !== "object" || Array.isArray(spec.schema)) {
    throw new GatewayError("invalid_request", "response_format.json_schema.schema must be a JSON schema object", { param: "response_format.json_schema" });
  }
  if (mode === "output_config") {
    out.output_config = { ...out.output_config, format: { type: "json_schema", schema: spec.schema } };
    return undefined;
  }
  const name = typeof spec.name === "string" && /^[a-zA-Z0-9_-]{1,64}$/.test(spec.name) ? spec.name : "json_answer";
  const description = `Give your final answer by calling this tool; its input is the answer.${spec.description ? ` ${spec.description}` : ""}`;
  (out.tools ??= []).push({ name, description, input_schema: spec.schema });
  out.tool_choice = out.tools.length === 1 ? { type: "tool", name } : { type: "any" };
  return name;
}

/** Converts the request body; `defaultMaxTokens` applies when the client sent none. */
export function chatFromMessagesRequest(
  body: Body,
  defaultMaxTokens = 8192,
  structured: StructuredOutput = "output_config",
  carryState = false,
  autoCache = false,
): { body: Body; ctx: ChatContext } {
  if (!Array.isArray(body.messages)) throw new GatewayError("invalid_request", "messages: field required", { param: "messages" });
  checkMessageShapes(body.messages, ["system", "developer", "user", "assistant", "tool"]);
  if (typeof body.n === "number" && body.n > 1) throw new GatewayError("invalid_request", "n > 1 is not supported by this backend", { param: "n" });
  if (body.logprobs === true) throw new GatewayError("invalid_request", "logprobs are not supported by this backend", { param: "logprobs" });
  if (body.functions !== undefined || body.function_call !== undefined)
    throw new GatewayError("invalid_request", "functions and function_call (deprecated) are not supported by this backend: use tools", { param: "functions" });
  if (Array.isArray(body.modalities) && body.modalities.includes("audio"))
    throw new GatewayError("invalid_request", "audio output is not supported by this backend", { param: "modalities" });
  const { system, messages } = convertMessages(carryState ? body.messages : withoutClientState(body.messages));
  const out: Body = { model: body.model, max_tokens: requestedOutputTokens("openai.chat", body) ?? defaultMaxTokens, messages };
  if (system.length) out.system = system;
  if (typeof body.temperature === "number") out.temperature = Math.min(1, Math.max(0, body.temperature));
  if (typeof body.top_p === "number") out.top_p = body.top_p;
  const stop = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  const stops = stop.filter((s: unknown) => typeof s === "string" && s.trim() !== "");
  if (stops.length) out.stop_sequences = stops;
  if (body.stream === true) out.stream = true;
  const tools = (Array.isArray(body.tools) ? body.tools : []).filter((t: Body, i: number) => {
    if (!t || typeof t !== "object") throw new GatewayError("invalid_request", `tools[${i}] must be an object`, { param: `tools[${i}]` });
    if (t.type === "function" && (!t.function || typeof t.function !== "object" || typeof t.function.name !== "string")) {
      throw new GatewayError("invalid_request", `tools[${i}].function must be an object with a name`, { param: `tools[${i}].function` });
    }
    return t.type === "function";
  });
  if (tools.length) {
    out.tools = tools.map((t: Body) => ({
      name: t.function.name,
      description: t.function.description ?? "",
      input_schema: t.function.parameters ?? { type: "object", properties: {} },
      ...(t.function.strict === true ? { strict: true } : {}),
    }));
    const tc = toolChoice(body.tool_choice, body.parallel_tool_calls);
    if (tc) out.tool_choice = tc;
  }
  const outputTool = body.response_format?.type === "json_schema" ? structuredOutput(out, body.response_format, structured) : undefined;
  const effort = body.reasoning_effort;
  if (typeof effort === "string" && effort !== "none" && BUDGET[effort]) {
    const budget = BUDGET[effort]!;
    out.thinking = { type: "enabled", budget_tokens: budget };
    if (out.max_tokens <= budget) out.max_tokens = budget + 1024;
    delete out.temperature;
    delete out.top_p;
    if (out.tool_choice && (out.tool_choice.type === "any" || out.tool_choice.type === "tool")) out.tool_choice = { type: "auto" };
    // Anthropic wants the assistant turn a tool result continues to start with its thinking; without it, no thinking
    const last = [...out.messages].reverse().find((m: Body) => m.role === "assistant");
    const continuing = out.messages.at(-1)?.content?.some?.((b: Body) => b.type === "tool_result");
    if (continuing && last && last.content[0]?.type !== "thinking" && last.content.some((b: Body) => b.type === "tool_use")) delete out.thinking;
  }
  if (body.response_format?.type === "json_object") {
    (out.system ??= []).push({ type: "text", text: "Reply with a single valid JSON object and nothing else." });
  }
  const user = body.safety_identifier ?? body.user;
  if (typeof user === "string") out.metadata = { user_id: user };
  if (autoCache) addCacheBreakpoints(out);
  return {
    body: out,
    ctx: {
      requestedModel: String(body.model ?? ""),
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      outputTool,
      carryState,
    },
  };
}
