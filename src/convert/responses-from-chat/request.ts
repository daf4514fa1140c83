// OpenAI Responses request → OpenAI Chat Completions request (docs/conversion.md): the flat item list becomes
// chat messages (the model's consecutive items one assistant message, tool outputs `tool` messages), tools
// become functions (tools.ts). The gateway stores nothing, so stateful fields are refused, naming them.
import { GatewayError } from "../../core";
import { thinkingState } from "../ids";
import { emitReasoning, mergeUsers, repairToolPairs, type ChatMessage } from "../messages-from-chat";
import type { BackendProfile } from "../profile";
import { ResponsesTools, chatToolChoice, chatTools } from "./tools";
import type { HubPart, HubRequest } from "../../protocols/openai-chat/hub";

type Body = Record<string, any>;

/** What the answer converters need to know about a Responses request. */
export interface ResponsesContext {
  requestedModel: string;
  tools: ResponsesTools;
  stream: boolean;
  /** The client asked for reasoning.encrypted_content in answers. */
  includeEncrypted: boolean;
  /** Request fields the Response object echoes. */
  echo: Body;
  /** A rough input-token count, for an upstream that reports no usage (computed only then). */
  inputEstimate: () => number;
  requestId?: string;
}

const refuse = (param: string, what: string) =>
  new GatewayError(
    "invalid_request",
    `${what} is not supported on this model: its backend does not speak the Responses API and the gateway stores no responses. Send store: false and the whole conversation in input`,
    { param, code: "unsupported_parameter" },
  );

/** Refuses what needs a stored response. */
function checkStateless(body: Body, profile: BackendProfile): void {
  if (body.store === true && profile.storeTrue === "reject") throw refuse("store", "store: true");
  if (body.previous_response_id != null) throw refuse("previous_response_id", "previous_response_id");
  if (body.conversation != null) throw refuse("conversation", "conversation");
  if (body.background === true) throw refuse("background", "background: true");
  if (body.prompt != null) throw refuse("prompt", "a stored prompt");
}

/** Text of a content value: a string, or the text parts of a list. */
function partsText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((p: Body) => typeof p?.text === "string")
    .map((p: Body) => p.text)
    .join("\n");
}

/** User-side parts → chat parts (text, images, PDF files). */
function userParts(content: unknown, at: string, profile: BackendProfile): HubPart[] {
  if (typeof content === "string") return content.trim() ? [{ type: "text", text: content }] : [];
  const out: HubPart[] = [];
  (Array.isArray(content) ? content : []).forEach((p: Body, j: number) => {
    const param = `${at}.content[${j}]`;
    if ((p?.type === "input_text" || p?.type === "output_text" || p?.type === "text") && typeof p.text === "string") {
      if (p.text !== "") out.push({ type: "text", text: p.text });
    } else if (p?.type === "input_image") {
      if (p.file_id)
        throw new GatewayError("invalid_request", "file_id images cannot be sent to this backend", { param: `${param}.file_id`, code: "unsupported_value" });
      if (!profile.vision) out.push({ type: "text", text: "[image omitted: backend has no vision]" });
      else
        out.push({
          type: "image_url",
          image_url: { url: String(p.image_url ?? ""), ...(p.detail ? { detail: p.detail === "original" ? "high" : p.detail } : {}) },
        });
    } else if (p?.type === "input_file") {
      if (p.file_id)
        throw new GatewayError("invalid_request", "file_id files cannot be sent to this backend", { param: `${param}.file_id`, code: "unsupported_value" });
      const pdf = typeof p.file_data === "string" && p.file_data.startsWith("data:application/pdf");
      if (pdf && profile.pdf) out.push({ type: "file", file: { filename: p.filename ?? "document.pdf", file_data: p.file_data } });
      else out.push({ type: "text", text: `[file ${p.filename ?? p.file_url ?? ""} omitted: backend cannot read it]` });
    } else if (p?.type === "input_audio") {
      throw new GatewayError("invalid_request", "audio input cannot be sent to this backend", { param, code: "unsupported_value" });
    }
  });
  return out;
}

/** Builds chat messages from Responses input items; the model's consecutive items make one assistant message. */
class MessageBuilder {
  readonly out: ChatMessage[] = [];
  private assistant: ChatMessage | undefined;
  private reasoning: string[] = [];
  private state: string | undefined; // the backend's reasoning state, from this gateway's gw2 encrypted_content

  constructor(
    private readonly profile: BackendProfile,
    private readonly tools: ResponsesTools,
  ) {}

