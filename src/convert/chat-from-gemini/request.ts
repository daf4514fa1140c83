// A hub request as a Gemini request (generateContent): system messages as the system instruction, messages as
// contents (a turn's tool results as one user content of functionResponse parts, paired to the calls by id),
// tools as function declarations with JSON Schema, tool_choice as the calling mode, the sampling, length and
// format fields as generationConfig, a reasoning effort as thinkingConfig. Gemini 3 checks that the first call
// of each step of the current turn carries a thought signature: where the gateway has none, it sends the
// validator-skip value Google documents for that.
import { GatewayError } from "../../core";
import { SAME_FIELDS } from "../../protocols/google-gemini";
import { ToolNames } from "../ids";
import { repairToolPairs } from "../messages-from-chat";
import type { BackendProfile } from "../profile";
import { geminiParts, geminiSchema } from "./parts";
import { decodeGeminiState, splitSignedId } from "./state";
import { thinkingConfig } from "./thinking";

type Body = Record<string, any>;

/** What the answer side needs to know of the request. */
export interface GeminiBackendContext {
  requestedModel: string;
  stream: boolean;
  toolNames: ToolNames;
  /** Pass the model's thought signatures on as `reasoning_opaque`: only for the gateway's own client halves, never a client. */
  carryState?: boolean;
  /** Write a call's signature into its id, for a chat client (profile.thought_signature_in_tool_id). */
  signatureInId?: boolean;
}

/** The value Google accepts in place of a thought signature the caller does not have. */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

/** The Gemini request for a hub request, and the context its answer is read with. */
export function hubToGeminiRequest(body: Body, profile: BackendProfile, carryState = false): { body: Body; ctx: GeminiBackendContext } {
  if (!Array.isArray(body.messages)) throw new GatewayError("invalid_request", "messages: field required", { param: "messages" });
  if (typeof body.n === "number" && body.n > 1) throw new GatewayError("invalid_request", "n > 1 is not supported by this backend", { param: "n" });
  const names = new ToolNames(profile.toolNameMax);
  const model = String(body.model ?? "");
  // every call answered and every result paired before Gemini sees them: it wants as many responses as calls
  const out: Body = { contents: contents(repairToolPairs(body.messages as never) as Body[], names) }; // a null message throws: a 400
  const system = body.messages
    .filter(
      (m: Body, i: number) =>
        (m?.role === "system" || m?.role === "developer") && body.messages.slice(0, i).every((p: Body) => p?.role === "system" || p?.role === "developer"),
    )
    .map((m: Body) => textOf(m.content))
    .filter(Boolean);
  if (system.length) out.systemInstruction = { parts: [{ text: system.join("\n\n") }] };
  tools(body, names, out);
  out.generationConfig = generation(body, profile, model);
  const ctx: GeminiBackendContext = { requestedModel: model, stream: body.stream === true, toolNames: names, carryState };
  if (!carryState && profile.thoughtSignatureInToolId) ctx.signatureInId = true;
  return { body: out, ctx };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  return (Array.isArray(content) ? content : []).map((p: Body) => (typeof p?.text === "string" ? p.text : "")).join("");
}

