// Anthropic Messages request → OpenAI Chat Completions request (docs/conversion.md).
import { GatewayError } from "../../core";
import { clampEffort, DEFAULT_EFFORTS } from "../efforts";
import { sha256hex, ToolNames } from "../ids";
import type { BackendProfile } from "../profile";
import { convertMessages } from "./messages";
import type { HubRequest, HubTool } from "../../protocols/openai-chat/hub";
import { checkMessageShapes } from "../message-shapes";

/** What the response converters need to know about the request. */
export interface MessagesContext {
  requestedModel: string;
  toolNames: ToolNames;
  stop: string[];
  stream: boolean;
  /** Rough input-token count, for message_start before the upstream reports usage. */
  inputEstimate: number;
  /** The gateway's request id, for error events (as Anthropic's carry theirs). */
  requestId?: string;
  /** The web_search server tool the gateway runs for this request (its function has the tool's name). */
  webSearch?: WebSearchTool;
  /** The max_tokens sent upstream (to word context errors that leave it out). */
  maxTokens?: number;
}

/** Anthropic's web_search server tool, as the gateway runs it: its name, its use limit and its domain filters. */
export interface WebSearchTool {
  name: string;
  maxUses?: number;
  allowedDomains?: string[];
  blockedDomains?: string[];
}

type Body = Record<string, any>;

const SERVER_TOOL = /^(web_search|web_fetch|code_execution|tool_search_tool|bash_code_execution|text_editor_code_execution|computer|mcp_toolset)/;

const domains = (v: unknown) => (Array.isArray(v) ? v.filter((d): d is string => typeof d === "string" && d !== "").slice(0, 100) : undefined);

/**
 * A server tool: web_search becomes a function the gateway answers (with profile.web_search), tool search is
 * left out (every deferred tool is sent instead); any other is refused, naming it: it runs only at Anthropic.
 */
function serverTool(t: Body, i: number, profile: BackendProfile): { fn?: HubTool; webSearch?: WebSearchTool } {
  if (t.type.startsWith("tool_search_tool")) return {};
  if (t.type.startsWith("web_search") && profile.webSearch) {
    const name = typeof t.name === "string" && t.name ? t.name : "web_search";
    const parameters = { type: "object", properties: { query: { type: "string", description: "The search query" } }, required: ["query"] };
    const fn: HubTool = {
      type: "function",
      function: { name, description: "Search the web. Results come back as a numbered list of title, URL and excerpt.", parameters },
    };
    const maxUses = Number.isInteger(t.max_uses) && t.max_uses > 0 ? t.max_uses : undefined;
    return { fn, webSearch: { name, maxUses, allowedDomains: domains(t.allowed_domains), blockedDomains: domains(t.blocked_domains) } };
  }
  // Claude Code's WebSearch shows its user only "Did 0 searches": this message reaches the user through the model
  const message = t.type.startsWith("web_search")
    ? `Web search is not available on this model's backend. tools[${i}]: ${t.type} is a server tool that runs only at Anthropic, not on this backend; give the backend a search service (profile.web_search) to have the gateway run it`
    : `tools[${i}]: ${t.type} is a server tool that runs only at Anthropic, not on this backend`;
  throw new GatewayError("invalid_request", message, {
    param: `tools[${i}]`,
  });
}

/** Tools → OpenAI functions; server tools as serverTool says. */
function convertTools(tools: unknown, names: ToolNames, profile: BackendProfile, found: { webSearch?: WebSearchTool }): HubTool[] {
  if (!Array.isArray(tools)) return [];
  const out: HubTool[] = [];
  for (const [i, t] of (tools as Body[]).entries()) {
    if (typeof t?.type === "string" && t.type !== "custom" && SERVER_TOOL.test(t.type)) {
      const { fn, webSearch } = serverTool(t, i, profile);
      if (fn) out.push(fn);
      if (webSearch) found.webSearch = webSearch;
      continue;
    }
    if (typeof t?.type === "string" && t.type !== "custom" && !t.input_schema) {
      // Anthropic-defined client tools (bash_*, text_editor_*, computer_*, memory_*): their schema lives at Anthropic
      throw new GatewayError("invalid_request", `tool type ${t.type} has no schema this backend could use; define it as a custom tool`, { param: "tools" });
    }
    const fn: HubTool["function"] = { name: names.toUpstream(String(t.name)), description: t.description ?? "", parameters: sanitizeSchema(t.input_schema) };
    if (t.strict === true) fn.strict = true;
    out.push({ type: "function", function: fn });
  }
  return out;
}

/** A JSON schema an OpenAI server accepts as function parameters. */
export function sanitizeSchema(schema: unknown): Body {
  const s: Body = schema && typeof schema === "object" ? { ...(schema as Body) } : {};
  delete s.$schema;
  s.type = "object";
  s.properties ??= {};
  if (Array.isArray(s.required) && s.required.length === 0) delete s.required;
  return s;
}