  private turn(): ChatMessage {
    if (!this.assistant) {
      this.assistant = { role: "assistant", content: null };
      this.out.push(this.assistant);
    }
    return this.assistant;
  }

  /** Ends the model's turn: its text joined, its reasoning where the profile wants it back. */
  flush(): void {
    const a = this.assistant;
    if (!a) return;
    if (a.content === null && !a.tool_calls) a.content = "";
    if (a.content === null && !this.profile.assistantNullContent) a.content = "";
    if (this.reasoning.length && this.profile.reasoningHistory !== "drop") a[this.profile.reasoningHistory] = this.reasoning.join("\n\n");
    if (this.state) {
      a.reasoning_opaque = this.state; // read by the Anthropic converter below: the thinking block goes back as it was
      a.reasoning_content = this.reasoning.join("\n\n");
    }
    if (a.content === "" && !a.tool_calls) this.out.splice(this.out.indexOf(a), 1); // nothing said: no empty message
    this.assistant = undefined;
    this.reasoning = [];
    this.state = undefined;
  }

  add(item: Body, i: number): void {
    const type = item?.type ?? (item?.role ? "message" : undefined);
    const at = `input[${i}]`;
    if (type === "message" && item.role === "assistant") {
      const text = partsText(item.content);
      if (text.trim()) {
        const a = this.turn();
        a.content = a.content ? `${a.content}\n\n${text}` : text;
      }
    } else if (type === "message") {
      this.flush();
      if (item.role === "system" || item.role === "developer") {
        const text = partsText(item.content);
        if (text.trim()) this.out.push({ role: "system", content: text });
      } else {
        const parts = userParts(item.content, at, this.profile);
        if (parts.length) this.out.push({ role: "user", content: parts.length === 1 && parts[0]!.type === "text" ? parts[0]!.text : parts });
      }
    } else if (type === "reasoning") {
      const text =
        Array.isArray(item.content) && item.content.length ? partsText(item.content) : (item.summary ?? []).map((s: Body) => s?.text ?? "").join("\n\n");
      if (text.trim()) this.reasoning.push(text);
      this.state ??= thinkingState(item.encrypted_content, text);
      this.turn();
    } else if (type === "function_call" || type === "custom_tool_call" || type === "local_shell_call" || type === "tool_search_call") {
      this.call(item, type, at);
    } else if (type === "function_call_output" || type === "custom_tool_call_output" || type === "local_shell_call_output" || type === "tool_search_output") {
      this.flush();
      this.output(item, type, at);
    } else if (type === "item_reference") {
      throw refuse(at, "item_reference");
    }
    // web_search_call, compaction, image_generation_call, …: hosted or stored items, not replayable here
  }

  private call(item: Body, type: string, at: string): void {
    const kind =
      type === "custom_tool_call" ? "custom" : type === "local_shell_call" ? "local_shell" : type === "tool_search_call" ? "tool_search" : "function";
    const name = kind === "function" || kind === "custom" ? String(item.name ?? "") : kind;
    let args: string;
    if (kind === "custom") args = JSON.stringify({ input: String(item.input ?? "") });
    else if (kind === "local_shell") args = JSON.stringify({ ...item.action, type: undefined });
    else if (kind === "tool_search") args = JSON.stringify(item.arguments ?? {});
    else if (typeof item.arguments === "string") args = item.arguments;
    else throw new GatewayError("invalid_request", `${at}.arguments must be a string`, { param: `${at}.arguments`, code: "invalid_type" });
    const a = this.turn();
    const id = String(item.call_id ?? item.id ?? "");
    (a.tool_calls ??= []).push({ id, type: "function", function: { name: this.tools.wire(name, item.namespace, kind), arguments: args } });
  }

  private output(item: Body, type: string, at: string): void {
    const id = String(type === "local_shell_call_output" ? (item.call_id ?? item.id) : item.call_id);
    if (type === "tool_search_output") {
      this.out.push({ role: "tool", tool_call_id: id, content: JSON.stringify((item.tools ?? []).map((t: Body) => t?.name)) });
      return;
    }
    const o = item.output;
    if (typeof o === "string" || !Array.isArray(o)) {
      this.out.push({ role: "tool", tool_call_id: id, content: typeof o === "string" && o !== "" ? o : "(no output)" });
      return;
    }
    const media = userParts(
      o.filter((p: Body) => p?.type !== "input_text"),
      `${at}.output`,
      this.profile,
    );
    const text = partsText(o.filter((p: Body) => p?.type === "input_text"));
    this.out.push({ role: "tool", tool_call_id: id, content: text || (media.length ? "(see attached image)" : "(no output)") });
    if (media.length) this.out.push({ role: "user", content: [{ type: "text", text: `[output of tool ${id}]` }, ...media] });
  }
}