/** The messages after the leading system ones, as contents; consecutive contents of one role merged. */
function contents(messages: Body[], names: ToolNames): Body[] {
  const out: Body[] = [];
  const calls = new Map<string, string>(); // call id → the function's name, for results
  let leading = true;
  const push = (role: "user" | "model", parts: Body[]) => {
    if (!parts.length) return;
    const last = out[out.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  };
  for (const m of messages) {
    const role = m?.role;
    if ((role === "system" || role === "developer") && leading) continue;
    leading = false;
    if (role === "system" || role === "developer") push("user", [{ text: `<system>\n${textOf(m.content)}\n</system>` }]);
    else if (role === "user") push("user", geminiParts(m.content));
    else if (role === "tool") {
      const id = splitSignedId(String(m.tool_call_id ?? "")).id;
      push("user", [{ functionResponse: { id, name: calls.get(id) ?? "unknown", response: { output: textOf(m.content) || "(no output)" } } }]);
    } else if (role === "assistant") push("model", modelParts(m, names, calls));
  }
  if (out[0]?.role === "model") out.unshift({ role: "user", parts: [{ text: "." }] });
  markCurrentTurn(out);
  return out;
}

/** An assistant message as model parts: a thought carrying its signature, its text, then its calls (signed as the model signed them). */
function modelParts(m: Body, names: ToolNames, calls: Map<string, string>): Body[] {
  const parts: Body[] = [];
  const state = decodeGeminiState(m.reasoning_opaque);
  if (state?.h) parts.push({ text: textOf(m.reasoning_content) || ".", thought: true, thoughtSignature: state.h });
  const text = textOf(m.content);
  if (text.trim()) parts.push(state?.x ? { text, thoughtSignature: state.x } : { text });
  for (const tc of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    let args: unknown;
    try {
      args = JSON.parse(tc.function?.arguments || "{}");
    } catch {
      throw new GatewayError("invalid_request", "a tool call's arguments are not JSON", { param: "messages" });
    }
    if (!args || typeof args !== "object" || Array.isArray(args))
      throw new GatewayError("invalid_request", "a tool call's arguments must be a JSON object", { param: "messages" });
    const name = names.toUpstream(String(tc.function?.name ?? ""));
    const signed = splitSignedId(String(tc.id ?? "")); // a signature a chat client kept in the id
    calls.set(signed.id, name);
    const sig = state?.c?.[String(parts.filter((p) => p.functionCall).length)] ?? signed.signature;
    parts.push(sig ? { functionCall: { id: signed.id, name, args }, thoughtSignature: sig } : { functionCall: { id: signed.id, name, args } });
  }
  return parts;
}

/** The first call of each model content after the last user text carries a signature (Gemini 3 refuses the turn otherwise). */
function markCurrentTurn(list: Body[]): void {
  let start = 0;
  list.forEach((c, i) => {
    if (c.role === "user" && c.parts.some((p: Body) => typeof p.text === "string") && !c.parts.some((p: Body) => p.functionResponse)) start = i;
  });
  for (const c of list.slice(start)) {
    const call = c.role === "model" ? c.parts.find((p: Body) => p.functionCall) : undefined;
    if (call && !call.thoughtSignature) call.thoughtSignature = SKIP_SIGNATURE;
  }
}

/** Function tools as one Tool of declarations, and tool_choice as the calling mode. */
function tools(body: Body, names: ToolNames, out: Body): void {
  const decls = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t: Body) => t?.type === "function" && t.function?.name)
    .map((t: Body) => {
      const d: Body = { name: names.toUpstream(String(t.function.name)) };
      if (typeof t.function.description === "string") d.description = t.function.description;
      const params = t.function.parameters;
      if (params && typeof params === "object" && Object.keys(params.properties ?? {}).length) d.parametersJsonSchema = geminiSchema(params);
      return d;
    });
  if (!decls.length) return;
  out.tools = [{ functionDeclarations: decls }];
  const choice = body.tool_choice;
  const mode = choice === "none" ? "NONE" : choice === "required" || (choice && typeof choice === "object") ? "ANY" : "AUTO";
  const cfg: Body = { mode };
  if (choice && typeof choice === "object" && choice.function?.name) cfg.allowedFunctionNames = [names.toUpstream(String(choice.function.name))];
  out.toolConfig = { functionCallingConfig: cfg };
}

/** Sampling, length, stops, format and thinking. */
function generation(body: Body, profile: BackendProfile, model: string): Body {
  const g: Body = {};
  if (!profile.fixedTemperature) {
    if (typeof body.temperature === "number") g.temperature = body.temperature;
    if (typeof body.top_p === "number") g.topP = body.top_p;
  }
  if (typeof body.top_k === "number") g.topK = body.top_k;
  const cap = body.max_completion_tokens ?? body.max_tokens;
  if (typeof cap === "number") g.maxOutputTokens = profile.maxOutputTokens > 0 ? Math.min(cap, profile.maxOutputTokens) : cap;
  const stop = (Array.isArray(body.stop) ? body.stop : typeof body.stop === "string" ? [body.stop] : []).filter((s: unknown) => typeof s === "string");
  if (stop.length) g.stopSequences = stop.slice(0, Math.min(5, profile.maxStop));
  for (const [chat, gemini] of SAME_FIELDS) if (typeof body[chat] === "number") g[gemini] = body[chat];
  const format = body.response_format;
  if (format?.type === "json_schema")
    Object.assign(g, { responseMimeType: "application/json", responseJsonSchema: geminiSchema(format.json_schema?.schema ?? {}) });
  else if (format?.type === "json_object") g.responseMimeType = "application/json";
  if (typeof body.reasoning_effort === "string") g.thinkingConfig = thinkingConfig(body.reasoning_effort, profile, model, g.maxOutputTokens);
  return g;
}
