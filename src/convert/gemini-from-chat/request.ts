// A Gemini request (generateContent) as a hub request: contents as messages (function results paired with their
// calls), the system instruction, function declarations, the function calling mode, generationConfig and
// thinking. A field only Google can serve is refused with a 400 naming it; one with no meaning here is dropped.
import { GatewayError } from "../../core";
import type { HubPart, HubRequest, HubRequestMessage, HubTool, HubToolCall } from "../../protocols/openai-chat/hub";
import { SAME_FIELDS } from "../../protocols/google-gemini";
import { ToolNames } from "../ids";
import { emitReasoning, mergeUsers, repairToolPairs } from "../messages-from-chat";
import type { BackendProfile } from "../profile";
import type { SearchResult } from "../web-search";
import { modelParts, partError, resultContent, userPart } from "./parts";
import { jsonSchemaOf, toolParameters } from "./schema";

type Body = Record<string, any>;

/** What the answer side needs to know of the request. */
export interface GeminiContext {
  /** The model the client named in the path (answers echo it). */
  requestedModel: string;
  stream: boolean;
  /** Thought parts are shown only when the request asked for them. */
  includeThoughts: boolean;
  toolNames: ToolNames;
  requestId?: string;
  /** The request asked for Google Search, which the gateway runs on its search service (`profile.web_search`). */
  googleSearch?: boolean;
  /** What that search found: the answer's groundingMetadata. */
  grounding?: { query: string; results: SearchResult[] };
}

const unsupported = (field: string, why: string) =>
  new GatewayError("invalid_request", `${field} is not supported on this gateway: ${why}`, { param: field, code: "INVALID_ARGUMENT" });

/** The hub request for a Gemini request to `model`, streamed or not. */
export function geminiToHubRequest(body: Body, model: string, stream: boolean, profile: BackendProfile): { body: HubRequest; ctx: GeminiContext } {
  if (body.cachedContent !== undefined) throw unsupported("cachedContent", "it names a cache stored at Google");
  if (body.continuationToken !== undefined) throw unsupported("continuationToken", "this gateway never answers CONTINUATION");
  const names = new ToolNames(profile.toolNameMax);
  const messages: HubRequestMessage[] = [];
  const system = systemText(body.systemInstruction);
  if (system) messages.push({ role: "system", content: system });
  messages.push(...contentMessages(body.contents, names, profile));
  const g: Body = body.generationConfig && typeof body.generationConfig === "object" ? body.generationConfig : {};
  const out: HubRequest = { model, messages };
  if (stream) {
    out.stream = true;
    if (profile.streamUsage) out.stream_options = { include_usage: true };
  }
  const googleSearch = tools(body, names, out, profile.webSearch);
  generation(g, profile, out);
  const thinking = g.thinkingConfig && typeof g.thinkingConfig === "object" ? g.thinkingConfig : undefined;
  if (thinking) emitReasoning(out, thinkingEffort(thinking), undefined, profile);
  const ctx: GeminiContext = { requestedModel: model, stream, includeThoughts: thinking?.includeThoughts === true, toolNames: names };
  if (googleSearch) ctx.googleSearch = true;
  return { body: out, ctx };
}

function systemText(sys: unknown): string {
  if (typeof sys === "string") return sys;
  if (!sys || typeof sys !== "object") return "";
  const parts = Array.isArray((sys as Body).parts) ? (sys as Body).parts : [];
  return parts
    .map((p: Body, i: number) => {
      if (typeof p?.text === "string") return p.text;
      throw partError(`systemInstruction.parts[${i}]`, "only text parts are read in a system instruction");
    })
    .filter(Boolean)
    .join("\n\n");
}