/** Converts a Responses request body; throws invalid_request for what cannot be converted. */
export function responsesFromChatRequest(
  body: Body,
  profile: BackendProfile,
  estimate: () => number,
): { body: HubRequest; ctx: ResponsesContext; dropped: string[] } {
  if (typeof body.model !== "string" || !body.model)
    throw new GatewayError("invalid_request", "model: field required", { param: "model", code: "missing_required_parameter" });
  if (typeof body.input !== "string" && !Array.isArray(body.input))
    throw new GatewayError("invalid_request", "input must be a string or a list of items", { param: "input", code: "invalid_type" });
  checkStateless(body, profile);
  const tools = new ResponsesTools(profile.toolNameMax);
  const dropped: string[] = [];
  const listed = (Array.isArray(body.input) ? body.input : []).flatMap((i: Body) =>
    (i?.type === "tool_search_output" || i?.type === "additional_tools") && Array.isArray(i.tools) ? i.tools : [],
  ); // tools a client-side tool search found: callable from now on
  const functions = chatTools([...(Array.isArray(body.tools) ? body.tools : []), ...listed], tools, dropped);
  if (dropped.length && profile.hostedTools === "reject") {
    const first = dropped[0]!;
    throw new GatewayError("invalid_request", `${first} is a tool only OpenAI runs; this model's backend cannot`, {
      param: first.split(" ")[0]!,
      code: "unsupported_value",
    });
  }
  const b = new MessageBuilder(profile, tools);
  const items: Body[] = typeof body.input === "string" ? [{ type: "message", role: "user", content: body.input }] : body.input;
  const system: string[] = typeof body.instructions === "string" && body.instructions.trim() ? [body.instructions] : [];
  let i = 0;
  for (; i < items.length && (items[i]?.role === "system" || items[i]?.role === "developer"); i++) {
    const text = partsText(items[i]!.content);
    if (text.trim()) system.push(text);
  }
  for (; i < items.length; i++) b.add(items[i]!, i);
  b.flush();
  const messages = mergeUsers(repairToolPairs(b.out));
  if (system.length) messages.unshift({ role: "system", content: system.join("\n\n") });
  const out: HubRequest = { model: body.model, messages, stream: true };
  if (profile.streamUsage) out.stream_options = { include_usage: true };
  const { choice, tools: allowed } = chatToolChoice(body.tool_choice, tools, functions);
  if (allowed.length) {
    out.tools = allowed;
    if (choice !== undefined) out.tool_choice = choice;
    if (typeof body.parallel_tool_calls === "boolean" && profile.parallelToolCallsParam) out.parallel_tool_calls = body.parallel_tool_calls;
  }
  if (typeof body.max_output_tokens === "number") {
    out[profile.maxTokensField] = profile.maxOutputTokens > 0 ? Math.min(body.max_output_tokens, profile.maxOutputTokens) : body.max_output_tokens;
  } else if (profile.maxOutputTokens > 0) out[profile.maxTokensField] = profile.maxOutputTokens;
  if (!profile.fixedTemperature) {
    if (typeof body.temperature === "number") out.temperature = body.temperature;
    if (typeof body.top_p === "number") out.top_p = body.top_p;
  }
  const r = body.reasoning;
  const effort = r && typeof r === "object" ? (r.effort === "none" ? undefined : typeof r.effort === "string" ? r.effort : "medium") : undefined;
  if (r && typeof r === "object") emitReasoning(out, effort, undefined, profile);
  const format = body.text?.format;
  if (format?.type === "json_object") out.response_format = { type: "json_object" };
  if (format?.type === "json_schema") {
    out.response_format = {
      type: "json_schema",
      json_schema: { name: format.name ?? "output", schema: format.schema, strict: format.strict ?? undefined, description: format.description },
    };
  }
  const echo: Body = {};
  for (const k of [
    "instructions",
    "max_output_tokens",
    "parallel_tool_calls",
    "reasoning",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_p",
    "metadata",
  ]) {
    if (body[k] !== undefined) echo[k] = body[k];
  }
  const includeEncrypted = Array.isArray(body.include) && body.include.includes("reasoning.encrypted_content");
  return { body: out, ctx: { requestedModel: body.model, tools, stream: body.stream === true, includeEncrypted, echo, inputEstimate: estimate }, dropped };
}