function toolChoice(choice: Body | undefined, names: ToolNames): { tool_choice?: unknown; parallel?: false } {
  if (!choice || typeof choice !== "object") return {};
  const parallel = choice.disable_parallel_tool_use === true ? (false as const) : undefined;
  switch (choice.type) {
    case "auto":
      return { tool_choice: "auto", parallel };
    case "any":
      return { tool_choice: "required", parallel };
    case "none":
      return { tool_choice: "none" };
    case "tool":
      return { tool_choice: { type: "function", function: { name: names.toUpstream(String(choice.name)) } }, parallel };
    default:
      return {};
  }
}

/** The reasoning effort a thinking request asks for, or undefined when it asks for none. */
export function thinkingEffort(body: Body): string | undefined {
  const t = body.thinking;
  if (!t || t.type === "disabled") return undefined;
  if (t.type === "adaptive") return body.output_config?.effort ?? "medium";
  if (t.type === "enabled") {
    const n = Number(t.budget_tokens ?? 0);
    return n < 4096 ? "low" : n < 16384 ? "medium" : "high";
  }
  return undefined;
}

function applyReasoning(out: Body, body: Body, profile: BackendProfile): void {
  emitReasoning(out, thinkingEffort(body), body.thinking?.budget_tokens, profile);
}

/** Writes a reasoning effort (undefined: reasoning off) the way the backend's profile says to. */
export function emitReasoning(out: Body, effort: string | undefined, budget: number | undefined, profile: BackendProfile): void {
  const e = effort === undefined ? undefined : clampEffort(effort, profile.reasoningEfforts ?? DEFAULT_EFFORTS);
  const on = e !== undefined && e !== "none";
  switch (profile.reasoningParam) {
    case "reasoning_effort":
      if (e) out.reasoning_effort = e;
      break;
    case "openrouter":
      out.reasoning = on ? (budget ? { max_tokens: budget } : { effort: e }) : { enabled: false };
      break;
    case "thinking_object":
      out.thinking = { type: on ? "enabled" : "disabled" };
      break;
    case "enable_thinking":
      out.enable_thinking = on;
      if (on && budget) out.thinking_budget = budget;
      break;
    case "chat_template_kwargs":
      out.chat_template_kwargs = { enable_thinking: on };
      break;
  }
}

/** A schema for OpenAI's strict mode: every object closed (additionalProperties: false) with all its keys required. */
export function strictSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== "object") return schema;
  const out: Body = {};
  for (const [k, v] of Object.entries(schema as Body))
    out[k] = k === "properties" && v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strictSchema(s)])) : strictSchema(v);
  if (out.type === "object" || out.properties) {
    out.additionalProperties = false;
    out.required = Object.keys(out.properties ?? {});
  }
  return out;
}

/** Converts the request body; throws invalid_request for what cannot be converted. */
export function messagesFromChatRequest(body: Body, profile: BackendProfile, estimate: number): { body: HubRequest; ctx: MessagesContext } {
  if (!Array.isArray(body.messages)) throw new GatewayError("invalid_request", "messages: field required", { param: "messages" });
  checkMessageShapes(body.messages, ["user", "assistant", "system"]);
  if (Array.isArray(body.mcp_servers) && body.mcp_servers.length)
    throw new GatewayError("invalid_request", "mcp_servers cannot be used with this backend", { param: "mcp_servers" });
  const names = new ToolNames(profile.toolNameMax);
  const stop = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s: unknown) => typeof s === "string").slice(0, profile.maxStop) : [];
  const out: HubRequest = { model: String(body.model ?? "").replace(/\[1m\]$/, ""), messages: convertMessages(body.system, body.messages, profile, names) };
  if (typeof body.max_tokens === "number") {
    out[profile.maxTokensField] = profile.maxOutputTokens > 0 ? Math.min(body.max_tokens, profile.maxOutputTokens) : body.max_tokens;
  }
  if (!profile.fixedTemperature) {
    if (typeof body.temperature === "number") out.temperature = body.temperature;
    if (typeof body.top_p === "number") out.top_p = body.top_p;
  }
  if (profile.topK && typeof body.top_k === "number") out.top_k = body.top_k;
  if (stop.length) out.stop = stop;
  if (body.stream === true) {
    out.stream = true;
    if (profile.streamUsage) out.stream_options = { include_usage: true };
  }
  const server: { webSearch?: WebSearchTool } = {};
  const tools = convertTools(body.tools, names, profile, server);
  if (tools.length) {
    out.tools = tools;
    const { tool_choice, parallel } = toolChoice(body.tool_choice, names);
    if (tool_choice !== undefined) out.tool_choice = tool_choice;
    if (parallel === false && profile.parallelToolCallsParam) out.parallel_tool_calls = false;
  }
  applyReasoning(out, body, profile);
  if (body.output_config?.format?.type === "json_schema") {
    out.response_format = { type: "json_schema", json_schema: { name: "output", schema: strictSchema(body.output_config.format.schema), strict: true } };
  }
  if (profile.safetyIdentifier && typeof body.metadata?.user_id === "string") out.safety_identifier = sha256hex(body.metadata.user_id).slice(0, 64);
  return {
    body: out,
    ctx: {
      requestedModel: String(body.model ?? ""),
      toolNames: names,
      stop,
      stream: body.stream === true,
      inputEstimate: estimate,
      maxTokens: out[profile.maxTokensField] as number | undefined,
      ...server,
    },
  };
}