/** The contents as hub messages: user contents (results first), model contents (one assistant message each). */
function contentMessages(contents: unknown, names: ToolNames, profile: BackendProfile): HubRequestMessage[] {
  if (!Array.isArray(contents) || contents.length === 0) throw partError("contents", "contents is not specified");
  const out: HubRequestMessage[] = [];
  let lastCalls: HubToolCall[] = []; // the calls of the latest model content, for results that name no id
  contents.forEach((c: Body, ci: number) => {
    const parts: Body[] = Array.isArray(c?.parts) ? c.parts : [];
    const role = c?.role ?? "user";
    if (role === "model") {
      const m = modelParts(parts, ci);
      const calls = m.calls.map((call) => ({ ...call, function: { ...call.function, name: names.toUpstream(call.function.name) } }));
      const msg: HubRequestMessage = { role: "assistant", content: m.text || (calls.length ? null : "") };
      if (m.reasoning) msg.reasoning_content = m.reasoning;
      if (m.state && profile.reasoningState) {
        msg.reasoning_opaque = m.state.state; // another backend's reasoning state, carried by the client in a signature (only to a backend half that reads it)
        if (m.state.text !== undefined) msg.reasoning_content = m.state.text; // the exact text the state is bound to
      }
      if (calls.length) msg.tool_calls = calls;
      if (m.text || calls.length || m.reasoning || msg.reasoning_opaque) out.push(msg);
      lastCalls = calls;
      return;
    }
    if (role !== "user" && role !== "function")
      throw new GatewayError("invalid_request", "Please use a valid role: user, model.", { param: `contents[${ci}].role` });
    const userParts: HubPart[] = [];
    const open = [...lastCalls];
    parts.forEach((p, pi) => {
      if (p?.functionResponse && typeof p.functionResponse === "object") {
        const r = p.functionResponse;
        const at = pairedCall(open, r, names);
        const id = at >= 0 ? open.splice(at, 1)[0]!.id : typeof r.id === "string" && r.id ? r.id : `gr_${ci}_${pi}`;
        out.push({ role: "tool", tool_call_id: id, content: resultContent(r) });
        const media = (Array.isArray(r.parts) ? r.parts : []).flatMap((m: Body, mi: number) =>
          userPart(m ?? {}, `contents[${ci}].parts[${pi}].functionResponse.parts[${mi}]`, profile),
        );
        if (media.length) userParts.push({ type: "text", text: `[output of tool ${id}]` }, ...media); // a result's images: in the user message after the results
      } else userParts.push(...userPart(p ?? {}, `contents[${ci}].parts[${pi}]`, profile));
    });
    lastCalls = [];
    if (userParts.length) out.push({ role: "user", content: userParts });
  });
  return mergeAssistants(mergeUsers(repairToolPairs(out as never) as never) as HubRequestMessage[]);
}

/** The open call a function result answers: by id, else the first of the same name, else the first. */
function pairedCall(open: HubToolCall[], r: Body, names: ToolNames): number {
  const byId = typeof r.id === "string" ? open.findIndex((c) => c.id === r.id) : -1;
  if (byId >= 0) return byId;
  const name = names.toUpstream(String(r.name ?? ""));
  const byName = open.findIndex((c) => c.function.name === name);
  return byName >= 0 ? byName : open.length ? 0 : -1;
}

/** Consecutive model contents merged into one assistant message (Gemini allows them; chat backends do not). */
function mergeAssistants(list: HubRequestMessage[]): HubRequestMessage[] {
  const out: HubRequestMessage[] = [];
  for (const m of list) {
    const prev = out[out.length - 1];
    if (prev?.role === "assistant" && m.role === "assistant" && !prev.tool_calls) {
      prev.content = `${prev.content ?? ""}${m.content ?? ""}` || (m.tool_calls ? null : "");
      if (m.tool_calls) prev.tool_calls = m.tool_calls;
      if (m.reasoning_content) prev.reasoning_content = [prev.reasoning_content, m.reasoning_content].filter(Boolean).join("\n\n");
    } else out.push(m);
  }
  return out;
}

const GOOGLE_TOOLS = [
  "googleSearch",
  "googleSearchRetrieval",
  "codeExecution",
  "urlContext",
  "googleMaps",
  "fileSearch",
  "retrieval",
  "computerUse",
  "mcpServers",
  "enterpriseWebSearch",
];

/**
 * Function declarations as hub tools, and the calling mode as tool_choice; true when the request asks for Google
 * Search and the gateway can run it (`search`: a search service is configured).
 */
function tools(body: Body, names: ToolNames, out: HubRequest, search: boolean): boolean {
  const list: HubTool[] = [];
  const seen = new Set<string>();
  let googleSearch = false;
  (Array.isArray(body.tools) ? body.tools : []).forEach((t: Body, i: number) => {
    for (const key of Object.keys(t ?? {})) {
      if (key === "functionDeclarations") continue;
      if (key === "googleSearch" && search) {
        googleSearch = true;
        continue;
      }
      const why =
        key === "googleSearch"
          ? "it runs at Google, or on a search service the backend's profile.web_search names"
          : GOOGLE_TOOLS.includes(key)
            ? "it runs only at Google"
            : "it is not a function declaration";
      throw unsupported(`tools[${i}].${key}`, why);
    }
    for (const d of Array.isArray(t.functionDeclarations) ? t.functionDeclarations : []) {
      const name = String(d?.name ?? "");
      if (!name) throw partError(`tools[${i}].functionDeclarations.name`, "a function needs a name");
      if (seen.has(name)) throw partError(`tools[${i}].functionDeclarations`, `duplicate function name ${name.slice(0, 128)}`);
      seen.add(name);
      const fn: HubTool["function"] = { name: names.toUpstream(name), parameters: toolParameters(d) };
      if (typeof d.description === "string") fn.description = d.description;
      list.push({ type: "function", function: fn });
    }
  });
  const cfg: Body = body.toolConfig?.functionCallingConfig ?? {};
  const allowed: string[] = Array.isArray(cfg.allowedFunctionNames) ? cfg.allowedFunctionNames.map((n: unknown) => names.toUpstream(String(n))) : [];
  const kept = allowed.length ? list.filter((t) => allowed.includes(t.function.name)) : list;
  if (!kept.length) return googleSearch;
  out.tools = kept;
  const mode = String(cfg.mode ?? "AUTO");
  if (mode === "NONE") out.tool_choice = "none";
  else if (mode === "ANY") out.tool_choice = allowed.length === 1 ? { type: "function", function: { name: allowed[0] } } : "required";
  return googleSearch;
}

/** generationConfig as the hub's sampling, length and format fields. */
function generation(g: Body, profile: BackendProfile, out: HubRequest): void {
  if (typeof g.candidateCount === "number" && g.candidateCount > 1) throw unsupported("generationConfig.candidateCount", "one candidate is answered");
  if (g.responseLogprobs === true || g.logprobs !== undefined) throw unsupported("generationConfig.responseLogprobs", "log probabilities are not converted");
  if (Array.isArray(g.responseModalities) && g.responseModalities.some((m: unknown) => String(m).toUpperCase() !== "TEXT"))
    throw unsupported("generationConfig.responseModalities", "only TEXT is answered");
  if (!profile.fixedTemperature) {
    if (typeof g.temperature === "number") out.temperature = g.temperature;
    if (typeof g.topP === "number") out.top_p = g.topP;
  }
  if (typeof g.topK === "number" && profile.topK) out.top_k = g.topK;
  const cap = typeof g.maxOutputTokens === "number" ? g.maxOutputTokens : undefined;
  if (cap !== undefined) out[profile.maxTokensField] = profile.maxOutputTokens > 0 ? Math.min(cap, profile.maxOutputTokens) : cap;
  if (Array.isArray(g.stopSequences)) {
    const stop = g.stopSequences.filter((s: unknown) => typeof s === "string").slice(0, profile.maxStop);
    if (stop.length) out.stop = stop;
  }
  for (const [chat, gemini] of SAME_FIELDS) if (typeof g[gemini] === "number") out[chat] = g[gemini];
  const schema = g.responseJsonSchema ?? g.responseSchema;
  if (g.responseMimeType === "application/json") {
    out.response_format = schema
      ? { type: "json_schema", json_schema: { name: "response", schema: jsonSchemaOf(schema), strict: false } }
      : { type: "json_object" };
  }
}

/** A thinkingConfig as a reasoning effort (undefined: off). */
function thinkingEffort(t: Body): string | undefined {
  if (typeof t.thinkingLevel === "string") return t.thinkingLevel.toLowerCase();
  const budget = t.thinkingBudget;
  if (typeof budget !== "number") return t.includeThoughts ? "medium" : undefined;
  if (budget === 0) return undefined;
  if (budget < 0) return "medium";
  return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
}
